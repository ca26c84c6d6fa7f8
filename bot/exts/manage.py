"""/briefing-add and /briefing-remove, for members who may manage the server.

Discord hides these commands from other members (``default_permissions``),
but a server can override that, so each call checks the member's
permissions again (``has_permissions``).
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.options import UploadedBriefingOption
from bot.library import Library
from bot.replies import added_reply, removed_reply
from bot.sending import send
from bot.uploads import UploadError, check_size, check_upload, quoted
from index.briefing import Briefing

T = TypeVar("T")


def for_managers(command: T) -> T:
    """Servers only, hidden from members without Manage Server, and checked again when used."""
    command = app_commands.checks.has_permissions(manage_guild=True)(command)
    command = app_commands.default_permissions(manage_guild=True)(command)
    return app_commands.guild_only()(command)


async def download(file: discord.Attachment) -> bytes:
    """The attachment's bytes; UploadError if Discord would not hand them over."""
    try:
        return await file.read()
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as error:
        status = getattr(error, "status", None)
        why = f" (Discord answered {status})" if status else ""
        raise UploadError(
            f"{quoted(file.filename)} could not be downloaded from Discord{why}, "
            "so nothing was added. Try uploading it again."
        ) from error


class Manage(commands.Cog):
    """Adds and removes uploaded briefings."""

    def __init__(self, library: Library) -> None:
        self.library = library

    @app_commands.command(name="briefing-add")
    @for_managers
    @app_commands.describe(
        file="A .txt or .md briefing: UTF-8 text, one paragraph per line, up to 2 MB",
        title="The briefing's title (default: from the file)",
        date="The briefing's date as YYYY-MM-DD (default: from the file)",
    )
    async def add(
        self,
        interaction: discord.Interaction[Any],
        file: discord.Attachment,
        title: app_commands.Range[str, 1, 200] | None = None,
        date: app_commands.Range[str, 10, 10] | None = None,
    ) -> None:
        """Add a briefing for everyone in this server to ask about."""
        check_size(file.filename, file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await download(file)
        # Up to 2 MiB of text, and YAML that may be hostile: not on the event loop.
        upload = await asyncio.to_thread(check_upload, file.filename, data, title=title, date=date)
        briefing = await self.library.add(upload, guild_of(interaction))
        await send(interaction, added_reply(briefing), ephemeral=True)

    @app_commands.command(name="briefing-remove")
    @for_managers
    @app_commands.describe(name="The uploaded briefing to remove")
    async def remove(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Transform[Briefing, UploadedBriefingOption],
    ) -> None:
        """Remove a briefing that was added with /briefing-add."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed = await self.library.remove(name.id, guild_of(interaction))
        await send(interaction, removed_reply(removed), ephemeral=True)


def guild_of(interaction: discord.Interaction[Any]) -> int:
    """The server the command was used in (the commands are guild-only)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage
    return interaction.guild_id
