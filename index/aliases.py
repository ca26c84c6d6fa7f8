"""News aliases: "DPRK" for North Korea, "US" for the United States, demonyms.

A small table (``index/data/aliases.txt``) groups the names news text uses
for the same thing. A question word the index lacks is read as the first
name of its group that the index has, so "What did the DPRK test?" finds
"North Korea" and "Which Ukrainian city…" finds "Ukraine". The reranking
(``index.reranking``) also counts a chunk that says "North Korea" as saying
"Pyongyang" when the index knows both.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from index import DATA
from index.analysis import split_words
from index.stopwords import ENGLISH_STOPWORDS


@dataclass(frozen=True)
class Aliases:
    """For each alias, every name of its group, in the table's order.

    ``groups`` holds the single-word aliases, ``phrases`` those of several words, keyed
    by their words that are not stopwords, as a question's words are read.
    """

    groups: dict[str, tuple[str, ...]]
    phrases: dict[str, tuple[str, ...]]

    @classmethod
    def parse(cls, lines: Iterable[str]) -> Aliases:
        """Groups from lines of names separated by ``=``; ``#`` starts a comment."""
        groups: dict[str, tuple[str, ...]] = {}
        phrases: dict[str, tuple[str, ...]] = {}
        for raw in lines:
            names = tuple(" ".join(split_words(n)) for n in raw.split("#", 1)[0].split("="))
            names = tuple(name for name in names if name)
            for name in names:
                if " " not in name:
                    groups.setdefault(name, names)
                elif key := " ".join(w for w in name.split() if w not in ENGLISH_STOPWORDS):
                    phrases.setdefault(key, names)  # "weapons mass destruction": as read
        return cls(groups, phrases)

    def read(self, word: str, known: Callable[[str], bool]) -> str | None:
        """The first other name of ``word``'s group for which ``known`` holds."""
        return next((n for n in self.groups.get(word, ()) if n != word and known(n)), None)


@functools.cache
def default_aliases() -> Aliases:
    """The table shipped with briefbot."""
    text = (DATA / "aliases.txt").read_text(encoding="utf-8")
    return Aliases.parse(text.splitlines())
