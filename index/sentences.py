"""Sentence boundaries inside a span of text, as offsets, never copies."""

from __future__ import annotations

import re

# Part of the cache key (through ``Chunker.version``): change it whenever
# ``sentence_spans`` could split a text differently, since chunks are cut and
# the cached sentence table is made by it.
SPLITTER_VERSION = "1"

# A sentence ends at . ! ? (and any closing quotes or brackets) followed by
# white space and something that can start a sentence. A run of marks is
# tried once, from its start and without backtracking: trying every position
# of "!!!!…" made splitting quadratic in the run's length. The pattern opens
# with the mark itself (the look-behind, that no mark precedes it, comes
# second), so the regex engine skips to the next mark instead of trying
# every position: splitting takes half the time.
_END = re.compile(r"[.!?…](?<![.!?…][.!?…])[.!?…]*+[\"'”’)\]]*+(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]|Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Gov|Sen|Rep|St|Jr|Sr|No|vs|etc"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|U\.K)\.)$"
)
# No abbreviation above is longer than this, so only that much text before a
# sentence end needs looking at (looking back to the sentence start is quadratic).
_ABBREVIATION_REACH = len("Sept.")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text[start:end]``, trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _END.finditer(text, start, end):
        reach = max(cursor, match.end() - _ABBREVIATION_REACH)
        if _ABBREVIATION.search(text, reach, match.end()):
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
