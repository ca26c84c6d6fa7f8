"""Turn an uploaded file into a briefing file: a safe name and checked contents.

The name comes from the attachment's file name: letters and digits of any
script (``Пхеньян``, ``북한-미사일``, ``résumé``), normalised to NFC and
case-folded, with every run of anything else (path separators, dots, spaces,
controls, punctuation) made one dash, and cut to ``MAX_ID_BYTES`` of UTF-8.
So it can never leave the uploads folder, and names reserved by Windows are
refused. The contents are checked exactly as briefings on disk are (size,
UTF-8, not empty, has paragraphs); an optional title and date go into the
YAML front matter, merged with any the file already has.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from bot.errors import UserFacingError
from bot.render import escape
from index.briefing import Briefing
from index.loading import BRIEFING_SUFFIXES, MAX_BRIEFING_BYTES, decode_briefing, read_briefing
from index.parsing import BriefingFormatError, with_front_matter

# File systems allow 255 bytes a name: this leaves room for the suffix and the
# hidden temporary name a write goes through, and keeps an id within the 100
# characters of an autocomplete choice.
MAX_ID_BYTES = 100
# Names Windows gives to devices, whatever the extension.
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(10)]
)


class UploadError(UserFacingError):
    """The upload cannot become a briefing; the message says why."""


@dataclass(frozen=True)
class Upload:
    """A checked upload: the file name to store it under and its bytes."""

    briefing: Briefing
    filename: str
    data: bytes


def briefing_id_for(filename: str) -> str:
    """The briefing id for an uploaded file name; UploadError if there is none."""
    return _id_and_suffix(filename)[0]


def check_upload(
    filename: str, data: bytes, *, title: str | None = None, date: str | None = None
) -> Upload:
    """Validate an upload as a briefing; UploadError (with the reason) if it is unfit."""
    briefing_id, suffix = _id_and_suffix(filename)
    try:
        if title or date:
            data = _with_metadata(data, title, date)
        briefing = read_briefing(data, briefing_id, MAX_BRIEFING_BYTES)
    except BriefingFormatError as error:
        raise UploadError(f"{quoted(filename)} is not a usable briefing: {error}.") from None
    return Upload(briefing, briefing_id + suffix, data)


def _id_and_suffix(filename: str) -> tuple[str, str]:
    """The safe id and the lower-case suffix of the file name's last part.

    Both come from the same part, the one after the last slash or backslash,
    so the stored name is always ``id`` plus a briefing suffix.
    """
    path = PurePath(filename.replace("\\", "/")).name
    suffix = PurePath(path).suffix.lower()
    if suffix not in BRIEFING_SUFFIXES:
        kinds = ", ".join(BRIEFING_SUFFIXES)
        raise UploadError(f"Upload a text briefing ({kinds} file), not {quoted(path)}.")
    stem = _safe_stem(path[: -len(suffix)])
    if not stem:
        raise UploadError("Give the file a name with letters or digits in it.")
    if stem in RESERVED_NAMES:
        raise UploadError(f"Give the file another name: {quoted(stem)} is reserved.")
    return stem, suffix


def fold_name(name: str) -> str:
    """A name as upload names are compared: case-folded, composed (NFC)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _safe_stem(name: str) -> str:
    """Letters, digits and their marks of every script, other runs made one dash."""
    folded = fold_name(name)
    kept: list[str] = []
    for char in folded:
        kind = unicodedata.category(char)[0]
        if kind in "LN" or (kind == "M" and kept and kept[-1] != "-"):
            kept.append(char)
        elif kept and kept[-1] != "-":
            kept.append("-")
    stem = "".join(kept).strip("-")
    while len(stem.encode()) > MAX_ID_BYTES:
        stem = stem[:-1]
    return unicodedata.normalize("NFC", stem.rstrip("-"))


def check_size(filename: str, size: int) -> None:
    """Refuse an upload over the briefing size limit before downloading it."""
    if size > MAX_BRIEFING_BYTES:
        raise UploadError(
            f"{quoted(filename)} is not a usable briefing: it is larger than the limit "
            f"of {MAX_BRIEFING_BYTES:,} bytes."
        )


def _with_metadata(data: bytes, title: str | None, date: str | None) -> bytes:
    """The file with the title and date options written into its front matter."""
    fields = {}
    if title:
        fields["title"] = " ".join(title.split())
    if date:
        fields["date"] = _valid_date(date)
    return with_front_matter(decode_briefing(data), **fields).encode()


def _valid_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BriefingFormatError(f"the date {value!r} is not a YYYY-MM-DD date") from None


def quoted(name: str) -> str:
    """A file name for a message: escaped, cut to 100 characters, in quotation marks."""
    return f"“{escape(name)[:100]}”"
