"""Briefings as the cache describes them, with their text read from their files when needed.

The cache keeps each briefing's metadata (id, digest, title, date, source,
url, dateline, the file it came from) in ``briefings.json`` and its
paragraphs' spans as arrays, so an index opens without reading a single
briefing file. A ``StoredBriefing`` reads and parses its file the first
time its text is needed (a reply quotes it), then keeps it while the texts
kept stay within a bound (``KeptTexts``: the oldest read is dropped first,
and read again if needed). Before any of
that text is used, the file's content must be the one the cache was built
from: same digest, and the same paragraphs and metadata as the cache says.
If not, ``StaleBriefingError`` is raised, every time, and the ``stale``
callback is told, so the cache is discarded and the briefings indexed again;
a quote is never cut from a text its offsets were not made for.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.briefing import Briefing, Paragraph
from index.listing import ListedFile, Listing
from index.loading import MAX_BRIEFING_BYTES, Skipped, read_briefing
from index.parsing import BriefingFormatError

_TEXT_FIELDS = ("title", "date", "source", "url", "dateline")
# How much briefing text one index keeps in memory (characters), beyond which the
# text read longest ago is dropped: a server quotes a few briefings far more than
# the rest, and reading one again costs about a millisecond.
DEFAULT_KEPT_CHARACTERS = 64_000_000


class KeptTexts:
    """The briefing texts read so far, the one read longest ago dropped beyond a bound."""

    def __init__(self, max_characters: int | None = None) -> None:
        self.max_characters = DEFAULT_KEPT_CHARACTERS if max_characters is None else max_characters
        self._kept: OrderedDict[int, StoredBriefing] = OrderedDict()
        self._characters = 0
        self._lock = threading.Lock()

    def keep(self, briefing: StoredBriefing, text: str) -> None:
        """Count ``briefing``'s text, just read, and drop the oldest beyond the bound."""
        with self._lock:
            self._kept[id(briefing)] = briefing
            self._characters += len(text)
            while self._characters > self.max_characters and len(self._kept) > 1:
                _, oldest = self._kept.popitem(last=False)
                self._characters -= oldest.forget()


class StaleBriefingError(RuntimeError):
    """A briefing's file no longer holds the text the index was built from."""

    def __init__(self, briefing_id: str, reason: str) -> None:
        super().__init__(f"the briefing {briefing_id} {reason}; it must be indexed again")
        self.briefing_id = briefing_id


@dataclass(frozen=True, eq=False)
class Record:
    """What the cache says of one briefing: everything but its text."""

    id: str
    digest: str
    spans: np.ndarray  # each paragraph's (start, end), numbered from 1
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    dateline: str | None = None
    name: str | None = None  # what readers call it (made from the text when it has no title)
    file: tuple[int, str] | None = None  # (root, relative path) in the listing

    @functools.cached_property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """The paragraphs, made when first asked for (100,000 of them take a quarter second)."""
        return tuple(Paragraph(n, *span) for n, span in enumerate(self.spans.tolist(), 1))

    def describes(self, briefing: Briefing) -> bool:
        """Whether ``briefing`` is the one this record was made from."""
        return (
            (self.id, self.digest) == (briefing.id, briefing.digest)
            and np.array_equal(self.spans, briefing.spans())
            and all(getattr(self, name) == getattr(briefing, name) for name in _TEXT_FIELDS)
            and self.name in {None, briefing.name}
        )


def record_of(briefing: Briefing, file: tuple[int, str] | None = None) -> Record:
    """The record of a briefing read from ``file`` (its root and path in the listing)."""
    fields = {name: getattr(briefing, name) for name in (*_TEXT_FIELDS, "name")}
    return Record(briefing.id, briefing.digest, briefing.spans(), **fields, file=file)


