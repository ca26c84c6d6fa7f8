"""Find the question in a message (after a mention, ``!ask``, or a whole DM), and name it."""

from __future__ import annotations

import re

import discord

THREAD_NAME_LIMIT = 100
UNTITLED_THREAD = "Question for briefbot"


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


def question_in_dm(content: str, bot_id: int, prefix: str | None) -> str:
    """The question a direct message asks: all of it, less a mention or ``!ask`` if any."""
    question = question_in(content, bot_id, prefix)
    return " ".join(content.split()) if question is None else question


def thread_name(question: str) -> str:
    """A thread's name for a question: its words, cut at a word to Discord's 100 characters."""
    whole = cut_question(question, len(question))
    if len(whole) <= THREAD_NAME_LIMIT:
        return whole or UNTITLED_THREAD
    return cut_question(whole, THREAD_NAME_LIMIT - 1) + "…"


def cut_question(text: str, limit: int) -> str:
    """A message's text as a question: white space collapsed, cut at a word to ``limit``."""
    whole = " ".join(text.split())
    if len(whole) <= limit:
        return whole
    head = whole[: limit + 1]
    return head.rsplit(" ", 1)[0] if " " in head else whole[:limit]


_MENTION = re.compile(r"<(@[!&]?|#)(\d{1,20})>")


def readable(text: str, message: discord.Message) -> str:
    """``text`` with the mentions Discord resolved in ``message`` shown by name.

    A client shows ``<@&id>`` as @moderators and ``<#id>`` as #news; a thread's
    name or a kept question is plain text, so it gets the names, never bare
    ids. A mention Discord did not resolve is shown as a client shows it
    (@unknown-role).
    """
    return _named(
        text,
        users={user.id: user.display_name for user in message.mentions},
        roles={role.id: role.name for role in message.role_mentions},
        channels={channel.id: getattr(channel, "name", "") for channel in message.channel_mentions},
    )


def readable_in(text: str, guild: discord.Guild | None) -> str:
    """``text`` (a slash command's option, which Discord does not resolve) with names.

    Roles and channels are named from the server as the bot sees it; members
    the bot does not hold (it asks for no member list) are @unknown-user.
    """
    roles: dict[int, str] = {}
    channels: dict[int, str] = {}
    if guild is not None:
        for _, number in _MENTION.findall(text):
            if role := guild.get_role(int(number)):
                roles[role.id] = role.name
            if channel := guild.get_channel(int(number)):
                channels[channel.id] = channel.name
    return _named(text, users={}, roles=roles, channels=channels)


def _named(
    text: str, *, users: dict[int, str], roles: dict[int, str], channels: dict[int, str]
) -> str:
    def name(match: re.Match[str]) -> str:
        kind, number = match[1], int(match[2])
        if kind == "#":
            return f"#{channels.get(number) or 'unknown-channel'}"
        if kind == "@&":
            return f"@{roles.get(number) or 'unknown-role'}"
        return f"@{users.get(number) or 'unknown-user'}"

    return _MENTION.sub(name, text)
