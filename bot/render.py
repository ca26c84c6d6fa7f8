"""Render an answer as the Discord message a user reads (the harness prints it too).

Safety lives here: briefing and question text are escaped so they cannot
format, link, mention or ping, and the reply always fits Discord's 2,000
characters, trimming context around the best sentence before the sentence.
A whole paragraph and a briefing's card are rendered here too, from the same
pieces, so no quote or attribution is assembled anywhere else: the bot's
other messages (``bot.replies``) are built from these functions.
"""

from __future__ import annotations

import re

from index.answering import Answer, Passage, Status
from index.attribution import cited_sources
from index.briefing import Briefing

MESSAGE_LIMIT = 2000
ELLIPSIS = "…"
# The longest a title, source or cited name may be in an attribution, and a
# missing word in a refusal: the quote keeps the rest of the message.
FIELD_LIMIT = 120
WORD_LIMIT = 40
# A briefing named in "Also relevant" beside the quoted one is cut to this,
OTHER_NAME_LIMIT = 60
# and the whole line to this.
MORE_LIMIT = 300

# Inline markup anywhere; block markup (headings, quotes, lists) only opens a line.
_INLINE_MARKUP = re.compile(r"([\\*_~`|\[\]<])")
_BLOCK_MARKUP = re.compile(r"^(?=[#>+-])|^(\d+)(?=\.(?:\s|$))")
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
# Control characters that are not white space (those are collapsed to spaces).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_ZERO_WIDTH_SPACE = "\u200b"
_SUBTEXT = re.compile(r"^-# ", re.MULTILINE)
HELP = (
    "I answer questions about the briefing with its own words: the passage that answers, "
    "quoted verbatim, and where it comes from (briefing, date, paragraph, and the outlet "
    "it cites). If the briefing does not say, I say so.\n"
    "• Ask a question, for example: *Who visited Pyongyang?*\n"
    "• Say *summary* for what the briefing is about, *paragraph 3* for that paragraph.\n"
    "• In Discord, mention me or use /ask; /quote shows a paragraph and /briefing a briefing."
)


def escape(text: str) -> str:
    """Make text display literally: no markdown, links, mentions, controls or line breaks."""
    text = " ".join(_CONTROL.sub("", text).split())
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    text = _MASS_MENTION.sub(f"@{_ZERO_WIDTH_SPACE}\\1", text)
    return _BLOCK_MARKUP.sub(lambda match: (match.group(1) or "") + "\\", text, count=1)


def render_answer(answer: Answer, limit: int = MESSAGE_LIMIT) -> str:
    """The reply for ``answer``: a quoted passage and its attribution, or why not."""
    if answer.status is Status.SUMMARY and answer.passages:
        return render_overview(answer.passages, limit)
    if answer.status is Status.PARAGRAPH:
        return _render_requested(answer, limit)
    if answer.best is None:
        return (render_refusal(answer) + _readings_line(answer))[:limit]
    best = answer.best
    tail = "\n" + render_attribution(best)
    if more := _more_line(answer):
        tail += "\n" + more
    if answer.missing:
        tail += f"\n-# Not in the briefing{_plural(answer)}: {_listed(answer.missing, 'and')}"
    tail += _readings_line(answer)
    return render_quote(best, limit - len(tail)) + tail


def render_overview(ledes: tuple[Passage, ...], limit: int = MESSAGE_LIMIT) -> str:
    """What a briefing is about: its name, date and size, and its lede quoted."""
    blocks = []
    share = limit // len(ledes) - 1
    for lede in ledes:
        briefing = lede.briefing
        size = count_of(len(briefing.paragraphs), "paragraph")
        details = " · ".join(part for part in (briefing.date, size) if part)
        head = f"**{cut_end(briefing.name, FIELD_LIMIT)}** · {details}"
        tail = "\n" + render_attribution(lede)
        quote = render_quote(lede, share - len(head) - len(tail) - 1)
        blocks.append(f"{head}\n{quote}{tail}")
    return "\n".join(blocks)[:limit]


def _readings_line(answer: Answer) -> str:
    """``-# Read "Shiogu" as "Shoigu"``: the spellings typo tolerance chose."""
    if not answer.corrections:
        return ""
    read = [
        f'"{cut_end(c.typed, WORD_LIMIT)}" as "{cut_end(c.read_as, WORD_LIMIT)}"'
        for c in answer.corrections[:5]
    ]
    return "\n-# Read " + ", ".join(read)