def describe(
    briefings: Sequence[Briefing],
    files: Sequence[ListedFile] | None = None,
    skipped: Sequence[tuple[ListedFile, str]] = (),
) -> tuple[bytes, dict[str, np.ndarray]]:
    """``briefings.json`` and the paragraph arrays that record ``briefings``.

    ``files`` (one per briefing) and ``skipped`` (files that did not load,
    and why) are given for briefings read from a listing.
    """
    records = []
    for number, briefing in enumerate(briefings):
        record: dict[str, object] = {"id": briefing.id, "digest": briefing.digest}
        record |= {name: getattr(briefing, name) for name in (*_TEXT_FIELDS, "name")}
        if files is not None:
            record["file"] = [files[number].root, files[number].relative]
        records.append(record)
    document = {
        "briefings": records,
        "skipped": [[file.root, file.relative, reason] for file, reason in skipped],
    }
    each = [briefing.spans() for briefing in briefings]
    spans = np.concatenate(each) if each else np.zeros((0, 2), dtype=np.int64)
    counts = np.array([len(part) for part in each], dtype=np.int64)
    arrays = {"paragraph_spans": spans, "paragraph_counts": counts}
    return json.dumps(document, ensure_ascii=False).encode(), arrays


def read_records(
    data: bytes, spans: np.ndarray, counts: np.ndarray
) -> tuple[list[Record], list[tuple[int, str, str]]]:
    """The records and skipped files in ``briefings.json``; ValueError if anything is off."""
    document = json.loads(data)
    if not isinstance(document, dict):
        raise ValueError("briefings.json is not an object")
    records, skipped = document.get("briefings"), document.get("skipped")
    if not isinstance(records, list) or not isinstance(skipped, list):
        raise ValueError("briefings.json does not list briefings and skipped files")
    paragraphs = _paragraphs(spans, counts, len(records))
    made = [_record(raw, found) for raw, found in zip(records, paragraphs, strict=True)]
    if len({record.id for record in made}) != len(made):
        raise ValueError("briefings.json names a briefing twice")
    return made, [_skipped(entry) for entry in skipped]


def check_records(records: Sequence[Record], briefings: Sequence[Briefing]) -> None:
    """ValueError unless the records describe exactly ``briefings``, in order."""
    if len(records) != len(briefings):
        raise ValueError("it records another number of briefings")
    for record, briefing in zip(records, briefings, strict=True):
        if not record.describes(briefing):
            raise ValueError(f"what it records of {briefing.id} is not that briefing")


def stored_briefings(
    records: Sequence[Record],
    skipped: Sequence[tuple[int, str, str]],
    listing: Listing,
    stale: Callable[[], None],
    kept: KeptTexts | None = None,
) -> tuple[tuple[StoredBriefing, ...], tuple[Skipped, ...]]:
    """The recorded briefings, read from the listing's files when needed, and the skips.

    ValueError unless every listed file is exactly one recorded briefing or
    one skipped file, and each briefing is named after its file.
    """
    accounted: set[tuple[int, str]] = set()
    briefings = []
    for record in records:
        if record.file is None:
            raise ValueError(f"no file is recorded for {record.id}")
        file = _listed(listing, record.file, accounted)
        if file.stem != record.id:
            raise ValueError(f"{record.id} is recorded for the file {file.relative}")
        briefings.append(StoredBriefing(record, file, stale, kept))
    skips = []
    for root, relative, reason in skipped:
        file = _listed(listing, (root, relative), accounted)
        skips.append(Skipped(str(file.path), reason))
    if len(accounted) != len(listing.files):
        raise ValueError("a listed file is neither a recorded briefing nor a skipped file")
    return tuple(briefings), tuple(skips)


