"""The bot's own messages, assembled only from what ``bot.render`` makes.

``bot.render`` renders answers, whole paragraphs and briefing cards, which
the harness shows too. What only the bot shows is here: a numbered passage
under "More passages", the list of loaded briefings, what a briefing's
management did, and short notices. Each fits Discord's 2,000 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import (
    FIELD_LIMIT,
    MESSAGE_LIMIT,
    count_of,
    cut_end,
    escape,
    render_attribution,
    render_quote,
)
from bot.server_settings import ServerSettings
from bot.store.base import VoteOutcome
from index.answering import Passage
from index.briefing import Briefing
from index.briefingtable import dates_of, ids_of, names_of

NO_MORE_PASSAGES = "There are no more passages for that question."
BRIEFING_GONE = "That briefing is no longer loaded."
BRIEFING_CHANGED = (
    "That briefing has changed since this button was made, so it no longer quotes the "
    "same text. Ask again to quote the current version."
)
ANSWER_EXPIRED = "This answer has expired; ask again."
LIST_LIMIT = 25


def passage_reply(passage: Passage, rank: int, limit: int = MESSAGE_LIMIT) -> str:
    """Passage number ``rank`` (0 is the best) as a quote with its attribution."""
    head = f"-# Passage {rank + 1}\n"
    tail = "\n" + render_attribution(passage)
    return head + render_quote(passage, limit - len(head) - len(tail)) + tail


def vote_reply(outcome: VoteOutcome, *, helpful: bool) -> str:
    """The private acknowledgement of a Helpful / Not helpful press."""
    marked = "helpful" if helpful else "not helpful"
    if outcome is VoteOutcome.RECORDED:
        return f"Thanks: you marked this answer {marked}."
    if outcome is VoteOutcome.CHANGED:
        return f"Changed your vote: this answer is now marked {marked}."
    if outcome is VoteOutcome.UNCHANGED:
        return f"You already marked this answer {marked}."
    return ANSWER_EXPIRED


def added_reply(briefing: Briefing) -> str:
    """What /briefing-add says once the briefing is indexed."""
    return (
        f"Added *{cut_end(briefing.name, FIELD_LIMIT)}* "
        f"({count_of(len(briefing.paragraphs), 'paragraph')}, id: {escape(briefing.id)}). "
        "/ask can quote it now."
    )


def removed_reply(briefing: Briefing) -> str:
    """What /briefing-remove says once the briefing is gone."""
    return f"Removed *{cut_end(briefing.name, FIELD_LIMIT)}*."


def catalog_reply(briefings: Sequence[Briefing], limit: int = MESSAGE_LIMIT) -> str:
    """The loaded briefings, newest first, one line each (read as columns: none is made)."""
    ids, names, dates = ids_of(briefings), names_of(briefings), dates_of(briefings)
    listed = sorted(range(len(ids)), key=lambda n: (dates[n] or "", ids[n]), reverse=True)
    lines = [f"**{count_of(len(listed), 'briefing')} loaded** (use `/briefing name` for one)"]
    for shown, n in enumerate(listed):
        date = f", {dates[n]}" if dates[n] else ""
        line = f"• *{cut_end(names[n], 100)}*{date} (id: {escape(ids[n])})"
        more = f"… and {len(listed) - shown} more"
        if shown == LIST_LIMIT or len("\n".join([*lines, line, more])) > limit:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def settings_reply(settings: ServerSettings, *, saved: bool = False) -> str:
    """The server's settings as /briefbot-settings shows them, after a change or not."""
    answers = "private (only the asker sees them)" if settings.private else "public"
    mentions = "in a new thread" if settings.threads else "with a reply"
    channels = (
        ", ".join(f"<#{channel}>" for channel in sorted(settings.channels))
        if settings.channels
        else "every channel"
    )
    head = "Saved. Settings for this server:" if saved else "Settings for this server:"
    return "\n".join(
        [
            f"**{head}**",
            f"• /ask answers are {answers} unless the asker chooses (option `private`)",
            f"• Mentions are answered {mentions}",
            f"• Mentions are answered in: {channels}",
            "-# Change them with the options of /briefbot-settings.",
        ]
    )
