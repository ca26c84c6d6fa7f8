"""Smoke tests: the real discord.py client against the local fake Discord."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from tests.fakediscord import DEFAULT_TOKEN, FakeAttachment, FakeDiscord

pytestmark = pytest.mark.e2e

TIMEOUT = 5.0


class ConfirmView(discord.ui.View):
    """One button that edits the message it is attached to."""

    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.primary)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        await interaction.response.edit_message(
            content=f"confirmed by {interaction.user.id}", view=None
        )


def install_commands(
    client: discord.Client, tree: app_commands.CommandTree[discord.Client]
) -> None:
    """A few commands covering the interaction response styles a bot uses."""

    @tree.command(name="ping", description="Check that the bot answers")
    @app_commands.describe(count="How many pongs")
    async def ping(interaction: discord.Interaction, count: int) -> None:
        await interaction.response.send_message(" ".join(["pong"] * count), view=ConfirmView())

    @tree.command(name="later", description="Answer after deferring")
    async def later(interaction: discord.Interaction, topic: str, loud: bool = False) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"about {topic} (loud={loud})")
        await interaction.followup.send("and one more thing", ephemeral=True)

    @later.autocomplete("topic")
    async def later_topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        topics = ["economy", "elections", "energy", "sport"]
        return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

    @tree.command(name="upload", description="Read an attachment")
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(f"{file.filename}: {data.decode()}", ephemeral=True)


class SmokeClient(discord.Client):
    """Minimal bot: slash commands synced to one guild, replies when mentioned."""

    def __init__(self, guild_id: int, **options: object) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,  # type: ignore[arg-type]
        )
        self.tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(self)
        self.guild_ref = discord.Object(id=guild_id)
        self.synced: list[app_commands.AppCommand] = []
        install_commands(self, self.tree)

    async def setup_hook(self) -> None:
        self.tree.copy_global_to(guild=self.guild_ref)
        self.synced = await self.tree.sync(guild=self.guild_ref)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause between IDENTIFYs (the fake has no identify rate limit)."""

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user or self.user is None:
            return
        if self.user in message.mentions:
            question = message.content.replace(self.user.mention, "").strip()
            await message.reply(f"answer to: {question}")


class ShardedSmokeClient(SmokeClient, discord.AutoShardedClient):
    """The same bot, auto-sharded."""


