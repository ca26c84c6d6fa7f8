"""Turn a briefing's text into a ``Briefing``: metadata, body and paragraphs.

Metadata comes from optional YAML front matter (``title``, ``date``,
``source``, ``url``), from an inline ``date YYYY-MM-DD`` header and an
upper-case dateline (``SEOUL:``) in front of the first paragraph, from a
Markdown ``# heading`` on the first line, or from a date at the start of the
file name. Paragraphs are the non-blank lines of what remains; metadata never
becomes a paragraph. A line of nothing a reader sees (spaces, zero-width and
other format characters, a stray byte-order mark) is blank: counted as a
paragraph, it shifted every number after it away from the one readers count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from index.briefing import Briefing, Paragraph

FRONT_MATTER_KEYS = ("title", "date", "source", "url")
# What YAML means by "no value"; BaseLoader leaves these as strings.
_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_OPENING = re.compile(r"\A---[ \t]*(?:\n|\Z)")
_DATE_HEADER = re.compile(r"[ \t]*date:?[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*", re.IGNORECASE)
_DATELINE = re.compile(r"([A-Z][A-Z.'\-]*(?: [A-Z][A-Z.'\-]*){0,3}):[ \t]+(?=\S)")
_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]+(\S.*)")
_LINE = re.compile(r"[^\n]*")
_STEM_DATE = re.compile(r"\A(\d{4}-\d{2}-\d{2})(?:\b|_)")


class BriefingFormatError(ValueError):
    """The text cannot be read as a briefing; the message says why."""


@dataclass(frozen=True)
class _Header:
    """Metadata found in the text, and where the paragraphs begin."""

    fields: dict[str, str]
    dateline: str | None
    content_start: int


def normalise_text(text: str) -> str:
    """Drop a byte-order mark and unify line endings, so offsets are stable."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_briefing(text: str, briefing_id: str, digest: str | None = None) -> Briefing:
    """Parse normalised briefing text; raise BriefingFormatError if unusable."""
    header = _read_header(text)
    fields = dict(header.fields)
    heading, start = _markdown_heading(text, header.content_start)
    if heading and "title" not in fields:
        fields["title"] = heading
    if "date" not in fields and (match := _STEM_DATE.match(briefing_id)):
        fields["date"] = _valid_date(match.group(1))
    paragraphs = _paragraphs(text, start)
    if not paragraphs:
        raise BriefingFormatError("it has no paragraphs of text")
    return Briefing(
        id=briefing_id,
        body=text,
        paragraphs=paragraphs,
        digest=digest or hashlib.sha256(text.encode()).hexdigest(),
        title=fields.get("title"),
        date=fields.get("date"),
        source=fields.get("source"),
        url=fields.get("url"),
        dateline=header.dateline,
    )


def with_front_matter(text: str, **fields: str) -> str:
    """``text`` with ``fields`` set in its YAML front matter, which is added if missing.

    The front matter is read as ``parse_briefing`` reads it, every value a
    string, so the keys not in ``fields`` keep their values as written
    ("source: yes" stays "yes", a bad date stays for ``parse_briefing`` to
    refuse). BriefingFormatError if the existing front matter is malformed.
    """
    block, end = _split_front_matter(text)
    merged = {**_yaml_mapping(block), **fields}
    import yaml  # see _yaml_mapping

    try:
        header = yaml.safe_dump(
            merged, allow_unicode=True, sort_keys=False, default_flow_style=False
        )
    except RecursionError:
        raise BriefingFormatError("its front matter is nested too deeply") from None
    return f"---\n{header}---\n{text[end:]}"


def _split_front_matter(text: str) -> tuple[str, int]:
    """The front matter block (empty if there is none) and where the rest begins."""
    if match := _FRONT_MATTER.match(text):
        return match.group(1) or "", match.end()
    if _FRONT_MATTER_OPENING.match(text):
        raise BriefingFormatError("its front matter has no closing '---' line")
    return "", 0


def _read_header(text: str) -> _Header:
    block, pos = _split_front_matter(text)
    fields = _front_matter(block)
    pos = _skip_blank_lines(text, pos)
    if match := _DATE_HEADER.match(text, pos):
        fields.setdefault("date", _valid_date(match.group(1)))
        pos = match.end()
    dateline = None
    if match := _DATELINE.match(text, pos):
        dateline, pos = match.group(1), match.end()
    return _Header(fields, dateline, pos)


def _front_matter(block: str) -> dict[str, str]:
    """The known keys' values as written ("title: yes" stays "yes")."""
    data = _yaml_mapping(block)
    fields = {}
    for key in FRONT_MATTER_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise BriefingFormatError(f"its front matter's {key} is a list or mapping, not text")
        if value in _YAML_NULLS:
            continue
        fields[key] = _valid_date(value) if key == "date" else value.strip()
    return fields


def _yaml_mapping(block: str) -> dict[str, object]:
    """A front matter block as a mapping of strings, lists and mappings.

    YAML's BaseLoader makes every scalar a string, so a bad date reaches
    ``_valid_date`` instead of raising from inside the YAML library.
    """
    if not block.strip():
        return {}
    import yaml  # only a briefing with front matter needs the YAML parser

    try:
        # BaseLoader builds only strings, lists and dicts: it instantiates nothing.
        data = yaml.load(block, Loader=yaml.BaseLoader)  # noqa: S506
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise BriefingFormatError(f"its front matter is not valid YAML{line}") from None
    except RecursionError:
        raise BriefingFormatError("its front matter is nested too deeply") from None
    if not isinstance(data, dict):
        raise BriefingFormatError("its front matter is not a list of 'key: value' lines")
    return data


def _valid_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BriefingFormatError(f"its date {value!r} is not a YYYY-MM-DD date") from None


def _blank(line: str) -> bool:
    """Whether a line shows nothing: only whitespace and format characters (U+200B, U+FEFF…)."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in line)


def _skip_blank_lines(text: str, pos: int) -> int:
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end == -1 else end
        if not _blank(text[pos:line_end]):
            return pos
        pos = line_end + 1
    return pos


def _markdown_heading(text: str, pos: int) -> tuple[str | None, int]:
    pos = _skip_blank_lines(text, pos)
    line = _LINE.match(text, pos)
    if line is None:
        return None, pos
    heading = _HEADING.fullmatch(line.group())
    if heading is None:
        return None, pos
    # Closing hashes and spaces are stripped here, not by the pattern: a lazy
    # group before "[ \t#]*$" made a long line of " # # #" quadratic.
    title = heading.group(1)
    return title[0] + title[1:].rstrip(" \t#"), line.end()


def _paragraphs(text: str, pos: int) -> tuple[Paragraph, ...]:
    paragraphs: list[Paragraph] = []
    for line in _LINE.finditer(text, pos):
        raw = line.group()
        stripped = raw.strip()
        if _blank(stripped):
            continue
        start = line.start() + (len(raw) - len(raw.lstrip()))
        paragraphs.append(Paragraph(len(paragraphs) + 1, start, start + len(stripped)))
    return tuple(paragraphs)
