"""/briefbot-settings end to end: shown, changed, kept across a restart, and obeyed."""

from __future__ import annotations

import contextlib

import pytest

from bot.buttons import ONLY_ASKER_OR_MODERATOR
from bot.client import create_bot
from bot.errors import NEEDS_MANAGE_SERVER
from bot.exts.configure import CANNOT_START_THREADS
from bot.library import Library
from bot.questions import thread_name
from tests.bot.conftest import SHOIGU_QUESTION, TIMEOUT, buttons, is_ephemeral, reply_to_interaction
from tests.fakediscord.payloads import CREATE_PUBLIC_THREADS, DEFAULT_BOT_PERMISSIONS

pytestmark = pytest.mark.e2e

DEFAULTS = (
    "**Settings for this server:**\n"
    "• /ask answers are public unless the asker chooses (option `private`)\n"
    "• Mentions are answered with a reply\n"
    "• Mentions are answered in: every channel\n"
    "-# Change them with the options of /briefbot-settings."
)


async def configure(fake, user: int | None = None, **options) -> dict:
    interaction = await fake.send_slash_command(
        "briefbot-settings", options, user=fake.owner_id if user is None else user
    )
    reply = await reply_to_interaction(fake, interaction)
    assert is_ephemeral(reply)
    return reply


async def reply_to(fake, message_id: int, channel_id: int | None = None) -> dict:
    return await fake.wait_for_bot_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == str(message_id),
        channel_id=channel_id,
        timeout=TIMEOUT,
    )


@contextlib.asynccontextmanager
async def running(fake, settings):
    """A bot on ``settings`` until the block ends (a restart is two blocks)."""
    library = Library.load(settings)
    try:
        async with fake.run_client(create_bot(settings, library), timeout=TIMEOUT) as bot:
            yield bot
    finally:
        library.close()


async def test_with_no_options_it_shows_the_defaults_privately(fake, bot):
    assert (await configure(fake))["content"] == DEFAULTS


async def test_only_managers_may_change_settings(fake, bot):
    with pytest.raises(PermissionError):
        await fake.send_slash_command("briefbot-settings", {"private": True})
    fake.open_command_to_everyone("briefbot-settings")
    refused = await configure(fake, fake.user_id, private=True)
    assert refused["content"] == NEEDS_MANAGE_SERVER
    assert (await configure(fake))["content"] == DEFAULTS


async def test_settings_survive_a_restart_and_are_obeyed(fake, settings):
    news = await fake.add_text_channel("news")
    async with running(fake, settings):
        saved = await configure(fake, private=True, threads=True, add_channel=news)
        assert saved["content"].splitlines()[1:4] == [
            "• /ask answers are private (only the asker sees them) unless the asker chooses "
            "(option `private`)",
            "• Mentions are answered in a new thread",
            f"• Mentions are answered in: <#{news}>",
        ]

    async with running(fake, settings):
        assert (await configure(fake))["content"] == saved["content"].replace("Saved. ", "")
        # Private by default, public when the asker says so; private answers have no Delete.
        private = await reply_to_interaction(
            fake, await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
        )
        assert is_ephemeral(private) and "Delete" not in buttons(private)
        public = await reply_to_interaction(
            fake,
            await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION, "private": False}),
        )
        assert not is_ephemeral(public) and "Delete" in buttons(public)

        # A mention outside the listed channels is ignored; in one, it gets a thread.
        ignored = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
        asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True, channel_id=news)
        thread = await fake.wait_for_bot_message(channel_id=asked, timeout=TIMEOUT)
        assert "Shoigu" in thread["content"]
        assert fake.thread(asked)["name"] == thread_name(SHOIGU_QUESTION)
        assert int(fake.thread(asked)["parent_id"]) == news
        assert buttons(thread)["Delete"] == f"bb:del:{fake.user_id}"
        # Discord says who started the thread: a Delete forged by someone else is refused.
        bystander = fake.add_user("bystander")
        forged = await fake.send_component(
            f"bb:del:{bystander}", int(thread["id"]), user=bystander, forged=True
        )
        refused = (await fake.wait_for_interaction_response(forged, timeout=TIMEOUT)).json
        assert refused["data"]["content"] == ONLY_ASKER_OR_MODERATOR
        # The ignored mention got no reply, no thread and no reaction.
        assert fake.find_requests("POST", rf"^/channels/{fake.channel_id}/messages") == []
        assert fake.message(ignored)["reactions"] == []

        # Asked again inside that thread: it counts as its channel, and a reply suffices.
        again = await fake.send_message("What did KCNA say?", mentions_bot=True, channel_id=asked)
        in_thread = await reply_to(fake, again, channel_id=asked)
        assert "KCNA" in in_thread["content"]

        # The asker may delete the answer that started the thread.
        mine = await fake.send_component(buttons(thread)["Delete"], int(thread["id"]))
        await fake.wait_for_interaction_response(mine, timeout=TIMEOUT)
        await fake.wait_for_request(method="DELETE", path=r"/messages/@original$", timeout=TIMEOUT)
        assert fake.message(int(thread["id"])) is None


