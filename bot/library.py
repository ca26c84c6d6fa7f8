"""The briefings the bot answers from, per server: configured ones for all, uploads for their own.

The configured briefings (files under ``BRIEFBOT_BRIEFINGS``) are one index
segment, loaded through the cache. Each upload is a small segment of its
own, built from the bytes in the store (``bot.store``). A server sees the
configured segment plus its own uploads (and, in the operator's home server,
uploads that belong to no server); a direct message sees only the
configured briefings. The segments a server sees are searched as one
(``index.segments``), so its scores are those of exactly its briefings.

The library's state is an immutable ``Shelf``, replaced whole: a question
reads one shelf from start to end, so it is answered from the old library or
the new one, never a mix. Adding or removing an upload builds or drops one
small segment. When a server has more than ``MAX_UPLOAD_SEGMENTS``
segments, ``merge_segments`` folds them into one in a worker thread (as
Lucene's merge policy does), so a question does not walk hundreds of tiny
segments; removing a briefing from a merged segment rebuilds only that
server's segment. ``refresh_uploads`` brings in what other processes stored,
``reload_configured`` what changed on disk (``bot.watching`` calls them):
configured files that were only added go into a small segment of their
own, and anything else (a file changed or deleted, or more than
``MAX_ADDED_SEGMENTS`` such segments) rebuilds the configured index through
the cache, in a worker thread while the old one answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from bot.errors import UserFacingError
from bot.legacy import adopt_legacy_uploads
from bot.render import escape
from bot.settings import DEFAULT_CACHE_MAX_BYTES, Settings
from bot.shelf import Shelf, UploadKey, View
from bot.store import Store, StoredUpload, StoreError, UploadTakenError, open_store
from bot.uploads import Upload
from index.analysis import Analyzer
from index.answering import DEFAULT_PASSAGES, Answer, answer
from index.briefing import Briefing
from index.catalog import open_catalog
from index.chunking import Chunker
from index.loading import BriefingsNotFoundError, briefing_files, read_briefing
from index.parsing import BriefingFormatError
from index.search import Index
from index.segments import Segments
from index.stored import StaleBriefingError
from index.tokens import LazyEncoding

log = logging.getLogger(__name__)

# Opens the configured briefings: paths, cache folder, and whether to build over a cache.
Opener = Callable[[list[Path], Path | None, bool], Index]

# More upload segments than this in one server are merged into one.
MAX_UPLOAD_SEGMENTS = 8
# More segments of configured files added while running than this: rebuild the configured index.
MAX_ADDED_SEGMENTS = 8
STALE_SECONDS = 3600
# What write_atomically leaves when it is interrupted: ".name.txt.<random>".
_UNFINISHED = re.compile(r"\..+\.(?:txt|md|markdown)\.[^.]+", re.IGNORECASE)


# Each configured briefing file as (path, size, modification time in ns).
Signature = tuple[tuple[str, int, int], ...]


def files_signature(paths: Iterable[Path]) -> Signature:
    """What the file system says about the briefing files under ``paths``."""
    seen = []
    for root in dict.fromkeys(paths):  # a path configured twice is one set of files
        with contextlib.suppress(BriefingsNotFoundError, OSError):
            for file in briefing_files(root):
                with contextlib.suppress(OSError):  # deleted since it was listed
                    status = file.stat()
                    seen.append((str(file), status.st_size, status.st_mtime_ns))
    return tuple(seen)


class LibraryError(UserFacingError):
    """A briefing cannot be added or removed, or quoted; the message says why."""


def library_of(client: object) -> Library:
    """The library a bot client holds (buttons and options reach it this way)."""
    library = getattr(client, "library", None)
    if not isinstance(library, Library):
        raise TypeError(f"{type(client).__name__} holds no briefing library")
    return library


def open_index(
    paths: list[Path],
    cache_dir: Path | None,
    refresh: bool = False,
    max_cache_bytes: int = DEFAULT_CACHE_MAX_BYTES,
) -> Index:
    """The index of the briefings under ``paths``, with load warnings logged.

    ``refresh`` builds even if a cache for the same files exists: one of them
    changed without changing its size or time.
    """
    return open_catalog(
        paths,
        cache_dir,
        log.warning,
        max_cache_bytes=max_cache_bytes,
        note=log.info,
        refresh=refresh,
    )


class BriefingChangedError(LibraryError):
    """A reply needed a briefing whose file changed since it was indexed."""


class Library:
    """Holds the current shelf and changes it, one change at a time."""

    def __init__(
        self,
        shelf: Shelf,
        settings: Settings,
        store: Store,
        opener: Opener | None = None,
        *,
        store_version: int = 0,
    ) -> None:
        self._settings = settings
        self._shelf = shelf
        self._store = store
        self._open = opener or functools.partial(
            open_index, max_cache_bytes=settings.cache_max_bytes
        )
        self._reindexing: asyncio.Task[bool] | None = None
        self._chunker = Chunker(LazyEncoding())
        self._lock = asyncio.Lock()
        self.store_version = store_version
        # The configured files as they were when ``configured`` and ``added`` were loaded.
        self.files: Signature = ()

    @classmethod
    def load(
        cls, settings: Settings, opener: Opener | None = None, store: Store | None = None
    ) -> Library:
        """Open the store and load every segment now; call before the event loop is busy."""
        if store is None:
            url = settings.database_url.value if settings.database_url else None
            store = open_store(settings.data_dir, url)
        remove_unfinished_uploads(settings.uploads_dir)
        adopt_legacy_uploads(settings.uploads_dir, store)
        version = store.version()
        files = files_signature(settings.briefings)
        opener = opener or functools.partial(open_index, max_cache_bytes=settings.cache_max_bytes)
        configured = opener(list(dict.fromkeys(settings.briefings)), settings.cache_dir, False)
        library = cls(
            Shelf(configured, {}, settings.guild_id), settings, store, opener, store_version=version
        )
        uploads = library._load_uploads(store.uploads(), {})
        library._shelf = Shelf(configured, uploads, settings.guild_id)
        library.files = files
        return library

    @property
    def store(self) -> Store:
        """Where uploads and per-server settings are kept."""
        return self._store

    @property
    def shelf(self) -> Shelf:
        """The current state; read it once per question."""
        return self._shelf

    def view(self, guild_id: int | None) -> View:
        """What a question from ``guild_id`` may see (None: a direct message)."""
        return self._shelf.view(guild_id)

    def index(self, guild_id: int | None) -> Segments:
        """The briefings ``guild_id`` sees, searched as one index."""
        return self.view(guild_id).index

    def briefings(self, guild_id: int | None) -> Sequence[Briefing]:
        """Every briefing ``guild_id`` sees: configured first, then its uploads."""
        return self.index(guild_id).briefings

    def find(self, name: str, guild_id: int | None) -> Briefing | None:
        """The briefing ``guild_id`` sees whose id, or failing that title, is ``name``."""
        return self.view(guild_id).find(name)

    def removable(self, guild_id: int | None) -> tuple[Briefing, ...]:
        """The uploads ``guild_id``'s managers may remove."""
        return self.view(guild_id).removable

    async def answer(
        self,
        question: str,
        k: int = DEFAULT_PASSAGES,
        briefing_id: str | None = None,
        *,
        guild_id: int | None = None,
    ) -> Answer:
        """Answer from what ``guild_id`` sees, in a worker thread so the loop stays free."""
        index = self.index(guild_id)
        try:
            return await asyncio.to_thread(answer, index, question, k, briefing_id)  # type: ignore[arg-type]
        except StaleBriefingError as error:
            self.reindex_soon(error)
            raise BriefingChangedError(
                f"The briefing “{escape(error.briefing_id)}” changed since it was indexed, "
                "so it cannot be quoted until it is indexed again. That is under way: "
                "please ask again in a moment."
            ) from error

    @property
    def reindexing(self) -> asyncio.Task[bool] | asyncio.Future[bool]:
        """The reindexing ``reindex_soon`` started, to await (done at once if there is none)."""
        if self._reindexing is not None:
            return self._reindexing
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        done.set_result(False)
        return done

    def reindex_soon(self, error: StaleBriefingError) -> None:
        """Index the configured briefings again, once, because one changed under the index.

        Its file kept its size and modification time, so the watcher cannot
        see the change; the core has discarded the stale cache, so this
        rebuilds. Meanwhile the old index answers, but never quotes the
        changed briefing.
        """
        if self._reindexing is not None and not self._reindexing.done():
            return
        log.warning("%s; indexing the configured briefings again", error)
        self._reindexing = asyncio.get_running_loop().create_task(
            self.reload_configured(force=True)
        )
        self._reindexing.add_done_callback(_log_failed_reindex)

    async def add(self, upload: Upload, guild_id: int) -> Briefing:
        """Store an upload for ``guild_id`` and index it; LibraryError if its name is taken."""
        briefing_id = upload.briefing.id
        async with self._lock:
            if self.find(briefing_id, guild_id) is not None:
                raise LibraryError(
                    f"A briefing named “{briefing_id}” is already loaded. "
                    "Remove it first, or rename the file."
                )
            segment = await asyncio.to_thread(self._segment, upload.briefing)
            try:
                await asyncio.to_thread(
                    self._store.add_upload, guild_id, upload.filename, upload.data
                )
            except UploadTakenError as error:  # another process took the name just now
                raise LibraryError(str(error)) from None
            except StoreError as error:
                log.warning("could not store briefing %s: %s", briefing_id, error)
                raise LibraryError(_not_stored("added")) from error
            self._replace_uploads({**self._shelf.uploads, (guild_id, briefing_id): segment})
            log.info("added briefing %s for guild %s", briefing_id, guild_id)
            return upload.briefing

    async def remove(self, briefing_id: str, guild_id: int) -> Briefing:
        """Delete an upload ``guild_id`` may remove; LibraryError if it may not."""
        async with self._lock:
            key = self._shelf.owner_of(guild_id, briefing_id)
            # An upload hidden behind a configured briefing of its name is not offered.
            offered = {briefing.id for briefing in self.removable(guild_id)}
            if key is None or briefing_id not in offered:
                raise LibraryError(
                    f"“{escape(briefing_id)}” was not added with /briefing-add in this server, "
                    "so it cannot be removed here."
                )
            segment = self._shelf.uploads[key]
            removed = segment.briefing(briefing_id)
            uploads = {k: v for k, v in self._shelf.uploads.items() if k != key}
            if len(segment.briefings) > 1:  # merged: rebuild what is left of it
                rest = [b for b in segment.briefings if b.id != briefing_id]
                rebuilt = await asyncio.to_thread(self._segment, *rest)
                uploads.update({k: rebuilt for k, v in uploads.items() if v is segment})
            try:
                await asyncio.to_thread(self._store.remove_upload, *key)
            except StoreError as error:
                log.warning("could not remove briefing %s: %s", briefing_id, error)
                raise LibraryError(_not_stored("removed")) from error
            self._replace_uploads(uploads)
            log.info("removed briefing %s of guild %s", briefing_id, guild_id)
            return removed

    async def refresh_uploads(self) -> bool:
        """Bring in what other processes added or removed; True if anything changed."""
        version = await asyncio.to_thread(self._store.version)
        if version == self.store_version:
            return False
        async with self._lock:
            listed = await asyncio.to_thread(self._store.uploads)
            current = self._shelf.uploads
            uploads = await asyncio.to_thread(self._load_uploads, listed, current)
            self.store_version = version
            if uploads.keys() == current.keys():
                return False
            self._replace_uploads(uploads)
            log.info("uploads changed elsewhere: now %d", len(uploads))
            return True

    async def merge_segments(self, limit: int = MAX_UPLOAD_SEGMENTS) -> int:
        """Fold each server's uploads into one segment where it has more than ``limit``.

        Returns how many servers' segments were merged. Scores do not change:
        the statistics are those of the same briefings however they are split.
        """
        merged = 0
        for owner in {key[0] for key in self._shelf.uploads}:
            if len(self._shelf.segments_of(owner)) <= limit:
                continue
            async with self._lock:
                shelf = self._shelf
                configured = shelf.configured_names
                # One hidden behind a configured briefing of its name stays on its own.
                keys = [k for k in shelf.uploads if k[0] == owner and k[1] not in configured]
                briefings = [shelf.uploads[key].briefing(key[1]) for key in keys]
                segment = await asyncio.to_thread(self._segment, *briefings)
                if self._shelf is not shelf:
                    continue  # changed meanwhile; the next poll merges again
                self._replace_uploads({**shelf.uploads, **dict.fromkeys(keys, segment)})
                merged += 1
                log.info("merged %d uploads of guild %s into one segment", len(keys), owner)
        return merged

    async def reload_configured(
        self, unchanged: Callable[[], bool] = lambda: True, *, force: bool = False
    ) -> bool:
        """Load what changed in the configured files and swap it in.

        Files only added become one small segment; any other change rebuilds
        the configured index (from the cache where valid), outside the lock so
        uploads go on meanwhile. The result is used only if ``unchanged()``
        still holds once it is loaded (the files did not change meanwhile);
        returns whether it was. ``force`` opens the configured index again
        even if the files look unchanged.
        """
        paths = list(dict.fromkeys(self._settings.briefings))
        files = await asyncio.to_thread(files_signature, paths)
        added = (
            None if force else await asyncio.to_thread(self._added_briefings, files, self._shelf)
        )
        if added is None:
            configured = await asyncio.to_thread(self._open, paths, self._settings.cache_dir, force)
        elif added:
            segment = await asyncio.to_thread(self._segment, *added)
        if not await asyncio.to_thread(unchanged):
            log.info("briefing files changed while they were loaded; loading them again")
            return False
        async with self._lock:
            shelf = self._shelf
            if added is not None:
                segments = (*shelf.added, segment) if added else shelf.added
                new = Shelf(shelf.configured, shelf.uploads, shelf.home_guild, segments)
            else:
                new = Shelf(configured, shelf.uploads, shelf.home_guild)
            uploads = await asyncio.to_thread(self._split_hidden, shelf.uploads, new)
            self._shelf = Shelf(new.configured, uploads, new.home_guild, new.added)
            self.files = files
            log.info("configured briefings now: %d", len(new.configured_names))
            return True

    def _added_briefings(self, files: Signature, shelf: Shelf) -> list[Briefing] | None:
        """The briefings of files that are new since the last load, if nothing else changed.

        Only the new files are read. None when a file was changed or deleted,
        or when there are enough added segments to fold them into the
        configured index again.
        """
        before = {path: stat for path, *stat in self.files}
        now = {path: stat for path, *stat in files}
        if len(shelf.added) >= MAX_ADDED_SEGMENTS or any(
            now.get(path) != stat for path, stat in before.items()
        ):
            return None
        names = shelf.configured_names
        added = []
        for path in (Path(p) for p in now if p not in before):
            try:
                briefing = read_briefing(path.read_bytes(), path.stem)
            except (BriefingFormatError, OSError) as error:
                log.warning("skipped %s: %s", path, error)
                continue
            if briefing.id in names:
                log.warning("skipped %s: another briefing is already named %r", path, path.stem)
                continue
            names.add(briefing.id)
            added.append(briefing)
        return added

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def _replace_uploads(self, uploads: Mapping[UploadKey, Index]) -> None:
        shelf = self._shelf
        self._shelf = Shelf(shelf.configured, dict(uploads), shelf.home_guild, shelf.added)

    def _split_hidden(
        self, uploads: Mapping[UploadKey, Index], shelf: Shelf
    ) -> dict[UploadKey, Index]:
        """Uploads with merged segments split up where one of them is now a configured name.

        A view leaves out an upload segment that repeats a configured name; a
        merged one would take the server's other uploads with it.
        """
        names = shelf.configured_names
        split = dict(uploads)
        for key, segment in uploads.items():
            if len(segment.briefings) > 1 and not names.isdisjoint(b.id for b in segment.briefings):
                split[key] = self._segment(segment.briefing(key[1]))
        return split

    def _segment(self, *briefings: Briefing) -> Index:
        """The small segment of uploaded briefings (usually one)."""
        analyzer: Analyzer = self._shelf.configured.analyzer
        return Index.build(briefings, analyzer, self._chunker)

    def _load_uploads(
        self, listed: Iterable[StoredUpload], current: Mapping[UploadKey, Index]
    ) -> dict[UploadKey, Index]:
        """Segments of the listed uploads, reusing those already built.

        A segment is reused only if every briefing in it is still listed,
        unchanged; the uploads of a segment that is not are loaded one by one.
        """
        listed = list(listed)
        digests = {upload.key: upload.digest for upload in listed}
        groups: dict[int, list[UploadKey]] = {}
        for key, segment in current.items():
            groups.setdefault(id(segment), []).append(key)
        reusable = set()
        for keys in groups.values():
            segment = current[keys[0]]
            whole = len(keys) == len(segment.briefings)
            if whole and all(digests.get(k) == segment.briefing(k[1]).digest for k in keys):
                reusable.update(keys)
        uploads: dict[UploadKey, Index] = {}
        for upload in listed:
            if upload.key in reusable:
                uploads[upload.key] = current[upload.key]
                continue
            segment = self._load_upload(upload)
            if segment is not None:
                uploads[upload.key] = segment
        return uploads

    def _load_upload(self, upload: StoredUpload) -> Index | None:
        data = self._store.upload_data(*upload.key)
        if data is None:  # removed since it was listed
            return None
        try:
            return self._segment(read_briefing(data, upload.briefing_id))
        except (BriefingFormatError, ValueError) as error:
            log.warning("skipped upload %s of guild %s: %s", *upload.key[::-1], error)
            return None


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


def _log_failed_reindex(task: asyncio.Task[bool]) -> None:
    """Say why indexing again failed; the old index answers on meanwhile."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("indexing the configured briefings again failed", exc_info=error)


def _not_stored(action: str) -> str:
    return f"The briefing could not be {action}: the bot's store refused it. Nothing was changed."
