"""The buttons under an answer, as dynamic items that survive a restart.

A button's custom_id (at most 100 characters) holds what it needs, or the
id of the answer's record in the store (``bot.feedback``), so any running
instance can answer a press, including one started after the message was sent:

    bb:para:<briefing>:<digest>:<paragraph>  show that whole paragraph
    bb:more:<answer>:<rank>                  show the answer's passage <rank> (0 is the best)
    bb:vote:<answer>:<y|n>                   mark the answer helpful (y) or not (n)
    bb:del:<asker>                           delete this public answer

<briefing> is ``briefing_key``: 8 hex digits of the briefing id's SHA-256, so
long ids fit. <digest> is the start of the briefing's content digest, so a
paragraph button quotes only the text it was made for: if the briefing was
replaced, it says so. (Buttons made before the digest was added have none,
and quote the current text.) "More passages" quotes the passages the answer
ranked, from the record, whatever the question's length; it checks the
briefing is still loaded with the same text, and counts toward the asker's
cooldown like a question. Buttons of answers older than the retention period
say the answer has expired. Buttons from before answers were recorded are in
``bot.legacy_buttons``.

"Whole paragraph" is offered only when the quote is part of a paragraph.
"Delete" sits under public answers only (a private one can be dismissed
already); the asker, or a member who may manage messages in that channel,
may press it.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.cooldown import cooldown_of
from bot.errors import reply_to_failure, try_again_in
from bot.feedback import ID_PATTERN, feedback_of, rebuilt
from bot.library import library_of
from bot.render import out_of_range, render_paragraph
from bot.replies import (
    ANSWER_EXPIRED,
    BRIEFING_CHANGED,
    BRIEFING_GONE,
    NO_MORE_PASSAGES,
    passage_reply,
    vote_reply,
)
from bot.sending import defer_after_of, in_time, send
from bot.store.base import AnswerRecord
from index.answering import Answer, Passage
from index.briefing import Briefing
from index.briefingtable import ids_of

ONLY_ASKER_OR_MODERATOR = "Only the asker or a moderator can delete this answer."
CUSTOM_ID_LIMIT = 100
MAX_RANK = 99
DIGEST_LENGTH = 8


def briefing_key(briefing_id: str) -> str:
    """A short, stable stand-in for a briefing id inside a custom_id."""
    return hashlib.sha256(briefing_id.encode()).hexdigest()[:8]


def find_by_key(briefings: Sequence[Briefing], key: str) -> Briefing | None:
    """The briefing whose ``briefing_key`` is ``key`` (found by id: no other briefing is made)."""
    ids = ids_of(briefings)
    found = next((n for n, briefing_id in enumerate(ids) if briefing_key(briefing_id) == key), None)
    return None if found is None else briefings[found]


def find_by_id(briefings: Sequence[Briefing], briefing_id: str) -> Briefing | None:
    """The briefing of id ``briefing_id`` (no other briefing is made)."""
    try:
        return briefings[ids_of(briefings).index(briefing_id)]
    except ValueError:
        return None


def content_key(briefing: Briefing) -> str:
    """The start of a briefing's content digest: which text a paragraph button quotes."""
    return briefing.digest[:DIGEST_LENGTH]


class ReportedPress:
    """A button whose ``press`` fails only by telling the presser, never into discord.py."""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Handle the press; any failure is reported to the presser (``reply_to_failure``)."""
        try:
            await self.press(interaction)
        except Exception as error:  # noqa: BLE001 - every failure is reported to the user
            await reply_to_failure(interaction, error)

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """What the button does."""
        raise NotImplementedError


async def cooling_down(interaction: discord.Interaction[Any]) -> bool:
    """Whether the presser must wait, as after a question; if so they have been told."""
    retry_after = cooldown_of(interaction.client).retry_after(interaction)
    if retry_after:
        await send(interaction, try_again_in(retry_after), ephemeral=True)
    return bool(retry_after)


class MorePassages(
    ReportedPress,
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"bb:more:(?P<record>{ID_PATTERN}):(?P<rank>\d{{1,2}})",
):
    """Shows passage number ``rank`` of a recorded answer, privately, with a button for the next."""

    def __init__(self, record: str, rank: int) -> None:
        self.record = record
        self.rank = rank
        button = discord.ui.Button(
            label="More passages",
            style=discord.ButtonStyle.secondary,
            custom_id=f"bb:more:{record}:{rank}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> MorePassages:
        """Rebuild the button from its custom_id."""
        return cls(match["record"], int(match["rank"]))

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Quote the passage the answer ranked here, or say why it cannot be."""
        if await cooling_down(interaction):
            return
        record = await in_time(
            interaction,
            feedback_of(interaction.client).recorded(self.record, interaction.guild_id),
            ephemeral=True,
            defer_after=defer_after_of(interaction.client),
        )
        briefings = library_of(interaction.client).briefings(interaction.guild_id)
        content, view = self.reply(record, briefings)
        await send(interaction, content, view=view, ephemeral=True)

    def reply(
        self, record: AnswerRecord | None, briefings: Sequence[Briefing]
    ) -> tuple[str, discord.ui.View | None]:
        """The passage with its buttons, or what is wrong: expired, no more, gone or changed."""
        if record is None:
            return ANSWER_EXPIRED, None
        if self.rank >= len(record.passages):
            return NO_MORE_PASSAGES, None
        where = record.passages[self.rank]
        briefing = find_by_id(briefings, where.briefing_id)
        if briefing is None:
            return BRIEFING_GONE, None
        passage = rebuilt(where, briefing)
        if passage is None:
            return BRIEFING_CHANGED, None
        view = passage_view(passage, record.id, self.rank, len(record.passages))
        return passage_reply(passage, self.rank), view


