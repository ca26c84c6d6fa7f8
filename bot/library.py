"""The briefings the bot answers from: one index, replaced whole when briefings change.

The index is immutable, so a question always sees one consistent index.
Adding or removing a briefing writes (or deletes) its file under the
uploads folder, rebuilds the index in a worker thread, and only then swaps
it in; if the rebuild fails, the file change is undone and nothing changes.
What the commands look up (briefings by name, which were uploaded) is
worked out with each index, so no keystroke or question lists the folder.
Startup loads the configured briefings plus the uploads folder, so what was
added from Discord is there after a restart.

A file is written to a hidden temporary file and renamed into place, so a
crash leaves the old folder or the new one: never half a briefing. The
loader skips hidden files, and startup removes temporary files that a crash
left behind once they are an hour old (a younger one may be another
process's write in progress).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import UserFacingError
from bot.render import escape
from bot.settings import Settings
from bot.uploads import Upload
from index.answering import DEFAULT_PASSAGES, Answer, answer
from index.briefing import Briefing
from index.cache import write_atomically
from index.catalog import open_catalog
from index.loading import BRIEFING_SUFFIXES, BriefingsNotFoundError
from index.search import Index

log = logging.getLogger(__name__)

Opener = Callable[[list[Path], Path | None], Index]

STALE_SECONDS = 3600
# What write_atomically leaves when it is interrupted: ".name.txt.<random>".
_UNFINISHED = re.compile(r"\..+\.(?:txt|md|markdown)\.[^.]+", re.IGNORECASE)


class LibraryError(UserFacingError):
    """A briefing cannot be added or removed; the message says why."""


def library_of(client: object) -> Library:
    """The library a bot client holds (buttons and options reach it this way)."""
    library = getattr(client, "library", None)
    if not isinstance(library, Library):
        raise TypeError(f"{type(client).__name__} holds no briefing library")
    return library


def open_index(paths: list[Path], cache_dir: Path | None) -> Index:
    """The index of the briefings under ``paths``, with load warnings logged."""
    return open_catalog(paths, cache_dir, log.warning)


@dataclass(frozen=True)
class _Shelf:
    """An index, with the lookups the commands need, made once when it is opened.

    A briefing counts as uploaded only if it was loaded from the uploads
    folder: its file there holds exactly the loaded text. A configured
    briefing of the same name wins at load (the upload is skipped with a
    warning), and is never offered for removal nor its name's upload deleted.
    """

    index: Index
    by_name: Mapping[str, Briefing]  # case-folded titles and ids; an id wins over a title
    uploaded: tuple[Briefing, ...]
    uploads: Mapping[str, Path]  # the file each uploaded briefing was loaded from, by id

    @classmethod
    def of(cls, index: Index, uploads_dir: Path) -> _Shelf:
        briefings = index.briefings
        by_title = {b.title.casefold(): b for b in briefings if b.title}
        by_id = {b.id.casefold(): b for b in briefings}
        files = {p.stem: p for p in uploads_dir.glob("*") if p.suffix in BRIEFING_SUFFIXES}
        uploaded = tuple(b for b in briefings if b.id in files and _holds(files[b.id], b))
        return cls(index, by_title | by_id, uploaded, {b.id: files[b.id] for b in uploaded})


def _holds(path: Path, briefing: Briefing) -> bool:
    """Whether ``path`` is the file ``briefing`` was loaded from (same bytes)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == briefing.digest
    except OSError:
        return False


