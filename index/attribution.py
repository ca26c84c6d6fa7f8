"""Who a sentence cites: the outlet or speaker named in "X said", "X reported"."""

from __future__ import annotations

import re

_NAME = r"[A-Z][\w.'’\-]*"
_PHRASE = rf"{_NAME}(?:\s+(?:of|for|and|the|{_NAME}))*(?:\s+\((?P<acronym>[A-Z][A-Za-z]+)\))?"
_VERBS = r"said|says|reported|reports|announced|told|stated|claimed|confirmed|quoted"
_CLAIM = re.compile(rf"(?P<phrase>{_PHRASE})\s+(?:{_VERBS})\b")
_INVERTED = re.compile(rf"\b(?:{_VERBS}|according to)\s+(?:the\s+)?(?P<phrase>{_PHRASE})")
_NOT_NAMES = frozenset(
    {"He", "She", "It", "They", "We", "I", "You", "This", "That", "These", "Those"}
    | {"The", "A", "An", "There", "Here", "Officials", "Nobody", "Everyone", "Someone"}
    | {"Everybody", "Somebody", "Anyone", "Anybody", "None", "No", "One", "Some", "Many"}
)


def cited_sources(sentence: str) -> tuple[str, ...]:
    """Names cited as sources in the sentence, in order of appearance."""
    found: list[tuple[int, str]] = []
    for pattern in (_CLAIM, _INVERTED):
        for match in pattern.finditer(sentence):
            name = match.group("acronym") or _strip_article(match.group("phrase"))
            if name and name not in _NOT_NAMES:
                found.append((match.start("phrase"), name))
    names: list[str] = []
    for _, name in sorted(found):
        if name not in names:
            names.append(name)
    return tuple(names)


def _strip_article(phrase: str) -> str:
    phrase = re.sub(r"^(?:The|A|An)\s+", "", phrase.rstrip(".").removesuffix("'s"))
    return re.sub(r"\s+(?:of|for|and|the)$", "", phrase)
