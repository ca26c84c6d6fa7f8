"""Fixtures shared by the whole suite: the bundled briefing, an index of it, a fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from index.analysis import Analyzer
from index.briefing import Briefing
from index.chunking import Chunker
from index.loading import load_briefings
from index.search import Index
from index.tokens import load_encoding
from tests.fakediscord import FakeDiscord
from tests.postgres import PostgresServer, postgres_server

PROJECT = Path(__file__).resolve().parent.parent
BRIEFINGS = PROJECT / "briefings"
BUNDLED_ID = "2025-03-21-north-korea-weapons-test"


@pytest.fixture(scope="session")
def encoding():
    return load_encoding()


@pytest.fixture(scope="session")
def chunker(encoding) -> Chunker:
    return Chunker(encoding)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def bundled() -> Briefing:
    loaded = load_briefings(BRIEFINGS / f"{BUNDLED_ID}.txt")
    assert not loaded.skipped
    return loaded.briefings[0]


@pytest.fixture(scope="session")
def bundled_index(bundled, analyzer, chunker) -> Index:
    return Index.build([bundled], analyzer, chunker)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1; the test fails if the bot made a request it lacks."""
    async with FakeDiscord() as server:
        yield server
        server.assert_no_unhandled_requests()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole run (skipped without one, except in CI)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """Each store engine in turn: None is SQLite in tmp_path, else a new PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").new_database()
