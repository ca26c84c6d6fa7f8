"""Keep a library current while the bot runs, with no restart.

Every second (``POLL_SECONDS``) the watcher asks the store for its version,
and loads what other processes added or removed when it moved; then it
merges the upload segments of any server that has too many. It also
stats the configured briefing files (path, size, modification time); when
they changed and have then stayed the same for one more poll, the
configured briefings are loaded again. A file still being written keeps
changing, so it is waited for; if files change while they are being loaded,
that load is thrown away and tried again, so a half-written file is never
what questions are answered from.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path

from bot.library import Library, Signature, files_signature
from bot.store import StoreError
from index.loading import BriefingsNotFoundError

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0


class Watcher:
    """Polls the store and the configured files, and refreshes the library."""

    def __init__(
        self, library: Library, paths: Iterable[Path], interval: float = POLL_SECONDS
    ) -> None:
        self.library = library
        self.paths = tuple(paths)
        self.interval = interval
        self.loaded = library.files
        self._last_seen = self.loaded

    async def run(self) -> None:
        """Check, then wait, until cancelled; a failed check is logged and tried again."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # the watcher must outlive any one failure
                log.exception("could not refresh the briefings; trying again")

    async def check(self) -> None:
        """One poll of the store and of the configured files."""
        try:
            await self.library.refresh_uploads()
        except StoreError as error:
            log.warning("could not read the store: %s", error)
        await self.library.merge_segments()
        seen = await asyncio.to_thread(files_signature, self.paths)
        settled = seen == self._last_seen
        self._last_seen = seen
        if seen != self.loaded and settled:
            await self._reload(seen)

    async def _reload(self, expected: Signature) -> None:
        try:
            swapped = await self.library.reload_configured(
                lambda: files_signature(self.paths) == expected
            )
        except BriefingsNotFoundError as error:
            log.warning("kept the briefings loaded before: %s", error)
            self.loaded = expected
            return
        if swapped:
            self.loaded = expected
