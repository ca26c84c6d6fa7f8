"""/quote: one paragraph of a briefing, verbatim, with its attribution."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.exts.options import BriefingOption, choose_from
from bot.library import Library
from bot.render import out_of_range, render_paragraph
from bot.sending import send
from index.briefing import Briefing


class Quote(commands.Cog):
    """Quotes paragraphs by number."""

    def __init__(self, library: Library) -> None:
        self.library = library

    @app_commands.command(name="quote")
    @app_commands.describe(
        paragraph="The paragraph's number (1 is the first)",
        briefing="Which briefing (needed when more than one is loaded)",
    )
    async def quote(
        self,
        interaction: discord.Interaction[Any],
        paragraph: int,
        briefing: app_commands.Transform[Briefing, BriefingOption] | None = None,
    ) -> None:
        """Quote a paragraph of a briefing, verbatim."""
        chosen = briefing or self._only_briefing(interaction.guild_id)
        if not 1 <= paragraph <= len(chosen.paragraphs):
            raise UserFacingError(out_of_range(chosen, paragraph))
        await send(interaction, render_paragraph(chosen, paragraph))

    def _only_briefing(self, guild_id: int | None) -> Briefing:
        briefings = self.library.briefings(guild_id)
        if len(briefings) != 1:
            raise UserFacingError(
                "Several briefings are loaded; say which with the briefing option. "
                + choose_from(briefings)
            )
        return briefings[0]
