"""The engines under test, behind one small interface.

All three see the same chunks and the same terms (the project's analyzer), so
their scores are comparable and their top 10s can be checked against each
other. ``build`` starts from text: for the project that is the briefings
(chunking and analysis included), for the others the chunk texts (analysis
included, chunking not).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Protocol

import numpy as np

from bench.corpus import Corpus
from bot.render import render_answer
from index.analysis import Analyzer
from index.answering import answer
from index.cache import cache_key, cache_path, open_index, save_index
from index.chunking import Chunker
from index.parsing import parse_briefing
from index.reference import LuceneBM25
from index.scoring import DEFAULT_B, DEFAULT_K1
from index.search import Index
from index.tokens import load_encoding


class Engine(Protocol):
    """What the benchmark does with an engine."""

    # Whether serving needs the briefings' text (to quote from it).
    quotes: bool

    def build(self, corpus: Corpus) -> None:
        """Index the corpus from its text."""

    def save(self, directory: Path) -> None:
        """Write the index to ``directory``."""

    def load(self, corpus: Corpus, directory: Path) -> None:
        """Read the index back from ``directory``."""

    def retrieve(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        """Position and score of the ``k`` best chunks for analysed query terms."""


class Project:
    """briefbot's own index: postings, the .npy cache, and the whole answer."""

    quotes = True

    def __init__(self) -> None:
        self.analyzer = Analyzer()
        self.chunker = Chunker(load_encoding())
        self.index: Index | None = None

    def build(self, corpus: Corpus) -> None:
        self.index = Index.build(_briefings(corpus), self.analyzer, self.chunker)

    def save(self, directory: Path) -> None:
        key = cache_key(self.index.briefings, self.analyzer, self.chunker)
        save_index(self.index, cache_path(directory, key), key)

    def load(self, corpus: Corpus, directory: Path) -> None:
        briefings = _briefings(corpus)
        self.index = open_index(briefings, self.analyzer, self.chunker, directory, _refuse, _refuse)

    def retrieve(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        return [(hit.position, hit.score) for hit in self.index.search(terms, k)]

    def answer(self, question: str) -> str:
        """The reply a user reads: retrieval, best sentence, attribution and rendering."""
        return render_answer(answer(self.index, question))


class RankBM25:
    """rank-bm25 scoring every chunk (LuceneBM25, the project's reference scorer)."""

    quotes = False

    def __init__(self) -> None:
        self.analyzer = Analyzer()
        self.model: LuceneBM25 | None = None

    def build(self, corpus: Corpus) -> None:
        self.model = LuceneBM25([self.analyzer.analyze(text) for text in corpus.paragraphs])

    def save(self, directory: Path) -> None:
        # rank-bm25 has no file format of its own; pickle is how it is kept.
        with (directory / "rank_bm25.pickle").open("wb") as handle:
            pickle.dump(self.model, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, corpus: Corpus, directory: Path) -> None:
        with (directory / "rank_bm25.pickle").open("rb") as handle:
            self.model = pickle.load(handle)  # noqa: S301 - our own file, written above

    def retrieve(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        scores = self.model.get_scores(terms)
        matching = np.flatnonzero(scores > 0)
        best = matching[np.lexsort((matching, -scores[matching]))][:k]
        return list(zip(best.tolist(), scores[best].tolist(), strict=True))


class BM25S:
    """bm25s with its Lucene variant and the same k1 and b (float32 scores, as it ships)."""

    quotes = False

    def __init__(self) -> None:
        import bm25s  # a benchmark-only dependency, imported only when used

        self.bm25s = bm25s
        self.analyzer = Analyzer()
        self.model = None

    def build(self, corpus: Corpus) -> None:
        tokens = [self.analyzer.analyze(text) for text in corpus.paragraphs]
        self.model = self.bm25s.BM25(k1=DEFAULT_K1, b=DEFAULT_B, method="lucene")
        self.model.index(tokens, show_progress=False)

    def save(self, directory: Path) -> None:
        self.model.save(directory / "bm25s", show_progress=False)

    def load(self, corpus: Corpus, directory: Path) -> None:
        self.model = self.bm25s.BM25.load(directory / "bm25s", show_progress=False)

    def retrieve(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        documents, scores = self.model.retrieve([terms], k=k, show_progress=False)
        # bm25s fills the k places even with chunks that score 0; the others return only matches.
        # Its Lucene variant leaves out BM25's constant factor (k1 + 1); put it back to compare.
        matched = scores[0] > 0
        scaled = (scores[0][matched] * (DEFAULT_K1 + 1)).tolist()
        return list(zip(documents[0][matched].tolist(), scaled, strict=True))


ENGINES = {"project": Project, "rank-bm25": RankBM25, "bm25s": BM25S}


def _briefings(corpus: Corpus) -> tuple:
    return tuple(parse_briefing(text, briefing_id) for briefing_id, text in corpus.briefings)


def _refuse(*args: object) -> None:
    raise RuntimeError("the cache was not used: the serving process would have built the index")
