"""One way to answer a question, whichever way it was asked.

/ask, the "Ask briefbot" message command, a mention and a direct message
each say where the answer goes (a ``Destination``); ``answer_question`` asks
the library, records the answer, renders it, puts its buttons under it, sends
it and logs it, the same way for all of them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from bot.buttons import answer_view
from bot.feedback import record_answer
from bot.library import Library
from bot.render import render_answer
from bot.sending import in_time, reply, reply_in_thread, send
from bot.telemetry import log_question
from index.answering import Answer


@dataclass(frozen=True)
class Question:
    """A question as asked: by whom, in which server, through which command.

    ``shown`` is the text as members read it, mentions by name (``@moderators``
    rather than ``<@&id>``): what is kept of it, if anything, is that.
    """

    text: str
    guild_id: int | None
    asker_id: int
    command: str
    briefing_id: str | None = None
    shown: str | None = None


class Destination(Protocol):
    """Where an answer goes, and how long it may take to get there."""

    @property
    def private(self) -> bool:
        """Whether only the asker sees the answer (then it has no Delete button)."""

    async def wait_for(self, work: Awaitable[Answer]) -> Answer:
        """The answer, keeping whatever deadline the destination has."""

    async def post(self, content: str, view: discord.ui.View | None) -> None:
        """Send the rendered answer with its buttons."""


@dataclass(frozen=True)
class ToInteraction:
    """The response to a slash or message command, deferred if the answer is slow."""

    interaction: discord.Interaction[Any]
    private: bool
    defer_after: float

    async def wait_for(self, work: Awaitable[Answer]) -> Answer:
        """The answer, in time for Discord's 3 s deadline."""
        return await in_time(
            self.interaction, work, ephemeral=self.private, defer_after=self.defer_after
        )

    async def post(self, content: str, view: discord.ui.View | None) -> None:
        """The interaction's response (or follow-up)."""
        await send(self.interaction, content, view=view, ephemeral=self.private)


@dataclass(frozen=True)
class ToMessage:
    """A reply to a message, or an answer in a thread started from it (``thread_name``)."""

    message: discord.Message
    thread_name: str | None = None
    private: bool = False

    async def wait_for(self, work: Awaitable[Answer]) -> Answer:
        """The answer: a message has no deadline."""
        return await work

    async def post(self, content: str, view: discord.ui.View | None) -> None:
        """Reply, in a new thread when one was asked for."""
        if self.thread_name is None:
            await reply(self.message, content, view)
        else:
            await reply_in_thread(self.message, self.thread_name, content, view)


async def answer_question(
    library: Library, question: Question, to: Destination, *, client: object
) -> None:
    """Answer ``question`` from what its server sees, and send the answer ``to`` its place.

    The answer is recorded with the feedback recorder ``client`` holds
    (``bot.feedback``), so its buttons can quote it again and take votes.
    """
    started = time.perf_counter()
    result = await to.wait_for(
        library.answer(question.text, briefing_id=question.briefing_id, guild_id=question.guild_id)
    )
    record = await record_answer(
        client,
        result,
        guild_id=question.guild_id,
        command=question.command,
        scope=question.briefing_id,
        text=question.shown,
    )
    asker_id = None if to.private else question.asker_id
    view = answer_view(result, record=record, asker_id=asker_id)
    await to.post(render_answer(result), view)
    log_question(question.guild_id, question.command, started, result)
