"""What the file system says about the briefing files, without opening any of them.

A cold start decides whether the cache is current from this listing alone
(each file's path under its root, size and modification time), so starting
over an archive of thousands of files costs one directory walk and a stat
per file, not reading and parsing every one. A file whose content changed
but whose size and time did not is caught later, when its text is first
read (``index.stored``).

The listing keeps its files as columns and makes a ``ListedFile`` when one
is asked for: a start makes one only for each briefing a reply quotes.
40,000 files are walked, sorted and keyed in about 0.2 s, most of it the
stat of each file.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from index.loading import BRIEFING_SUFFIXES, BriefingsNotFoundError, Skipped


@dataclass(frozen=True)
class ListedFile:
    """One briefing file: its place in the listing, its root's position, path, size and time."""

    position: int
    root: int
    relative: str  # its path under the root, by "/"
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
        return PurePosixPath(self.relative).stem  # as ``Path.stem`` names it ("..txt": ".")


@dataclass(frozen=True)
class Listing:
    """The briefing files under some roots, in the order they are loaded, field by field."""

    roots: tuple[Path, ...]
    owners: tuple[int, ...]  # each file's root, as its position in ``roots``
    relatives: tuple[str, ...]
    sizes: tuple[int, ...]
    mtimes_ns: tuple[int, ...]
    locations: tuple[str, ...]
    unreadable: tuple[Skipped, ...] = ()

    def __len__(self) -> int:
        return len(self.relatives)

    def file(self, position: int) -> ListedFile:
        """The file at ``position`` in the listing; IndexError past the end."""
        return ListedFile(
            position,
            self.owners[position],
            self.relatives[position],
            self.sizes[position],
            self.mtimes_ns[position],
            self.locations[position],
        )

    @functools.cached_property
    def files(self) -> tuple[ListedFile, ...]:
        """Every listed file, in order (made when first asked for, as a build does)."""
        return tuple(map(self.file, range(len(self))))

    @property
    def signature(self) -> bytes:
        """What a cache key covers: every file's root, relative path, size and time."""
        columns = [self.owners, self.relatives, self.sizes, self.mtimes_ns]
        return json.dumps(columns).encode()  # ASCII: a file name may not be UTF-8


def list_files(paths: Iterable[Path]) -> Listing:
    """The listing of every briefing file under ``paths`` (files or folders).

    The same files, in the same order, as ``index.loading.briefing_files``
    finds, with one ``stat`` each. Raises BriefingsNotFoundError when a path
    does not exist; a folder that cannot be read is noted in ``unreadable``,
    and a file deleted while it was listed is left out.
    """
    roots = tuple(paths)
    found = _Found()
    for number, root in enumerate(roots):
        if not root.exists():
            raise BriefingsNotFoundError(f"no such file or folder: {root}")
        if root.is_file():
            found.add(number, root.name, str(root), root.stat())
        else:
            found.walk(number, str(root), "")
    return Listing(
        roots,
        tuple(found.owners),
        tuple(found.relatives),
        tuple(found.sizes),
        tuple(found.mtimes_ns),
        tuple(found.locations),
        tuple(found.unreadable),
    )


class _Found:
    """The columns of a listing as it is walked."""

    def __init__(self) -> None:
        self.owners: list[int] = []
        self.relatives: list[str] = []
        self.sizes: list[int] = []
        self.mtimes_ns: list[int] = []
        self.locations: list[str] = []
        self.unreadable: list[Skipped] = []

    def add(self, root: int, relative: str, location: str, status: os.stat_result) -> None:
        self.owners.append(root)
        self.relatives.append(relative)
        self.sizes.append(status.st_size)
        self.mtimes_ns.append(status.st_mtime_ns)
        self.locations.append(location)

    def walk(self, root: int, folder: str, prefix: str) -> None:
        """Add each briefing file under ``folder``, whose path under the root is ``prefix``.

        Entries are taken in name order and folders entered where their name
        falls, which orders the files by path components, as Path orders them
        (and as ``briefing_files`` sorts): "a/b.txt" before "a-c.txt".
        """
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=_name)
        except OSError as error:
            reason = f"the folder cannot be read ({error.strerror})"
            self.unreadable.append(Skipped(folder, reason))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = f"{prefix}{entry.name}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    self.walk(root, entry.path, f"{relative}/")
                elif entry.name.lower().endswith(BRIEFING_SUFFIXES) and entry.is_file():
                    self.add(root, relative, entry.path, entry.stat())
            except OSError:  # deleted since the folder was read
                continue


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name
