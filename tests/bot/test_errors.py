"""One error handler: a failure inside a handler is logged, the user told, the bot serves on."""

from __future__ import annotations

import logging
import os

import pytest

from bot.errors import SOMETHING_WENT_WRONG
from bot.library import Library
from tests.bot.conftest import (
    SHOIGU_QUESTION,
    TIMEOUT,
    buttons,
    is_ephemeral,
    reply_to_interaction,
)

pytestmark = pytest.mark.e2e


class ExplodingLibrary(Library):
    """The real library, except that answering and listing fail while ``exploding`` is set."""

    exploding = False

    async def answer(self, *args, **kwargs):
        if self.exploding:
            raise RuntimeError("the index is on fire")
        return await super().answer(*args, **kwargs)

    def briefings(self, *args, **kwargs):
        if self.exploding:
            raise RuntimeError("the index is on fire")
        return super().briefings(*args, **kwargs)


@pytest.fixture
async def library(start_bot, settings) -> ExplodingLibrary:
    library = ExplodingLibrary.load(settings)
    await start_bot(library=library)
    return library


async def ask(fake, question: str = SHOIGU_QUESTION) -> dict:
    interaction = await fake.send_slash_command("ask", {"question": question})
    return (await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)).data


def assert_failure_logged(caplog) -> None:
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert failures, "the failure was not logged with its traceback"
    error = failures[-1].exc_info[1]
    assert "the index is on fire" in str(error.__cause__ or error)


async def test_slash_command_failure(fake, library, caplog):
    library.exploding = True
    reply = await ask(fake)
    assert is_ephemeral(reply)
    assert reply["content"] == SOMETHING_WENT_WRONG
    assert_failure_logged(caplog)

    library.exploding = False
    assert "Shoigu" in (await ask(fake))["content"]


async def test_button_failure(fake, library, caplog):
    more = buttons(await ask(fake))["More passages"]
    library.exploding = True
    pressed = await fake.send_component(more)
    reply = (await fake.wait_for_interaction_response(pressed, timeout=TIMEOUT)).data
    assert is_ephemeral(reply)
    assert reply["content"] == SOMETHING_WENT_WRONG
    assert_failure_logged(caplog)

    library.exploding = False
    pressed = await fake.send_component(more)
    reply = (await fake.wait_for_interaction_response(pressed, timeout=TIMEOUT)).data
    assert reply["content"].startswith("-# Passage 2")


async def test_channel_question_failure(fake, library, caplog):
    library.exploding = True
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    reply = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    assert reply["content"] == SOMETHING_WENT_WRONG
    assert_failure_logged(caplog)

    library.exploding = False
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    reply = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    assert "Shoigu" in reply["content"]


@pytest.fixture
async def changed_library(start_bot, make_settings, tmp_path) -> Library:
    """A bot over a cached briefing whose file then changed, keeping its size and time."""
    folder = tmp_path / "configured"
    folder.mkdir()
    penguins = folder / "penguins.txt"
    penguins.write_text("HOBART: Researchers counted 4,000 emperor penguins, the division said.\n")
    settings = make_settings(BRIEFBOT_BRIEFINGS=str(folder))
    Library.load(settings).close()  # builds the cache
    library = Library.load(settings)
    await start_bot(library=library)
    # Same size and time: only the briefing's digest can tell.
    status = penguins.stat()
    penguins.write_text(penguins.read_text().replace("4,000", "5,000"))
    os.utime(penguins, ns=(status.st_atime_ns, status.st_mtime_ns))
    return library


async def test_a_briefing_changed_under_the_index_is_not_quoted(fake, changed_library):
    library = changed_library
    reply = await ask(fake, "How many emperor penguins?")
    assert is_ephemeral(reply)
    assert "changed since it was indexed" in reply["content"] and "4,000" not in reply["content"]
    await library.reindexing
    assert "5,000" in (await ask(fake, "How many emperor penguins?"))["content"]


async def test_quoting_a_briefing_changed_under_the_index_starts_its_reindexing(
    fake, changed_library
):
    library = changed_library
    options = {"paragraph": 1, "briefing": "penguins"}
    refused = await reply_to_interaction(fake, await fake.send_slash_command("quote", options))
    assert is_ephemeral(refused) and "changed since it was indexed" in refused["content"]
    assert await library.reindexing
    quoted = await reply_to_interaction(fake, await fake.send_slash_command("quote", options))
    assert "5,000" in quoted["content"]