def render_quote(passage: Passage, limit: int = MESSAGE_LIMIT) -> str:
    """The passage as a block quote, best sentence in bold, within ``limit``."""
    body = passage.briefing.body
    before = body[passage.chunk.start : passage.sentence_start]
    after = body[passage.sentence_end : passage.chunk.end]
    frame = len("> **** ") + 2 * len(" ")
    sentence = cut_end(passage.sentence, limit - frame)
    budget = limit - frame - len(sentence)
    keep_before = min(len(escape(before)), max(budget // 2, budget - len(escape(after))))
    parts = (
        cut_start(before, keep_before),
        f"**{sentence}**",
        cut_end(after, budget - keep_before),
    )
    return "> " + " ".join(part for part in parts if part)


def render_attribution(passage: Passage) -> str:
    """— briefing, date, paragraph, and whom the best sentence cites."""
    return _attribution(passage.briefing, passage.paragraph, passage.cites)


def render_paragraph(briefing: Briefing, number: int, limit: int = MESSAGE_LIMIT) -> str:
    """Paragraph ``number`` verbatim (cut only if it cannot fit) with its attribution.

    The attribution names whom the paragraph cites. IndexError (naming the
    valid range) if the briefing has no such paragraph.
    """
    return _paragraph_reply(briefing, number, briefing.text(briefing.paragraph(number)), limit)


def _paragraph_reply(briefing: Briefing, number: int, text: str, limit: int) -> str:
    tail = "\n" + _attribution(briefing, number, cited_sources(text))
    return "> " + cut_end(text, limit - len(tail) - len("> ")) + tail


def out_of_range(briefing: Briefing, number: int) -> str:
    """Why paragraph ``number`` cannot be quoted."""
    count = len(briefing.paragraphs)
    return (
        f"*{cut_end(briefing.name, FIELD_LIMIT)}* has paragraphs 1 to {count}; "
        f"there is no paragraph {number}."
    )


def _render_requested(answer: Answer, limit: int) -> str:
    """The paragraph a message asked for by number, or why it cannot be quoted."""
    requested = answer.requested
    if requested is None:
        return "Several briefings are loaded: say which with /quote's briefing option."
    if requested.text is None:
        return out_of_range(requested.briefing, requested.number)[:limit]
    return _paragraph_reply(requested.briefing, requested.number, requested.text, limit)


def render_briefing(briefing: Briefing, chunks: int, limit: int = MESSAGE_LIMIT) -> str:
    """A briefing's card: name, date, source, sizes and its opening paragraph."""
    source = escape(briefing.source) if briefing.source else None
    details = [part for part in (briefing.date, source) if part]
    lines = [f"**{cut_end(briefing.name, 200)}**"]
    if details:
        lines.append(" · ".join(details))
    lines.append(
        f"{count_of(len(briefing.paragraphs), 'paragraph')}, {count_of(chunks, 'chunk')} · "
        f"id: {escape(briefing.id)}"
    )
    head = "\n".join(lines) + "\n"
    opening = briefing.text(briefing.paragraphs[0])
    return head + "> " + cut_end(opening, limit - len(head) - len("> "))


def _attribution(briefing: Briefing, paragraph: int, cites: tuple[str, ...]) -> str:
    parts = [f"*{cut_end(briefing.name, FIELD_LIMIT)}*"]
    if briefing.dateline:
        parts.append(cut_end(briefing.dateline, FIELD_LIMIT))
    if briefing.date:
        parts.append(briefing.date)
    parts.append(f"paragraph {paragraph}")
    if cites:
        parts.append("citing " + cut_end(" and ".join(cites), FIELD_LIMIT))
    elif briefing.source:
        parts.append("via " + cut_end(briefing.source, FIELD_LIMIT))
    return "— " + ", ".join(parts)


def count_of(number: int, noun: str) -> str:
    """``number`` of ``noun``, in the plural unless one: "1 paragraph", "14 paragraphs"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def render_refusal(answer: Answer) -> str:
    """Why there is no quote: an empty question, or what the briefing lacks."""
    if answer.status is Status.EMPTY:
        return "Ask me a question about the briefing, for example: *Who visited Pyongyang?*"
    if answer.status is Status.CHAT:
        return "👋 Ask me anything about the briefing, for example: *Who visited Pyongyang?*"
    if answer.status is Status.HELP:
        return HELP
    if answer.status is Status.SUMMARY:
        return "There is no briefing to summarise."
    if answer.status is Status.NO_SEARCH_TERMS:
        return (
            "That question has no words I can look up. "
            "Name a person, place or event, for example: *What did KCNA say?*"
        )
    scope, verb = (
        ("The briefing", "does") if answer.briefings_searched == 1 else ("The briefings", "do")
    )
    if answer.missing:
        return f"{scope} {verb} not mention {_listed(answer.missing, 'or')}."
    return f"{scope} {verb} not say: nothing in it answers that question."


def _listed(words: tuple[str, ...], conjunction: str) -> str:
    """Up to five question words, escaped and bounded: "a, b or c"."""
    shown = [cut_end(word, WORD_LIMIT) for word in words[:5]]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" {conjunction} " + shown[-1]


def _plural(answer: Answer) -> str:
    return "" if answer.briefings_searched == 1 else "s"


def cut_end(raw: str, limit: int) -> str:
    """Escaped ``raw``, cut at a word boundary to fit ``limit``, ending in … if cut."""
    return _cut(raw.split(), limit, from_start=False)


def cut_start(raw: str, limit: int) -> str:
    """Escaped ``raw``, its beginning cut at a word boundary to fit ``limit``."""
    return _cut(raw.split(), limit, from_start=True)


def _cut(words: list[str], limit: int, *, from_start: bool) -> str:
    text = escape(" ".join(words))
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    kept: list[str] = []
    used = -1
    for word in reversed(words) if from_start else words:
        escaped = escape(word)
        if used + 1 + len(escaped) > room:
            if not kept:
                kept.append(_cut_word(word, room, from_start=from_start))
            break
        kept.append(escaped)
        used += 1 + len(escaped)
    if from_start:
        return ELLIPSIS + " ".join(reversed(kept)) if room > 0 else ""
    return " ".join(kept) + ELLIPSIS if room > 0 else ""


def _cut_word(word: str, room: int, *, from_start: bool) -> str:
    """The longest part of one over-long word whose escaped form fits ``room``."""
    for size in range(min(len(word), room), 0, -1):
        part = escape(word[-size:] if from_start else word[:size])
        if len(part) <= room:
            return part
    return ""


def _more_line(answer: Answer) -> str:
    """The other passages' paragraphs: the quoted briefing's first, then others' under their names.

    Bounded (``MORE_LIMIT``): with many passages asked for, the quote keeps the room.
    """
    best = answer.passages[0]
    groups: dict[str, tuple[Briefing, list[int]]] = {best.briefing.id: (best.briefing, [])}
    for passage in answer.passages[1:]:
        briefing, paragraph = passage.briefing, passage.paragraph
        paragraphs = groups.setdefault(briefing.id, (briefing, []))[1]
        if paragraph not in paragraphs and (briefing.id, paragraph) != (
            best.briefing.id,
            best.paragraph,
        ):
            paragraphs.append(paragraph)
    parts = []
    for briefing, paragraphs in groups.values():
        if not paragraphs:
            continue
        plural = "s" if len(paragraphs) > 1 else ""
        part = f"paragraph{plural} " + ", ".join(map(str, paragraphs))
        same = briefing.id == best.briefing.id
        parts.append(part if same else f"*{cut_end(briefing.name, OTHER_NAME_LIMIT)}*, {part}")
    if not parts:
        return ""
    line = "-# Also relevant: " + "; ".join(parts)
    while len(line) > MORE_LIMIT and len(parts) > 1:
        parts.pop()
        line = "-# Also relevant: " + "; ".join(parts) + "; …"
    return line if len(line) <= MORE_LIMIT else line[: MORE_LIMIT - 1] + "…"


def plain(reply: str) -> str:
    """A reply without its markdown escapes, emphasis and subtext marks, as a reader reads it."""
    text = reply.replace("**", "").replace("\\", "").replace(_ZERO_WIDTH_SPACE, "")
    return _SUBTEXT.sub("", text)
