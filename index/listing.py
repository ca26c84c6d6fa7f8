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
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.loading import BRIEFING_SUFFIXES, BriefingsNotFoundError, Skipped


@dataclass(frozen=True)
class ListedFile:
    """One briefing file: its root's position, its path under the root, size and time."""

    root: int
    relative: str
    size: int
    mtime_ns: int
    location: str  # the file's path, as the operating system gave it

    @functools.cached_property
    def path(self) -> Path:
        """The file's path (made when asked for: 40,000 of them take half a second)."""
        return Path(self.location)

    @property
    def stem(self) -> str:
        """The file's name without its suffix: the id of the briefing it holds."""
        return os.path.splitext(self.relative.rpartition("/")[2])[0]  # noqa: PTH122


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

    The same files, in the same order, as ``index.loading.briefing_files``
    finds, with one ``stat`` each. Raises BriefingsNotFoundError when a path
    does not exist; a folder that cannot be read is noted in ``unreadable``,
    and a file deleted while it was listed is left out.
    """
    roots = tuple(paths)
    unreadable: list[Skipped] = []
    files = []
    for number, root in enumerate(roots):
        if not root.exists():
            raise BriefingsNotFoundError(f"no such file or folder: {root}")
        if root.is_file():
            found = [(str(root), root.name, root.stat())]
        else:
            # By path components, as Path orders them (and as briefing_files sorts).
            found = sorted(_walk(root, "", unreadable), key=lambda item: item[1].split("/"))
        for path, relative, status in found:
            files.append(ListedFile(number, relative, status.st_size, status.st_mtime_ns, path))
    return Listing(roots, tuple(files), tuple(unreadable))


def _walk(
    folder: Path, prefix: str, unreadable: list[Skipped]
) -> Iterator[tuple[str, str, os.stat_result]]:
    """Each briefing file under ``folder``: its path, its path under the root, its status."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError as error:
        unreadable.append(Skipped(str(folder), f"the folder cannot be read ({error.strerror})"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        relative = f"{prefix}{entry.name}"
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), f"{relative}/", unreadable)
            elif entry.name.lower().endswith(BRIEFING_SUFFIXES) and entry.is_file():
                yield entry.path, relative, entry.stat()
        except OSError:  # deleted since the folder was read
            continue
