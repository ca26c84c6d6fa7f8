"""Spell out an acronym the index lacks ("WMD") from the briefings' own words.

Briefings often write the phrase in full ("weapons of mass destruction")
while a reader types the acronym. An upper-case question word that no chunk
contains is matched against the briefings' text as the initials of
consecutive words (small words like "of" may sit between them); the first
phrase found replaces the acronym among the question's terms.
"""

from __future__ import annotations

import re

from index.analysis import Term
from index.search import Index

_ACRONYM = re.compile(r"\b([A-Z]{2,6})s?\b")
_LINKS = r"(?:(?:of|and|the|for|on|in)\s+)?"
# A question names one or two acronyms; a flood of them must not mean a flood of searches.
MAX_LOOKUPS = 4
# Acronyms remembered per index; past this, made-up ones must not grow memory.
MAX_REMEMBERED = 1024
# Longer words never count towards an acronym.
MAX_WORD = 40


def expand_acronyms(index: Index, terms: list[Term], question: str) -> list[Term]:
    """``terms`` with each unknown acronym replaced by the phrase it stands for.

    Each search reads every briefing, so only the first ``MAX_LOOKUPS``
    distinct acronyms of a question are looked up, each once.
    """
    acronyms = {match.group(1) for match in _ACRONYM.finditer(question)}
    phrases: dict[str, str | None] = {}
    expanded: list[Term] = []
    for term in terms:
        acronym = None if index.knows(term.term) else _acronym(term.word, acronyms)
        if acronym and acronym not in phrases and len(phrases) < MAX_LOOKUPS:
            phrases[acronym] = _spelled_out(index, acronym)
        phrase = phrases.get(acronym) if acronym else None
        expanded.extend(index.analyzer.terms(phrase) if phrase else [term])
    return expanded


def _acronym(word: str, acronyms: set[str]) -> str | None:
    """The acronym ``word`` was typed as in the question ("wmds" -> "WMD")."""
    for candidate in (word.upper(), word.upper().removesuffix("S")):
        if candidate in acronyms:
            return candidate
    return None


def _spelled_out(index: Index, acronym: str) -> str | None:
    """The phrase the briefings spell ``acronym`` out as, looked up once per index."""
    if acronym not in index.spelled_out:
        if len(index.spelled_out) >= MAX_REMEMBERED:
            index.spelled_out.clear()
        index.spelled_out[acronym] = _search(index, acronym)
    return index.spelled_out[acronym]


def _search(index: Index, acronym: str) -> str | None:
    # Words are bounded: unbounded, a long run like "a-a-a-…" was rescanned from
    # each of its word boundaries, quadratic in the run's length.
    words = [rf"{letter}[\w'-]{{0,{MAX_WORD}}}" for letter in acronym.lower()]
    pattern = re.compile(r"\b" + rf"\s+{_LINKS}".join(words) + r"\b", re.IGNORECASE)
    for briefing in index.briefings:
        if match := pattern.search(briefing.body):
            return match.group()
    return None
