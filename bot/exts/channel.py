"""Questions asked by message: mentioning the bot, ``!ask`` (needs content), or a DM.

A direct message is always addressed to the bot, so it needs neither. In a
server, the server's settings decide the channels answered in (a thread
counts as its channel) and whether the answer starts a thread.

A question asked during the member's cooldown gets a ⏳ reaction, once per
cooldown window; the rest get nothing, so one member cannot spend the bot's
own rate limit by asking over and over.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.asking import Question, ToMessage, answer_question
from bot.cooldown import QuestionCooldown
from bot.errors import SOMETHING_WENT_WRONG, explain, try_again_in
from bot.library import Library
from bot.questions import question_in, question_in_dm, readable, thread_name
from bot.sending import reply
from bot.server_settings import load_server_settings

log = logging.getLogger(__name__)

WAIT_REACTION = "⏳"


class ChannelQuestions(commands.Cog):
    """Replies to messages that ask the bot a question."""

    def __init__(
        self,
        client: discord.Client,
        library: Library,
        cooldown: QuestionCooldown,
        prefix: str | None,
    ) -> None:
        self.client = client
        self.library = library
        self.cooldown = cooldown
        self.prefix = prefix

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a question addressed to the bot; ignore bots, including itself."""
        me = self.client.user
        if me is None or message.author.bot or message.author.id == me.id:
            return
        # A DM by its channel: a server's message seen before its server is, has no guild.
        if isinstance(message.channel, discord.DMChannel):
            question: str | None = question_in_dm(message.content, me.id, self.prefix)
        else:
            question = question_in(message.content, me.id, self.prefix)
        if question is None:
            return
        try:
            await self._answer(message, question)
        except Exception as error:  # noqa: BLE001 - the message path's one error handler
            await self._report(message, error)

    async def _answer(self, message: discord.Message, question: str) -> None:
        guild_id = message.guild.id if message.guild else None
        settings = await load_server_settings(self.library.store, guild_id)
        channel = message.channel
        if not settings.answers_in(channel.id, getattr(channel, "parent_id", None)):
            return
        retry_after = self.cooldown.retry_after(message)
        if retry_after:
            if self.cooldown.notice_due(message):
                await self._ask_to_wait(message, retry_after)
            return
        # A bare mention gets how-to-ask help: not worth a thread of its own.
        threaded = settings.threads and guild_id is not None and bool(question)
        shown = readable(question, message)
        to = ToMessage(message, thread_name(shown) if threaded else None)
        asked = Question(question, guild_id, message.author.id, "message", shown=shown)
        await answer_question(self.library, asked, to, client=self.client)

    async def _ask_to_wait(self, message: discord.Message, retry_after: float) -> None:
        """A ⏳ on the message; a reply only where the bot may not react."""
        try:
            await message.add_reaction(WAIT_REACTION)
        except discord.Forbidden:
            await reply(message, try_again_in(retry_after))
        except discord.HTTPException as error:  # e.g. the message was deleted meanwhile
            log.warning("could not react to a question asked too soon (%s)", error.status)

    async def _report(self, message: discord.Message, error: Exception) -> None:
        reason = explain(error)
        if reason is None:
            guild = message.guild.id if message.guild else None
            log.error("failed to answer a channel question in guild %s", guild, exc_info=error)
        try:
            await reply(message, reason or SOMETHING_WENT_WRONG)
        except discord.HTTPException:
            log.warning("could not tell the user about a failure")
