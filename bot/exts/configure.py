"""/briefbot-settings: a server's own choices, for members who may manage the server.

With no options it shows the settings; with options it changes them, stores
them (so they outlive a restart) and shows the result. Always privately.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.manage import for_managers, guild_of
from bot.library import Library
from bot.replies import settings_reply
from bot.sending import send
from bot.server_settings import load_server_settings, save_server_settings


class Configure(commands.Cog):
    """Shows and changes a server's settings."""

    def __init__(self, library: Library) -> None:
        self.library = library

    @app_commands.command(name="briefbot-settings")
    @for_managers
    @app_commands.describe(
        private="Answer /ask privately unless the asker chooses (default: public)",
        threads="Answer mentions in a new thread started from the question (default: reply)",
        add_channel="Answer mentions in this channel (when none are added: every channel)",
        remove_channel="Stop answering mentions in this channel",
        clear_channels="Answer mentions in every channel again",
    )
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        private: bool | None = None,
        threads: bool | None = None,
        add_channel: discord.TextChannel | None = None,
        remove_channel: discord.TextChannel | None = None,
        clear_channels: bool = False,
    ) -> None:
        """Show or change how briefbot answers in this server."""
        guild_id = guild_of(interaction)
        store = self.library.store
        current = await load_server_settings(store, guild_id)
        changes = (private, threads, add_channel, remove_channel)
        if all(change is None for change in changes) and not clear_channels:
            await send(interaction, settings_reply(current), ephemeral=True)
            return
        updated = current.changed(
            private=private,
            threads=threads,
            add=add_channel.id if add_channel else None,
            remove=remove_channel.id if remove_channel else None,
            clear=clear_channels,
        )
        await save_server_settings(store, guild_id, updated)
        await send(interaction, settings_reply(updated, saved=True), ephemeral=True)
