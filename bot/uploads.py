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

import yaml

from bot.errors import UserFacingError
from index.briefing import Briefing
from index.loading import BRIEFING_SUFFIXES, MAX_BRIEFING_BYTES, decode_briefing, read_briefing
from index.parsing import BriefingFormatError
from index.render import escape

MAX_ID_LENGTH = 60
_UNSAFE = re.compile(r"[^a-z0-9]+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


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
    path = PurePath(filename.replace("\\", "/")).name
    suffix = PurePath(path).suffix.lower()
    if suffix not in BRIEFING_SUFFIXES:
        kinds = ", ".join(BRIEFING_SUFFIXES)
        raise UploadError(f"Upload a text briefing ({kinds} file), not {_quote(path)}.")
    stem = _UNSAFE.sub("-", path[: -len(suffix)].casefold()).strip("-")
    stem = stem[:MAX_ID_LENGTH].rstrip("-")
    if not stem:
        raise UploadError("Give the file a name with letters or digits in it.")
    return stem


def check_upload(
    filename: str, data: bytes, *, title: str | None = None, date: str | None = None
) -> Upload:
    """Validate an upload as a briefing; UploadError (with the reason) if it is unfit."""
    briefing_id = briefing_id_for(filename)
    suffix = PurePath(filename).suffix.lower()
    try:
        if title or date:
            data = _with_front_matter(decode_briefing(data), title, date).encode()
        briefing = read_briefing(data, briefing_id, MAX_BRIEFING_BYTES)
    except BriefingFormatError as error:
        raise UploadError(f"{_quote(filename)} is not a usable briefing: {error}.") from None
    return Upload(briefing, briefing_id + suffix, data)


def check_size(filename: str, size: int) -> None:
    """Refuse an upload over the briefing size limit before downloading it."""
    if size > MAX_BRIEFING_BYTES:
        raise UploadError(
            f"{_quote(filename)} is not a usable briefing: it is larger than the limit "
            f"of {MAX_BRIEFING_BYTES:,} bytes."
        )


def _with_front_matter(text: str, title: str | None, date: str | None) -> str:
    fields: dict[str, object] = {}
    if match := _FRONT_MATTER.match(text):
        try:
            existing = yaml.safe_load(match.group(1) or "") or {}
        except yaml.YAMLError:
            raise BriefingFormatError("its front matter is not valid YAML") from None
        if not isinstance(existing, dict):
            raise BriefingFormatError("its front matter is not a list of 'key: value' lines")
        fields.update(existing)
        text = text[match.end() :]
    if title:
        fields["title"] = " ".join(title.split())
    if date:
        fields["date"] = _valid_date(date)
    header = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{header}---\n{text}"


def _valid_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BriefingFormatError(f"the date {value!r} is not a YYYY-MM-DD date") from None


def _quote(name: str) -> str:
    return f"“{escape(name)[:100]}”"
