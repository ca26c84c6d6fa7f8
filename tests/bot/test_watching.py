"""Live changes: uploads made by another process, briefing files added while the bot runs."""

from __future__ import annotations

import asyncio
import os
import shutil
import time

import pytest

from bot.library import Library
from bot.store import open_store
from bot.uploads import check_upload
from bot.watching import Watcher, files_signature
from tests.bot.conftest import PENGUIN_QUESTION, PENGUINS, ask
from tests.bot.processes import connected, launch, stop
from tests.conftest import BRIEFINGS, BUNDLED_ID
from tests.fakediscord import DEFAULT_GUILD_ID, FakeAttachment, FakeDiscord

LIVE_WITHIN = 5.0  # seconds, for every process to see a change


def ids(library: Library, guild: int | None = None) -> list[str]:
    return sorted(b.id for b in library.briefings(guild))


@pytest.fixture
def configured(tmp_path):
    folder = tmp_path / "configured"
    folder.mkdir()
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    return folder


async def test_a_new_file_is_loaded_once_it_has_settled(make_settings, configured):
    library = Library.load(make_settings(BRIEFBOT_BRIEFINGS=str(configured)))
    watcher = Watcher(library, [configured])
    before = library.shelf.configured
    await watcher.check()
    assert library.shelf.configured is before  # nothing changed, nothing loaded

    (configured / "penguins.txt").write_bytes(PENGUINS[:40])  # still being written
    await watcher.check()
    assert ids(library) == [BUNDLED_ID]
    (configured / "penguins.txt").write_bytes(PENGUINS)  # written: changed again
    await watcher.check()
    assert ids(library) == [BUNDLED_ID]  # not settled yet
    await watcher.check()
    assert ids(library) == sorted([BUNDLED_ID, "penguins"])
    assert library.index(None).briefing("penguins").body.endswith("for three weeks.\n")


async def test_a_removed_file_is_dropped_and_uploads_are_kept(make_settings, configured):
    settings = make_settings(BRIEFBOT_BRIEFINGS=str(configured))
    (configured / "penguins.txt").write_bytes(PENGUINS)
    library = Library.load(settings)
    await library.add(check_upload("notes.txt", b"Kim Jong Un watched the test.\n"), 5)
    watcher = Watcher(library, [configured])
    (configured / "penguins.txt").unlink()
    await watcher.check()
    await watcher.check()
    assert ids(library) == [BUNDLED_ID]
    assert ids(library, 5) == sorted([BUNDLED_ID, "notes"])


def test_the_signature_follows_size_and_modification_time(configured):
    before = files_signature([configured])
    path = configured / f"{BUNDLED_ID}.txt"
    stamp = time.time() + 10
    os.utime(path, (stamp, stamp))
    assert files_signature([configured]) != before
    assert files_signature([configured / "missing"]) == ()


async def test_a_second_library_learns_of_uploads_from_the_store(settings, database_url, tmp_path):
    store = lambda: open_store(tmp_path / "shared", database_url)  # noqa: E731
    first = Library.load(settings, store=store())
    second = Library.load(settings, store=store())
    watcher = Watcher(second, settings.briefings)
    await first.add(check_upload("penguins.txt", PENGUINS), DEFAULT_GUILD_ID)
    await watcher.check()
    assert ids(second, DEFAULT_GUILD_ID) == sorted([BUNDLED_ID, "penguins"])
    first.close()
    second.close()


async def test_the_watcher_merges_a_servers_many_segments(settings):
    library = Library.load(settings)
    for number in range(10):
        upload = check_upload(f"notes-{number}.txt", f"Note {number} on walruses.\n".encode())
        await library.add(upload, DEFAULT_GUILD_ID)
    await Watcher(library, settings.briefings).check()
    assert len(library.index(DEFAULT_GUILD_ID).segments) == 2
    assert len(library.briefings(DEFAULT_GUILD_ID)) == 11


async def answered_within(fake: FakeDiscord, question: str, seconds: float) -> float:
    """Ask until the answer quotes the briefing; how long that took (fails after ``seconds``)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if "4,000 emperor penguins" in await ask(fake, question):
            return time.monotonic() - started
        await asyncio.sleep(0.25)
    pytest.fail(f"not answered within {seconds} s")


@pytest.mark.e2e
async def test_a_file_added_while_the_bot_runs_is_answered_from(
    fake, start_bot, make_settings, configured
):
    await start_bot(make_settings(BRIEFBOT_BRIEFINGS=str(configured)))
    assert "not mention" in await ask(fake, PENGUIN_QUESTION)
    (configured / "penguins.txt").write_bytes(PENGUINS)
    await answered_within(fake, PENGUIN_QUESTION, LIVE_WITHIN)


@pytest.mark.e2e
async def test_two_bot_processes_sharing_a_store_see_each_others_uploads(
    tmp_path, database_url, figures
):
    env = {"BRIEFBOT_DATABASE_URL": database_url} if database_url else {}
    async with FakeDiscord() as first_fake, FakeDiscord() as second_fake:
        first = await launch(first_fake, tmp_path, **env)
        second = await launch(second_fake, tmp_path, **env)
        try:
            await connected(first_fake, first)
            await connected(second_fake, second)
            upload = {"file": FakeAttachment("penguins.txt", PENGUINS, "text/plain")}
            await first_fake.send_slash_command("briefing-add", upload, user=first_fake.owner_id)
            took = await answered_within(second_fake, PENGUIN_QUESTION, LIVE_WITHIN)
            figures.append(
                f"live: an upload in one process answered by another after {took:.1f} s "
                f"({'PostgreSQL' if database_url else 'SQLite'}; bound {LIVE_WITHIN:.0f} s)"
            )
        finally:
            for process in (first, second):
                code, output = await stop(process)
                assert code == 0, output
