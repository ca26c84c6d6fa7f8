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
from tests.fakediscord import DEFAULT_GUILD_ID, DEFAULT_TOKEN, FakeDiscord

TIMEOUT = 5.0
SHOIGU_QUESTION = "Who is Russia's top security official visiting Pyongyang?"
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
def settings(make_settings: MakeSettings) -> Settings:
    return make_settings()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server
        server.assert_no_unhandled_requests()


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
