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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

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

T = TypeVar("T")


@dataclass(frozen=True)
class AnalysedChunk(Generic[T]):
    """A chunk's terms in order, and its sentences (none kept if it has too many).

    The terms are strings, or whatever stands for them one for one (the ids
    a build's worker gives them: ``index.vocabulary``).
    """

    terms: list[T]
    # Each kept sentence's start and end, as offsets from the chunk's start, flat.
    spans: list[int]
    # Where each kept sentence's terms end in ``terms`` (none when no sentence is kept):
    # the terms are the sentences' terms in turn.
    ends: list[int]

    @property
    def masks(self) -> bytes:
        """One per distinct term, in order of first use: bit i set if sentence i holds it.

        All 0 when no sentence is kept. (A build in worker processes makes the
        same masks with numpy, a whole file at once: ``index.vocabulary``.)
        """
        if len(self.ends) < 2:  # no sentence kept (all 0), or one (all 1)
            return bytes([len(self.ends)]) * len(dict.fromkeys(self.terms))
        masks = dict.fromkeys(self.terms, 0)
        start = 0
        for sentence, end in enumerate(self.ends):
            for term in self.terms[start:end]:
                masks[term] |= 1 << sentence
            start = end
        return bytes(masks.values())


def analyse_chunk(analyzer: Analyzer, body: str, start: int, end: int) -> AnalysedChunk[str]:
    """The terms of ``body[start:end]`` and its sentences, with where each one's terms end."""
    return analyse_sentences(analyzer.analyze, _marker_term(analyzer), body, start, end)


def analyse_sentences(
    analyze: Callable[[str], list[T]], marker: T | None, body: str, start: int, end: int
) -> AnalysedChunk[T]:
    """``analyse_chunk``, the terms as ``analyze`` gives them (``marker``: ``marker_of`` it)."""
    spans = sentence_spans(body, start, end)
    if not spans or len(spans) > MAX_SENTENCES or end - start > MAX_CHUNK_LENGTH:
        return AnalysedChunk(analyze(body[start:end]), [], [])
    flat = [offset - start for span in spans for offset in span]
    if len(spans) == 1:
        terms = analyze(body[spans[0][0] : spans[0][1]])
        return AnalysedChunk(terms, flat, [len(terms)])
    terms, ends = _terms_and_ends(analyze, marker, [body[first:last] for first, last in spans])
    return AnalysedChunk(terms, flat, ends)


def _terms_and_ends(
    analyze: Callable[[str], list[T]], marker: T | None, sentences: list[str]
) -> tuple[list[T], list[int]]:
    """The sentences' terms in turn, and where each sentence's terms end.

    One call to the analyzer costs about 3 µs beyond its words, so the
    sentences are analysed in one call, joined by a made-up word whose term
    then marks where one ends. Should the text itself hold a word of that
    term, each sentence is analysed alone instead.
    """
    joined = analyze(f" {_MARKER} ".join(sentences))
    if marker is None or joined.count(marker) != len(sentences) - 1:
        return _by_sentence(analyze, sentences)
    ends, at = [], -1
    for sentence in range(len(sentences) - 1):
        at = joined.index(marker, at + 1)
        ends.append(at - sentence)  # the markers before this one are not terms
    terms = list(filter(marker.__ne__, joined))
    ends.append(len(terms))
    return terms, ends


def _by_sentence(
    analyze: Callable[[str], list[T]], sentences: list[str]
) -> tuple[list[T], list[int]]:
    terms: list[T] = []
    ends: list[int] = []
    for sentence in sentences:
        terms += analyze(sentence)
        ends.append(len(terms))
    return terms, ends


# A word no briefing uses, analysed to one term of its own (checked where used).
_MARKER = "xqzsentencexqzbreakxqz"


def marker_of(analyze: Callable[[str], list[T]]) -> T | None:
    """What ``analyze`` makes of the word that marks sentence ends; None if not one term."""
    terms = analyze(_MARKER)
    return terms[0] if len(terms) == 1 else None


@functools.lru_cache(maxsize=8)
def _marker_term(analyzer: Analyzer) -> str | None:
    return marker_of(analyzer.analyze)


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


@dataclass(frozen=True, eq=False)
class PackedSentences:
    """Several chunks' kept sentences in turn, as the flat arrays ``SentenceTableBuilder`` keeps.

    Their terms' masks come with the chunks' terms (``index.vocabulary.EncodedChunks``).
    """

    counts: np.ndarray  # int64: each chunk's number of sentences kept
    spans: np.ndarray  # uint16: their flat offsets, chunk after chunk

    @classmethod
    def of(cls, chunks: Sequence[AnalysedChunk]) -> PackedSentences:
        """The sentences of ``chunks``, in order."""
        counts = np.fromiter((len(chunk.ends) for chunk in chunks), np.int64, len(chunks))
        spans = array("H")
        for chunk in chunks:
            spans.extend(chunk.spans)
        return cls(counts, np.frombuffer(spans, dtype=np.uint16))


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

    def extend(self, packed: PackedSentences, masks: np.ndarray) -> None:
        """Append several chunks' sentences and masks (uint8) at once, as ``add`` does each."""
        self._counts.frombytes(packed.counts.astype(np.int64, copy=False).tobytes())
        self._spans.frombytes(packed.spans.astype(np.uint16, copy=False).tobytes())
        self._masks.frombytes(masks.astype(np.uint8, copy=False).tobytes())

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
