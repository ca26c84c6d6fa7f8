"""/ask: a question in, the rendered answer out, with buttons for more."""

from __future__ import annotations

import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.buttons import answer_view
from bot.cooldown import QuestionCooldown
from bot.exts.options import BriefingOption
from bot.feedback import record_answer
from bot.library import Library
from bot.render import render_answer
from bot.sending import DEFER_AFTER, in_time, send
from bot.telemetry import log_question
from index.briefing import Briefing

MAX_QUESTION = 500


class Ask(commands.Cog):
    """Answers questions with quotes from the briefings."""

    def __init__(
        self, library: Library, cooldown: QuestionCooldown, defer_after: float = DEFER_AFTER
    ) -> None:
        self.library = library
        self.cooldown = cooldown
        self.defer_after = defer_after

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """The per-user cooldown, shared with channel questions."""
        retry_after = self.cooldown.retry_after(interaction)
        if retry_after:
            raise app_commands.CommandOnCooldown(self.cooldown.cooldown(), retry_after)
        return True

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know, e.g. Who visited Pyongyang?",
        briefing="Only search this briefing (default: all of them)",
        private="Show the answer only to you (default: no)",
    )
    async def ask(
        self,
        interaction: discord.Interaction[Any],
        question: app_commands.Range[str, 1, MAX_QUESTION],
        briefing: app_commands.Transform[Briefing, BriefingOption] | None = None,
        private: bool = False,
    ) -> None:
        """Ask the briefings a question; get a verbatim, attributed quote."""
        started = time.perf_counter()
        scope = briefing.id if briefing else None
        result = await in_time(
            interaction,
            self.library.answer(question, briefing_id=scope, guild_id=interaction.guild_id),
            ephemeral=private,
            defer_after=self.defer_after,
        )
        record = await record_answer(
            interaction.client, result, guild_id=interaction.guild_id, command="ask", scope=scope
        )
        view = answer_view(result, record=record)
        await send(interaction, render_answer(result), view=view, ephemeral=private)
        log_question(interaction.guild_id, "ask", started, result)
