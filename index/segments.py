"""Several indexes searched as one, scored as if they were one index.

Each ``Index`` is an immutable segment: the configured briefings are one,
each uploaded briefing another. A question may see some of them (its
server's), and BM25 must not depend on how the briefings it sees happen to
be split: the number of chunks, each term's document frequency and the
average chunk length are those of exactly the segments searched together.
So the scores equal rank-bm25's over the union of their briefings, as a
single index's do over its own.

A segment's stored weights hold its own statistics, so with one segment
the search is that index's own. With several, the postings of each query
term are weighed again with the combined statistics, in the same
operations and order as ``index.postings.bm25_weights``; only the query's
terms are touched.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cached_property

import numpy as np

from index.analysis import Analyzer
from index.briefing import Briefing
from index.briefingtable import ChainedBriefings, ids_of
from index.chunking import Chunk
from index.chunktable import ChunkTable
from index.memo import Memo
from index.postings import Postings
from index.scoring import lucene_idf, term_weight
from index.search import MAX_ACRONYMS, Hit, Index, Sentence, _best


class SegmentPostings:
    """What the answering reads of an index's postings, over several segments.

    The vocabulary, each term's document frequency and the chunks that hold
    a term (as positions counted over all the segments).
    """

    def __init__(self, segments: tuple[Index, ...], offsets: np.ndarray) -> None:
        self._segments = segments
        self._offsets = offsets[:-1].tolist()
        self.k1 = segments[0].postings.k1
        self.b = segments[0].postings.b

    @cached_property
    def terms(self) -> tuple[str, ...]:
        """Every term some segment holds, each once."""
        return tuple(dict.fromkeys(t for s in self._segments for t in s.postings.terms))

    def document_frequency(self, term: str) -> int:
        """How many chunks, in all segments, hold ``term``."""
        return sum(s.postings.document_frequency(term) for s in self._segments)

    def chunks_with(self, term: str) -> np.ndarray:
        """The positions of the chunks that hold ``term``, ascending, over all segments."""
        parts = [
            s.postings.chunks_with(term).astype(np.int64) + offset
            for s, offset in zip(self._segments, self._offsets, strict=True)
        ]
        return np.concatenate(parts)


class Segments:
    """Indexes searched together; reads like an ``Index`` of all their briefings."""

    def __init__(self, segments: Sequence[Index]) -> None:
        """Combine ``segments`` (at least one); ValueError if two hold the same briefing id."""
        if not segments:
            raise ValueError("there is no segment to search")
        self.segments = tuple(segments)
        self.briefings = ChainedBriefings([segment.briefings for segment in self.segments])
        self._segment_of: dict[str, int] = {}
        for number, segment in enumerate(self.segments):
            for briefing_id in ids_of(segment.briefings):
                if self._segment_of.setdefault(briefing_id, number) != number:
                    raise ValueError(f"two segments hold a briefing named {briefing_id}")
        sizes = [segment.postings.size for segment in self.segments]
        self._offsets = np.cumsum([0, *sizes])
        self.size = int(self._offsets[-1])
        total_length = sum(int(s.postings.lengths.sum(dtype=np.int64)) for s in self.segments)
        self.avgdl = total_length / self.size if self.size else 0.0
        # What the briefings spell each looked-up acronym out as (see index.acronyms).
        self.spelled_out: Memo[str, str | None] = Memo(MAX_ACRONYMS)

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer every segment was built with."""
        return self.segments[0].analyzer

    @cached_property
    def postings(self) -> Postings | SegmentPostings:
        """The postings as the answering reads them: one segment's own, or all of them."""
        if len(self.segments) == 1:
            return self.segments[0].postings
        return SegmentPostings(self.segments, self._offsets)

    @property
    def unseen_idf(self) -> float:
        """The IDF of a term no chunk holds: the highest there is."""
        return lucene_idf(self.size, 0)

    def briefing_knows(self, briefing_id: str, term: str) -> bool:
        """Whether any chunk of that briefing contains the term."""
        number = self._segment_of.get(briefing_id)
        return number is not None and self.segments[number].briefing_knows(briefing_id, term)

    def opening(self, briefing_id: str) -> Chunk:
        """The first chunk of the briefing (its lede); KeyError if it is not indexed."""
        return self.segments[self._segment_of[briefing_id]].opening(briefing_id)

    def sentences_of(self, position: int, terms: Collection[str]) -> tuple[Sentence, ...]:
        """The sentences of the chunk at ``position``, as its segment has them."""
        segment, offset = self._segment_at(position)
        return segment.sentences_of(position - offset, terms)

    @cached_property
    def chunks(self) -> ChunkTable:
        """Every chunk, segment after segment (made when first asked for; one segment's own)."""
        if len(self.segments) == 1:
            return self.segments[0].chunks
        rows = []
        first = 0  # the position of each segment's first briefing in ``briefings``
        for segment in self.segments:
            moved = segment.chunks.rows.copy()
            moved[:, 0] += first
            rows.append(moved)
            first += len(segment.briefings)
        return ChunkTable(self.briefings, np.concatenate(rows))

    def briefing(self, briefing_id: str) -> Briefing:
        """The briefing with this id; KeyError if there is none."""
        return self.segments[self._segment_of[briefing_id]].briefing(briefing_id)

    def chunk_count(self, briefing_id: str) -> int:
        """How many chunks the briefing was cut into; 0 if it is not indexed."""
        number = self._segment_of.get(briefing_id)
        return 0 if number is None else self.segments[number].chunk_count(briefing_id)

    def knows(self, term: str) -> bool:
        """Whether any chunk of any segment contains the term."""
        return any(segment.knows(term) for segment in self.segments)

    def frequency(self, term: str) -> int:
        """How many chunks, in all segments, contain the term."""
        total = 0
        for segment in self.segments:
            term_id = segment.postings.term_id(term)
            if term_id is not None:
                starts = segment.postings.starts
                total += int(starts[term_id + 1] - starts[term_id])
        return total

    def idf(self, term: str) -> float:
        """The term's IDF over every segment's chunks; a term found nowhere gets the highest."""
        if len(self.segments) == 1:
            return self.segments[0].idf(term)
        return lucene_idf(self.size, self.frequency(term))

    def terms_in(self, position: int) -> frozenset[str]:
        """The distinct terms of the chunk at ``position`` (counted over all segments)."""
        segment, offset = self._segment_at(position)
        return segment.terms_in(position - offset)

    def held_by(self, position: int, terms: Collection[str]) -> frozenset[str]:
        """Which of ``terms`` the chunk at ``position`` holds."""
        segment, offset = self._segment_at(position)
        return segment.held_by(position - offset, terms)

    def occurrence_weight(self, position: int, idf: float) -> float:
        """What one occurrence of a term of IDF ``idf`` adds to the chunk's BM25 score.

        The chunk's length is its segment's; the mean length, all the segments'.
        """
        segment, offset = self._segment_at(position)
        postings = segment.postings
        length = float(postings.lengths[position - offset])
        return term_weight(idf, 1, length, self.avgdl, postings.k1, postings.b)

    def first_chunks_with(self, term: str, limit: int) -> list[Chunk]:
        """The first ``limit`` chunks, in reading order, that hold ``term``."""
        found: list[Chunk] = []
        for segment in self.segments:
            if len(found) >= limit:
                break
            found += segment.first_chunks_with(term, limit - len(found))
        return found

    def previous(self, position: int) -> int | None:
        """The position of the chunk before this one in the same briefing, if there is one."""
        segment, offset = self._segment_at(position)
        before = segment.previous(position - offset)
        return None if before is None else before + offset

    def search(self, terms: Sequence[str], k: int, briefing_id: str | None = None) -> list[Hit]:
        """The ``k`` best chunks that contain a query term, best first, over all segments."""
        if len(self.segments) == 1:
            return self.segments[0].search(terms, k, briefing_id)
        scores = self.scores(terms)
        matching = np.flatnonzero(scores > 0)
        if briefing_id is not None:
            number = self._segment_of.get(briefing_id)
            if number is None:
                return []
            low, high = self._offsets[number], self._offsets[number + 1]
            matching = matching[(matching >= low) & (matching < high)]
            segment = self.segments[number]
            owner = segment.briefings.index(segment.briefing(briefing_id))
            matching = matching[segment.chunks.owners[matching - low] == owner]
        return [self._hit(i, float(scores[i])) for i in _best(matching, scores, k)]

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """Every chunk's BM25 score, with the statistics of all the segments together."""
        scores = np.zeros(self.size)
        for term in terms:
            frequency = self.frequency(term)
            if not frequency:
                continue
            idf = lucene_idf(self.size, frequency)
            for segment, offset in zip(self.segments, self._offsets[:-1].tolist(), strict=True):
                self._add_term(scores[offset:], segment, term, idf)
        return scores

    def _add_term(self, scores: np.ndarray, segment: Index, term: str, idf: float) -> None:
        """Add what ``term`` adds to each chunk of ``segment`` (its scores start at 0)."""
        postings = segment.postings
        term_id = postings.term_id(term)
        if term_id is None:
            return
        span = slice(postings.starts[term_id], postings.starts[term_id + 1])
        chunks, counts = postings.chunks[span], postings.counts[span]
        k1, b = postings.k1, postings.b
        lengths = postings.lengths[chunks].astype(np.float64)
        norm = k1 * (1 - b + b * lengths / (self.avgdl or 1.0))
        weights = np.full(len(chunks), idf)
        weights *= counts
        weights *= k1 + 1
        norm += counts
        weights /= norm
        scores[chunks] += weights

    def continues_paragraph(self, position: int) -> bool:
        """Whether the chunk at ``position`` is not its paragraph's first."""
        segment, offset = self._segment_at(position)
        return segment.continues_paragraph(position - offset)

    def _hit(self, position: int, score: float) -> Hit:
        segment, offset = self._segment_at(position)
        return Hit(segment.chunks[position - offset], score, position)

    def _segment_at(self, position: int) -> tuple[Index, int]:
        """The segment holding the chunk at ``position``, and its first chunk's position."""
        number = int(np.searchsorted(self._offsets, position, side="right")) - 1
        return self.segments[number], int(self._offsets[number])
