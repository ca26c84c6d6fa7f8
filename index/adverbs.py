"""Words that are only adverbs: one the index lacks is no evidence that a briefing misses the topic.

"Did Kim personally watch the test?" asks about Kim and the test; a briefing
that never says "personally" still answers it. The list
(``index/data/adverbs.txt``, written by ``bench/wordnet.py``) holds the words of
four letters or more that WordNet knows as adverbs and as nothing else, in lower
case as a question's folded words are, so "fast" or "long" (adjectives too) are
not among them.
"""

from __future__ import annotations

import functools

from index import DATA


def parse_adverbs(text: str) -> frozenset[str]:
    """The words of the list's text: one a line; ``#`` starts a comment line."""
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


@functools.cache
def default_adverbs() -> frozenset[str]:
    """The list shipped with briefbot."""
    return parse_adverbs((DATA / "adverbs.txt").read_text(encoding="utf-8"))
