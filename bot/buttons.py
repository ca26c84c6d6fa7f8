"""The buttons under an answer, as dynamic items that survive a restart.

Everything a button needs is in its custom_id (at most 100 characters), so
any running instance can answer a press, including one started after the
message was sent:

    bb:more:<rank>:<scope>:<question>        show passage number <rank> (0 is the best)
    bb:para:<briefing>:<digest>:<paragraph>  show that whole paragraph
    bb:del:<asker>                           delete this public answer

<scope> and <briefing> are ``briefing_key``: 8 hex digits of the briefing id's
SHA-256 (``-`` means every briefing), so long ids fit. <digest> is the start
of the briefing's content digest, so a paragraph button quotes only the text
it was made for: if the briefing was replaced, it says so. (Buttons made
before the digest was added have none, and quote the current text.) The
question is the asker's own words with white space collapsed, cut at a word
to fit. Lengths are counted as Discord's API counts them: in code points.

"More passages" searches, so it counts toward the asker's cooldown. "Whole
paragraph" is offered only when the quote is part of a paragraph. "Delete"
sits under public answers only (a private one can be dismissed already); the
asker, or a member who may manage messages in that channel, may press it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import discord

from bot.cooldown import cooldown_of
from bot.errors import reply_to_failure, try_again_in
from bot.library import library_of
from bot.render import render_paragraph
from bot.replies import (
    BRIEFING_CHANGED,
    BRIEFING_GONE,
    NO_MORE_PASSAGES,
    out_of_range,
    passage_reply,
)
from bot.sending import defer_after_of, in_time, send
from index.answering import Answer, Passage
from index.briefing import Briefing

ONLY_ASKER_OR_MODERATOR = "Only the asker or a moderator can delete this answer."
CUSTOM_ID_LIMIT = 100
MAX_RANK = 99
DIGEST_LENGTH = 8
_ALL = "-"


def briefing_key(briefing_id: str) -> str:
    """A short, stable stand-in for a briefing id inside a custom_id."""
    return hashlib.sha256(briefing_id.encode()).hexdigest()[:8]


def find_by_key(briefings: tuple[Briefing, ...], key: str) -> Briefing | None:
    """The briefing whose ``briefing_key`` is ``key``."""
    return next((b for b in briefings if briefing_key(b.id) == key), None)


def content_key(briefing: Briefing) -> str:
    """The start of a briefing's content digest: which text a paragraph button quotes."""
    return briefing.digest[:DIGEST_LENGTH]


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


class MorePassages(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"bb:more:(?P<rank>\d{1,2}):(?P<scope>[0-9a-f]{8}|-):(?P<question>.*)",
):
    """Shows the next-best passage, privately, with a button for the one after."""

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
        retry_after = cooldown_of(interaction.client).retry_after(interaction)
        if retry_after:
            await send(interaction, try_again_in(retry_after), ephemeral=True)
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
        view = passage_view(passage, result, self.rank, briefing_id)
        await send(interaction, passage_reply(passage, self.rank), view=view, ephemeral=True)


