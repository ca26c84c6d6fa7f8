"""The index's chunks as columns of integers, cut from their briefings when read.

A ``Chunk`` object holds a copy of its text; 100,000 of them cost about
100 MB and a quarter of a second to make. The table keeps each chunk's
briefing, paragraph, offsets and token count in one integer array and makes
the ``Chunk`` (text sliced from the briefing's body) when it is asked for, so
a search makes only the chunks it returns. Iterating makes them all once and
keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np

from index.briefing import Briefing
from index.briefingtable import BriefingTable, ChainedBriefings, ids_of, paragraph_arrays
from index.chunking import Chunk

# The columns of the table, one row per chunk; "briefing" is a position in ``briefings``.
COLUMNS = ("briefing", "paragraph", "start", "end", "tokens")


class ChunkTable(Sequence[Chunk]):
    """Chunks in reading order, stored as integers; reads like a tuple of ``Chunk``."""

    def __init__(self, briefings: Sequence[Briefing], rows: np.ndarray) -> None:
        """Chunks from ``rows`` (int64, one row of ``COLUMNS`` each); ValueError if one is off.

        ``briefings`` is kept as given: a ``BriefingTable`` makes no briefing
        to be checked against, only those whose chunks are read.
        """
        kept = isinstance(briefings, tuple | BriefingTable | ChainedBriefings)
        self.briefings = briefings if kept else tuple(briefings)
        self.rows = rows
        self._made: tuple[Chunk, ...] | None = None
        _check(self.briefings, rows)

    @property
    def owners(self) -> np.ndarray:
        """Each chunk's briefing, as its position in ``briefings``."""
        return self.rows[:, 0]

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, position: int) -> Chunk: ...

    @overload
    def __getitem__(self, position: slice) -> tuple[Chunk, ...]: ...

    def __getitem__(self, position: int | slice) -> Chunk | tuple[Chunk, ...]:
        if isinstance(position, slice):
            return tuple(self)[position]
        if self._made is not None:
            return self._made[position]
        return self._chunk(*self.rows[position].tolist())

    def __iter__(self) -> Iterator[Chunk]:
        if self._made is None:
            self._made = tuple(self._make_all())
        return iter(self._made)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChunkTable):
            return tuple(self) == tuple(other)
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ChunkTable({len(self)} chunks of {len(self.briefings)} briefings)"

    def _make_all(self) -> Iterator[Chunk]:
        for row in self.rows.tolist():
            yield self._chunk(*row)

    def _chunk(self, owner: int, paragraph: int, start: int, end: int, tokens: int) -> Chunk:
        """The chunk of one row of ``COLUMNS``, its text sliced from its briefing."""
        briefing = self.briefings[owner]
        return Chunk(briefing.id, paragraph, start, end, briefing.body[start:end], tokens)


def _check(briefings: Sequence[Briefing], rows: np.ndarray) -> None:
    """Every row names a briefing, one of its paragraphs, and a non-empty span inside it.

    The rows may come from a cache on disk, so nothing is taken on trust: a
    chunk that cites paragraph 1,000,000,000 or slices past its paragraph is refused.
    """
    if rows.dtype != np.int64 or rows.ndim != 2 or rows.shape[1] != len(COLUMNS):
        raise ValueError(f"chunk rows must be an int64 array of {len(COLUMNS)} columns")
    if not len(rows):
        return
    owners, paragraphs, starts, ends, tokens = rows.T
    if owners.min() < 0 or owners.max() >= len(briefings):
        raise ValueError("a chunk names a briefing that is not indexed")
    spans, counts = paragraph_arrays(briefings)
    if np.any(paragraphs < 1) or np.any(paragraphs > counts[owners]):
        bad = int(np.flatnonzero((paragraphs < 1) | (paragraphs > counts[owners]))[0])
        where = ids_of(briefings)[int(owners[bad])]
        raise ValueError(f"a chunk cites paragraph {paragraphs[bad]}, which {where} does not have")
    # Each paragraph's span, looked up by (briefing, paragraph) through a flat table.
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    span = spans[firsts[owners] + paragraphs - 1]
    outside = (starts < span[:, 0]) | (starts >= ends) | (ends > span[:, 1])
    if np.any(outside):
        bad = int(np.flatnonzero(outside)[0])
        where = ids_of(briefings)[int(owners[bad])]
        raise ValueError(
            f"chunk offsets {starts[bad]}:{ends[bad]} are outside paragraph "
            f"{paragraphs[bad]} of {where}"
        )
    # Reading order, as the postings number them: a briefing's chunks in turn, none overlapping.
    following = owners[1:] > owners[:-1]
    after = (owners[1:] == owners[:-1]) & (starts[1:] >= ends[:-1])
    if not np.all(following | after):
        raise ValueError("the chunks are not in reading order")
    # A token is at least one byte of UTF-8, and a character at most four.
    if np.any(tokens < 0) or np.any(tokens > 4 * (ends - starts)):
        raise ValueError("a chunk's token count does not fit its text")