async def test_without_create_public_threads_it_warns_and_replies(fake, bot):
    fake.set_bot_permissions(DEFAULT_BOT_PERMISSIONS & ~CREATE_PUBLIC_THREADS)
    saved = await configure(fake, threads=True)
    assert saved["content"].endswith(CANNOT_START_THREADS)
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    reply = await reply_to(fake, asked, channel_id=fake.channel_id)
    assert "Shoigu" in reply["content"]
    assert fake.thread(asked) is None
    refused = fake.find_requests("POST", rf"/messages/{asked}/threads$")
    assert [r.status for r in refused] == [403]


async def test_a_thread_discord_refuses_falls_back_to_a_reply(fake, bot):
    saved = await configure(fake, threads=True)
    assert CANNOT_START_THREADS not in saved["content"]
    taken = {"code": 160004, "message": "A thread has already been created for this message"}
    fake.fail_next("POST", r"/threads$", 400, body=taken)
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    reply = await reply_to(fake, asked, channel_id=fake.channel_id)
    assert "Shoigu" in reply["content"]


async def test_a_thread_the_bot_cannot_post_in_falls_back_to_a_reply(fake, bot):
    await configure(fake, threads=True)
    denied = {"code": 50013, "message": "Missing Permissions"}
    fake.fail_next("POST", r"^/channels/\d+/messages$", 403, body=denied)
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    reply = await reply_to(fake, asked, channel_id=fake.channel_id)
    assert "Shoigu" in reply["content"]
    assert fake.thread(asked) is not None  # started, but the answer is where it can be read
    assert not any("went wrong" in m["content"] for m in fake.bot_messages())


async def test_a_bare_mention_gets_its_help_as_a_plain_reply(fake, bot):
    await configure(fake, threads=True)
    asked = await fake.send_message("", mentions_bot=True)
    reply = await reply_to(fake, asked, channel_id=fake.channel_id)
    assert reply["content"].startswith("Ask me a question about the briefing")
    assert fake.thread(asked) is None


async def test_a_long_question_names_its_thread_within_discord_limit(fake, bot):
    await configure(fake, threads=True)
    question = "Who is Russia's top security official " + "visiting Pyongyang and " * 8
    asked = await fake.send_message(question, mentions_bot=True)
    await fake.wait_for_bot_message(channel_id=asked, timeout=TIMEOUT)
    name = fake.thread(asked)["name"]
    assert len(name) <= 100 and name.endswith("…")
    assert name.startswith("Who is Russia's top security official visiting Pyongyang")


async def test_a_thread_is_named_with_the_names_of_the_mentions_not_their_ids(fake, start_bot):
    moderators = fake.add_role("moderators", 0)
    news = await fake.add_text_channel("news")
    await start_bot()
    await configure(fake, threads=True)
    question = f"<@&{moderators}> did <#{news}> cover what KCNA said? <@&{moderators + 1}>"
    asked = await fake.send_message(question, mentions_bot=True)
    await fake.wait_for_bot_message(channel_id=asked, timeout=TIMEOUT)
    name = fake.thread(asked)["name"]
    assert name == "@moderators did #news cover what KCNA said? @unknown-role"


async def test_channels_are_added_removed_and_cleared(fake, bot):
    news = await fake.add_text_channel("news")
    sport = await fake.add_text_channel("sport")
    await configure(fake, add_channel=news)
    both = await configure(fake, add_channel=sport)
    assert f"• Mentions are answered in: <#{news}>, <#{sport}>" in both["content"]
    one = await configure(fake, remove_channel=news)
    assert f"• Mentions are answered in: <#{sport}>\n" in one["content"]
    same = await configure(fake, add_channel=news, remove_channel=news)
    assert same["content"] == "Choose a channel to add or one to remove, not the same one."
    cleared = await configure(fake, clear_channels=True)
    assert "• Mentions are answered in: every channel" in cleared["content"]
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    assert "Shoigu" in (await reply_to(fake, asked))["content"]


async def test_settings_are_kept_per_server(fake, start_bot, make_settings):
    _, elsewhere = fake.add_guild("Other newsroom")
    await start_bot(make_settings(BRIEFBOT_GUILD_ID=""))
    await configure(fake, private=True)
    theirs = await fake.send_slash_command(
        "ask", {"question": SHOIGU_QUESTION}, channel_id=elsewhere
    )
    assert not is_ephemeral(await reply_to_interaction(fake, theirs))
