"""Which index caches a data folder keeps: every one that fits, least recently used out first.

An operator switches between briefing folders (the bundled briefing, an
archive, a test set) with one data folder; each has its own cache, and
rebuilding a large one costs minutes. So caches are kept side by side
until together they exceed a size bound, and then the least recently used
go first. Opening a cache touches its manifest, so its modification time
says when it was last used. The cache just written is always kept, even
alone over the bound. Leftovers of writes that crashed are removed once
they are an hour old (a younger one may be a write in progress).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_MAX_BYTES = 2 * 1000**3
PREFIX = "index-"
# Leftovers of a crashed write older than this are removed when a cache is saved.
STALE_SECONDS = 3600


def touch(manifest: Path) -> None:
    """Mark the cache of ``manifest`` as used now (silently not, where it is read-only).

    The clock is read here: the time the kernel stamps a file with is coarse (a
    tick of some milliseconds), so a cache used just after another was written
    could tie with it, and either be taken for the older.
    """
    now = time.time_ns()
    with contextlib.suppress(OSError):
        os.utime(manifest, ns=(now, now))


def evict(
    directory: Path, keep: Path, max_bytes: int, usable: Callable[[Path], bool]
) -> list[Path]:
    """Remove caches in ``directory`` beyond ``max_bytes``, oldest use first; never ``keep``.

    Entries named like a cache that ``usable`` refuses (damaged, another
    format) are removed whatever their size. Returns what was removed.
    """
    now = time.time()
    removed, kept = [], []
    for entry in directory.iterdir():
        if entry.name.startswith(f".{PREFIX}") and _age(entry, now) > STALE_SECONDS:
            removed.append(entry)
        elif entry.name.startswith(PREFIX) and entry != keep:
            if usable(entry):
                kept.append((_last_used(entry), entry))
            else:
                removed.append(entry)
    total = size_of(keep) + sum(size_of(entry) for _, entry in kept)
    for _, entry in sorted(kept):
        if total <= max_bytes:
            break
        total -= size_of(entry)
        removed.append(entry)
    for entry in removed:
        remove(entry)
    return removed


def size_of(entry: Path) -> int:
    """The bytes of the files directly in a cache folder (a cache has no subfolders)."""
    total = 0
    with contextlib.suppress(OSError), os.scandir(entry) as files:
        for file in files:
            with contextlib.suppress(OSError):
                total += file.stat(follow_symlinks=False).st_size
    return total


def remove(entry: Path) -> None:
    """Delete a cache folder or a stray file (processes that mapped it keep their pages)."""
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            entry.unlink(missing_ok=True)


def _last_used(entry: Path) -> int:
    try:
        return (entry / "manifest.json").stat().st_mtime_ns
    except OSError:
        return 0


def _age(entry: Path, now: float) -> float:
    try:
        return now - entry.lstat().st_mtime
    except OSError:
        return 0.0
