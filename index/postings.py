"""Sparse BM25: for each term, the chunks that hold it and what it adds to their score.

An inverted index in numpy arrays. Term ``t``'s postings are the slice
``starts[t]:starts[t + 1]`` of ``chunks`` (chunk positions, ascending) and
``weights`` (what the term adds to that chunk's score). The weights are
computed once, when the index is built, with the same formula, IDF and
operation order as ``LuceneBM25.get_scores``, so a query only adds up the
postings of its own terms and gets exactly the scores of rank-bm25's
exhaustive walk. A second, chunk-major copy of the term ids answers "which
terms does chunk p hold?". ``counts`` keeps each posting's term frequency,
so that a search over several indexes (``index.segments``) can weigh the
postings with the statistics of all of them.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.scoring import DEFAULT_B, DEFAULT_K1, lucene_idf

# Arrays that define the postings, with their dtypes; everything else derives from them.
ARRAY_DTYPES: dict[str, np.dtype] = {
    "idf": np.dtype(np.float64),
    "starts": np.dtype(np.int64),
    "chunks": np.dtype(np.int32),
    "weights": np.dtype(np.float64),
    "counts": np.dtype(np.int32),
    "lengths": np.dtype(np.int32),
    "chunk_starts": np.dtype(np.int64),
    "chunk_terms": np.dtype(np.int32),
}


# Postings per step when computing weights, so temporaries stay small (8 MB).
_BLOCK = 1 << 20


@dataclass(frozen=True, eq=False)
class Postings:
    """The inverted index of a corpus of analysed chunks, with BM25 weights."""

    terms: tuple[str, ...]
    idf: np.ndarray
    starts: np.ndarray
    chunks: np.ndarray
    weights: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray
    chunk_starts: np.ndarray
    chunk_terms: np.ndarray
    k1: float = DEFAULT_K1
    b: float = DEFAULT_B
    _ids: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_shapes(self)
        _check_values(self)
        ids = dict(zip(self.terms, range(len(self.terms)), strict=True))
        if len(ids) != len(self.terms):
            raise ValueError("the vocabulary repeats a term")
        object.__setattr__(self, "_ids", ids)

    @classmethod
    def build(
        cls, chunk_terms: Iterable[Sequence[str]], k1: float = DEFAULT_K1, b: float = DEFAULT_B
    ) -> Postings:
        """Index the terms of each chunk, in chunk order."""
        builder = PostingsBuilder()
        for terms in chunk_terms:
            builder.add(terms)
        return builder.build(k1, b)

    @classmethod
    def from_arrays(
        cls, terms: tuple[str, ...], arrays: Mapping[str, np.ndarray], k1: float, b: float
    ) -> Postings:
        """Postings from saved arrays; ValueError if they do not fit together."""
        missing = ARRAY_DTYPES.keys() - arrays.keys()
        if missing:
            raise ValueError(f"missing arrays: {', '.join(sorted(missing))}")
        for name, dtype in ARRAY_DTYPES.items():
            if arrays[name].dtype != dtype or arrays[name].ndim != 1:
                raise ValueError(f"{name} is not a one-dimensional {dtype} array")
        return cls(terms, **{name: arrays[name] for name in ARRAY_DTYPES}, k1=k1, b=b)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays that ``from_arrays`` takes back, by name."""
        return {name: getattr(self, name) for name in ARRAY_DTYPES}

    @property
    def size(self) -> int:
        """The number of chunks."""
        return len(self.lengths)

    def term_id(self, term: str) -> int | None:
        """The term's id, or None if no chunk holds it."""
        return self._ids.get(term)

    def chunks_with(self, term: str) -> np.ndarray:
        """The positions of the chunks that hold ``term``, ascending (empty if none)."""
        term_id = self._ids.get(term)
        if term_id is None:
            return self.chunks[:0]
        return self.chunks[self.starts[term_id] : self.starts[term_id + 1]]

    def document_frequency(self, term: str) -> int:
        """How many chunks hold ``term``."""
        return len(self.chunks_with(term))

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """Every chunk's BM25 score for the query terms (repeats count, unknown ones add 0)."""
        scores = np.zeros(self.size)
        for term in terms:
            term_id = self._ids.get(term)
            if term_id is None:
                continue
            # A term's postings name each chunk once, so fancy-index addition is exact.
            postings = slice(self.starts[term_id], self.starts[term_id + 1])
            scores[self.chunks[postings]] += self.weights[postings]
        return scores

    def terms_of(self, position: int) -> frozenset[str]:
        """The distinct terms of the chunk at ``position``."""
        ids = self.chunk_terms[self.chunk_starts[position] : self.chunk_starts[position + 1]]
        return frozenset(self.terms[i] for i in ids.tolist())


