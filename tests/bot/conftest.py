"""Fixtures for the bot's tests: settings in tmp_path, the fake Discord, running bots."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.client import create_bot
from bot.library import Library
from bot.settings import Settings, load_settings
from tests.conftest import BRIEFINGS
from tests.fakediscord import (
    DEFAULT_GUILD_ID,
    DEFAULT_TOKEN,
    FakeAttachment,
    FakeDiscord,
    SentInteraction,
)

TIMEOUT = 5.0
SHOIGU_QUESTION = "Who is Russia's top security official visiting Pyongyang?"
# A small briefing to upload, about something the bundled one never mentions.
PENGUINS = (
    b"date 2025-04-02\n"
    b"HOBART: Researchers counted 4,000 emperor penguins near the Ross Sea, "
    b"the Antarctic Division said on Wednesday.\n\n"
    b"The survey team flew drones over the colony for three weeks.\n"
)
PENGUIN_QUESTION = "How many emperor penguins were counted?"
# A briefing whose second paragraph has many sentences, more than one chunk holds,
# so its quotes are part of a paragraph (each of the bundled one's is a whole one).
HARBOUR_FILE = "2025-05-06-wellington-harbour.txt"
HARBOUR = (
    b"date 2025-05-06\n"
    b"WELLINGTON: The city council approved a plan to dredge the inner harbour on Tuesday,"
    b" the Harbour Board said.\n"
    b"\n"
    b"The dredging will start in September and last about eighteen months. Contractors "
    b"will remove roughly 400,000 cubic metres of silt from the shipping channel. The silt"
    b" will be taken by barge to a disposal site twelve kilometres offshore. Ferry "
    b"timetables will change during the work, and the ferry operator said it would publish"
    b" the new times in August. Fishing boats will be moved to the eastern wharf for the "
    b"first six months. The council expects the project to cost 38 million dollars, of "
    b"which the government will pay half. A monitoring team from the university will test "
    b"the water every week for sediment and heavy metals. Residents near the wharf will be"
    b" told about night work at least a week in advance. The old breakwater will be "
    b"repaired at the same time, using stone from the quarry at Kaiwharawhara. A second "
    b"phase, to deepen the outer channel for larger container ships, will be decided next "
    b"year.\n"
    b"\n"
    b"Kayakers said they feared the channel would be closed for the summer.\n"
)
HARBOUR_QUESTION = "How much silt will contractors remove?"
DEFERRED = 5  # the interaction callback type of a deferral ("thinking…")
MANAGE_GUILD = 1 << 5  # the Manage Server permission
FIGURES = pytest.StashKey[list[str]]()

MakeSettings = Callable[..., Settings]
StartBot = Callable[..., Awaitable[object]]


def environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """A complete bot environment for tests: bundled briefings, data in ``data_dir``."""
    env = {
        "DISCORD_TOKEN": DEFAULT_TOKEN,
        "BRIEFBOT_BRIEFINGS": str(BRIEFINGS),
        "BRIEFBOT_DATA_DIR": str(data_dir),
        "BRIEFBOT_GUILD_ID": str(DEFAULT_GUILD_ID),
        "BRIEFBOT_COOLDOWN_SECONDS": "0",
    }
    env.update(overrides)
    return env


@pytest.fixture
def make_settings(tmp_path: Path) -> MakeSettings:
    """Settings parsed from a test environment; keyword arguments override variables."""

    def make(**overrides: str) -> Settings:
        return load_settings(environment(tmp_path / "data", **overrides), dotenv=False)

    return make


@pytest.fixture
def harbour_briefings(tmp_path: Path) -> Path:
    """A briefings folder holding only the harbour briefing."""
    folder = tmp_path / "harbour-briefings"
    folder.mkdir()
    (folder / HARBOUR_FILE).write_bytes(HARBOUR)
    return folder


@pytest.fixture
def settings(make_settings: MakeSettings) -> Settings:
    return make_settings()


@pytest.fixture
async def start_bot(fake: FakeDiscord, settings: Settings) -> AsyncIterator[StartBot]:
    """Start a new bot client (connected to the fake); all are closed when the test ends."""
    async with contextlib.AsyncExitStack() as running:

        async def start(custom: Settings | None = None, library: Library | None = None) -> object:
            chosen = custom or settings
            bot = create_bot(chosen, library or Library.load(chosen))
            return await running.enter_async_context(fake.run_client(bot, timeout=TIMEOUT))

        yield start


@pytest.fixture
async def bot(start_bot: StartBot) -> object:
    """A running bot with the bundled briefing and no cooldown."""
    return await start_bot()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> list[str]:
    """Lines a test reports; they are printed at the end of the run, with or without -s."""
    return request.config.stash.setdefault(FIGURES, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the figures the load and memory tests measured, so CI logs keep them."""
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.section("briefbot figures")
        for line in lines:
            terminalreporter.write_line(line)


def buttons(payload: dict) -> dict[str, str]:
    """A message's buttons as label -> custom_id."""
    return {
        button["label"]: button["custom_id"]
        for row in payload.get("components", [])
        for button in row["components"]
    }


def is_ephemeral(payload: dict) -> bool:
    return bool(payload.get("flags", 0) & 64)


async def reply_to_interaction(fake: FakeDiscord, interaction: SentInteraction) -> dict:
    """What the user reads: the interaction's response, or the follow-up after a deferral."""
    callback = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
    assert callback.status == 200, callback.response
    if callback.json["type"] != DEFERRED:
        return callback.data
    await fake.wait_for_request(lambda _: bool(fake.followups(interaction)), timeout=TIMEOUT)
    return fake.followups(interaction)[0].json


async def ask(fake: FakeDiscord, question: str = SHOIGU_QUESTION) -> str:
    """The text of the reply to /ask."""
    interaction = await fake.send_slash_command("ask", {"question": question})
    return (await reply_to_interaction(fake, interaction))["content"]


async def add_briefing(fake: FakeDiscord, filename: str, data: bytes, **options: str) -> dict:
    """The reply to the guild owner's /briefing-add of a text file; it answers privately."""
    upload = {"file": FakeAttachment(filename, data, "text/plain"), **options}
    interaction = await fake.send_slash_command("briefing-add", upload, user=fake.owner_id)
    reply = await reply_to_interaction(fake, interaction)
    assert is_ephemeral(fake.interaction_responses(interaction)[0].data)
    return reply
