"""The library: each server sees the configured briefings and its own uploads, nothing else."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from bot.legacy import ADOPTED_SUFFIX
from bot.library import MAX_ADDED_SEGMENTS, BriefingChangedError, Library, LibraryError
from bot.store import open_store
from bot.store.sqlite import SqliteStore
from bot.uploads import check_upload
from tests.bot.conftest import SHOIGU_QUESTION
from tests.conftest import BRIEFINGS, BUNDLED_ID

HOME, OTHER = 1001, 2002  # HOME is set as BRIEFBOT_GUILD_ID below
PENGUINS = b"HOBART: Researchers counted 4,000 emperor penguins, the Antarctic Division said.\n"
OTHER_PENGUINS = (
    b"OSLO: Only 12 emperor penguins were seen near the base, the Norwegian Polar Institute said.\n"
)


@pytest.fixture
def settings(make_settings):
    return make_settings(BRIEFBOT_GUILD_ID=str(HOME))


def ids(briefings) -> list[str]:
    return [briefing.id for briefing in briefings]


async def test_answers_from_the_configured_briefings_everywhere(settings):
    library = Library.load(settings)
    for guild in (HOME, OTHER, None):
        result = await library.answer(SHOIGU_QUESTION, guild_id=guild)
        assert result.answered and result.best.paragraph == 4
        assert ids(library.briefings(guild)) == [BUNDLED_ID]


async def test_an_upload_is_seen_only_in_the_server_that_added_it(settings):
    library = Library.load(settings)
    briefing = await library.add(check_upload("penguins.txt", PENGUINS), OTHER)
    assert briefing.id == "penguins"
    assert ids(library.briefings(OTHER)) == [BUNDLED_ID, "penguins"]
    assert (await library.answer("emperor penguins", guild_id=OTHER)).best.briefing.id == "penguins"
    for guild in (HOME, None):  # another server, and direct messages
        assert ids(library.briefings(guild)) == [BUNDLED_ID]
        assert library.find("penguins", guild) is None
        assert not (await library.answer("emperor penguins", guild_id=guild)).answered
    assert ids(library.removable(OTHER)) == ["penguins"]
    assert library.removable(HOME) == ()

    again = Library.load(settings)
    assert ids(again.briefings(OTHER)) == [BUNDLED_ID, "penguins"]
    assert ids(again.briefings(HOME)) == [BUNDLED_ID]


async def test_two_servers_may_upload_the_same_file_name(settings):
    library = Library.load(settings)
    await library.add(check_upload("penguins.txt", PENGUINS), HOME)
    await library.add(check_upload("penguins.txt", OTHER_PENGUINS), OTHER)
    home = await library.answer("How many emperor penguins?", guild_id=HOME)
    other = await library.answer("How many emperor penguins?", guild_id=OTHER)
    assert "4,000" in home.best.text and "4,000" not in other.best.text
    assert "12 emperor" in other.best.text


async def test_a_taken_name_is_refused_in_that_server_only(settings):
    library = Library.load(settings)
    with pytest.raises(LibraryError, match="already loaded"):
        await library.add(check_upload(f"{BUNDLED_ID}.txt", PENGUINS), HOME)
    await library.add(check_upload("penguins.txt", PENGUINS), HOME)
    with pytest.raises(LibraryError, match="already loaded"):
        await library.add(check_upload("PENGUINS.md", PENGUINS), HOME)
    assert [u.key for u in library.store.uploads()] == [(HOME, "penguins")]


async def test_only_the_owning_server_removes_an_upload(settings):
    library = Library.load(settings)
    await library.add(check_upload("penguins.txt", PENGUINS), OTHER)
    for guild, name in [(HOME, "penguins"), (OTHER, BUNDLED_ID)]:
        with pytest.raises(LibraryError, match="was not added with /briefing-add in this server"):
            await library.remove(name, guild)
    assert ids(library.briefings(OTHER)) == [BUNDLED_ID, "penguins"]
    removed = await library.remove("penguins", OTHER)
    assert removed.id == "penguins"
    assert ids(library.briefings(OTHER)) == [BUNDLED_ID]
    assert library.store.uploads() == ()


async def test_adding_and_removing_never_rebuild_the_configured_segment(settings):
    library = Library.load(settings)
    configured = library.shelf.configured
    await library.add(check_upload("penguins.txt", PENGUINS), HOME)
    assert library.shelf.configured is configured
    assert [len(s.briefings) for s in library.index(HOME).segments] == [1, 1]
    await library.remove("penguins", HOME)
    assert library.shelf.configured is configured


async def test_a_store_that_refuses_the_write_changes_nothing(settings):
    store = SqliteStore.open(settings.data_dir / "briefbot.sqlite3", busy_timeout=0.05)
    library = Library.load(settings, store=store)
    shelf = library.shelf
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        with pytest.raises(LibraryError, match="could not be added: the bot's store refused it"):
            await library.add(check_upload("penguins.txt", PENGUINS), HOME)
        assert library.shelf is shelf
    finally:
        blocker.rollback()
        blocker.close()
    await library.add(check_upload("penguins.txt", PENGUINS), HOME)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LibraryError, match="could not be removed"):
            await library.remove("penguins", HOME)
        assert library.find("penguins", HOME) is not None
    finally:
        blocker.rollback()
        blocker.close()


async def test_another_processs_changes_arrive_with_refresh(settings, tmp_path, database_url):
    url = database_url
    first = Library.load(settings, store=open_store(tmp_path / "shared", url))
    second = Library.load(settings, store=open_store(tmp_path / "shared", url))
    await first.add(check_upload("penguins.txt", PENGUINS), OTHER)
    assert second.find("penguins", OTHER) is None
    assert await second.refresh_uploads()
    assert ids(second.briefings(OTHER)) == [BUNDLED_ID, "penguins"]
    assert not await second.refresh_uploads()  # nothing new
    await first.remove("penguins", OTHER)
    assert await second.refresh_uploads()
    assert ids(second.briefings(OTHER)) == [BUNDLED_ID]
    first.close()
    second.close()


def test_find_by_id_or_title_in_any_case(settings):
    library = Library.load(settings)
    assert library.find(BUNDLED_ID.upper(), None).id == BUNDLED_ID
    assert library.find("  " + BUNDLED_ID + " ", HOME).id == BUNDLED_ID
    assert library.find("nothing", HOME) is None


async def test_old_uploads_are_adopted_for_the_home_server_only(settings):
    settings.uploads_dir.mkdir(parents=True)
    (settings.uploads_dir / "penguins.txt").write_bytes(PENGUINS)
    library = Library.load(settings)
    assert [u.key for u in library.store.uploads()] == [(None, "penguins")]
    assert ids(library.briefings(HOME)) == [BUNDLED_ID, "penguins"]
    assert ids(library.briefings(OTHER)) == [BUNDLED_ID]
    assert ids(library.briefings(None)) == [BUNDLED_ID]
    # Nothing is deleted, and nothing is adopted twice.
    adopted = settings.uploads_dir.with_name("briefings" + ADOPTED_SUFFIX)
    assert (adopted / "penguins.txt").read_bytes() == PENGUINS
    assert not settings.uploads_dir.exists()
    assert len(Library.load(settings).store.uploads()) == 1
    with pytest.raises(LibraryError):
        await library.remove("penguins", OTHER)
    await library.remove("penguins", HOME)
    assert library.store.uploads() == ()


async def test_a_changed_configured_folder_is_loaded_again(settings, make_settings, tmp_path):
    folder = tmp_path / "configured"
    folder.mkdir()
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    library = Library.load(make_settings(BRIEFBOT_BRIEFINGS=str(folder)))
    (folder / "penguins.txt").write_bytes(PENGUINS)
    assert not await library.reload_configured(lambda: False)  # changed while loading
    assert ids(library.briefings(None)) == [BUNDLED_ID]
    assert await library.reload_configured()
    assert sorted(ids(library.briefings(None))) == sorted([BUNDLED_ID, "penguins"])


async def test_a_briefing_changed_under_its_listing_is_refused_then_indexed_again(
    make_settings, tmp_path
):
    folder = tmp_path / "configured"
    folder.mkdir()
    (folder / "penguins.txt").write_bytes(PENGUINS)
    settings = make_settings(BRIEFBOT_BRIEFINGS=str(folder))
    Library.load(settings).close()  # builds the cache
    library = Library.load(settings)  # from the cache: nothing read yet
    # Same size, same time: the watcher cannot see this edit.
    status = (folder / "penguins.txt").stat()
    (folder / "penguins.txt").write_bytes(PENGUINS.replace(b"4,000", b"5,000"))
    os.utime(folder / "penguins.txt", ns=(status.st_atime_ns, status.st_mtime_ns))
    with pytest.raises(BriefingChangedError, match="changed since it was indexed"):
        await library.answer("How many emperor penguins?")
    await library.reindexing
    result = await library.answer("How many emperor penguins?")
    assert "5,000" in result.best.text
    library.close()


async def test_a_changed_briefing_is_indexed_again_even_where_its_cache_cannot_be_removed(
    make_settings, tmp_path, monkeypatch
):
    folder = tmp_path / "configured"
    folder.mkdir()
    (folder / "penguins.txt").write_bytes(PENGUINS)
    settings = make_settings(BRIEFBOT_BRIEFINGS=str(folder))
    Library.load(settings).close()  # builds the cache
    monkeypatch.setattr("index.cache.remove", lambda path: None)  # as in a read-only folder
    library = Library.load(settings)
    status = (folder / "penguins.txt").stat()
    (folder / "penguins.txt").write_bytes(PENGUINS.replace(b"4,000", b"5,000"))
    os.utime(folder / "penguins.txt", ns=(status.st_atime_ns, status.st_mtime_ns))
    with pytest.raises(BriefingChangedError):
        await library.answer("How many emperor penguins?")
    assert await library.reindexing
    result = await library.answer("How many emperor penguins?")
    assert "5,000" in result.best.text
    library.close()


def numbered(number: int) -> bytes:
    return f"Briefing {number} reports that {number * 7} zebras crossed the river.\n".encode()


async def add_many(library: Library, guild: int, count: int) -> None:
    for number in range(count):
        await library.add(check_upload(f"zebras-{number}.txt", numbered(number)), guild)


async def test_many_small_segments_are_merged_and_score_the_same(settings):
    library = Library.load(settings)
    await add_many(library, OTHER, 12)
    await library.add(check_upload("penguins.txt", PENGUINS), HOME)
    question = "How many zebras crossed the river in briefing 7?"
    before = await library.answer(question, guild_id=OTHER)
    assert len(library.index(OTHER).segments) == 13

    assert await library.merge_segments() == 1  # HOME has one upload: left alone
    assert len(library.index(OTHER).segments) == 2
    after = await library.answer(question, guild_id=OTHER)
    assert [(p.briefing.id, p.score) for p in after.passages] == [
        (p.briefing.id, p.score) for p in before.passages
    ]
    assert ids(library.briefings(HOME)) == [BUNDLED_ID, "penguins"]

    await library.remove("zebras-7", OTHER)
    assert "zebras-7" not in ids(library.briefings(OTHER))
    assert len(ids(library.briefings(OTHER))) == 12
    assert len(library.index(OTHER).segments) == 2


async def test_a_merged_segment_removed_from_elsewhere_is_loaded_again(settings, tmp_path):
    first = Library.load(settings, store=open_store(tmp_path / "shared"))
    second = Library.load(settings, store=open_store(tmp_path / "shared"))
    await add_many(first, OTHER, 10)
    await second.refresh_uploads()
    await second.merge_segments()
    assert len(second.index(OTHER).segments) == 2
    await first.remove("zebras-3", OTHER)
    assert await second.refresh_uploads()
    assert len(ids(second.briefings(OTHER))) == 10  # the bundled one and nine zebras
    assert "zebras-3" not in ids(second.briefings(OTHER))


async def test_a_configured_file_of_an_uploads_name_hides_only_that_upload(make_settings, tmp_path):
    folder = tmp_path / "configured"
    folder.mkdir()
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    library = Library.load(make_settings(BRIEFBOT_BRIEFINGS=str(folder)))
    await add_many(library, OTHER, 10)
    await library.merge_segments()
    (folder / "zebras-4.txt").write_bytes(b"The operator's own zebra briefing.\n")
    assert await library.reload_configured()
    visible = ids(library.briefings(OTHER))
    assert len(visible) == 11 and "zebras-9" in visible
    assert library.find("zebras-4", OTHER).body.startswith("The operator's own")


async def test_configured_files_only_added_become_a_segment_of_their_own(make_settings, tmp_path):
    folder = tmp_path / "configured"
    folder.mkdir()
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    library = Library.load(make_settings(BRIEFBOT_BRIEFINGS=str(folder)))
    configured = library.shelf.configured
    (folder / "penguins.txt").write_bytes(PENGUINS)
    assert await library.reload_configured()
    assert library.shelf.configured is configured  # not rebuilt
    assert [ids(s.briefings) for s in library.shelf.added] == [["penguins"]]
    for guild in (None, OTHER):
        assert "4,000" in (await library.answer("emperor penguins", guild_id=guild)).best.text
    assert await library.reload_configured()  # nothing changed: nothing new
    assert len(library.shelf.added) == 1

    (folder / "penguins.txt").write_bytes(OTHER_PENGUINS)  # a change: rebuild it all
    assert await library.reload_configured()
    assert library.shelf.configured is not configured and library.shelf.added == ()
    assert "12 emperor" in (await library.answer("emperor penguins")).best.text


async def test_many_added_configured_segments_are_folded_into_the_index(make_settings, tmp_path):
    folder = tmp_path / "configured"
    folder.mkdir()
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    library = Library.load(make_settings(BRIEFBOT_BRIEFINGS=str(folder)))
    for number in range(MAX_ADDED_SEGMENTS + 1):
        (folder / f"zebras-{number}.txt").write_bytes(numbered(number))
        assert await library.reload_configured()
    assert library.shelf.added == ()
    assert len(library.shelf.configured.briefings) == MAX_ADDED_SEGMENTS + 2