class PostingsBuilder:
    """Collects chunks' terms one chunk at a time, keeping only integer ids and counts."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._terms = array("i")
        self._counts = array("i")
        self._sizes = array("i")
        self._lengths = array("i")

    def add(self, terms: Sequence[str]) -> None:
        """Append the next chunk's terms (in order, repeats kept); not after ``build``."""
        ids = self._ids
        counts = Counter(terms)
        self._terms.extend([ids.setdefault(term, len(ids)) for term in counts])
        self._counts.extend(counts.values())
        self._sizes.append(len(counts))
        self._lengths.append(len(terms))

    def term_ids(self, terms: Iterable[str]) -> list[int]:
        """The id of each term, numbering those not met yet in the order given."""
        ids = self._ids
        return [ids.setdefault(term, len(ids)) for term in terms]

    def add_ids(
        self, ids: np.ndarray, counts: np.ndarray, sizes: np.ndarray, lengths: np.ndarray
    ) -> None:
        """Append chunks whose terms are already ids (``term_ids``), all int32 arrays.

        ``ids`` and ``counts`` hold each chunk's distinct terms in turn, in
        order of first use, and how often it uses each; ``sizes`` says how many
        distinct terms each chunk has, ``lengths`` how many terms. This is
        what ``add`` makes of each chunk's terms.
        """
        for collected, values in zip(
            (self._terms, self._counts, self._sizes, self._lengths),
            (ids, counts, sizes, lengths),
            strict=True,
        ):
            collected.frombytes(values.astype(np.int32, copy=False).tobytes())

    def build(self, k1: float = DEFAULT_K1, b: float = DEFAULT_B) -> Postings:
        """The postings of every chunk added so far; the builder is spent afterwards."""
        # Views of the collected ids, not copies: at 100,000 chunks each is 25 MB.
        chunk_terms = np.frombuffer(self._terms, dtype=np.int32)
        sizes = np.frombuffer(self._sizes, dtype=np.int32)
        lengths = np.frombuffer(self._lengths, dtype=np.int32)
        frequencies = np.bincount(chunk_terms, minlength=len(self._ids))
        idf = _lucene_idf(len(sizes), frequencies)
        # Term-major order; a stable sort keeps each term's chunks ascending. (Two 16-bit
        # radix passes are faster but hold three orders at once: +330 MB at 1,000,000 chunks.)
        order = np.argsort(chunk_terms, kind="stable")
        chunks = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)[order]
        counts = np.frombuffer(self._counts, dtype=np.int32)[order]
        del order
        self._counts = array("i")  # reordered above; let the original go
        weights = bm25_weights(idf, frequencies, counts, chunks, lengths, k1, b)
        return Postings(
            terms=tuple(self._ids),
            idf=idf,
            starts=_starts(frequencies),
            chunks=chunks,
            weights=weights,
            counts=counts,
            lengths=lengths,
            chunk_starts=_starts(sizes),
            chunk_terms=chunk_terms,
            k1=k1,
            b=b,
        )


