"""Each chunk's sentences, and which of the chunk's terms each one holds, as arrays.

An answer picks, in each retrieved chunk, the sentence whose query terms
weigh most. Splitting a chunk into sentences and analysing their words
while a reader waits cost about 100 µs a chunk (mostly lemmatising words
the process had not met yet), more than the search itself. So a chunk is
split once, when it is indexed: its terms are its sentences' terms in turn
(the analyzer reads words, and sentences are cut between words), and for
each distinct term of the chunk, in the postings' chunk-major order
(``Postings.chunk_terms``), one byte says which of its sentences hold it.
A chunk of more than ``MAX_SENTENCES`` sentences, or longer than a 16-bit
offset reaches, keeps none here; the index splits it again when an answer
needs it (``Index.sentences_of``).
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.analysis import Analyzer
from index.sentences import sentence_spans

# The bits of one mask: chunks of more sentences are split when asked.
MAX_SENTENCES = 8
# Sentence offsets are 16-bit: longer chunks (far beyond any token budget) are split when asked.
MAX_CHUNK_LENGTH = (1 << 16) - 1
# Arrays that define the table, with their dtypes.
ARRAY_DTYPES: dict[str, np.dtype] = {
    "sentence_starts": np.dtype(np.int64),
    "sentence_spans": np.dtype(np.uint16),
    "sentence_masks": np.dtype(np.uint8),
}


@dataclass(frozen=True)
class AnalysedChunk:
    """A chunk's terms in order, and its sentences (none kept if it has too many)."""

    terms: list[str]
    # Each kept sentence's start and end, as offsets from the chunk's start, flat.
    spans: list[int]
    # One per distinct term, in order of first use: bit i set if sentence i holds it
    # (all 0 when no sentence is kept).
    masks: bytes


def analyse_chunk(analyzer: Analyzer, body: str, start: int, end: int) -> AnalysedChunk:
    """The terms of ``body[start:end]`` and its sentences, with the terms each one holds."""
    spans = sentence_spans(body, start, end)
    if not spans or len(spans) > MAX_SENTENCES or end - start > MAX_CHUNK_LENGTH:
        terms = analyzer.analyze(body[start:end])
        return AnalysedChunk(terms, [], bytes(len(dict.fromkeys(terms))))
    flat = [offset - start for span in spans for offset in span]
    if len(spans) == 1:
        terms = analyzer.analyze(body[spans[0][0] : spans[0][1]])
        return AnalysedChunk(terms, flat, bytes([1]) * len(dict.fromkeys(terms)))
    terms, masks = _terms_and_masks(analyzer, [body[first:last] for first, last in spans])
    return AnalysedChunk(terms, flat, masks)


def _terms_and_masks(analyzer: Analyzer, sentences: list[str]) -> tuple[list[str], bytes]:
    """The sentences' terms in turn, and for each distinct term which sentences hold it.

    One call to the analyzer costs about 3 µs beyond its words, so the
    sentences are analysed in one call, joined by a made-up word whose term
    then marks where one ends. Should the text itself hold a word of that
    term, each sentence is analysed alone instead.
    """
    marker = _marker_term(analyzer)
    joined = analyzer.analyze(f" {_MARKER} ".join(sentences))
    if marker is None or joined.count(marker) != len(sentences) - 1:
        return _by_sentence(analyzer, sentences)
    masks: dict[str, int] = {}
    flag = 1
    for term in joined:
        if term == marker:
            flag <<= 1
        else:
            masks[term] = masks.get(term, 0) | flag
    return list(filter(marker.__ne__, joined)), bytes(masks.values())


def _by_sentence(analyzer: Analyzer, sentences: list[str]) -> tuple[list[str], bytes]:
    terms: list[str] = []
    masks: dict[str, int] = {}
    for bit, sentence in enumerate(sentences):
        these = analyzer.analyze(sentence)
        terms += these
        for term in these:
            masks[term] = masks.get(term, 0) | 1 << bit
    return terms, bytes(masks.values())


# A word no briefing uses, analysed to one term of its own (checked where used).
_MARKER = "xqzsentencexqzbreakxqz"


@functools.lru_cache(maxsize=8)
def _marker_term(analyzer: Analyzer) -> str | None:
    """The term of the marker word; None if the analyzer does not make it exactly one."""
    terms = analyzer.analyze(_MARKER)
    return terms[0] if len(terms) == 1 else None


