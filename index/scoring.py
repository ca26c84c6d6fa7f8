"""BM25's parameters and Lucene's always-positive IDF, as briefbot scores with them.

rank-bm25's variants misbehave on a briefing of a dozen chunks: BM25Okapi's
IDF is exactly 0 for a term in half the chunks (and its epsilon floor can
make every score 0), and BM25Plus gives chunks without the term a score. The
Lucene form ``log(1 + (N - n + 0.5) / (n + 0.5))`` is positive for every
term that occurs, so the rarer term always counts more and a chunk without
any query term always scores exactly 0. k1 = 1.5 and b = 0.75 are the
common defaults (rank-bm25's and bm25s's); they rank the evaluation set as
well as Lucene's k1 = 1.2 does, and SciFact better (nDCG@10 0.692 vs 0.688).
``index.reference`` scores with rank-bm25 itself, to check the postings against.
"""

from __future__ import annotations

import math

DEFAULT_K1 = 1.5
DEFAULT_B = 0.75


def lucene_idf(corpus_size: int, document_frequency: int) -> float:
    """Lucene's BM25 IDF: positive for any term, highest for the rarest."""
    return math.log(1 + (corpus_size - document_frequency + 0.5) / (document_frequency + 0.5))


def term_weight(idf: float, tf: int, length: float, avgdl: float, k1: float, b: float) -> float:
    """What a term of IDF ``idf``, ``tf`` times in a chunk of ``length`` terms, adds to its score.

    The scalar form of ``index.postings.bm25_weights``, for one chunk.
    """
    return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / (avgdl or 1.0)))
