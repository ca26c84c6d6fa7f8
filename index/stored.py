"""Briefings as the cache describes them, with their text read from their files when needed.

The cache keeps each briefing's metadata (id, digest, title, date, source,
url, dateline, the file it came from) and its paragraphs' spans as columns
(``index.briefingtable``), so an index opens without reading a single
briefing file. A ``StoredBriefing`` reads and parses its file the first
time its text is needed (a reply quotes it), then keeps it while the texts
kept stay within a bound (``KeptTexts``: the oldest read is dropped first,
and read again if needed). Before any of that text is used, the file's
content must be the one the cache was built from: same digest, and the same
id (the file's name), paragraphs and metadata as the cache says. If not,
``StaleBriefingError`` is raised, every time, and the ``stale`` callback is
told, so the cache is discarded and the briefings indexed again; a quote is
never cut from a text its offsets were not made for.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.briefing import Briefing, Paragraph
from index.listing import ListedFile
from index.loading import MAX_BRIEFING_BYTES, read_briefing
from index.parsing import BriefingFormatError

# The metadata a briefing has besides its id and digest, all text or None.
TEXT_FIELDS = ("title", "date", "source", "url", "dateline")
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

    @functools.cached_property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """The paragraphs, made when first asked for (100,000 of them take a quarter second)."""
        return tuple(Paragraph(n, *span) for n, span in enumerate(self.spans.tolist(), 1))

    def describes(self, briefing: Briefing) -> bool:
        """Whether ``briefing`` is the one this record was made from."""
        return (
            (self.id, self.digest) == (briefing.id, briefing.digest)
            and np.array_equal(self.spans, briefing.spans())
            and all(getattr(self, name) == getattr(briefing, name) for name in TEXT_FIELDS)
            and self.name in {None, briefing.name}
        )


def record_of(briefing: Briefing) -> Record:
    """The record of a briefing (its name made now, while its text is at hand)."""
    fields = {name: getattr(briefing, name) for name in (*TEXT_FIELDS, "name")}
    return Record(briefing.id, briefing.digest, briefing.spans(), **fields)


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
            {name: getattr(record, name) for name in (*TEXT_FIELDS, "id", "digest")},
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
            # Named after the file, as a build names it: a record of another name is refused.
            parsed = read_briefing(data, self._file.stem)
        except OSError as error:
            raise self._gone(f"cannot be read ({error.strerror or error})") from None
        except BriefingFormatError as error:
            raise self._gone(f"is no longer a briefing that loads ({error})") from None
        if parsed.digest != self.digest and parsed.id == self.id:
            raise self._gone("changed since it was indexed")
        if not self._record.describes(parsed):
            raise self._gone("does not match what the index cache says of it")
        return parsed.body

    def _gone(self, reason: str) -> StaleBriefingError:
        self._stale()
        return StaleBriefingError(self.id, reason)