@dataclass(frozen=True, eq=False)
class SentenceTable:
    """Sentence spans per chunk, and per posting (chunk-major) the sentences holding its term."""

    # Chunk p's sentences are rows starts[p]:starts[p + 1] of ``spans`` (none: not kept).
    starts: np.ndarray
    # (start, end) of each sentence, as offsets from its chunk's start.
    spans: np.ndarray
    # Aligned with ``Postings.chunk_terms``: bit i set if the chunk's sentence i holds the term.
    masks: np.ndarray

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], lengths: np.ndarray, term_starts: np.ndarray
    ) -> SentenceTable:
        """The table from saved arrays; ValueError if it does not fit the chunks.

        ``lengths`` are the chunks' lengths in characters, ``term_starts``
        where each chunk's terms start in the postings (``Postings.chunk_starts``).
        """
        for name, dtype in ARRAY_DTYPES.items():
            if name not in arrays or arrays[name].dtype != dtype:
                raise ValueError(f"{name} is missing or not of type {dtype}")
        table = cls(arrays["sentence_starts"], arrays["sentence_spans"], arrays["sentence_masks"])
        _check(table, lengths, term_starts)
        return table

    @classmethod
    def none_kept(cls, chunks: int, postings: int) -> SentenceTable:
        """A table that keeps no chunk's sentences (each is split when asked)."""
        starts = np.zeros(chunks + 1, dtype=np.int64)
        return cls(starts, np.zeros((0, 2), dtype=np.uint16), np.zeros(postings, dtype=np.uint8))

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays that ``from_arrays`` takes back, by name."""
        return {"sentence_starts": self.starts, "sentence_spans": self.spans} | {
            "sentence_masks": self.masks
        }

    def spans_of(self, position: int) -> list[list[int]]:
        """The kept sentences of the chunk at ``position``, from its start; [] if none."""
        return self.spans[self.starts[position] : self.starts[position + 1]].tolist()


class SentenceTableBuilder:
    """Collects each chunk's sentences in turn, as flat integer arrays; spent after ``build``."""

    def __init__(self) -> None:
        self._counts = array("q")
        self._spans = array("H")
        self._masks = array("B")

    def add(self, spans: Sequence[int], masks: bytes) -> None:
        """Append the next chunk's flat sentence offsets and its terms' masks."""
        self._counts.append(len(spans) // 2)
        self._spans.extend(spans)
        self._masks.frombytes(masks)

    def build(self) -> SentenceTable:
        """The table of every chunk added so far."""
        starts = np.zeros(len(self._counts) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self._counts, dtype=np.int64), out=starts[1:])
        spans = np.frombuffer(self._spans, dtype=np.uint16).reshape(-1, 2)
        return SentenceTable(starts, spans, np.frombuffer(self._masks, dtype=np.uint8))


def _check(table: SentenceTable, lengths: np.ndarray, term_starts: np.ndarray) -> None:
    """Every span lies inside its chunk and every mask names only the chunk's sentences.

    The arrays may come from a cache on disk, so nothing is taken on trust.
    """
    starts, spans, masks = table.starts, table.spans, table.masks
    if starts.ndim != 1 or len(starts) != len(lengths) + 1:
        raise ValueError("sentence_starts does not have one entry per chunk")
    if spans.ndim != 2 or spans.shape[1] != 2 or masks.ndim != 1:
        raise ValueError("sentence spans or masks have the wrong shape")
    if len(masks) != term_starts[-1]:
        raise ValueError("sentence masks are not one per posting")
    counts = np.diff(starts)
    if starts[0] != 0 or starts[-1] != len(spans) or np.any(counts < 0):
        raise ValueError("sentence_starts are not offsets into the sentences")
    if np.any(counts > MAX_SENTENCES):
        raise ValueError("a chunk keeps more sentences than a mask can name")
    owners = np.repeat(np.arange(len(lengths)), counts)
    if len(spans) and (np.any(spans[:, 0] >= spans[:, 1]) or np.any(spans[:, 1] > lengths[owners])):
        raise ValueError("a sentence lies outside its chunk")
    sizes = np.diff(term_starts)
    held = sizes > 0
    if np.any(held):
        # Each chunk's largest and smallest mask, over the chunks that hold a term.
        firsts = term_starts[:-1][held]
        largest = np.maximum.reduceat(masks, firsts)
        smallest = np.minimum.reduceat(masks, firsts)
        kept = counts[held]
        if np.any(largest.astype(np.int64) >= np.left_shift(1, kept)):
            raise ValueError("a sentence mask names a sentence its chunk does not have")
        if np.any((kept > 0) & (smallest == 0)):
            raise ValueError("a term is in no sentence of its chunk")
