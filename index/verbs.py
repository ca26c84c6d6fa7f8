"""Which question words are verbs: a reply names the nouns and names a briefing lacks, not these.

"Did Kim watch the test?" against a briefing that says "oversaw" lacks
"watch", but telling the reader so says nothing about the story. The table
(``index/data/verbs.txt``, written by ``bench/wordnet.py`` from WordNet's
sense counts) holds the terms that are mostly verbs, the terms that are
verbs too (whose "-ed" and "-ing" forms are verbs: "praised", "bombing" …),
and the nouns and adjectives that end so ("meeting", "armed", "speed").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from index import DATA

_INFLECTED = ("ed", "ing")


@dataclass(frozen=True)
class Verbs:
    """The verb terms, for the analyzer of version ``analyzer``."""

    analyzer: str
    mostly: frozenset[str]
    also: frozenset[str]
    nouns: frozenset[str]  # words ending in -ed or -ing that are nouns or adjectives

    @classmethod
    def parse(cls, text: str) -> Verbs:
        """The table from its lines: ``analyzer VERSION``, ``mostly …``, ``also …``, ``noun …``."""
        lines = (line.split() for line in text.splitlines() if line and not line.startswith("#"))
        kinds = {kind: words for kind, *words in lines}
        (analyzer,) = kinds.get("analyzer", [""])
        sets = [frozenset(kinds.get(kind, ())) for kind in ("mostly", "also", "noun")]
        return cls(analyzer, *sets)

    def is_verb(self, word: str, term: str) -> bool:
        """Whether the folded ``word`` (analysed as ``term``) is most likely a verb."""
        if term in self.mostly:
            return True
        return term in self.also and word.endswith(_INFLECTED) and word not in self.nouns


@functools.cache
def default_verbs() -> Verbs:
    """The table shipped with briefbot."""
    text = (DATA / "verbs.txt").read_text(encoding="utf-8")
    return Verbs.parse(text)
