"""Turn an uploaded file into a briefing file: a safe name and checked contents.

The name comes from the attachment's file name, reduced to lower-case
letters, digits and dashes, so it can never leave the uploads folder. The
contents are checked exactly as briefings on disk are (size, UTF-8, not
empty, has paragraphs); an optional title and date go into the YAML front
matter, merged with any the file already has.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePath

from bot.errors import UserFacingError
from index.briefing import Briefing
from index.loading import BRIEFING_SUFFIXES, MAX_BRIEFING_BYTES, decode_briefing, read_briefing
from index.parsing import BriefingFormatError, with_front_matter
from index.render import escape

MAX_ID_LENGTH = 60
_UNSAFE = re.compile(r"[^a-z0-9]+")


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
        raise UploadError(f"{_quote(filename)} is not a usable briefing: {error}.") from None
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
        raise UploadError(f"Upload a text briefing ({kinds} file), not {_quote(path)}.")
    stem = _UNSAFE.sub("-", path[: -len(suffix)].casefold()).strip("-")
    stem = stem[:MAX_ID_LENGTH].rstrip("-")
    if not stem:
        raise UploadError("Give the file a name with letters or digits in it.")
    return stem, suffix


def check_size(filename: str, size: int) -> None:
    """Refuse an upload over the briefing size limit before downloading it."""
    if size > MAX_BRIEFING_BYTES:
        raise UploadError(
            f"{_quote(filename)} is not a usable briefing: it is larger than the limit "
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


def _quote(name: str) -> str:
    return f"“{escape(name)[:100]}”"
