"""The briefings of a cached index as columns, each made into a ``StoredBriefing`` when read.

Making and checking one object per briefing took 1.5 s of a start over
40,000 files, though a reply reads a handful of them. So the cache keeps
what it says of the briefings field by field: ``briefings.json`` holds one
list per field (ids, digests, titles, ...), the position of each briefing's
file in the listing and the files skipped, and two arrays hold the
paragraphs' spans. Opening checks every column at once (types, lengths,
unique ids, paragraph spans in order, every listed file accounted for
exactly once) and makes no briefing; a ``BriefingTable`` reads like a tuple
of briefings and makes each one the first time it is asked for.

What only a briefing's text can confirm (its digest, that its file is named
as its id, its paragraphs and metadata) is checked when that text is first
read (``index.stored``).
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from index.briefing import Briefing
from index.listing import ListedFile, Listing
from index.loading import Skipped
from index.stored import TEXT_FIELDS, KeptTexts, Record, StoredBriefing

# The metadata columns besides ids and digests, as ``Record`` fields (text or None).
FIELDS = (*TEXT_FIELDS, "name")


@dataclass(frozen=True)
class BriefingColumns:
    """What a cache says of every briefing but its text, field by field, in index order."""

    ids: tuple[str, ...]
    digests: tuple[str, ...]
    fields: Mapping[str, tuple[str | None, ...]]  # each of ``FIELDS``, one value per briefing
    spans: np.ndarray  # every paragraph's (start, end), briefing after briefing
    counts: np.ndarray  # how many of those paragraphs each briefing has
    files: tuple[int, ...] | None  # each briefing's position in the listing, if listed
    skipped: tuple[tuple[int, str], ...] = ()  # listed files that did not load, and why

    def __len__(self) -> int:
        return len(self.ids)


def describe(
    briefings: Sequence[Briefing],
    files: Sequence[ListedFile] | None = None,
    skipped: Sequence[tuple[ListedFile, str]] = (),
) -> tuple[bytes, dict[str, np.ndarray]]:
    """``briefings.json`` and the paragraph arrays that record ``briefings``.

    ``files`` (one per briefing) and ``skipped`` (files that did not load,
    and why) are given for briefings read from a listing.
    """
    document: dict[str, object] = {
        "id": [briefing.id for briefing in briefings],
        "digest": [briefing.digest for briefing in briefings],
    }
    document |= {name: [getattr(b, name) for b in briefings] for name in FIELDS}
    document["file"] = None if files is None else [file.position for file in files]
    document["skipped"] = [[file.position, reason] for file, reason in skipped]
    spans, counts = paragraph_arrays(briefings)
    arrays = {"paragraph_spans": spans, "paragraph_counts": counts}
    return json.dumps(document).encode(), arrays  # ASCII: a file name may not be UTF-8


def read_columns(data: bytes, spans: np.ndarray, counts: np.ndarray) -> BriefingColumns:
    """The columns in ``briefings.json`` and the paragraph arrays; ValueError if anything is off."""
    document = json.loads(data)
    if not isinstance(document, dict):
        raise ValueError("briefings.json is not an object")
    ids, digests = _texts(document, "id"), _texts(document, "digest")
    if not all(ids) or not all(digests):
        raise ValueError("a briefing has no id or no digest")
    if len(set(ids)) != len(ids):
        raise ValueError("briefings.json names a briefing twice")
    # Every briefing has a name (its title or its file's); the other fields may be absent.
    fields = {name: _texts(document, name, optional=name != "name") for name in FIELDS}
    if any(len(column) != len(ids) for column in (digests, *fields.values())):
        raise ValueError("the columns of briefings.json differ in length")
    _check_paragraphs(spans, counts, len(ids))
    files = document.get("file")
    if files is not None:
        files = _positions(files)
        if len(files) != len(ids):
            raise ValueError("there is not one file per briefing")
    skipped = document.get("skipped")
    if not isinstance(skipped, list) or not all(map(_is_skip, skipped)):
        raise ValueError("a skipped file is not a position and a reason")
    skips = tuple((position, reason) for position, reason in skipped)
    return BriefingColumns(ids, digests, fields, spans, counts, files, skips)


def check_columns(columns: BriefingColumns, briefings: Sequence[Briefing]) -> None:
    """ValueError unless the columns describe exactly ``briefings``, in order."""
    if len(columns) != len(briefings):
        raise ValueError("it records another number of briefings")
    for name, column in [("id", columns.ids), ("digest", columns.digests), *columns.fields.items()]:
        for value, briefing in zip(column, briefings, strict=True):
            # A record may leave the name out: it is then made from the text.
            if value != getattr(briefing, name) and not (name == "name" and value is None):
                raise ValueError(f"what it records of {briefing.id}'s {name} is not its own")
    spans, counts = paragraph_arrays(briefings)
    if not (np.array_equal(columns.spans, spans) and np.array_equal(columns.counts, counts)):
        raise ValueError("what it records of the briefings' paragraphs is not theirs")


def check_files(columns: BriefingColumns, listing: Listing) -> None:
    """ValueError unless every listed file is exactly one briefing or one skipped file."""
    if columns.files is None:
        raise ValueError("no file is recorded for the briefings")
    skipped = [position for position, _ in columns.skipped]
    places = np.array([*columns.files, *skipped], dtype=np.int64)  # OverflowError if huge
    if len(places) and (places.min() < 0 or places.max() >= len(listing)):
        raise ValueError("a recorded file is not listed")
    if len(places) != len(listing) or np.any(np.bincount(places, minlength=len(listing)) != 1):
        raise ValueError("a listed file is recorded twice, or not at all")


def skipped_files(columns: BriefingColumns, listing: Listing) -> tuple[Skipped, ...]:
    """The listed files that did not load when the index was built, and why."""
    return tuple(
        Skipped(str(listing.file(position).path), reason) for position, reason in columns.skipped
    )


class _LazyBriefings(Sequence[Briefing]):
    """Briefings made only when read, that slice, compare and hash as a tuple of them does."""

    @overload
    def __getitem__(self, position: int) -> Briefing: ...

    @overload
    def __getitem__(self, position: slice) -> tuple[Briefing, ...]: ...

    def __getitem__(self, position: int | slice) -> Briefing | tuple[Briefing, ...]:
        if isinstance(position, slice):
            return tuple(map(self._at, range(len(self))[position]))
        return self._at(range(len(self))[position])  # IndexError beyond either end

    def _at(self, position: int) -> Briefing:
        """The briefing at ``position`` (0 to ``len(self) - 1``)."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, _LazyBriefings | tuple):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))


