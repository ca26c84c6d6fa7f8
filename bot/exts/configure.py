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
from bot.sending import in_time, send
from bot.server_settings import change_server_settings, load_server_settings

CANNOT_START_THREADS = (
    "-# The bot may not create public threads in this channel, so here it replies instead. "
    "Give its role **Create Public Threads** to answer in threads."
)


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
        changes = (private, threads, add_channel, remove_channel)
        saved = clear_channels or any(change is not None for change in changes)
        work = (
            change_server_settings(
                self.library.store,
                guild_id,
                private=private,
                threads=threads,
                add=add_channel.id if add_channel else None,
                remove=remove_channel.id if remove_channel else None,
                clear=clear_channels,
            )
            if saved
            else load_server_settings(self.library.store, guild_id, or_defaults=False)
        )
        shown = await in_time(interaction, work, ephemeral=True)
        reply = settings_reply(shown, saved=saved)
        if shown.threads and not interaction.app_permissions.create_public_threads:
            reply += "\n" + CANNOT_START_THREADS
        await send(interaction, reply, ephemeral=True)
