"""The index: every chunk of every briefing, analysed and scored with BM25.

Scores come from the postings (``index.postings``), which equal rank-bm25's
exhaustive ``LuceneBM25.get_scores`` but only touch the chunks that hold a
query term. Chunks are kept as a ``ChunkTable`` of offsets into the briefings,
and their sentences, with the terms each holds, as a ``SentenceTable``
(``index.sentencetable``) made while the chunks are analysed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from index.analysis import Analyzer, split_words
from index.briefing import Briefing
from index.briefingtable import ids_of
from index.chunking import Chunk, Chunker
from index.chunktable import ChunkTable
from index.memo import Memo
from index.postings import Postings, PostingsBuilder
from index.scoring import lucene_idf, term_weight
from index.sentences import sentence_spans
from index.sentencetable import SentenceTable, SentenceTableBuilder, analyse_chunk

# Acronyms, and chunks split again for their sentences, that each index remembers.
MAX_ACRONYMS = 1024
MAX_CHUNK_SENTENCES = 16384
_NO_TERM = (None,)  # the term of a word the analyzer drops

# Wraps the briefings being indexed, to report progress (rich.progress.track fits).
Progress = Callable[[Sequence[Briefing]], Iterable[Briefing]]


@dataclass(frozen=True)
class Hit:
    """A chunk that matched a query, with its BM25 score."""

    chunk: Chunk
    score: float
    position: int


@dataclass(frozen=True)
class Sentence:
    """A sentence of a chunk: its body offsets and terms (those of a query asked about)."""

    start: int
    end: int
    terms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Index:
    """Briefings, their chunks and the BM25 postings built over the chunks' terms."""

    briefings: Sequence[Briefing]  # a tuple, or a cache's ``BriefingTable``
    chunks: ChunkTable
    analyzer: Analyzer
    postings: Postings = field(repr=False, compare=False)
    # Each chunk's sentences and the terms they hold; None: split when an answer asks.
    sentence_table: SentenceTable | None = field(default=None, repr=False, compare=False)
    # Each briefing's position in ``briefings``, by id.
    _ordinals: dict[str, int] = field(init=False, repr=False, compare=False)
    # Where each briefing's run of chunks starts (and, one on, ends).
    _runs: np.ndarray = field(init=False, repr=False, compare=False)
    # The mean chunk length in terms, as BM25 normalises by.
    _avgdl: float = field(init=False, repr=False, compare=False)
    # The term of each word met so far in the sentences split again (bounded by the
    # briefings' vocabulary). Each entry is written once, whole, so threads may share it.
    _word_terms: dict[str, str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # What the briefings spell each looked-up acronym out as (index.acronyms).
    spelled_out: Memo[str, str | None] = field(
        default_factory=lambda: Memo(MAX_ACRONYMS), init=False, repr=False, compare=False
    )
    # The sentences, with their terms, of each chunk split again when an answer asked.
    sentences: Memo[int, tuple[Sentence, ...]] = field(
        default_factory=lambda: Memo(MAX_CHUNK_SENTENCES), init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.chunks.briefings != self.briefings:
            raise ValueError("the chunk table is of other briefings")
        if len(self.chunks) != self.postings.size:
            raise ValueError(f"{len(self.chunks)} chunks but postings for {self.postings.size}")
        table = self.sentence_table
        if table is not None and len(table.starts) != len(self.chunks) + 1:
            raise ValueError("the sentence table is of other chunks")
        ordinals = dict(zip(ids_of(self.briefings), range(len(self.briefings)), strict=True))
        object.__setattr__(self, "_ordinals", ordinals)
        owners = self.chunks.owners
        if len(owners) > 1 and np.any(owners[1:] < owners[:-1]):
            raise ValueError("the chunks are not in the order of their briefings")
        runs = np.searchsorted(owners, np.arange(len(self.briefings) + 1))
        object.__setattr__(self, "_runs", runs)
        lengths = self.postings.lengths
        avgdl = float(lengths.sum(dtype=np.int64)) / len(lengths) if len(lengths) else 0.0
        object.__setattr__(self, "_avgdl", avgdl)

    @classmethod
    def build(
        cls,
        briefings: Iterable[Briefing],
        analyzer: Analyzer,
        chunker: Chunker,
        progress: Progress = iter,
    ) -> Index:
        """Chunk and analyse every briefing; raise ValueError if there is no text."""
        briefings = tuple(briefings)
        rows: list[tuple[int, ...]] = []
        builder = PostingsBuilder()
        sentences = SentenceTableBuilder()
        for owner, briefing in enumerate(progress(briefings)):
            for chunk in chunker.chunk(briefing):
                rows.append((owner, chunk.paragraph, chunk.start, chunk.end, chunk.tokens))
                analysed = analyse_chunk(analyzer, briefing.body, chunk.start, chunk.end)
                builder.add(analysed.terms)
                sentences.add(analysed.spans, analysed.masks)
        if not rows:
            raise ValueError("there is no text to index")
        table = ChunkTable(briefings, np.array(rows, dtype=np.int64))
        return cls(briefings, table, analyzer, builder.build(), sentences.build())

    def briefing(self, briefing_id: str) -> Briefing:
        """The briefing with this id; KeyError if there is none."""
        return self.briefings[self._ordinals[briefing_id]]

    def idf(self, term: str) -> float:
        """The term's IDF over all chunks; a term found nowhere gets the highest."""
        term_id = self.postings.term_id(term)
        if term_id is None:
            return self.unseen_idf
        return float(self.postings.idf[term_id])

    @property
    def unseen_idf(self) -> float:
        """The IDF of a term no chunk holds: the highest there is."""
        return lucene_idf(len(self.chunks), 0)

    def terms_in(self, position: int) -> frozenset[str]:
        """The distinct terms of the chunk at ``position``."""
        return self.postings.terms_of(position)

    def held_by(self, position: int, terms: Collection[str]) -> frozenset[str]:
        """Which of ``terms`` the chunk at ``position`` holds (cheaper than all its terms)."""
        postings = self.postings
        first, end = postings.chunk_starts[position : position + 2].tolist()
        held = set(postings.chunk_terms[first:end].tolist())
        return frozenset(t for t in terms if postings.term_id(t) in held)

    def occurrence_weight(self, position: int, idf: float) -> float:
        """What one occurrence of a term of IDF ``idf`` adds to the chunk's BM25 score."""
        postings, length = self.postings, float(self.postings.lengths[position])
        return term_weight(idf, 1, length, self._avgdl, postings.k1, postings.b)

    def first_chunks_with(self, term: str, limit: int) -> list[Chunk]:
        """The first ``limit`` chunks, in reading order, that hold ``term``."""
        return [self.chunks[p] for p in self.postings.chunks_with(term)[:limit].tolist()]

    def previous(self, position: int) -> int | None:
        """The position of the chunk before this one in the same briefing, if there is one."""
        owners = self.chunks.owners
        if position == 0 or owners[position - 1] != owners[position]:
            return None
        return position - 1

    def continues_paragraph(self, position: int) -> bool:
        """Whether the chunk at ``position`` is not its paragraph's first."""
        before = self.previous(position)
        rows = self.chunks.rows
        return before is not None and bool(rows[before, 1] == rows[position, 1])

    def knows(self, term: str) -> bool:
        """Whether any chunk contains the term."""
        return self.postings.term_id(term) is not None

    def briefing_knows(self, briefing_id: str, term: str) -> bool:
        """Whether any chunk of that briefing contains the term.

        A briefing's chunks are one run of positions, and a term's postings are
        ascending, so this is one binary search, however common the term.
        """
        owner = self._ordinals.get(briefing_id)
        if owner is None:
            return False
        first, end = self._runs[owner], self._runs[owner + 1]
        postings = self.postings.chunks_with(term)
        at = int(np.searchsorted(postings, first))
        return at < len(postings) and postings[at] < end

    def opening(self, briefing_id: str) -> Chunk:
        """The first chunk of the briefing (its lede); KeyError if it is not indexed."""
        return self.chunks[int(self._runs[self._ordinals[briefing_id]])]

    def chunk_count(self, briefing_id: str) -> int:
        """How many chunks the briefing was cut into; 0 if it is not indexed."""
        owner = self._ordinals.get(briefing_id)
        return 0 if owner is None else int(self._runs[owner + 1] - self._runs[owner])

    def sentences_of(self, position: int, terms: Collection[str]) -> tuple[Sentence, ...]:
        """The sentences of the chunk at ``position``, each with those of ``terms`` it holds.

        Read from the sentence table; a chunk it keeps no sentences of is
        split and analysed here, once while remembered.
        """
        table = self.sentence_table
        spans = table.spans_of(position) if table is not None else []
        if table is None or not spans:
            split = self.sentences.get(position, self._split)
            return tuple(Sentence(s.start, s.end, s.terms.intersection(terms)) for s in split)
        postings = self.postings
        first, last = postings.chunk_starts[position : position + 2].tolist()
        ids, masks_held = postings.chunk_terms[first:last], table.masks[first:last]
        held = dict(zip(ids.tolist(), masks_held.tolist(), strict=True))
        masks = [(term, held.get(postings.term_id(term), 0)) for term in terms]
        masks = [(term, mask) for term, mask in masks if mask]
        start = int(self.chunks.rows[position, 2])
        return tuple(
            Sentence(start + a, start + b, frozenset(t for t, mask in masks if mask >> bit & 1))
            for bit, (a, b) in enumerate(spans)
        )

    def _split(self, position: int) -> tuple[Sentence, ...]:
        chunk = self.chunks[position]
        body = self.briefing(chunk.briefing_id).body
        return tuple(
            self._sentence(start, end, frozenset(split_words(body[start:end])))
            for start, end in sentence_spans(body, chunk.start, chunk.end)
        )

    def _sentence(self, start: int, end: int, words: frozenset[str]) -> Sentence:
        """The sentence with the term of each of its words, each word analysed once per index."""
        known = self._word_terms
        for word in words.difference(known):  # a set's difference with a dict reads only keys
            known[word] = self.analyzer.term(word)
        terms = frozenset(map(known.__getitem__, words)).difference(_NO_TERM)
        return Sentence(start, end, cast(frozenset[str], terms))

    def search(self, terms: Sequence[str], k: int, briefing_id: str | None = None) -> list[Hit]:
        """The ``k`` best chunks that contain a query term, best first."""
        scores = self.postings.scores(terms)
        matching = np.flatnonzero(scores > 0)
        if briefing_id is not None:
            owner = self._ordinals.get(briefing_id, -1)
            matching = matching[self.chunks.owners[matching] == owner]
        return [Hit(self.chunks[i], float(scores[i]), i) for i in _best(matching, scores, k)]


def _best(positions: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """The ``k`` best of ``positions`` (ascending): highest score first, ties in reading order."""
    if k <= 0 or not len(positions):
        return []
    values = scores[positions]
    if len(positions) > k:
        # Keep everything that scores at least the k-th best, ties included, then sort that.
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= kth
        positions, values = positions[keep], values[keep]
    order = np.lexsort((positions, -values))[:k]
    return positions[order].tolist()
