"""``python -m bot`` and ``briefbot run`` as processes: start, answer, stop, and fail clearly."""

from __future__ import annotations

import pytest

from tests.bot.conftest import SHOIGU_QUESTION, TIMEOUT
from tests.bot.processes import connected, finish, launch, run_python, stop
from tests.fakediscord import DEFAULT_TOKEN, FakeDiscord

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("entry", ["module", "cli"])
async def test_bot_process_connects_answers_and_stops_on_sigterm(tmp_path, entry):
    async with FakeDiscord() as fake:
        process = await launch(fake, tmp_path, entry)
        try:
            await connected(fake, process)
            await fake.wait_for_request(method="PUT", path=r"/commands$", timeout=TIMEOUT)
            synced = {command["name"] for command in fake.synced_commands(fake.guild_id)}
            assert synced == {
                "ask",
                "quote",
                "briefing",
                "briefing-add",
                "briefing-remove",
                "briefing-gaps",
                "briefbot-settings",
                "Ask briefbot",
            }

            interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
            reply = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
            assert "Shoigu" in reply.data["content"] and "paragraph 4" in reply.data["content"]
            asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
            mention = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
            assert mention["content"] == reply.data["content"]
        finally:
            code, output = await stop(process)
        fake.assert_no_unhandled_requests()

    assert code == 0, output
    assert DEFAULT_TOKEN not in output
    assert "command=ask latency_ms=" in output and "answered=yes" in output
    assert "command=message latency_ms=" in output
    assert SHOIGU_QUESTION not in output
    # Start-up says what was loaded, who the bot is and how to invite it.
    assert (
        "loaded 1 configured briefing(s), 14 paragraphs, 14 chunks, and 0 upload(s) in " in output
    )
    assert "index built and cached: " in output  # a fresh data folder: nothing to reuse
    assert f"logged in as BriefBot (id {fake.bot_user_id})" in output, output
    assert "invite link: https://discord.com/oauth2/authorize?client_id=" in output
    assert "scope=bot+applications.commands&permissions=309237713984" in output


async def test_missing_token_is_one_line_and_exit_2(tmp_path):
    code, output = await run_python(tmp_path, "-m", "bot", DISCORD_TOKEN="")
    assert code == 2
    assert output.splitlines() == [
        "briefbot: error: DISCORD_TOKEN is not set: copy the bot token from the Discord "
        "Developer Portal (Applications > your app > Bot) into the environment or .env"
    ]


async def test_rejected_token_is_reported_without_the_token_and_exit_2(tmp_path):
    secret = "MTIz.rejected-token-value.xyz"
    async with FakeDiscord(invalid_token=True) as fake:
        process = await launch(fake, tmp_path, DISCORD_TOKEN=secret)
        code, output = await finish(process)
        assert [r.status for r in fake.find_requests("GET", r"^/users/@me$")] == [401]
    assert code == 2
    assert output.splitlines()[-1].startswith(
        "briefbot: error: Discord rejected the token in DISCORD_TOKEN"
    )
    assert [line for line in output.splitlines() if "error" in line.lower()] == [
        output.splitlines()[-1]
    ]
    assert secret not in output
    assert "Traceback" not in output


async def test_refused_message_content_intent_is_one_line_and_exit_2(tmp_path):
    async with FakeDiscord(allow_privileged_intents=False) as fake:
        process = await launch(fake, tmp_path, BRIEFBOT_MESSAGE_CONTENT="true")
        code, output = await finish(process)
        assert [i.accepted for i in fake.identifies] == [False]
    assert code == 2
    assert output.splitlines()[-1] == (
        "briefbot: error: Discord refused the message content intent: enable it in the "
        "Developer Portal (Bot > Privileged Gateway Intents) or set BRIEFBOT_MESSAGE_CONTENT=false"
    )
    assert "Traceback" not in output


async def test_bad_setting_is_one_line_and_exit_2(tmp_path):
    code, output = await run_python(tmp_path, "-m", "bot", BRIEFBOT_SHARD_IDS="0")
    assert code == 2
    assert output.splitlines() == [
        "briefbot: error: BRIEFBOT_SHARD_IDS needs BRIEFBOT_SHARD_COUNT as well"
    ]


async def test_the_harness_does_not_import_discord(tmp_path):
    code, output = await run_python(
        tmp_path, "-c", "import sys, bot.cli; print('discord' in sys.modules)"
    )
    assert (code, output.strip()) == (0, "False")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"BRIEFBOT_COOLDOWN_SECONDS": "inf"},
            "BRIEFBOT_COOLDOWN_SECONDS must be a number of seconds from 0 to 86,400, not 'inf'",
        ),
        (
            {"BRIEFBOT_COOLDOWN_SECONDS": "nan"},
            "BRIEFBOT_COOLDOWN_SECONDS must be a number of seconds from 0 to 86,400, not 'nan'",
        ),
        (
            {"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_SHARD_IDS": "0,0,1"},
            "BRIEFBOT_SHARD_IDS lists shard 0 more than once",
        ),
        (
            {"DISCORD_TOKEN": "MTIz.first-half\nsecond-half.xyz"},
            "DISCORD_TOKEN has a space, line break or control character in it: copy the token "
            "again from the Developer Portal (Applications > your app > Bot)",
        ),
    ],
    ids=["cooldown-inf", "cooldown-nan", "shard-twice", "token-line-break"],
)
async def test_careless_settings_are_one_line_and_exit_2(tmp_path, env, message):
    code, output = await run_python(tmp_path, "-m", "bot", **env)
    assert (code, output.splitlines()) == (2, [f"briefbot: error: {message}"])
    assert "half" not in output


async def test_a_server_the_bot_is_not_in_is_one_line_and_exit_2(tmp_path):
    async with FakeDiscord() as fake:
        process = await launch(fake, tmp_path, BRIEFBOT_GUILD_ID="1234567890123456789")
        code, output = await finish(process)
    assert code == 2
    assert output.splitlines()[-1] == (
        "briefbot: error: Discord refused the slash commands for "
        "BRIEFBOT_GUILD_ID=1234567890123456789: invite the bot to that server with the "
        "applications.commands scope (see README), or correct BRIEFBOT_GUILD_ID"
    )
    assert "Traceback" not in output


@pytest.mark.parametrize("discord_debug", [False, True], ids=["briefbot-debug", "discord-debug"])
async def test_debug_logs_questions_only_when_discord_payloads_are_asked_for(
    tmp_path, discord_debug
):
    switch = {"BRIEFBOT_LOG_DISCORD_DEBUG": "true"} if discord_debug else {}
    async with FakeDiscord() as fake:
        process = await launch(fake, tmp_path, BRIEFBOT_LOG_LEVEL="DEBUG", **switch)
        try:
            await connected(fake, process)
            interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
            await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
            asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
            await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
        finally:
            code, output = await stop(process)
    assert code == 0, output
    assert "DEBUG" in output and "command=message latency_ms=" in output
    assert ("security official" in output) is discord_debug
