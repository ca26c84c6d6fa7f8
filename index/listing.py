"""What the file system says about the briefing files, without opening any of them.

A cold start decides whether the cache is current from this listing alone
(each file's path under its root, size and modification time), so starting
over an archive of thousands of files costs one directory walk and a stat
per file, not reading and parsing every one. A file whose content changed
but whose size and time did not is caught later, when its text is first
read (``index.stored``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.loading import Skipped, briefing_files


@dataclass(frozen=True)
class ListedFile:
    """One briefing file: its root's position, its path under the root, size and time."""

    root: int
    relative: str
    size: int
    mtime_ns: int
    path: Path


@dataclass(frozen=True)
class Listing:
    """The briefing files under some roots, in the order they are loaded."""

    roots: tuple[Path, ...]
    files: tuple[ListedFile, ...]
    unreadable: tuple[Skipped, ...] = ()

    @property
    def signature(self) -> list[list[object]]:
        """What a cache key covers: every file's root, relative path, size and time."""
        return [[f.root, f.relative, f.size, f.mtime_ns] for f in self.files]

    def find(self, root: int, relative: str) -> ListedFile | None:
        """The listed file at ``relative`` under root ``root``, if there is one."""
        return self._by_place.get((root, relative))

    @functools.cached_property
    def _by_place(self) -> dict[tuple[int, str], ListedFile]:
        return {(f.root, f.relative): f for f in self.files}


def list_files(paths: Iterable[Path]) -> Listing:
    """The listing of every briefing file under ``paths`` (files or folders).

    Raises BriefingsNotFoundError when a path does not exist; a folder that
    cannot be read is noted in ``unreadable``, and a file deleted while it
    was listed is left out.
    """
    roots = tuple(paths)
    unreadable: list[Skipped] = []
    files = []
    for number, root in enumerate(roots):
        for file in briefing_files(root, unreadable):
            try:
                status = file.stat()
            except OSError:
                continue
            relative = file.name if file == root else file.relative_to(root).as_posix()
            files.append(ListedFile(number, relative, status.st_size, status.st_mtime_ns, file))
    return Listing(roots, tuple(files), tuple(unreadable))
