"""The Discord client: intents, safe mentions, cogs, buttons and command sync.

``create_bot`` picks a single-connection bot, or an auto-sharded one when
shards are configured; both behave the same otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.buttons import DeleteAnswer, MorePassages, Vote, WholeParagraph
from bot.cooldown import QuestionCooldown
from bot.errors import reply_to_failure
from bot.exts.ask import Ask
from bot.exts.catalog import Catalog
from bot.exts.channel import ChannelQuestions
from bot.exts.configure import Configure
from bot.exts.gaps import Gaps
from bot.exts.manage import Manage
from bot.exts.quote import Quote
from bot.feedback import PURGE_SECONDS, Feedback
from bot.legacy_buttons import LegacyMorePassages
from bot.library import Library
from bot.sending import DEFER_AFTER
from bot.settings import Settings
from bot.watching import POLL_SECONDS, Watcher

log = logging.getLogger(__name__)

# What the bot needs in a channel: read it and its history, answer (in threads too),
# start a thread for an answer (when a server asks for threads), and react with ⏳ to
# a member asked to wait. Deleting its own answers needs no permission.
INVITE_PERMISSIONS = discord.Permissions(
    read_messages=True,
    read_message_history=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    add_reactions=True,
)


def invite_url(application_id: int) -> str:
    """The link that adds the bot to a server, with its slash commands and permissions."""
    return discord.utils.oauth_url(
        application_id, permissions=INVITE_PERMISSIONS, scopes=("bot", "applications.commands")
    )


class GuildSyncError(Exception):
    """Discord refused the slash commands for ``BRIEFBOT_GUILD_ID``; the message says the fix."""


def intents_for(settings: Settings) -> discord.Intents:
    """Only what the bot uses; message content only when the setting asks for it."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = settings.message_content
    return intents


class BriefbotTree(app_commands.CommandTree):
    """The command tree, with the one error handler for slash commands."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        """Tell the user what went wrong (privately); log unexpected failures."""
        await reply_to_failure(interaction, error)


class BriefbotMixin:
    """What both bot classes share; ``library`` is the briefings to answer from.

    ``defer_after`` is how long an answer may take before the interaction is
    deferred (see ``bot.sending``); ``purge_seconds`` how often feedback older
    than the retention period is deleted (see ``bot.feedback``).
    """

    def __init__(
        self,
        settings: Settings,
        library: Library,
        *,
        defer_after: float = DEFER_AFTER,
        poll_seconds: float = POLL_SECONDS,
        purge_seconds: float = PURGE_SECONDS,
        **options: Any,
    ) -> None:
        # briefbot has no voice features: no warnings that voice libraries are missing.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(  # type: ignore[call-arg]
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents_for(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=BriefbotTree,
            # Nothing looks a message up again (buttons carry their state), so keep
            # none; discord.py would otherwise hold the last 1,000, several MB.
            max_messages=None,
            **options,
        )
        self.settings = settings
        self.library = library
        self.cooldown = QuestionCooldown(settings.cooldown_seconds)
        self.defer_after = defer_after
        self.watcher = Watcher(library, settings.briefings, poll_seconds)
        self._watching: asyncio.Task[None] | None = None
        self.feedback = Feedback(
            library.store,
            keep_questions=settings.keep_questions,
            retention_days=settings.retention_days,
            purge_every=purge_seconds,
        )
        self._purging: asyncio.Task[None] | None = None

    async def setup_hook(self: Any) -> None:
        """Add the features and the buttons, then sync the slash commands."""
        prefix = self.settings.prefix if self.settings.message_content else None
        ask = Ask(self.library, self.cooldown, self.defer_after)
        await self.add_cog(ask)
        self.tree.add_command(ask.message_command)
        await self.add_cog(Quote(self.library))
        await self.add_cog(Catalog(self.library))
        await self.add_cog(Manage(self.library))
        await self.add_cog(Configure(self.library))
        await self.add_cog(ChannelQuestions(self, self.library, self.cooldown, prefix))
        await self.add_cog(Gaps())
        self.add_dynamic_items(MorePassages, Vote, WholeParagraph, DeleteAnswer, LegacyMorePassages)
        self._watching = asyncio.create_task(self.watcher.run(), name="briefbot-watcher")
        self._purging = asyncio.create_task(self.feedback.run(), name="briefbot-retention")
        if _syncs_commands(self.settings):
            await _sync(self.tree, self.settings.guild_id)
        # Logged in by now: say who the bot is and how to invite it elsewhere.
        log.info("logged in as %s (id %s)", self.user, self.user.id)
        log.info("invite link: %s", invite_url(self.application_id or self.user.id))

    async def close(self: Any) -> None:
        """Stop watching for changes and purging feedback, then disconnect."""
        for task in (self._watching, self._purging):
            if task is not None:
                task.cancel()
        await self.feedback.finish()
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: channel questions are the ChannelQuestions cog's."""

    async def on_ready(self: Any) -> None:
        """Log that we are connected, with ids and counts only."""
        log.info("ready: bot user %s in %d guild(s)", self.user.id, len(self.guilds))


class Briefbot(BriefbotMixin, commands.Bot):
    """briefbot on one gateway connection."""


class ShardedBriefbot(BriefbotMixin, commands.AutoShardedBot):
    """briefbot on several gateway shards (all of them, or ``BRIEFBOT_SHARD_IDS``)."""


def create_bot(settings: Settings, library: Library) -> Briefbot | ShardedBriefbot:
    """The bot for these settings: sharded when a shard count or shard ids are set."""
    if settings.shard_count is None and settings.shard_ids is None:
        return Briefbot(settings, library)
    shard_ids = list(settings.shard_ids) if settings.shard_ids is not None else None
    return ShardedBriefbot(settings, library, shard_count=settings.shard_count, shard_ids=shard_ids)


def _syncs_commands(settings: Settings) -> bool:
    """Sync once per deployment: in the process that runs shard 0 (or is unsharded)."""
    return settings.shard_ids is None or 0 in settings.shard_ids


async def _sync(tree: app_commands.CommandTree, guild_id: int | None) -> None:
    if guild_id is None:
        synced = await tree.sync()
        log.info("synced %d commands globally (they can take a while to appear)", len(synced))
        return
    guild = discord.Object(id=guild_id)
    tree.copy_global_to(guild=guild)
    try:
        synced = await tree.sync(guild=guild)
    except discord.Forbidden:
        raise GuildSyncError(
            f"Discord refused the slash commands for BRIEFBOT_GUILD_ID={guild_id}: invite the bot "
            "to that server with the applications.commands scope (see README), "
            "or correct BRIEFBOT_GUILD_ID"
        ) from None
    log.info("synced %d commands to guild %s", len(synced), guild_id)