def bm25_weights(
    idf: np.ndarray,
    frequencies: np.ndarray,
    counts: np.ndarray,
    chunks: np.ndarray,
    lengths: np.ndarray,
    k1: float,
    b: float,
) -> np.ndarray:
    """Each posting's idf · tf · (k1 + 1) / (tf + k1 · (1 - b + b · length / avgdl)).

    ``idf`` and ``frequencies`` (postings per term) are per term, ``counts``
    (tf) and ``chunks`` per posting in term-major order, ``lengths`` per
    chunk. The operations are ``LuceneBM25.get_scores``'s, in its order and in
    float64, so each weight is bit for bit the term it adds there; they are
    done in place to keep a large build's memory down.
    """
    avgdl = int(lengths.sum(dtype=np.int64)) / len(lengths) if len(lengths) else 0.0
    norm = k1 * (1 - b + b * lengths.astype(np.float64) / (avgdl or 1.0))
    weights = np.repeat(idf, frequencies)
    weights *= counts
    weights *= k1 + 1
    for start in range(0, len(weights), _BLOCK):
        block = slice(start, start + _BLOCK)
        denominator = norm[chunks[block]]
        denominator += counts[block]
        weights[block] /= denominator
    return weights


def _starts(sizes: np.ndarray) -> np.ndarray:
    """Offsets of consecutive runs of these sizes: [0, s0, s0 + s1, ...]."""
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    return starts


def _lucene_idf(corpus_size: int, frequencies: np.ndarray) -> np.ndarray:
    """``lucene_idf`` for each document frequency, computed as the reference does."""
    distinct, inverse = np.unique(frequencies, return_inverse=True)
    values = np.array([lucene_idf(corpus_size, int(n)) for n in distinct], dtype=np.float64)
    return values[inverse].reshape(frequencies.shape)


def _check_shapes(postings: Postings) -> None:
    terms, chunks = len(postings.terms), len(postings.lengths)
    pairs = len(postings.chunks)
    expected = {
        "idf": terms,
        "starts": terms + 1,
        "weights": pairs,
        "counts": pairs,
        "chunk_starts": chunks + 1,
        "chunk_terms": pairs,
    }
    for name, length in expected.items():
        if len(getattr(postings, name)) != length:
            raise ValueError(f"{name} has {len(getattr(postings, name))} entries, not {length}")


def _check_values(postings: Postings) -> None:
    """Bounds that indexing relies on; a damaged file must not index out of range."""
    _check_offsets("starts", postings.starts, len(postings.chunks))
    _check_offsets("chunk_starts", postings.chunk_starts, len(postings.chunk_terms))
    _check_range("chunks", postings.chunks, postings.size)
    _check_range("chunk_terms", postings.chunk_terms, len(postings.terms))
    if not _positive_and_finite(postings.weights):
        raise ValueError("weights are out of range")
    if not _positive_and_finite(postings.idf):
        raise ValueError("IDF values are out of range")
    # A chunk is at least as long as the number of distinct terms it holds.
    if np.any(postings.lengths < np.diff(postings.chunk_starts)):
        raise ValueError("chunk lengths are out of range")
    if len(postings.counts) and postings.counts.min() < 1:
        raise ValueError("term counts are out of range")


def _check_offsets(name: str, starts: np.ndarray, total: int) -> None:
    if starts[0] != 0 or starts[-1] != total or np.any(np.diff(starts) < 0):
        raise ValueError(f"{name} are not offsets into {total} entries")


def _check_range(name: str, values: np.ndarray, bound: int) -> None:
    # In one pass over the array (a million chunks' postings are 226 MB): read as
    # unsigned, a negative number is larger than any bound.
    unsigned = values.view(np.dtype(f"u{values.dtype.itemsize}"))
    if len(values) and not unsigned.max() < bound:
        raise ValueError(f"{name} holds a number outside 0 to {bound - 1}")


def _positive_and_finite(values: np.ndarray) -> bool:
    """Whether every value is above 0 and finite (NaN fails both), without a temporary array."""
    return not len(values) or bool(values.min() > 0 and values.max() < np.inf)
