"""/briefing: what is loaded, or one briefing's card."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.options import BriefingOption
from bot.library import Library
from bot.render import render_briefing
from bot.replies import catalog_reply
from bot.sending import send
from index.briefing import Briefing


class Catalog(commands.Cog):
    """Describes the loaded briefings."""

    def __init__(self, library: Library) -> None:
        self.library = library

    @app_commands.command(name="briefing")
    @app_commands.describe(name="The briefing to describe (leave out to list them all)")
    async def briefing(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Transform[Briefing, BriefingOption] | None = None,
    ) -> None:
        """Describe a briefing, or list the loaded briefings."""
        index = self.library.index(interaction.guild_id)
        if name is None:
            content = catalog_reply(index.briefings)
        else:
            content = render_briefing(name, index.chunk_count(name.id))
        await send(interaction, content, ephemeral=True)