class Vote(
    ReportedPress,
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"bb:vote:(?P<record>{ID_PATTERN}):(?P<helpful>[yn])",
):
    """Helpful or Not helpful: any member's vote on an answer, one each, acknowledged privately."""

    def __init__(self, record: str, *, helpful: bool) -> None:
        self.record = record
        self.helpful = helpful
        button = discord.ui.Button(
            label="Helpful" if helpful else "Not helpful",
            style=discord.ButtonStyle.secondary,
            custom_id=f"bb:vote:{record}:{'y' if helpful else 'n'}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> Vote:
        """Rebuild the button from its custom_id."""
        return cls(match["record"], helpful=match["helpful"] == "y")

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Record the vote (or the changed vote) and say so to the voter alone."""
        feedback = feedback_of(interaction.client)
        outcome = await in_time(
            interaction,
            feedback.vote(
                self.record, interaction.guild_id, interaction.user.id, helpful=self.helpful
            ),
            ephemeral=True,
            defer_after=defer_after_of(interaction.client),
        )
        await send(interaction, vote_reply(outcome, helpful=self.helpful), ephemeral=True)


class WholeParagraph(
    ReportedPress,
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

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Send the paragraph verbatim with its attribution, or say why it cannot be."""
        briefings = library_of(interaction.client).briefings(interaction.guild_id)
        content = self.reply(find_by_key(briefings, self.briefing_key))
        await send(interaction, content, ephemeral=True)

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
    ReportedPress,
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

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Delete the answer, or tell anyone else privately that they may not."""
        asker_id = await self.asker(interaction)
        if not may_delete(asker_id, interaction.user.id, interaction.permissions):
            await send(interaction, ONLY_ASKER_OR_MODERATOR, ephemeral=True)
            return
        with contextlib.suppress(discord.NotFound):  # deleted already, by another press or by hand
            await interaction.response.defer()
            await interaction.delete_original_response()


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
    result: Answer, *, record: str | None = None, asker_id: int | None = None
) -> discord.ui.View | None:
    """The buttons under an answer: its paragraph, more passages, votes, and Delete.

    ``record`` is the answer's id in the store; without one (it could not be
    recorded) the buttons that need it are left out. Delete only under a
    public answer, which is what an ``asker_id`` means.
    """
    view = discord.ui.View(timeout=None)
    if result.best is not None:
        _add_passage_buttons(view, result.best, record, 0, len(result.passages))
        if record is not None:
            view.add_item(Vote(record, helpful=True))
            view.add_item(Vote(record, helpful=False))
    if asker_id is not None:
        view.add_item(DeleteAnswer(asker_id))
    return view if view.children else None


def passage_view(
    passage: Passage, record: str | None, rank: int, count: int
) -> discord.ui.View | None:
    """Buttons under passage ``rank`` of ``count``: its whole paragraph, and the next if any."""
    view = discord.ui.View(timeout=None)
    _add_passage_buttons(view, passage, record, rank, count)
    return view if view.children else None


def quotes_whole_paragraph(passage: Passage) -> bool:
    """Whether the passage is its whole paragraph, so "Whole paragraph" would repeat it."""
    paragraph = passage.briefing.paragraph(passage.paragraph)
    return (passage.chunk.start, passage.chunk.end) == (paragraph.start, paragraph.end)


def _add_passage_buttons(
    view: discord.ui.View, passage: Passage, record: str | None, rank: int, count: int
) -> None:
    if not quotes_whole_paragraph(passage):
        view.add_item(WholeParagraph.of(passage))
    if record is not None and rank + 1 < min(count, MAX_RANK + 1):
        view.add_item(MorePassages(record, rank + 1))
