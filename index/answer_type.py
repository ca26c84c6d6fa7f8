"""What kind of answer a question expects, and whether a passage has one.

"Who …" wants a person or organisation, "when …" or "what year …" a date,
day or year, "where …" a place, "how many …" a number. A passage that holds
the kind of thing asked for (one the question does not already name) is
more likely the answer than one that only repeats the question's words.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence


class AnswerType(enum.Enum):
    """The kinds of answer a question word asks for."""

    PERSON = "person"
    TIME = "time"
    PLACE = "place"
    NUMBER = "number"


_WHICH = r"(?:what|which|in what|in which)"
_ASKS = (
    (re.compile(r"^(?:who|whom|whose)\b"), AnswerType.PERSON),
    (
        re.compile(rf"^(?:when\b|{_WHICH} (?:day|date|year|month|time|century|decade)\b)"),
        AnswerType.TIME,
    ),
    (
        re.compile(rf"^(?:where\b|{_WHICH} (?:city|country|place|region|town|state|continent)\b)"),
        AnswerType.PLACE,
    ),
    (re.compile(r"^how (?:many|much|long|old|far|big|large|often)\b"), AnswerType.NUMBER),
)
_MONTHS = "january february march april may june july august september october november december"
_DAYS = "monday tuesday wednesday thursday friday saturday sunday"
_TIME = re.compile(
    r"\b(?:"
    + "|".join([*_MONTHS.split(), *(m[:3] for m in _MONTHS.split()), *_DAYS.split()])
    + r"|1[0-9]{3}s?|20[0-9]{2}s?|yesterday|today|tomorrow|century|decade|week|month|year)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|percent|half)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")
_PLACE = re.compile(r"\b(?:in|at|from|near|to|across|into)\s+(?:the\s+)?([A-Z][\w'’-]+)")


def expected_type(words: Sequence[str]) -> tuple[AnswerType | None, int]:
    """The answer type a question's folded words (chat stripped) ask for.

    Also how many of its first words ask it ("in what year": 3): those are not its topic.
    """
    opening = " ".join(words[:3])
    for pattern, kind in _ASKS:
        if match := pattern.search(opening):
            return kind, len(match.group().split())
    return None, 0


def holds(kind: AnswerType, text: str, asked: frozenset[str]) -> bool:
    """Whether ``text`` holds an answer of ``kind`` the question does not name.

    ``asked`` is the question's folded words.
    """
    if kind is AnswerType.TIME:
        return any(m.group().casefold() not in asked for m in _TIME.finditer(text))
    if kind is AnswerType.NUMBER:
        return bool(_NUMBER.search(text))
    names = _PLACE.findall(text) if kind is AnswerType.PLACE else _NAME.findall(text)
    return any(name.casefold() not in asked for name in names)
