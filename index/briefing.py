"""The briefing: a news text, its metadata and its numbered paragraphs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    """A paragraph as a span of its briefing's body, numbered from 1."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Briefing:
    """One loaded briefing; every quote is a slice of ``body``."""

    id: str
    body: str
    paragraphs: tuple[Paragraph, ...]
    digest: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    dateline: str | None = None

    @property
    def name(self) -> str:
        """What a reader calls this briefing: its title, else its id."""
        return self.title or self.id

    def paragraph(self, number: int) -> Paragraph:
        """Paragraph ``number`` (1-based); IndexError names the valid range."""
        if not 1 <= number <= len(self.paragraphs):
            raise IndexError(f"{self.id} has paragraphs 1 to {len(self.paragraphs)}")
        return self.paragraphs[number - 1]

    def text(self, paragraph: Paragraph) -> str:
        """The verbatim text of one of this briefing's paragraphs."""
        return self.body[paragraph.start : paragraph.end]
