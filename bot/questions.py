"""Find the question in a channel message: after a mention of the bot, or ``!ask``."""

from __future__ import annotations

import re


def question_in(content: str, bot_id: int, prefix: str | None) -> str | None:
    """The question a message asks the bot, or None if it asks nothing.

    A mention anywhere (``<@id>`` or ``<@!id>``) makes the rest of the
    message the question; with a ``prefix``, so does ``{prefix}ask`` at the
    start. The question may be empty (just a mention).
    """
    mention = re.compile(rf"<@!?{bot_id}>")
    if mention.search(content):
        return " ".join(mention.sub(" ", content).split())
    if prefix:
        command = f"{prefix}ask"
        text = content.lstrip()
        head, rest = text[: len(command)], text[len(command) :]
        if head.casefold() == command.casefold() and (not rest or rest[0].isspace()):
            return " ".join(rest.split())
    return None
