"""The buttons under an answer, as dynamic items that survive a restart.

Everything a button needs is in its custom_id (at most 100 characters), so
any running instance can answer a press, including one started after the
message was sent:

    bb:more:<rank>:<scope>:<question>   show passage number <rank> (0 is the best)
    bb:para:<briefing>:<paragraph>      show that whole paragraph

<scope> and <briefing> are ``briefing_key``: 8 hex digits of the briefing id's
SHA-256 (``-`` means every briefing), so long ids fit. The question is the
asker's own words with white space collapsed, cut at a word to fit.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import discord

from bot.errors import reply_to_failure
from bot.library import library_of
from bot.replies import BRIEFING_GONE, NO_MORE_PASSAGES, passage_reply
from bot.sending import defer_after_of, in_time, send
from index.answering import Answer, Passage
from index.briefing import Briefing
from index.render import render_paragraph

CUSTOM_ID_LIMIT = 100
MAX_RANK = 99
_ALL = "-"


def briefing_key(briefing_id: str) -> str:
    """A short, stable stand-in for a briefing id inside a custom_id."""
    return hashlib.sha256(briefing_id.encode()).hexdigest()[:8]


def find_by_key(briefings: tuple[Briefing, ...], key: str) -> Briefing | None:
    """The briefing whose ``briefing_key`` is ``key``."""
    return next((b for b in briefings if briefing_key(b.id) == key), None)


def fit_question(question: str, room: int) -> str:
    """The question with white space collapsed, cut after a word to fit ``room``."""
    kept = ""
    for word in question.split():
        candidate = f"{kept} {word}" if kept else word
        if _length(candidate) > room:
            return kept or word[:room]
        kept = candidate
    return kept


def _length(text: str) -> int:
    """Length as Discord counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


class MorePassages(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"bb:more:(?P<rank>\d{1,2}):(?P<scope>[0-9a-f]{8}|-):(?P<question>.*)",
):
    """Shows the next-best passage, privately, with a button for the one after."""

    def __init__(self, question: str, rank: int, scope: str | None) -> None:
        prefix = f"bb:more:{rank}:{scope or _ALL}:"
        self.question = fit_question(question, CUSTOM_ID_LIMIT - _length(prefix))
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
    ) -> MorePassages:
        """Rebuild the button from its custom_id."""
        scope = match["scope"]
        return cls(match["question"], int(match["rank"]), None if scope == _ALL else scope)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Answer the question again with one more passage, and show that passage."""
        try:
            await self._show(interaction)
        except Exception as error:  # noqa: BLE001 - every failure is reported to the user
            await reply_to_failure(interaction, error)

    async def _show(self, interaction: discord.Interaction[Any]) -> None:
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
        view = passage_view(passage, result, self.rank, briefing_id)
        await send(interaction, passage_reply(passage, self.rank), view=view, ephemeral=True)


class WholeParagraph(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"bb:para:(?P<briefing>[0-9a-f]{8}):(?P<paragraph>\d{1,6})",
):
    """Shows the whole paragraph a passage comes from, privately."""

    def __init__(self, briefing_id_key: str, paragraph: int) -> None:
        self.briefing_key = briefing_id_key
        self.paragraph = paragraph
        button = discord.ui.Button(
            label="Whole paragraph",
            style=discord.ButtonStyle.secondary,
            custom_id=f"bb:para:{briefing_id_key}:{paragraph}",
        )
        super().__init__(button)

    @classmethod
    def of(cls, passage: Passage) -> WholeParagraph:
        """The button for the paragraph ``passage`` comes from."""
        return cls(briefing_key(passage.briefing.id), passage.paragraph)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> WholeParagraph:
        """Rebuild the button from its custom_id."""
        return cls(match["briefing"], int(match["paragraph"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Send the paragraph verbatim with its attribution."""
        try:
            briefings = library_of(interaction.client).briefings(interaction.guild_id)
            briefing = find_by_key(briefings, self.briefing_key)
            if briefing is None or not 1 <= self.paragraph <= len(briefing.paragraphs):
                content = BRIEFING_GONE
            else:
                content = render_paragraph(briefing, self.paragraph)
            await send(interaction, content, ephemeral=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported to the user
            await reply_to_failure(interaction, error)


def answer_view(result: Answer, briefing_id: str | None) -> discord.ui.View | None:
    """The buttons under an answer: its best passage's paragraph, and more passages."""
    if result.best is None:
        return None
    return passage_view(result.best, result, 0, briefing_id)


def passage_view(
    passage: Passage, result: Answer, rank: int, briefing_id: str | None
) -> discord.ui.View:
    """Buttons under passage ``rank``: its whole paragraph, and the next passage if any."""
    view = discord.ui.View(timeout=None)
    view.add_item(WholeParagraph.of(passage))
    if len(result.passages) > rank + 1 and rank + 1 <= MAX_RANK:
        scope = briefing_key(briefing_id) if briefing_id else None
        view.add_item(MorePassages(result.question, rank + 1, scope))
    return view
