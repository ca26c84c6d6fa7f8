"""Words derived from one another: "invaded" for a briefing that says "invasion".

The stemmer meets "visits" with "visited", but not "invade" with "invasion"
or "decide" with "decision". A table of such pairs, taken from WordNet as
index terms (``index/data/derivations.txt``, written by
``bench/wordnet.py``), gives a question word the index lacks the terms
of its derived words that it has.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from index import DATA


@dataclass(frozen=True)
class Derivations:
    """Each term's derived terms, for the analyzer of version ``analyzer``."""

    analyzer: str
    related: dict[str, str]  # a term's relatives, space-separated: split only when asked

    @classmethod
    def parse(cls, text: str) -> Derivations:
        """The table from its text: ``analyzer VERSION``, then lines of a term and its relatives."""
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        related = dict(line.split(" ", 1) for line in lines)
        return cls(related.pop("analyzer", ""), related)

    def of(self, term: str) -> tuple[str, ...]:
        """The terms derived from or into ``term``; none if the table does not know it."""
        return tuple(self.related.get(term, "").split())


@functools.cache
def default_derivations() -> Derivations:
    """The table shipped with briefbot."""
    text = (DATA / "derivations.txt").read_text(encoding="utf-8")
    return Derivations.parse(text)
