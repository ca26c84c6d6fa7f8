"""The per-user question cooldown, shared by /ask, channel questions and More passages."""

from __future__ import annotations

import discord
from discord.ext import commands


def asker_id(source: discord.Message | discord.Interaction) -> int:
    """Who asked: the message's author or the interaction's user."""
    if isinstance(source, discord.Interaction):
        return source.user.id
    return source.author.id


def cooldown_of(client: object) -> QuestionCooldown:
    """The cooldown a bot client holds (buttons reach it this way)."""
    cooldown = getattr(client, "cooldown", None)
    if not isinstance(cooldown, QuestionCooldown):
        raise TypeError(f"{type(client).__name__} holds no question cooldown")
    return cooldown


class QuestionCooldown:
    """One question per user every ``seconds`` (0 turns the cooldown off).

    A member told to wait is told once per window: ``notice_due`` is true for
    the first question declined in a window and false for the rest, so a
    member who keeps asking cannot make the bot post once per message.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._mapping: commands.CooldownMapping | None = None
        self._notices: commands.CooldownMapping | None = None
        if seconds > 0:
            self._mapping = commands.CooldownMapping(commands.Cooldown(1, seconds), asker_id)
            self._notices = commands.CooldownMapping(commands.Cooldown(1, seconds), asker_id)

    def retry_after(self, source: discord.Message | discord.Interaction) -> float | None:
        """Count a question; None if it may be answered, else seconds until it may."""
        if self._mapping is None:
            return None
        bucket = self._mapping.get_bucket(source)
        return bucket.update_rate_limit() if bucket is not None else None

    def notice_due(self, source: discord.Message | discord.Interaction) -> bool:
        """Whether to tell this member to wait: once per window, however often they ask."""
        if self._notices is None:
            return False
        bucket = self._notices.get_bucket(source)
        return bucket is not None and not bucket.update_rate_limit()

    def cooldown(self) -> commands.Cooldown:
        """The rate as a discord.py ``Cooldown``, for ``CommandOnCooldown``."""
        return commands.Cooldown(1, self.seconds)