class BriefingTable(_LazyBriefings):
    """Briefings stored as columns; reads like a tuple of ``StoredBriefing``.

    The briefing at a position is made the first time it is read and kept,
    so it is always the same object (its text, once read, is read once).
    """

    def __init__(
        self,
        columns: BriefingColumns,
        listing: Listing,
        stale: Callable[[], None],
        kept: KeptTexts | None = None,
    ) -> None:
        """The briefings ``columns`` records, to be read from the files of ``listing``.

        ``stale`` is told if a file turns out to have changed; ``kept`` bounds
        the texts kept. ``check_files`` must have accepted the columns.
        """
        self.columns = columns
        self._listing = listing
        self._stale = stale
        self._kept = kept
        self._firsts = np.concatenate(([0], np.cumsum(columns.counts))).tolist()
        self._made: list[StoredBriefing | None] = [None] * len(columns)
        self._making = threading.Lock()

    @property
    def ids(self) -> tuple[str, ...]:
        """Each briefing's id, in order, without making the briefings."""
        return self.columns.ids

    def __len__(self) -> int:
        return len(self.columns)

    def _at(self, position: int) -> StoredBriefing:
        briefing = self._made[position]
        return briefing if briefing is not None else self._make(position)

    def __iter__(self) -> Iterator[StoredBriefing]:
        return map(self._at, range(len(self)))

    def __repr__(self) -> str:
        return f"BriefingTable({len(self)} briefings)"

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """The position of a briefing, found by its id rather than by making every briefing."""
        if isinstance(value, Briefing):
            with contextlib.suppress(ValueError):
                position = self.ids.index(value.id, start, len(self) if stop is None else stop)
                if self[position] == value:
                    return position
        raise ValueError(f"{value!r} is not in the briefings")

    def _make(self, position: int) -> StoredBriefing:
        with self._making:
            briefing = self._made[position]
            if briefing is None:
                briefing = StoredBriefing(
                    self._record(position),
                    self._listing.file(self.columns.files[position]),  # type: ignore[index]
                    self._stale,
                    self._kept,
                )
                self._made[position] = briefing
            return briefing

    def _record(self, position: int) -> Record:
        columns = self.columns
        first, end = self._firsts[position], self._firsts[position + 1]
        fields = {name: column[position] for name, column in columns.fields.items()}
        return Record(
            columns.ids[position], columns.digests[position], columns.spans[first:end], **fields
        )


