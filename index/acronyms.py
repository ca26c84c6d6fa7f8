"""Spell out an acronym the index lacks ("WMD") from the briefings' own words.

Briefings often write the phrase in full ("weapons of mass destruction")
while a reader types the acronym. An upper-case question word that no chunk
contains is matched against the briefings' text as the initials of
consecutive words (small words like "of" may sit between them); the first
phrase found stands in for the acronym. Each index remembers what it found.

Only the newest ``MAX_SCANNED`` briefings are read for it: an archive's
briefings are read from their files when needed, and one unknown acronym
must not read (and hold) the whole archive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from index.briefing import Briefing
from index.briefingtable import dates_of
from index.stopwords import ENGLISH_STOPWORDS

if TYPE_CHECKING:
    from index.search import Index

_ACRONYM = re.compile(r"[A-Z]{2,6}s?")
_LINK_WORDS = ("of", "and", "the", "for", "on", "in")
_LINKS = r"(?:(?:" + "|".join(_LINK_WORDS) + r")\s+)?"
# Longer words never count towards an acronym.
MAX_WORD = 40
# How many briefings, newest first, an acronym is looked for in.
MAX_SCANNED = 500


def is_acronym(typed: str) -> bool:
    """Whether a question word was typed as an acronym ("WMD", "WMDs")."""
    return bool(_ACRONYM.fullmatch(typed))


def spell_out(index: Index, typed: str) -> str | None:
    """The phrase the typed word ("WMD", "WMDs") stands for, if it is an acronym."""
    if not is_acronym(typed):
        return None
    acronym = typed.removesuffix("s") if typed.endswith("s") else typed
    return index.spelled_out.get(acronym.upper(), lambda key: _search(_newest(index), key))


def _newest(index: Index) -> list[Briefing]:
    """The ``MAX_SCANNED`` newest briefings (by date; undated ones last, in their order)."""
    briefings = index.briefings
    if len(briefings) <= MAX_SCANNED:
        return list(briefings)
    dates = dates_of(briefings)  # sorted by position: only the newest briefings are made
    newest = sorted(range(len(briefings)), key=lambda n: dates[n] or "", reverse=True)
    return [briefings[n] for n in newest[:MAX_SCANNED]]


def _search(briefings: Sequence[Briefing], acronym: str) -> str | None:
    # Words are bounded: unbounded, a long run like "a-a-a-…" was rescanned from
    # each of its word boundaries, quadratic in the run's length.
    words = [rf"{letter}[\w'-]{{0,{MAX_WORD}}}" for letter in acronym.lower()]
    pattern = re.compile(r"\b" + rf"\s+{_LINKS}".join(words) + r"\b", re.IGNORECASE)
    for briefing in briefings:
        for match in pattern.finditer(briefing.body):
            if _a_name(match.group()):
                return match.group()
    return None


def _a_name(phrase: str) -> bool:
    """Whether a run of words with the right initials reads as what they abbreviate.

    "weapons of mass destruction" and "Korean Central News Agency" do; "Putin
    made" (a name and a verb) and "it showed" (a stopword) do not.
    """
    words = [w for w in phrase.split() if w.lower() not in _LINK_WORDS]
    if any(w.lower() in ENGLISH_STOPWORDS for w in words):
        return False
    capitals = {w[:1].isupper() for w in words}
    return len(capitals) == 1


def initials(
    words: Sequence[str], shortest: int = 3, longest: int = 6
) -> list[tuple[int, int, str]]:
    """Each run of ``shortest`` to ``longest`` words, as (start, end, their initials).

    "korean central news agency" gives "kcn", "kcna" and "cna": the acronyms a
    briefing might write that phrase as. Runs of two are left out: too many two
    letters are words of their own, and the common ones ("US", "UN") are aliases.
    """
    return [
        (start, start + length, "".join(word[:1] for word in words[start : start + length]))
        for length in range(shortest, longest + 1)
        for start in range(len(words) - length + 1)
    ]
