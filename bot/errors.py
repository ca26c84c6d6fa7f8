"""What the user is told when a request is declined or fails.

A ``UserFacingError`` carries its own explanation and is shown as is. Any
other exception is logged with its traceback and the user only reads
``SOMETHING_WENT_WRONG``, never the traceback. Slash commands, buttons and
channel questions all come through here, so the bot keeps serving.
"""

from __future__ import annotations

import logging
import math

import discord
from discord import app_commands

from bot.sending import send
from index.stored import StaleBriefingError

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Something went wrong while answering. Please try again in a moment."
NEEDS_MANAGE_SERVER = "Only members with the **Manage Server** permission can do that."
SERVER_ONLY = "That command only works in a server."
BRIEFING_CHANGED = (
    "That briefing's file changed since it was indexed, so it cannot be quoted until it "
    "is indexed again. That is under way: please try again in a moment."
)


class UserFacingError(Exception):
    """A request the bot turns down; ``str()`` is the reason, written for the user."""


def try_again_in(retry_after: float) -> str:
    """The polite cooldown message."""
    return f"You're asking quickly. Please try again in {max(1, math.ceil(retry_after))} s."


def _cause(error: BaseException) -> BaseException:
    """The error a command or transformer failed with, unwrapped."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        return error.__cause__ or error
    return error


def explain(error: BaseException) -> str | None:
    """The message for a declined request, or None for an unexpected failure."""
    error = _cause(error)
    if isinstance(error, UserFacingError):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return try_again_in(error.retry_after)
    if isinstance(error, app_commands.MissingPermissions):
        return NEEDS_MANAGE_SERVER
    if isinstance(error, app_commands.NoPrivateMessage):
        return SERVER_ONLY
    if isinstance(error, StaleBriefingError):
        return BRIEFING_CHANGED
    return None


async def reply_to_failure(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user why their interaction did not work, privately; log real failures.

    A briefing whose file changed under the index starts its reindexing, as
    the message promises, whichever command or button ran into it.
    """
    if isinstance(cause := _cause(error), StaleBriefingError):
        from bot.library import library_of  # the library's errors are defined here

        library_of(interaction.client).reindex_soon(cause)
    message = explain(error)
    if message is None:
        command = interaction.command.name if interaction.command else _custom_id(interaction)
        log.error("failed to handle %s in guild %s", command, interaction.guild_id, exc_info=error)
        message = SOMETHING_WENT_WRONG
    try:
        await send(interaction, message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about a failure in guild %s", interaction.guild_id)


def _custom_id(interaction: discord.Interaction) -> str:
    """The kind of component, e.g. ``bb:more``: the rest may hold the asker's question."""
    data = interaction.data or {}
    custom_id = str(data.get("custom_id", "?"))
    return "component " + ":".join(custom_id.split(":")[:2])
