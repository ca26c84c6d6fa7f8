"""The "More passages" button of answers sent before answers were recorded.

Its custom_id carries the question itself, cut to fit 100 characters:

    bb:more:<rank>:<scope>:<question>   show passage number <rank> (0 is the best)

<scope> is ``briefing_key`` of the briefing the question was limited to, or
``-`` for every briefing. A press searches the (cut) question again, so it
counts toward the cooldown, and offers the next passage the same way. New
answers carry their record's id instead (``bot.buttons.MorePassages``); this
one stays so that buttons on messages already sent keep working.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.buttons import (
    CUSTOM_ID_LIMIT,
    MAX_RANK,
    ReportedPress,
    WholeParagraph,
    briefing_key,
    cooling_down,
    find_by_key,
)
from bot.library import library_of
from bot.replies import BRIEFING_GONE, NO_MORE_PASSAGES, passage_reply
from bot.sending import defer_after_of, in_time, send

_ALL = "-"


def fit_question(question: str, room: int) -> str:
    """The question with white space collapsed, cut after a word to fit ``room``.

    Discord's API counts a custom_id's length in code points, as Python's
    ``len`` does (an emoji outside the Basic Multilingual Plane is one).
    """
    kept = ""
    for word in question.split():
        candidate = f"{kept} {word}" if kept else word
        if len(candidate) > room:
            return kept or word[:room]
        kept = candidate
    return kept


class LegacyMorePassages(
    ReportedPress,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"bb:more:(?P<rank>\d{1,2}):(?P<scope>[0-9a-f]{8}|-):(?P<question>.*)",
):
    """Shows the next-best passage for the question in the custom_id, privately."""

    def __init__(self, question: str, rank: int, scope: str | None) -> None:
        prefix = f"bb:more:{rank}:{scope or _ALL}:"
        self.question = fit_question(question, CUSTOM_ID_LIMIT - len(prefix))
        self.rank = rank
        self.scope = scope
        button = discord.ui.Button(
            label="More passages",
            style=discord.ButtonStyle.secondary,
            custom_id=prefix + self.question,
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> LegacyMorePassages:
        """Rebuild the button from its custom_id."""
        scope = match["scope"]
        return cls(match["question"], int(match["rank"]), None if scope == _ALL else scope)

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Answer the question again with one more passage, and show that passage."""
        if await cooling_down(interaction):
            return
        library = library_of(interaction.client)
        briefing_id = None
        if self.scope is not None:
            briefing = find_by_key(library.briefings(interaction.guild_id), self.scope)
            if briefing is None:
                await send(interaction, BRIEFING_GONE, ephemeral=True)
                return
            briefing_id = briefing.id
        result = await in_time(
            interaction,
            library.answer(
                self.question, self.rank + 2, briefing_id, guild_id=interaction.guild_id
            ),
            ephemeral=True,
            defer_after=defer_after_of(interaction.client),
        )
        if len(result.passages) <= self.rank:
            await send(interaction, NO_MORE_PASSAGES, ephemeral=True)
            return
        passage = result.passages[self.rank]
        view = discord.ui.View(timeout=None)
        view.add_item(WholeParagraph.of(passage))
        if len(result.passages) > self.rank + 1 and self.rank + 1 <= MAX_RANK:
            scope = briefing_key(briefing_id) if briefing_id else None
            view.add_item(LegacyMorePassages(result.question, self.rank + 1, scope))
        await send(interaction, passage_reply(passage, self.rank), view=view, ephemeral=True)
