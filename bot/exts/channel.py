"""Questions asked in a channel: by mentioning the bot, or with ``!ask`` (needs content).

A question asked during the member's cooldown gets a ⏳ reaction, once per
cooldown window; the rest get nothing, so one member cannot spend the bot's
own rate limit by asking over and over.
"""

from __future__ import annotations

import logging
import time

import discord
from discord.ext import commands

from bot.buttons import answer_view
from bot.cooldown import QuestionCooldown
from bot.errors import SOMETHING_WENT_WRONG, explain, try_again_in
from bot.feedback import record_answer
from bot.library import Library
from bot.questions import question_in
from bot.render import render_answer
from bot.sending import reply
from bot.telemetry import log_question

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
        question = question_in(message.content, me.id, self.prefix)
        if question is None:
            return
        try:
            await self._answer(message, question)
        except Exception as error:  # noqa: BLE001 - the message path's one error handler
            await self._report(message, error)

    async def _answer(self, message: discord.Message, question: str) -> None:
        started = time.perf_counter()
        retry_after = self.cooldown.retry_after(message)
        if retry_after:
            if self.cooldown.notice_due(message):
                await self._ask_to_wait(message, retry_after)
            return
        guild_id = message.guild.id if message.guild else None
        result = await self.library.answer(question, guild_id=guild_id)
        record = await record_answer(self.client, result, guild_id=guild_id, command="message")
        await reply(message, render_answer(result), answer_view(result, record=record))
        log_question(guild_id, "message", started, result)

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
