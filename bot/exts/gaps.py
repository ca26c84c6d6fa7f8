"""/briefing-gaps: what this server's members asked that the briefings did not answer."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.manage import for_managers
from bot.feedback import feedback_of
from bot.gaps import DEFAULT_DAYS, MAX_DAYS, gap_report, render_gap_report
from bot.sending import send


class Gaps(commands.Cog):
    """Shows the server's managers the questions that went unanswered or did not help."""

    @app_commands.command(name="briefing-gaps")
    @for_managers
    @app_commands.describe(days=f"How many days back to look (default {DEFAULT_DAYS})")
    async def gaps(
        self,
        interaction: discord.Interaction[Any],
        days: app_commands.Range[int, 1, MAX_DAYS] = DEFAULT_DAYS,
    ) -> None:
        """What members asked that the briefings lacked, and answers marked not helpful."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        feedback = feedback_of(interaction.client)
        report = await asyncio.to_thread(gap_report, feedback, interaction.guild_id, days)
        await send(interaction, render_gap_report(report, "This server"), ephemeral=True)
