"""/ask and the "Ask briefbot" message command: a question in, the quoted answer out.

/ask answers publicly unless the asker or the server's settings choose
private. "Ask briefbot" (right-click a message, Apps) checks that message's
text against the briefings and always answers privately, so any member can
check a claim without posting in the channel.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.asking import Question, ToInteraction, answer_question
from bot.cooldown import QuestionCooldown
from bot.errors import UserFacingError
from bot.exts.options import BriefingOption
from bot.library import Library
from bot.questions import cut_question, readable, readable_in
from bot.sending import DEFER_AFTER
from bot.server_settings import load_server_settings
from index.briefing import Briefing

MAX_QUESTION = 500
ASK_MESSAGE = "Ask briefbot"
NO_TEXT = (
    "That message has no text to ask about (only attachments or embeds). "
    "Right-click a message with words in it, or use /ask."
)


class Ask(commands.Cog):
    """Answers questions with quotes from the briefings."""

    def __init__(
        self, library: Library, cooldown: QuestionCooldown, defer_after: float = DEFER_AFTER
    ) -> None:
        self.library = library
        self.cooldown = cooldown
        self.defer_after = defer_after
        # A message command cannot be declared inside a cog; the client adds this one.
        self.message_command = app_commands.ContextMenu(
            name=ASK_MESSAGE, callback=self.ask_about_message
        )

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """The per-user cooldown, shared with channel questions."""
        self._check_cooldown(interaction)
        return True

    def _check_cooldown(self, interaction: discord.Interaction[Any]) -> None:
        retry_after = self.cooldown.retry_after(interaction)
        if retry_after:
            raise app_commands.CommandOnCooldown(self.cooldown.cooldown(), retry_after)

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know, e.g. Who visited Pyongyang?",
        briefing="Only search this briefing (default: all of them)",
        private="Show the answer only to you (default: this server's setting, else no)",
    )
    async def ask(
        self,
        interaction: discord.Interaction[Any],
        question: app_commands.Range[str, 1, MAX_QUESTION],
        briefing: app_commands.Transform[Briefing, BriefingOption] | None = None,
        private: bool | None = None,
    ) -> None:
        """Ask the briefings a question; get a verbatim, attributed quote."""
        if private is None:
            settings = await load_server_settings(self.library.store, interaction.guild_id)
            private = settings.private
        asked = Question(
            question,
            interaction.guild_id,
            interaction.user.id,
            "ask",
            briefing.id if briefing else None,
            shown=readable_in(question, interaction.guild),
        )
        await answer_question(
            self.library,
            asked,
            ToInteraction(interaction, private, self.defer_after),
            client=interaction.client,
        )

    async def ask_about_message(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        """Ask the briefings about a message's text; only the asker sees the answer."""
        text = cut_question(message.content, MAX_QUESTION)
        if not text:  # nothing to search, so it does not count toward the cooldown
            raise UserFacingError(NO_TEXT)
        self._check_cooldown(interaction)
        asked = Question(
            text,
            interaction.guild_id,
            interaction.user.id,
            "message-command",
            shown=readable(text, message),
        )
        to = ToInteraction(interaction, private=True, defer_after=self.defer_after)
        await answer_question(self.library, asked, to, client=interaction.client)