class WholeParagraph(
    discord.ui.DynamicItem[discord.ui.Button],
    template=(
        r"bb:para:(?P<briefing>[0-9a-f]{8}):(?:(?P<digest>[0-9a-f]{8}):)?(?P<paragraph>\d{1,6})"
    ),
):
    """Shows the whole paragraph a passage comes from, privately."""

    def __init__(self, briefing_id_key: str, digest: str | None, paragraph: int) -> None:
        self.briefing_key = briefing_id_key
        self.digest = digest
        self.paragraph = paragraph
        bound = f"{digest}:" if digest else ""
        button = discord.ui.Button(
            label="Whole paragraph",
            style=discord.ButtonStyle.secondary,
            custom_id=f"bb:para:{briefing_id_key}:{bound}{paragraph}",
        )
        super().__init__(button)

    @classmethod
    def of(cls, passage: Passage) -> WholeParagraph:
        """The button for the paragraph ``passage`` comes from, in this version of its text."""
        briefing = passage.briefing
        return cls(briefing_key(briefing.id), content_key(briefing), passage.paragraph)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> WholeParagraph:
        """Rebuild the button from its custom_id."""
        return cls(match["briefing"], match["digest"], int(match["paragraph"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Send the paragraph verbatim with its attribution, or say why it cannot be."""
        try:
            briefings = library_of(interaction.client).briefings(interaction.guild_id)
            content = self.reply(find_by_key(briefings, self.briefing_key))
            await send(interaction, content, ephemeral=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported to the user
            await reply_to_failure(interaction, error)

    def reply(self, briefing: Briefing | None) -> str:
        """The paragraph, or what is wrong: the briefing gone or changed, or no such paragraph."""
        if briefing is None:
            return BRIEFING_GONE
        if self.digest is not None and self.digest != content_key(briefing):
            return BRIEFING_CHANGED
        if not 1 <= self.paragraph <= len(briefing.paragraphs):
            return out_of_range(briefing, self.paragraph)
        return render_paragraph(briefing, self.paragraph)


class DeleteAnswer(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"bb:del:(?P<asker>\d{1,20})",
):
    """Deletes the public answer it sits under, for its asker or a moderator."""

    def __init__(self, asker_id: int) -> None:
        self.asker_id = asker_id
        button = discord.ui.Button(
            label="Delete",
            emoji="🗑️",
            style=discord.ButtonStyle.secondary,
            custom_id=f"bb:del:{asker_id}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> DeleteAnswer:
        """Rebuild the button from its custom_id."""
        return cls(int(match["asker"]))

    async def asker(self, interaction: discord.Interaction[Any]) -> int:
        """Who asked, by what Discord says where it can.

        A tampered client could put its own id in the custom_id, so that is
        trusted only when Discord says nothing (a reply to a deleted message).
        """
        message = interaction.message
        known = asker_of(message) if message is not None else None
        if known is None and message is not None and message.reference is None:
            me = interaction.client.user
            starter = await thread_starter(interaction.channel, me.id if me else 0)
            known = starter.author.id if starter is not None else None
        return self.asker_id if known is None else known

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Delete the answer, or tell anyone else privately that they may not."""
        try:
            asker_id = await self.asker(interaction)
            if not may_delete(asker_id, interaction.user.id, interaction.permissions):
                await send(interaction, ONLY_ASKER_OR_MODERATOR, ephemeral=True)
                return
            await interaction.response.defer()
            await interaction.delete_original_response()
        except discord.NotFound:
            pass  # deleted already, by another press or by hand: what was wanted
        except Exception as error:  # noqa: BLE001 - every failure is reported to the user
            await reply_to_failure(interaction, error)


def asker_of(message: discord.Message) -> int | None:
    """Who asked for an answer, as Discord says: the command's user, the replied-to author.

    None when Discord does not say: an answer that starts a thread replies to nothing.
    """
    if message.interaction_metadata is not None:
        return message.interaction_metadata.user.id
    replied = message.reference.resolved if message.reference else None
    return replied.author.id if isinstance(replied, discord.Message) else None


async def thread_starter(channel: object, bot_id: int) -> discord.Message | None:
    """The message a thread the bot started was started from, or None."""
    if not isinstance(channel, discord.Thread) or channel.owner_id != bot_id:
        return None
    if not isinstance(channel.parent, discord.TextChannel):
        return None
    try:
        return await channel.parent.fetch_message(channel.id)
    except discord.HTTPException:
        return None


def may_delete(asker_id: int, user_id: int, permissions: discord.Permissions) -> bool:
    """The asker may, and so may whoever can manage messages in the channel."""
    return user_id == asker_id or permissions.manage_messages


def answer_view(
    result: Answer, briefing_id: str | None, *, asker_id: int | None = None
) -> discord.ui.View | None:
    """The buttons under an answer: its paragraph, more passages, and Delete.

    Delete only under a public answer, which is what an ``asker_id`` means.
    """
    view = discord.ui.View(timeout=None)
    if result.best is not None:
        _add_passage_buttons(view, result.best, result, 0, briefing_id)
    if asker_id is not None:
        view.add_item(DeleteAnswer(asker_id))
    return view if view.children else None


def passage_view(
    passage: Passage, result: Answer, rank: int, briefing_id: str | None
) -> discord.ui.View | None:
    """Buttons under passage ``rank``: its whole paragraph, and the next passage if any."""
    view = discord.ui.View(timeout=None)
    _add_passage_buttons(view, passage, result, rank, briefing_id)
    return view if view.children else None


def quotes_whole_paragraph(passage: Passage) -> bool:
    """Whether the passage is its whole paragraph, so "Whole paragraph" would repeat it."""
    paragraph = passage.briefing.paragraph(passage.paragraph)
    return (passage.chunk.start, passage.chunk.end) == (paragraph.start, paragraph.end)


def _add_passage_buttons(
    view: discord.ui.View, passage: Passage, result: Answer, rank: int, briefing_id: str | None
) -> None:
    if not quotes_whole_paragraph(passage):
        view.add_item(WholeParagraph.of(passage))
    if len(result.passages) > rank + 1 and rank + 1 <= MAX_RANK:
        scope = briefing_key(briefing_id) if briefing_id else None
        view.add_item(MorePassages(result.question, rank + 1, scope))
