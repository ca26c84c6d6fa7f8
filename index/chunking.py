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
from index.sentences import SPLITTER_VERSION, sentence_spans
from index.tokens import LazyEncoding

if TYPE_CHECKING:  # tiktoken is imported when an encoding is loaded (``index.tokens``)
    import tiktoken

DEFAULT_MAX_TOKENS = 160
MIN_MAX_TOKENS = 8

_WORD_SPAN = re.compile(r"\S+")
# Joining two spans of text rarely counts more than one token over their two
# counts (measured on news text: -3 to +1), so packing can estimate most joins.
_JOIN_TOKENS = 1


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
class _Span:
    """A span of a briefing's body and its tokens (estimated, unless ``exact``)."""

    start: int
    end: int
    tokens: int
    exact: bool = True


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
        return f"{self.encoding.name}-{self.max_tokens}-sentences{SPLITTER_VERSION}"

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
            number, body = paragraph.number, briefing.body
            for span in self._split(body, paragraph):
                text = body[span.start : span.end]
                chunks.append(Chunk(briefing.id, number, span.start, span.end, text, span.tokens))
        return tuple(chunks)

    def count(self, text: str) -> int:
        """Tokens in ``text``."""
        return len(self.encoding.encode_ordinary(text))

    def _span(self, body: str, start: int, end: int) -> _Span:
        return _Span(start, end, self.count(body[start:end]))

    def _split(self, body: str, paragraph: Paragraph) -> list[_Span]:
        """Spans of a paragraph over the budget: sentences packed, long ones cut.

        Packing trusts an estimate of what joined spans count, and each span
        packed is then counted exactly; in the rare case an estimate was low
        and a span is over the budget, the paragraph is packed again by
        counting every join.
        """
        sentences = sentence_spans(body, paragraph.start, paragraph.end)
        pieces = [self._span(body, start, end) for start, end in sentences]
        for estimate in (True, False):
            packed = self._pack(body, list(self._fitting(body, pieces, estimate)), estimate)
            spans = [
                span if span.exact else self._span(body, span.start, span.end) for span in packed
            ]
            if all(span.tokens <= self.max_tokens for span in spans):
                break
        return spans

    def _fitting(self, body: str, spans: list[_Span], estimate: bool) -> Iterator[_Span]:
        """Each span, or the word- or token-cut parts of those over the budget."""
        for span in spans:
            if span.tokens <= self.max_tokens:
                yield span
                continue
            words = [
                self._span(body, *match.span())
                for match in _WORD_SPAN.finditer(body, span.start, span.end)
            ]
            if len(words) > 1:
                yield from self._pack(body, list(self._fitting(body, words, estimate)), estimate)
            else:
                yield from (
                    self._span(body, *cut) for cut in self._token_cuts(body, span.start, span.end)
                )

    def _pack(self, body: str, spans: list[_Span], estimate: bool) -> Iterator[_Span]:
        """Greedily join consecutive spans while the joined text fits the budget.

        Two joined spans count at most ``_JOIN_TOKENS`` more than the two
        apart, in practice (the space between merges into the next word), so
        with ``estimate`` a join that fits even so is not counted; one near the
        budget always is.
        """
        group = spans[0]
        for span in spans[1:]:
            guess = group.tokens + span.tokens + _JOIN_TOKENS
            if estimate and guess <= self.max_tokens:
                group = _Span(group.start, span.end, guess, exact=False)
                continue
            joined = self._span(body, group.start, span.end)
            if joined.tokens <= self.max_tokens:
                group = joined
                continue
            yield group
            group = span
        yield group

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
