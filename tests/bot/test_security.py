"""Security review: the token stays secret, and secrets stay out of git.

A sentinel token goes through start-up, questions, a failure inside a
handler and a rejected login, in this process (every log record, at DEBUG)
and in a real bot process (everything it prints). It must never show up.
"""

from __future__ import annotations

import logging
import subprocess
import traceback

import discord
import pytest

from bot.client import create_bot
from bot.library import Library
from bot.settings import Secret, SettingsError, load_settings
from tests.bot.conftest import SHOIGU_QUESTION, TIMEOUT, environment
from tests.bot.processes import connected, launch, stop
from tests.conftest import PROJECT
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.e2e

SENTINEL = "MTIzNDU2Nzg5MDEyMzQ1Njc4.SeNtInEl.token-that-must-never-be-seen"
CALLBACK = r"^/interactions/\d+/[^/]+/callback$"


class ExplodingLibrary(Library):
    """The real library, except that answering fails with the settings in the message."""

    async def answer(self, *args, **kwargs):
        raise RuntimeError(f"the index is on fire; settings were {self._settings!r}")


def secret_free(text: str) -> bool:
    return SENTINEL not in text and SENTINEL.split(".")[1] not in text


async def test_the_token_is_never_logged_shown_or_raised_in_process(tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    settings = load_settings(environment(tmp_path / "data", DISCORD_TOKEN=SENTINEL), dotenv=False)
    shown = [repr(settings), str(settings), repr(settings.token), str(settings.token)]

    async with FakeDiscord(accepted_token=SENTINEL) as fake:
        bot = create_bot(settings, ExplodingLibrary.load(settings))
        async with fake.run_client(bot, token=settings.token.value, timeout=TIMEOUT):
            assert fake.tokens_seen == (SENTINEL,)  # it was really used
            shown += [repr(bot), repr(bot.http), repr(bot.user)]
            interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
            await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
            asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
            await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)

    async with FakeDiscord(invalid_token=True) as fake:
        bot = create_bot(settings, Library.load(settings))
        with pytest.raises(discord.LoginFailure) as rejected:
            async with fake.run_client(bot, token=settings.token.value, timeout=TIMEOUT):
                pytest.fail("the login should have been rejected")
    shown += traceback.format_exception(rejected.value)

    with pytest.raises(SettingsError) as bad:
        load_settings({"DISCORD_TOKEN": SENTINEL, "BRIEFBOT_SHARD_IDS": SENTINEL}, dotenv=False)
    shown += [str(bad.value), repr(Secret(SENTINEL))]

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(errors) >= 2, "the failures inside the handlers were not logged"
    assert "Secret('********')" in caplog.text  # the failure's message, settings included
    captured = capfd.readouterr()
    for text in [*shown, caplog.text, captured.out, captured.err]:
        assert secret_free(text), text


async def test_the_token_never_appears_in_a_bot_process_output(tmp_path):
    async with FakeDiscord(accepted_token=SENTINEL) as fake:
        process = await launch(fake, tmp_path, DISCORD_TOKEN=SENTINEL, BRIEFBOT_LOG_LEVEL="DEBUG")
        try:
            await connected(fake, process)
            interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
            await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
            # A reply Discord refuses: an exception inside the handler, logged with its traceback.
            fake.fail_next("POST", CALLBACK, 400)
            failing = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
            await fake.wait_for_request(
                lambda r: r.status == 200 and f"/{failing.id}/" in r.path,
                path=CALLBACK,
                timeout=TIMEOUT,
            )
        finally:
            code, output = await stop(process)
    assert code == 0, output
    assert "Traceback" in output and "400 Bad Request" in output
    assert "DEBUG" in output
    assert secret_free(output)


def test_dotenv_is_ignored_by_git():
    ignored = (PROJECT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
    if (PROJECT / ".git").exists():
        checked = subprocess.run(
            ["git", "check-ignore", "--quiet", ".env"], cwd=PROJECT, check=False
        )
        assert checked.returncode == 0
