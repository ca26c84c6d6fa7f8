"""rank-bm25 with Lucene's IDF: the exhaustive scorer the postings are checked against.

``index.postings`` scores only the chunks that hold a query term; tests and
benchmarks compare its scores with this one, which scores every chunk the
way rank-bm25 does. Nothing answering a question imports it (nor rank-bm25).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25

from index.scoring import DEFAULT_B, DEFAULT_K1, lucene_idf


class LuceneBM25(BM25):
    """rank-bm25's BM25 with Lucene's IDF; scores every chunk exhaustively."""

    def __init__(
        self, corpus: Sequence[Sequence[str]], k1: float = DEFAULT_K1, b: float = DEFAULT_B
    ) -> None:
        self.k1 = k1
        self.b = b
        super().__init__(corpus)

    def _calc_idf(self, nd: dict[str, int]) -> None:
        self.idf = {term: lucene_idf(self.corpus_size, count) for term, count in nd.items()}

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """The BM25 score of every chunk for the query terms (repeats count)."""
        scores = np.zeros(self.corpus_size)
        lengths = np.array(self.doc_len, dtype=float)
        norm = self.k1 * (1 - self.b + self.b * lengths / (self.avgdl or 1.0))
        for term in query:
            idf = self.idf.get(term)
            if idf is None:
                continue
            freq = np.array([doc.get(term, 0) for doc in self.doc_freqs], dtype=float)
            scores += idf * freq * (self.k1 + 1) / (freq + norm)
        return scores

    def get_batch_scores(self, query: Sequence[str], doc_ids: Sequence[int]) -> list[float]:
        """Scores of the chunks ``doc_ids`` only."""
        return self.get_scores(query)[list(doc_ids)].tolist()