async def test_slash_command_sync_and_responses(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        assert fake.tokens_seen == (DEFAULT_TOKEN,)
        assert fake.identifies[0].intents == discord.Intents.default().value

        put = await fake.wait_for_request(
            method="PUT",
            path=rf"^/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$",
        )
        sent = {cmd["name"]: cmd for cmd in put.json}
        assert sent["ping"]["options"] == [
            {"type": 4, "name": "count", "description": "How many pongs", "required": True}
        ]
        assert {c.name for c in client.synced} == {"ping", "later", "upload"}
        assert all(c.id for c in client.synced)

        ping = await fake.send_slash_command("ping", {"count": 2})
        callback = await fake.wait_for_interaction_response(ping, timeout=TIMEOUT)
        assert callback.status == 200
        assert callback.json["type"] == 4
        assert callback.data["content"] == "pong pong"
        assert callback.data["allowed_mentions"] == {"parse": []}
        original = fake.original_response(ping)
        assert original is not None
        assert original["content"] == "pong pong"

        press = await fake.send_component("confirm")
        pressed = await fake.wait_for_interaction_response(press, timeout=TIMEOUT)
        assert pressed.json["type"] == 7
        edited = fake.message(int(original["id"]))
        assert edited is not None
        assert edited["content"] == f"confirmed by {fake.user_id}"
        assert edited["components"] == []

        later = await fake.send_slash_command("later", {"topic": "energy", "loud": True})
        deferred = await fake.wait_for_interaction_response(later, timeout=TIMEOUT)
        assert deferred.json["type"] == 5
        await fake.wait_for_request(lambda r: len(fake.followups(later)) >= 2, timeout=TIMEOUT)
        first, second = fake.followups(later)
        assert first.json["content"] == "about energy (loud=True)"
        assert second.json["flags"] & 64
        answered = fake.original_response(later)
        assert answered is not None
        assert answered["content"] == "about energy (loud=True)"
        assert not answered["flags"] & 128

        typed = await fake.send_autocomplete("later", {"topic": "e"}, focused="topic")
        await fake.wait_for_interaction_response(typed, timeout=TIMEOUT)
        assert [c["value"] for c in fake.autocomplete_choices(typed) or []] == [
            "economy",
            "elections",
            "energy",
        ]

        upload = await fake.send_slash_command(
            "upload", {"file": FakeAttachment("notes.txt", b"hello file", "text/plain")}
        )
        uploaded = await fake.wait_for_interaction_response(upload, timeout=TIMEOUT)
        assert uploaded.data["content"] == "notes.txt: hello file"
        assert uploaded.data["flags"] & 64

        with pytest.raises(ValueError, match="unknown options"):
            await fake.send_slash_command("ping", {"count": 1, "bogus": 2})
        with pytest.raises(TypeError):
            await fake.send_slash_command("ping", {"count": "two"})
    assert client.is_closed()


async def test_mention_reply_and_message_content_intent(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        await fake.send_message("nobody asked the bot")
        asked = await fake.send_message("what happened today?", mentions_bot=True)
        reply = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
        assert reply["content"] == "answer to: what happened today?"
        assert reply["message_reference"]["message_id"] == str(asked)
        assert reply["mentions"] == []
        post = await fake.wait_for_request(
            method="POST", path=rf"^/channels/{fake.channel_id}/messages$"
        )
        assert post.json["allowed_mentions"] == {"parse": []}
        assert len(fake.bot_messages()) == 1


async def test_rate_limit_and_server_error_are_retried(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        # discord.py sleeps 1 + 2 * attempt s after a 5xx: fail with 500 first to stay near 1 s.
        broken = fake.fail_next("POST", rf"/channels/{fake.channel_id}/messages$", 500)
        limited = fake.fail_next(
            "POST", rf"/channels/{fake.channel_id}/messages$", 429, retry_after=0.05
        )
        channel = client.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        since = fake.request_count
        sent = await channel.send("after retries")
        posts = fake.find_requests("POST", rf"/channels/{fake.channel_id}/messages$", since=since)
        assert [r.status for r in posts] == [500, 429, 200]
        assert limited.remaining == 0
        assert broken.remaining == 0
        assert sent.content == "after retries"
        assert fake.message(sent.id) is not None


async def test_gateway_drop_resumes_and_replays_missed_events(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        await fake.drop_gateway()
        asked = await fake.send_message("still there?", mentions_bot=True)
        resume = await fake.wait_for_resume(timeout=TIMEOUT)
        assert resume.gateway_path == "/resume"
        assert resume.replayed >= 1
        reply = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
        assert reply["content"] == "answer to: still there?"
        await fake.wait_until_connected(timeout=TIMEOUT)
        assert len([i for i in fake.identifies if i.accepted]) == 1


async def test_invalid_token_raises_login_failure() -> None:
    async with FakeDiscord(invalid_token=True) as fake:
        client = SmokeClient(fake.guild_id)
        with pytest.raises(discord.LoginFailure):
            async with fake.run_client(client, token="not-a-real-token", timeout=TIMEOUT):
                pytest.fail("login should have failed")
        me = fake.find_requests("GET", r"^/users/@me$")
        assert [r.status for r in me] == [401]
        assert me[0].token == "not-a-real-token"
        assert client.is_closed()


async def test_autosharded_client_connects_every_shard_with_plain_frames() -> None:
    async with FakeDiscord(gateway_compression=False) as fake:
        client = ShardedSmokeClient(fake.guild_id, shard_count=2)
        async with fake.run_client(client, timeout=TIMEOUT):
            assert sorted((i.shard_id, i.shard_count) for i in fake.identifies) == [(0, 2), (1, 2)]
            assert sorted(client.shards) == [0, 1]
            ping = await fake.send_slash_command("ping", {"count": 1})
            callback = await fake.wait_for_interaction_response(ping, timeout=TIMEOUT)
            assert callback.data["content"] == "pong"
        assert client.is_closed()
        fake.assert_no_unhandled_requests()


async def test_discord_side_validation_reaches_the_client(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        channel = client.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.status == 400
        assert too_long.value.code == 50035
        assert fake.bot_messages() == []


async def test_acknowledgement_time_is_measured_from_dispatch(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        ping = await fake.send_slash_command("ping", {"count": 1})
        await fake.wait_for_interaction_response(ping, timeout=TIMEOUT)
        waited = fake.acknowledged_after(ping)
        assert waited is not None and 0 <= waited < 1.0
        request = fake.interaction_responses(ping)[0]
        assert request.received > 0


async def test_forget_history_keeps_the_session_serving(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        asked = await fake.send_message("first", mentions_bot=True)
        await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
        fake.forget_history()
        assert fake.request_count == 0 and fake.bot_messages() == []
        assert fake.message(asked) is None
        asked = await fake.send_message("second", mentions_bot=True)
        reply = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
        assert reply["content"] == "answer to: second"


async def test_a_command_opened_to_everyone_reaches_the_bot(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        command = fake._world.find_command("ping", fake.guild_id)
        command["default_member_permissions"] = str(1 << 5)  # as synced by an admin-only bot
        with pytest.raises(PermissionError):
            await fake.send_slash_command("ping", {"count": 1})
        fake.open_command_to_everyone("ping")
        ping = await fake.send_slash_command("ping", {"count": 1})
        assert (await fake.wait_for_interaction_response(ping, timeout=TIMEOUT)).status == 200


async def test_threads_refuse_what_discord_refuses(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    async with fake.run_client(client, timeout=TIMEOUT):
        channel = client.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        asked = await channel.fetch_message(await fake.send_message("a question"))
        with pytest.raises(discord.HTTPException) as too_long:
            await asked.create_thread(name="x" * 101)
        assert (too_long.value.status, too_long.value.code) == (400, 50035)
        thread = await asked.create_thread(name="a question")
        assert (thread.id, thread.parent_id) == (asked.id, fake.channel_id)
        assert fake.thread(asked.id)["name"] == "a question"
        with pytest.raises(discord.HTTPException) as again:
            await asked.create_thread(name="a question")
        assert again.value.code == 160004
        sent = await thread.send("in the thread")
        assert fake.message(sent.id)["channel_id"] == str(asked.id)
        await asked.delete()  # the bot's role may manage messages
        assert fake.message(asked.id) is None


async def test_a_message_command_carries_its_message(fake: FakeDiscord) -> None:
    client = SmokeClient(fake.guild_id)
    seen: list[str] = []

    @client.tree.context_menu(name="Echo")
    async def echo(interaction: discord.Interaction, message: discord.Message) -> None:
        seen.append(message.content)
        await interaction.response.send_message(message.content, ephemeral=True)

    async with fake.run_client(client, timeout=TIMEOUT):
        posted = await fake.send_message("right-click me")
        used = await fake.send_message_command("Echo", posted)
        response = await fake.wait_for_interaction_response(used, timeout=TIMEOUT)
        assert response.data["content"] == "right-click me" and seen == ["right-click me"]
        shown = fake.original_response(used)
        assert shown is not None and shown["type"] == 23  # a context-menu command's answer
        with pytest.raises(LookupError):
            await fake.send_message_command("Echo", 12345)
