"""The bot's messages, assembled only from what ``index.render`` makes.

``render_answer`` is the reply to a question. The rest are the same pieces
(``render_quote``, ``render_attribution``, ``cut_end``, ``escape``) put
together for a single passage, a whole paragraph and a briefing's card;
each fits Discord's 2,000 characters.
"""

from __future__ import annotations

from collections.abc import Iterable

from index.answering import Passage
from index.attribution import cited_sources
from index.briefing import Briefing
from index.chunking import Chunk
from index.render import MESSAGE_LIMIT, cut_end, escape, render_attribution, render_quote
from index.search import Index

NO_MORE_PASSAGES = "There are no more passages for that question."
BRIEFING_GONE = "That briefing is no longer loaded."
LIST_LIMIT = 25


def passage_reply(passage: Passage, rank: int, limit: int = MESSAGE_LIMIT) -> str:
    """Passage number ``rank`` (0 is the best) as a quote with its attribution."""
    head = f"-# Passage {rank + 1}\n"
    tail = "\n" + render_attribution(passage)
    return head + render_quote(passage, limit - len(head) - len(tail)) + tail


def paragraph_reply(briefing: Briefing, number: int, limit: int = MESSAGE_LIMIT) -> str:
    """Paragraph ``number`` verbatim (cut only if it cannot fit) with its attribution."""
    passage = paragraph_passage(briefing, number)
    tail = "\n" + render_attribution(passage)
    return "> " + cut_end(passage.text, limit - len(tail) - 2) + tail


def paragraph_passage(briefing: Briefing, number: int) -> Passage:
    """A whole paragraph as a passage; IndexError names the valid range."""
    paragraph = briefing.paragraph(number)
    text = briefing.text(paragraph)
    chunk = Chunk(briefing.id, number, paragraph.start, paragraph.end, text, 0)
    return Passage(briefing, chunk, 0.0, paragraph.start, paragraph.end, cited_sources(text))


def out_of_range(briefing: Briefing, number: int) -> str:
    """Why paragraph ``number`` cannot be quoted."""
    count = len(briefing.paragraphs)
    return (
        f"*{escape(briefing.name)}* has paragraphs 1 to {count}; "
        f"there is no paragraph {number}."
    )


def briefing_reply(index: Index, briefing: Briefing, limit: int = MESSAGE_LIMIT) -> str:
    """A briefing's card: name, date, source, sizes and its opening paragraph."""
    chunks = sum(1 for chunk in index.chunks if chunk.briefing_id == briefing.id)
    source = escape(briefing.source) if briefing.source else None
    details = [part for part in (briefing.date, source) if part]
    lines = [f"**{cut_end(briefing.name, 200)}**"]
    if details:
        lines.append(" · ".join(details))
    lines.append(
        f"{_count(len(briefing.paragraphs), 'paragraph')}, {_count(chunks, 'chunk')} · "
        f"id: {escape(briefing.id)}"
    )
    head = "\n".join(lines) + "\n"
    opening = briefing.text(briefing.paragraphs[0])
    return head + "> " + cut_end(opening, limit - len(head) - 2)


def catalog_reply(briefings: Iterable[Briefing], limit: int = MESSAGE_LIMIT) -> str:
    """The loaded briefings, newest first, one line each."""
    listed = sorted(briefings, key=lambda b: (b.date or "", b.id), reverse=True)
    lines = [f"**{_count(len(listed), 'briefing')} loaded** (use `/briefing name` for one)"]
    for shown, briefing in enumerate(listed):
        date = f", {briefing.date}" if briefing.date else ""
        line = f"• *{cut_end(briefing.name, 100)}*{date} (id: {escape(briefing.id)})"
        more = f"… and {len(listed) - shown} more"
        if shown == LIST_LIMIT or len("\n".join([*lines, line, more])) > limit:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
