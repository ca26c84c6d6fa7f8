"""Read briefing files from disk, skipping bad ones with a clear reason."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.briefing import Briefing
from index.parsing import BriefingFormatError, normalise_text, parse_briefing

BRIEFING_SUFFIXES = (".txt", ".md", ".markdown")
MAX_BRIEFING_BYTES = 2 * 1024 * 1024
# Byte-order marks of UTF-16 text (little- and big-endian), as Windows editors save it.
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class BriefingsNotFoundError(FileNotFoundError):
    """The briefings path does not exist or holds no briefing files."""


@dataclass(frozen=True)
class Skipped:
    """A file that was not loaded, and why, in words for a person."""

    path: str
    reason: str

    def __str__(self) -> str:
        # A file name may hold a line break or other control character; quote it
        # then, so the message stays one line.
        path = self.path if self.path.isprintable() else repr(self.path)
        return f"skipped {path}: {self.reason}"


@dataclass(frozen=True)
class Loaded:
    """The outcome of loading a folder: the briefings, their files and the skipped files."""

    briefings: tuple[Briefing, ...]
    skipped: tuple[Skipped, ...]
    # The file each briefing was read from, in the order of ``briefings``.
    files: tuple[Path, ...] = ()


def decode_briefing(data: bytes, max_bytes: int = MAX_BRIEFING_BYTES) -> str:
    """Check raw bytes and return normalised text; BriefingFormatError if unfit."""
    if len(data) > max_bytes:
        raise BriefingFormatError(f"it is larger than the limit of {max_bytes:,} bytes")
    if not data.strip():
        raise BriefingFormatError("it is empty")
    if data.startswith(_UTF16_MARKS) and _is_utf16(data):
        raise BriefingFormatError("it is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise BriefingFormatError("it is a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BriefingFormatError(
            f"it is not UTF-8 text (byte {error.start:,} is invalid)"
        ) from None
    return normalise_text(text)


def read_briefing(data: bytes, briefing_id: str, max_bytes: int = MAX_BRIEFING_BYTES) -> Briefing:
    """Parse a briefing from its file's bytes; BriefingFormatError if unfit."""
    text = decode_briefing(data, max_bytes)
    return parse_briefing(text, briefing_id, hashlib.sha256(data).hexdigest())


def read_file(file: Path, max_bytes: int = MAX_BRIEFING_BYTES) -> Briefing:
    """The briefing in ``file``, named after it; BriefingFormatError or OSError if unfit."""
    return read_briefing(_read_bytes(file, max_bytes), file.stem, max_bytes)


def skip_reason(error: Exception) -> str:
    """Why a file was skipped, in words for a person."""
    return _reason(error)


def briefing_files(path: Path, unreadable: list[Skipped] | None = None) -> list[Path]:
    """The briefing files at ``path`` (a file, or a folder searched recursively).

    Hidden files and folders are left out. A folder that cannot be listed is
    added to ``unreadable`` (when given) instead of being passed over in silence.
    """
    if not path.exists():
        raise BriefingsNotFoundError(f"no such file or folder: {path}")
    if path.is_file():
        return [path]

    def cannot_list(error: OSError) -> None:
        if unreadable is not None:
            folder = str(error.filename or path)
            unreadable.append(Skipped(folder, f"the folder cannot be read ({error.strerror})"))

    files = []
    for folder, folders, names in os.walk(path, onerror=cannot_list):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in names:
            file = Path(folder) / name
            if not name.startswith(".") and file.suffix.lower() in BRIEFING_SUFFIXES:
                files.append(file)
    return sorted(file for file in files if file.is_file())


def load_briefings(paths: Path | Iterable[Path], max_bytes: int = MAX_BRIEFING_BYTES) -> Loaded:
    """Load every briefing under ``paths``; a bad file is skipped, never fatal."""
    roots = [paths] if isinstance(paths, Path) else list(paths)
    skipped: list[Skipped] = []
    files = [file for root in roots for file in briefing_files(root, skipped)]
    return load_files(files, skipped, max_bytes)


def load_files(
    files: Iterable[Path], skipped: Iterable[Skipped] = (), max_bytes: int = MAX_BRIEFING_BYTES
) -> Loaded:
    """Load each of ``files`` in turn; a bad file, or a second of one name, is skipped."""
    briefings: dict[str, Briefing] = {}
    sources: dict[str, Path] = {}
    skipped = list(skipped)
    for file in files:
        try:
            briefing = read_briefing(_read_bytes(file, max_bytes), file.stem, max_bytes)
        except (BriefingFormatError, OSError) as error:
            skipped.append(Skipped(str(file), _reason(error)))
            continue
        if briefing.id in briefings:
            first = sources[briefing.id]
            reason = f"another briefing is already named {file.stem!r} ({first})"
            skipped.append(Skipped(str(file), reason))
            continue
        briefings[briefing.id] = briefing
        sources[briefing.id] = file
    return Loaded(tuple(briefings.values()), tuple(skipped), tuple(sources.values()))


def _is_utf16(data: bytes) -> bool:
    try:
        data.decode("utf-16")
    except UnicodeDecodeError:
        return False
    return True


def _read_bytes(file: Path, max_bytes: int) -> bytes:
    with file.open("rb") as handle:
        return handle.read(max_bytes + 1)


# How a file that could not be read (permissions, an I/O error) is reported: such a
# file may be readable next time, unlike one whose contents were refused.
UNREADABLE = "it cannot be read"


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{UNREADABLE} ({error.strerror or error})"
    return str(error)
