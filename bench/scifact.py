"""Retrieval quality on SciFact (BEIR test split): nDCG@10 and Recall@100.

Each abstract is indexed whole, as ``title + " " + text``, with the project's
analyzer and postings (no chunking), and each claim is asked as the engine
asks a question: its distinct analysed terms. Ties are broken by corpus
order, as the engine breaks them by reading order. The data is read where it
lies; its format is described in the dataset's README.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.analysis import Analyzer
from index.postings import Postings
from index.scoring import DEFAULT_B, DEFAULT_K1

DEPTH = 100
# Published BM25 nDCG@10 on this split, from the dataset's README.
PUBLISHED = (
    ("Anserini / Pyserini flat (k1=0.9, b=0.4)", 0.679),
    ("Anserini / Pyserini multifield", 0.665),
    ("bm25s (k1=0.9, b=0.4)", 0.677),
    ("bm25s (k1=1.5, b=0.75)", 0.687),
    ("Elasticsearch", 0.690),
)


@dataclass(frozen=True)
class Quality:
    """Mean nDCG@10 and Recall@100 over the judged queries."""

    ndcg_at_10: float
    recall_at_100: float
    queries: int
    documents: int


def evaluate(
    data: Path, k1: float = DEFAULT_K1, b: float = DEFAULT_B, analyzer: Analyzer | None = None
) -> Quality:
    """Index SciFact's corpus and score its test queries."""
    analyzer = analyzer or Analyzer()
    ids, texts = _corpus(data / "corpus.jsonl.gz")
    postings = Postings.build((analyzer.analyze(text) for text in texts), k1, b)
    queries = _queries(data / "queries.jsonl")
    judged = _qrels(data / "qrels_test.tsv")
    ndcgs, recalls = [], []
    for query_id, relevant in judged.items():
        terms = list(dict.fromkeys(analyzer.analyze(queries[query_id])))
        ranked = [ids[i] for i in _top(postings.scores(terms), DEPTH)]
        ndcgs.append(ndcg(ranked[:10], relevant))
        recalls.append(len(set(ranked) & relevant.keys()) / len(relevant))
    return Quality(float(np.mean(ndcgs)), float(np.mean(recalls)), len(judged), len(ids))


def ndcg(ranked: list[str], relevant: dict[str, int]) -> float:
    """nDCG of a ranking with graded relevance (gain = grade), as trec_eval computes it."""
    gains = [relevant.get(doc, 0) for doc in ranked]
    ideal = sorted(relevant.values(), reverse=True)[: len(ranked)]
    best = _dcg(ideal)
    return _dcg(gains) / best if best else 0.0


def _dcg(gains: list[int]) -> float:
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))


def _top(scores: np.ndarray, k: int) -> list[int]:
    matching = np.flatnonzero(scores > 0)
    return matching[np.lexsort((matching, -scores[matching]))][:k].tolist()


def _corpus(path: Path) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            ids.append(document["_id"])
            texts.append(f"{document.get('title', '')} {document['text']}")
    return ids, texts


def _queries(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as lines:
        return {query["_id"]: query["text"] for query in map(json.loads, lines)}


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows, delimiter="\t"):
            if int(row["score"]) > 0:
                judged[row["query-id"]][row["corpus-id"]] = int(row["score"])
    return dict(judged)
