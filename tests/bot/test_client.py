"""The client end to end: command sync, intents, sharding and a clean shutdown."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.client import Briefbot, ShardedBriefbot, create_bot
from bot.library import Library
from tests.bot.conftest import MANAGE_GUILD, SHOIGU_QUESTION, TIMEOUT
from tests.fakediscord import DEFAULT_TOKEN

pytestmark = pytest.mark.e2e

SLASH_COMMANDS = {
    "ask",
    "quote",
    "briefing",
    "briefing-add",
    "briefing-remove",
    "briefbot-settings",
    "briefing-gaps",
}
COMMANDS = SLASH_COMMANDS | {"Ask briefbot"}
MESSAGE_COMMAND = 3


async def test_commands_are_synced_to_the_configured_guild(fake, bot):
    synced = {command["name"]: command for command in fake.synced_commands(fake.guild_id)}
    assert set(synced) == COMMANDS
    assert fake.synced_commands(None) == []
    for name in SLASH_COMMANDS:
        assert synced[name]["description"]
        assert all(option["description"] != "…" for option in synced[name].get("options", []))
    for name in ("briefing-add", "briefing-remove", "briefbot-settings", "briefing-gaps"):
        assert int(synced[name]["default_member_permissions"]) == MANAGE_GUILD
    assert synced["Ask briefbot"]["type"] == MESSAGE_COMMAND
    assert synced["Ask briefbot"].get("default_member_permissions") is None
    assert synced["ask"].get("default_member_permissions") is None
    options = {option["name"]: option for option in synced["ask"]["options"]}
    assert options["briefing"]["autocomplete"] is True
    assert options["question"]["max_length"] == 500


async def test_without_a_guild_commands_are_synced_globally(fake, start_bot, make_settings):
    await start_bot(make_settings(BRIEFBOT_GUILD_ID=""))
    assert {command["name"] for command in fake.synced_commands(None)} == COMMANDS
    assert fake.synced_commands(fake.guild_id) == []


async def test_intents_ask_for_message_content_only_when_configured(fake, make_settings):
    basic = discord.Intents(guilds=True, guild_messages=True, dm_messages=True)
    for number, content in enumerate(("false", "true"), start=1):
        settings = make_settings(BRIEFBOT_MESSAGE_CONTENT=content)
        async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
            identify = await fake.wait_for_identify(count=number, timeout=TIMEOUT)
        wanted = discord.Intents(message_content=content == "true").value | basic.value
        assert identify.intents == wanted


async def test_close_disconnects_cleanly(fake, settings):
    bot = create_bot(settings, Library.load(settings))
    assert isinstance(bot, Briefbot)
    async with bot:
        running = asyncio.create_task(bot.start(DEFAULT_TOKEN))
        await fake.wait_until_connected(timeout=TIMEOUT)
        await bot.close()
        await asyncio.wait_for(running, TIMEOUT)
    assert running.exception() is None
    assert bot.is_closed()
    assert not fake._gateway.is_connected(0)


class QuickShardedBriefbot(ShardedBriefbot):
    """The sharded bot without discord.py's 5 s pause between IDENTIFYs (not modelled here)."""

    async def before_identify_hook(self, shard_id, *, initial=False):
        return None


async def test_auto_sharded_bot_connects_two_shards_and_answers(fake, make_settings):
    settings = make_settings(BRIEFBOT_SHARD_COUNT="2")
    bot = QuickShardedBriefbot(settings, Library.load(settings), shard_count=2)
    async with fake.run_client(bot, timeout=TIMEOUT):
        assert sorted(i.shard_id for i in fake.identifies if i.accepted) == [0, 1]
        assert {i.shard_count for i in fake.identifies} == {2}
        assert bot.shard_count == 2 and set(bot.shards) == {0, 1}
        interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
        reply = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
        assert "Shoigu" in reply.data["content"]


async def test_processes_share_the_shards_and_only_shard_zero_syncs(fake, make_settings):
    """Two processes' worth of bots, each running one of two shards, over one index cache."""
    running: list[tuple[discord.Client, asyncio.Task]] = []
    try:
        for shard in (0, 1):
            settings = make_settings(BRIEFBOT_SHARD_COUNT="2", BRIEFBOT_SHARD_IDS=str(shard))
            bot = create_bot(settings, Library.load(settings))
            assert isinstance(bot, ShardedBriefbot)
            running.append((bot, asyncio.create_task(bot.start(DEFAULT_TOKEN))))
            await fake.wait_until_connected(shard_id=shard, timeout=TIMEOUT)

        assert len(fake.find_requests("PUT", r"/commands$")) == 1
        assert len(list(settings.cache_dir.glob("index-*"))) == 1
        interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
        reply = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
        assert "Shoigu" in reply.data["content"]
    finally:
        for bot, _ in running:
            await bot.close()
        await asyncio.wait_for(asyncio.gather(*(task for _, task in running)), TIMEOUT)