class StoredBriefing(Briefing):
    """A briefing whose metadata came from the cache and whose text is read when first needed.

    Reads like any ``Briefing``; only ``body`` (and what derives from it)
    touches the file, once, under a lock, as answers run in several threads.
    """

    def __init__(
        self,
        record: Record,
        file: ListedFile,
        stale: Callable[[], None],
        kept: KeptTexts | None = None,
    ) -> None:
        """The briefing ``record`` describes, to be read from ``file``; ``kept`` bounds texts."""
        # Set in one step, past the frozen dataclass's __setattr__ (40,000 of these at a start).
        self.__dict__.update(
            {name: getattr(record, name) for name in (*_TEXT_FIELDS, "id", "digest")},
            _record=record,
            _file=file,
            _stale=stale,
            _kept=kept,
            _text=None,
            _reading=threading.Lock(),
        )
        if record.name is not None:  # ``name`` is a cached property: set it, no text needed
            self.__dict__["name"] = record.name

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:  # type: ignore[override]
        """The paragraphs the cache records (checked against the text when it is read)."""
        return self._record.paragraphs

    def spans(self) -> np.ndarray:
        """Each paragraph's (start, end), straight from the cache's array."""
        return self._record.spans

    @property
    def body(self) -> str:  # type: ignore[override]
        """The briefing's text, read and checked the first time it is asked for."""
        text = self._text
        return text if text is not None else self._read()

    @property
    def loaded(self) -> bool:
        """Whether the text has been read (and checked) yet."""
        return self._text is not None

    def _read(self) -> str:
        with self._reading:
            text = self._text
            if text is not None:
                return text
            text = self._checked_text()
            object.__setattr__(self, "_text", text)
        # Counted outside this briefing's lock: dropping another takes that one's lock.
        if self._kept is not None:
            self._kept.keep(self, text)
        return text

    def forget(self) -> int:
        """Drop the text (it is read again when next needed); how many characters it had."""
        with self._reading:
            text, self.__dict__["_text"] = self._text, None
        return 0 if text is None else len(text)

    def _checked_text(self) -> str:
        try:
            with self._file.path.open("rb") as handle:
                data = handle.read(MAX_BRIEFING_BYTES + 1)
            parsed = read_briefing(data, self.id)
        except OSError as error:
            raise self._gone(f"cannot be read ({error.strerror or error})") from None
        except BriefingFormatError as error:
            raise self._gone(f"is no longer a briefing that loads ({error})") from None
        if parsed.digest != self.digest:
            raise self._gone("changed since it was indexed")
        if not self._record.describes(parsed):
            raise self._gone("does not match what the index cache says of it")
        return parsed.body

    def _gone(self, reason: str) -> StaleBriefingError:
        self._stale()
        return StaleBriefingError(self.id, reason)


def _paragraphs(spans: np.ndarray, counts: np.ndarray, briefings: int) -> list[np.ndarray]:
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
    return np.split(spans, np.cumsum(counts)[:-1])


def _record(raw: object, spans: np.ndarray) -> Record:
    if not isinstance(raw, dict):
        raise ValueError("a briefing record is not an object")
    for name in ("id", "digest"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise ValueError(f"a briefing record has no {name}")
    fields = {name: raw.get(name) for name in (*_TEXT_FIELDS, "name")}
    if not all(value is None or isinstance(value, str) for value in fields.values()):
        raise ValueError(f"a field of {raw['id']}'s record is not text")
    file = raw.get("file")
    if file is not None:
        file = _place(file)
    return Record(raw["id"], raw["digest"], spans, **fields, file=file)


def _place(value: object) -> tuple[int, str]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or type(value[0]) is not int
        or not isinstance(value[1], str)
    ):
        raise ValueError("a recorded file is not a root and a path")
    return value[0], value[1]


def _skipped(entry: object) -> tuple[int, str, str]:
    if not isinstance(entry, list) or len(entry) != 3 or not isinstance(entry[2], str):
        raise ValueError("a skipped file is not a root, a path and a reason")
    root, relative = _place(entry[:2])
    return root, relative, entry[2]


def _listed(
    listing: Listing, place: tuple[int, str], accounted: set[tuple[int, str]]
) -> ListedFile:
    file = listing.find(*place)
    if file is None or place in accounted:
        raise ValueError(f"the recorded file {place[1]} is not listed, or recorded twice")
    accounted.add(place)
    return file
