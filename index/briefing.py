"""The briefing: a news text, its metadata and its numbered paragraphs."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

_LEADING_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[-_ ]*")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph as a span of its briefing's body, numbered from 1."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Briefing:
    """One loaded briefing; every quote is a slice of ``body``.

    Two briefings are equal when every field is; the hash is of the id and
    the digest alone, so hashing never needs the text (``index.stored``
    reads it only when it is first needed).
    """

    id: str
    body: str = field(repr=False)
    paragraphs: tuple[Paragraph, ...]
    digest: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    dateline: str | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Briefing):
            return NotImplemented
        if self is other:
            return True
        # The text is compared last, so most inequalities never read it.
        return _metadata(self) == _metadata(other) and self.body == other.body

    def __hash__(self) -> int:
        return hash((self.id, self.digest))

    @functools.cached_property
    def name(self) -> str:
        """What a reader calls this briefing: its title, else one made from its id."""
        return self.title or title_from_id(self.id, self.body)

    def paragraph(self, number: int) -> Paragraph:
        """Paragraph ``number`` (1-based); IndexError names the valid range."""
        if not 1 <= number <= len(self.paragraphs):
            raise IndexError(f"{self.id} has paragraphs 1 to {len(self.paragraphs)}")
        return self.paragraphs[number - 1]

    def spans(self) -> np.ndarray:
        """Each paragraph's (start, end) in ``body``: an int64 array of two columns."""
        return np.array([(p.start, p.end) for p in self.paragraphs], dtype=np.int64).reshape(-1, 2)

    def text(self, paragraph: Paragraph) -> str:
        """The verbatim text of one of this briefing's paragraphs."""
        return self.body[paragraph.start : paragraph.end]


def _metadata(briefing: Briefing) -> tuple[object, ...]:
    """Every field but the text."""
    return (
        briefing.id,
        briefing.digest,
        briefing.paragraphs,
        briefing.title,
        briefing.date,
        briefing.source,
        briefing.url,
        briefing.dateline,
    )


def title_from_id(briefing_id: str, body: str) -> str:
    """A readable title made from a file name, or the id itself if it has no words.

    "2025-03-21-north-korea-weapons-test" becomes "North Korea weapons test":
    the date goes (it is shown apart), and each word is capitalised as the
    body mostly writes it.
    """
    words = _WORD.findall(_LEADING_DATE.sub("", briefing_id))
    if not words:
        return briefing_id
    spelled = _whole_words(body, {form for w in words for form in (w, w.capitalize(), w.upper())})
    shown = [max((w, w.capitalize(), w.upper()), key=lambda form: spelled[form]) for w in words]
    return " ".join([shown[0][:1].upper() + shown[0][1:], *shown[1:]])


def _whole_words(body: str, forms: set[str]) -> Counter[str]:
    """How often each of ``forms`` stands in ``body`` as a whole word (no letter or digit beside).

    A few searches for the forms themselves: no pattern to compile, no scan of every word.
    """
    if not all(form.isalnum() for form in forms):
        # An upper-cased letter may decompose ("ǰ" -> "J̌"): leave such forms to a pattern.
        alternatives = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
        return Counter(re.findall(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", body))
    counts: Counter[str] = Counter()
    for form in forms:
        start = body.find(form)
        while start >= 0:
            end = start + len(form)
            before = body[start - 1 : start] if start else ""
            if not before.isalnum() and not body[end : end + 1].isalnum():
                counts[form] += 1
            # An occurrence starting inside this one has a letter or digit before it.
            start = body.find(form, end)
    return counts
