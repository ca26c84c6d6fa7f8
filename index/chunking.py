"""Split briefings into token-bounded chunks that are exact slices of the body.

A chunk never crosses a paragraph. A paragraph within the budget is one
chunk; a longer one is packed sentence by sentence, and a sentence longer
than the budget is cut between words, or between tokens as a last resort.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.briefing import Briefing, Paragraph
from index.sentences import sentence_spans
from index.tokens import LazyEncoding

if TYPE_CHECKING:  # tiktoken is imported when an encoding is loaded (``index.tokens``)
    import tiktoken

DEFAULT_MAX_TOKENS = 160
MIN_MAX_TOKENS = 8

_WORD_SPAN = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: ``briefing.body[start:end] == text``."""

    briefing_id: str
    paragraph: int
    start: int
    end: int
    text: str
    tokens: int


@dataclass(frozen=True)
class Chunker:
    """Cuts briefings into chunks of at most ``max_tokens`` tokens."""

    encoding: tiktoken.Encoding | LazyEncoding
    max_tokens: int = DEFAULT_MAX_TOKENS

    def __post_init__(self) -> None:
        if self.max_tokens < MIN_MAX_TOKENS:
            raise ValueError(f"max_tokens must be at least {MIN_MAX_TOKENS}")

    @property
    def version(self) -> str:
        """Identifies the chunks this chunker makes, for the cache key."""
        return f"{self.encoding.name}-{self.max_tokens}"

    def chunk(self, briefing: Briefing) -> tuple[Chunk, ...]:
        """All chunks of a briefing, in reading order."""
        chunks: list[Chunk] = []
        for paragraph in briefing.paragraphs:
            text = briefing.text(paragraph)
            tokens = self.count(text)
            if tokens <= self.max_tokens:  # most paragraphs: one chunk, counted once
                start, end = paragraph.start, paragraph.end
                chunks.append(Chunk(briefing.id, paragraph.number, start, end, text, tokens))
                continue
            spans = self._split(briefing.body, paragraph)
            chunks.extend(self._make(briefing, paragraph, start, end) for start, end in spans)
        return tuple(chunks)

    def count(self, text: str) -> int:
        """Tokens in ``text``."""
        return len(self.encoding.encode_ordinary(text))

    def _make(self, briefing: Briefing, paragraph: Paragraph, start: int, end: int) -> Chunk:
        text = briefing.body[start:end]
        return Chunk(briefing.id, paragraph.number, start, end, text, self.count(text))

    def _split(self, body: str, paragraph: Paragraph) -> Iterator[tuple[int, int]]:
        """Spans of a paragraph over the budget: sentences packed, long ones cut."""
        pieces = sentence_spans(body, paragraph.start, paragraph.end)
        yield from self._pack(body, list(self._fitting(body, pieces)))

    def _fitting(self, body: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        """Each span, or the word- or token-cut parts of those over the budget."""
        for start, end in spans:
            if self.count(body[start:end]) <= self.max_tokens:
                yield start, end
                continue
            words = [match.span() for match in _WORD_SPAN.finditer(body, start, end)]
            if len(words) > 1:
                yield from self._pack(body, list(self._fitting(body, words)))
            else:
                yield from self._token_cuts(body, start, end)

    def _pack(self, body: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        """Greedily join consecutive spans while the joined text fits the budget."""
        group_start, group_end = spans[0]
        for start, end in spans[1:]:
            if self.count(body[group_start:end]) <= self.max_tokens:
                group_end = end
                continue
            yield group_start, group_end
            group_start, group_end = start, end
        yield group_start, group_end

    def _token_cuts(self, body: str, start: int, end: int) -> list[tuple[int, int]]:
        """Cut one unbroken run of text at token boundaries so each part fits."""
        tokens = self.encoding.encode_ordinary(body[start:end])
        _, offsets = self.encoding.decode_with_offsets(tokens)
        step = self.max_tokens
        while True:
            cuts = sorted({start + offset for offset in offsets[::step]} - {start} | {start, end})
            parts = list(itertools.pairwise(cuts))
            if step == 1 or all(self.count(body[a:b]) <= self.max_tokens for a, b in parts):
                return parts
            step = max(1, step * 3 // 4)
