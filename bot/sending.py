"""How the bot posts: in time for Discord's deadline, with no pings and no link previews.

Discord forgets an interaction that is not acknowledged within 3 seconds.
``in_time`` answers at once when the answer is quick, and otherwise defers
("briefbot is thinking…") after ``DEFER_AFTER`` seconds so that the answer
can follow; ``send`` then posts it as the response or as the follow-up that
replaces "thinking…". A channel message is answered with ``reply``, or with
``reply_in_thread`` in a thread started from it. Every message goes out with
link previews suppressed, so a URL quoted from a briefing never unfurls;
mentions are disabled for the whole client (``AllowedMentions.none()``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord
from discord.utils import MISSING

log = logging.getLogger(__name__)

# Well inside Discord's 3 s, leaving room for a slow event loop and the network.
DEFER_AFTER = 1.0

T = TypeVar("T")


def defer_after_of(client: object) -> float:
    """The client's deferral delay (``DEFER_AFTER`` unless it was given another)."""
    value = getattr(client, "defer_after", DEFER_AFTER)
    return value if isinstance(value, int | float) else DEFER_AFTER


async def in_time(
    interaction: discord.Interaction[Any],
    work: Awaitable[T],
    *,
    ephemeral: bool,
    defer_after: float = DEFER_AFTER,
) -> T:
    """The result of ``work``; the interaction is deferred if it takes over ``defer_after`` s."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=defer_after)
        if not done:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        return await task
    except BaseException:
        task.cancel()
        raise


async def send(
    interaction: discord.Interaction[Any],
    content: str,
    *,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> None:
    """The interaction's response, or its follow-up once it was deferred."""
    buttons = MISSING if view is None else view
    if interaction.response.is_done():
        await interaction.followup.send(
            content, view=buttons, ephemeral=ephemeral, suppress_embeds=True
        )
    else:
        await interaction.response.send_message(
            content, view=buttons, ephemeral=ephemeral, suppress_embeds=True
        )


async def reply(
    message: discord.Message, content: str, view: discord.ui.View | None = None
) -> None:
    """Reply to a channel message without pinging its author; if it is gone, just post."""
    reference = message.to_reference(fail_if_not_exists=False)
    await message.channel.send(
        content, view=view, reference=reference, mention_author=False, suppress_embeds=True
    )


async def reply_in_thread(
    message: discord.Message, name: str, content: str, view: discord.ui.View | None = None
) -> None:
    """Answer in a new thread started from the message; a plain reply where none can start.

    Threads start only from a message in a text or news channel, once per
    message, and only if the bot may create public threads there.
    """
    if isinstance(message.channel, discord.TextChannel):
        try:
            thread = await message.create_thread(name=name)
        except discord.HTTPException as error:
            log.info("could not start a thread, replying instead (%s)", error.status)
        else:
            try:
                await thread.send(content, view=view, suppress_embeds=True)
                return
            except discord.HTTPException as error:  # e.g. no Send Messages in Threads there
                # The empty thread stays: removing it needs Manage Threads, not asked for.
                log.info("could not post in the new thread, replying instead (%s)", error.status)
    await reply(message, content, view)