class ChainedBriefings(_LazyBriefings):
    """The briefings of several indexes read as one sequence, each made only when read.

    A server searches its segments as one index; naming them all must not
    make every briefing of a large archive (half a second at 40,000 files).
    """

    def __init__(self, parts: Sequence[Sequence[Briefing]]) -> None:
        self.parts = tuple(parts)
        self._starts = list(itertools.accumulate(map(len, self.parts), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    def _at(self, position: int) -> Briefing:
        part = bisect.bisect_right(self._starts, position) - 1
        return self.parts[part][position - self._starts[part]]

    def __iter__(self) -> Iterator[Briefing]:
        return itertools.chain.from_iterable(self.parts)

    def __repr__(self) -> str:
        return f"ChainedBriefings({len(self)} briefings in {len(self.parts)} parts)"

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """The position of a briefing, found part by part (by id in a ``BriefingTable``)."""
        start, stop, _ = slice(start, stop).indices(len(self))
        for part, first in zip(self.parts, self._starts, strict=False):
            with contextlib.suppress(ValueError):
                position = first + part.index(value)
                if start <= position < stop:
                    return position
        raise ValueError(f"{value!r} is not in the briefings")


def ids_of(briefings: Sequence[Briefing]) -> Sequence[str]:
    """Each briefing's id, in order (a ``BriefingTable`` makes no briefing for it)."""
    if isinstance(briefings, BriefingTable):
        return briefings.ids
    if isinstance(briefings, ChainedBriefings):
        return tuple(itertools.chain.from_iterable(map(ids_of, briefings.parts)))
    return [briefing.id for briefing in briefings]


def titles_of(briefings: Sequence[Briefing]) -> Sequence[str | None]:
    """Each briefing's title, in order (a ``BriefingTable`` makes no briefing for it)."""
    return _field_of(briefings, "title")


def names_of(briefings: Sequence[Briefing]) -> Sequence[str]:
    """Each briefing's name, in order (a ``BriefingTable`` makes no briefing for it)."""
    return _field_of(briefings, "name")  # type: ignore[return-value]  # never None


def dates_of(briefings: Sequence[Briefing]) -> Sequence[str | None]:
    """Each briefing's date, in order (a ``BriefingTable`` makes no briefing for it)."""
    return _field_of(briefings, "date")


def _field_of(briefings: Sequence[Briefing], name: str) -> Sequence[str | None]:
    if isinstance(briefings, BriefingTable):
        return briefings.columns.fields[name]
    if isinstance(briefings, ChainedBriefings):
        parts = (_field_of(part, name) for part in briefings.parts)
        return tuple(itertools.chain.from_iterable(parts))
    return [getattr(briefing, name) for briefing in briefings]


def paragraph_arrays(briefings: Sequence[Briefing]) -> tuple[np.ndarray, np.ndarray]:
    """Every paragraph's (start, end), briefing after briefing, and each briefing's count."""
    if isinstance(briefings, BriefingTable):
        return briefings.columns.spans, briefings.columns.counts
    if isinstance(briefings, ChainedBriefings) and briefings.parts:
        spans, counts = zip(*map(paragraph_arrays, briefings.parts), strict=True)
        return np.concatenate(spans), np.concatenate(counts)
    each = [briefing.spans() for briefing in briefings]
    spans = np.concatenate(each) if each else np.zeros((0, 2), dtype=np.int64)
    return spans, np.array([len(part) for part in each], dtype=np.int64)


def _texts(document: dict, name: str, *, optional: bool = False) -> tuple[str | None, ...]:
    """The column ``name``: a list of text (or None, if ``optional``)."""
    column = document.get(name)
    allowed = {str, type(None)} if optional else {str}
    if not isinstance(column, list) or not set(map(type, column)) <= allowed:
        raise ValueError(f"the briefings' {name} column is not text")
    return tuple(column)


def _positions(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not set(map(type, value)) <= {int}:
        raise ValueError("the briefings' files are not positions in the listing")
    return tuple(value)


def _is_skip(entry: object) -> bool:
    return (
        isinstance(entry, list)
        and len(entry) == 2
        and type(entry[0]) is int
        and isinstance(entry[1], str)
    )


def _check_paragraphs(spans: np.ndarray, counts: np.ndarray, briefings: int) -> None:
    """Each briefing's paragraphs: numbered from 1, non-empty, in order, not overlapping."""
    if spans.dtype != np.int64 or spans.ndim != 2 or spans.shape[1:] != (2,):
        raise ValueError("paragraph spans must be an int64 array of two columns")
    if counts.dtype != np.int64 or counts.shape != (briefings,):
        raise ValueError("there is not one paragraph count per briefing")
    if np.any(counts < 1) or int(counts.sum()) != len(spans):
        raise ValueError("the paragraph counts do not fit the paragraph spans")
    starts, ends = spans[:, 0], spans[:, 1]
    firsts = np.zeros(len(spans), dtype=bool)
    firsts[np.concatenate(([0], np.cumsum(counts)[:-1]))] = True
    follows = np.concatenate(([True], starts[1:] >= ends[:-1]))
    if np.any(starts < 0) or np.any(ends <= starts) or not np.all(firsts | follows):
        raise ValueError("the paragraph spans are out of order")