class Library:
    """Holds the current index and changes its briefings, one change at a time."""

    def __init__(self, index: Index, settings: Settings, opener: Opener = open_index) -> None:
        self._settings = settings
        self._shelf = _Shelf.of(index, settings.uploads_dir)
        self._open = opener
        self._lock = asyncio.Lock()

    @classmethod
    def load(cls, settings: Settings, opener: Opener = open_index) -> Library:
        """Load (or build) the index now; call before the event loop is busy."""
        remove_unfinished_uploads(settings.uploads_dir)
        return cls(opener(_sources(settings), settings.cache_dir), settings, opener)

    @property
    def index(self) -> Index:
        """The index questions are answered from."""
        return self._shelf.index

    @property
    def briefings(self) -> tuple[Briefing, ...]:
        """Every loaded briefing."""
        return self.index.briefings

    def find(self, name: str) -> Briefing | None:
        """The briefing whose id, or failing that title, is ``name`` (any case)."""
        return self._shelf.by_name.get(" ".join(name.split()).casefold())

    def uploaded(self) -> tuple[Briefing, ...]:
        """The loaded briefings that were added from Discord."""
        return self._shelf.uploaded

    async def answer(
        self, question: str, k: int = DEFAULT_PASSAGES, briefing_id: str | None = None
    ) -> Answer:
        """Answer from the current index, in a worker thread so the loop stays free."""
        return await asyncio.to_thread(answer, self.index, question, k, briefing_id)

    async def add(self, upload: Upload) -> Briefing:
        """Store an upload and index it; LibraryError if its name is taken."""
        async with self._lock:
            if self.find(upload.briefing.id) is not None:
                raise LibraryError(
                    f"A briefing named “{upload.briefing.id}” is already loaded. "
                    "Remove it first, or rename the file."
                )
            path = self._settings.uploads_dir / upload.filename
            try:
                self._shelf = await asyncio.to_thread(self._add, path, upload.data)
            except OSError as error:
                log.warning("could not add briefing %s: %s", upload.briefing.id, error)
                raise LibraryError(_not_stored("added", error)) from error
            log.info("added briefing %s", upload.briefing.id)
            return self.index.briefing(upload.briefing.id)

    async def remove(self, briefing_id: str) -> Briefing:
        """Delete an uploaded briefing and reindex; LibraryError if it was not uploaded."""
        async with self._lock:
            path = self._shelf.uploads.get(briefing_id)
            if path is None:
                raise LibraryError(
                    f"“{escape(briefing_id)}” was not added with /briefing-add, "
                    "so it cannot be removed here."
                )
            removed = self.index.briefing(briefing_id)
            try:
                self._shelf = await asyncio.to_thread(self._remove, path)
            except OSError as error:
                log.warning("could not remove briefing %s: %s", briefing_id, error)
                raise LibraryError(_not_stored("removed", error)) from error
            log.info("removed briefing %s", briefing_id)
            return removed

    def _add(self, path: Path, data: bytes) -> _Shelf:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        try:
            shelf = self._reopen()
            shelf.index.briefing(path.stem)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return shelf

    def _remove(self, path: Path) -> _Shelf:
        data = path.read_bytes()
        path.unlink()
        try:
            return self._reopen()
        except BriefingsNotFoundError:
            write_atomically(path, data)
            raise LibraryError("That is the only briefing left; add another first.") from None
        except BaseException:
            write_atomically(path, data)
            raise

    def _reopen(self) -> _Shelf:
        index = self._open(_sources(self._settings), self._settings.cache_dir)
        return _Shelf.of(index, self._settings.uploads_dir)


def remove_unfinished_uploads(folder: Path, now: float | None = None) -> int:
    """Delete temporary files an interrupted write left in ``folder``; returns how many."""
    now = time.time() if now is None else now
    try:
        unfinished = [p for p in folder.iterdir() if _UNFINISHED.fullmatch(p.name) and p.is_file()]
        stale = [p for p in unfinished if now - p.stat().st_mtime > STALE_SECONDS]
        for path in stale:
            path.unlink(missing_ok=True)
    except FileNotFoundError:
        return 0
    except OSError as error:
        log.warning("could not clear unfinished uploads in %s: %s", folder, error)
        return 0
    if stale:
        log.info("removed %d unfinished upload(s) left by an interrupted write", len(stale))
    return len(stale)


def _not_stored(action: str, error: OSError) -> str:
    reason = error.strerror or type(error).__name__
    return (
        f"The briefing could not be {action}: the bot's data folder refused it ({reason}). "
        "Nothing was changed."
    )


def _sources(settings: Settings) -> list[Path]:
    """The configured briefing paths, plus the uploads folder once it exists."""
    paths = list(dict.fromkeys(settings.briefings))
    if settings.uploads_dir.is_dir() and settings.uploads_dir not in paths:
        paths.append(settings.uploads_dir)
    return paths
