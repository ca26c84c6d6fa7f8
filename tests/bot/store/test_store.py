"""The store, on both engines: uploads belong to a server, settings are per server."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.server_settings import ServerSettings
from bot.store import Store, StoredUpload, StoreError, UploadTakenError, open_store
from bot.store.sqlite import SqliteStore

HOME, OTHER = 111, 222


@pytest.fixture
def store(tmp_path, database_url) -> Store:
    opened = open_store(tmp_path / "data", database_url)
    yield opened
    opened.close()


def ids(uploads: tuple[StoredUpload, ...]) -> list[tuple[int | None, str]]:
    return [upload.key for upload in uploads]


def test_an_upload_belongs_to_the_server_that_added_it(store):
    added = store.add_upload(HOME, "penguins.txt", b"Penguins.\n")
    assert added.guild_id == HOME
    assert added.briefing_id == "penguins"
    assert ids(store.uploads()) == [(HOME, "penguins")]
    assert store.upload_data(HOME, "penguins") == b"Penguins.\n"
    assert store.upload_data(OTHER, "penguins") is None


def test_two_servers_may_upload_the_same_name(store):
    store.add_upload(HOME, "penguins.txt", b"Ours.\n")
    store.add_upload(OTHER, "penguins.md", b"Theirs.\n")
    assert sorted(ids(store.uploads())) == [(HOME, "penguins"), (OTHER, "penguins")]
    assert store.upload_data(OTHER, "penguins") == b"Theirs.\n"


def test_one_server_cannot_take_a_name_twice(store):
    store.add_upload(HOME, "penguins.txt", b"First.\n")
    with pytest.raises(UploadTakenError, match="already loaded"):
        store.add_upload(HOME, "penguins.md", b"Second.\n")
    assert store.upload_data(HOME, "penguins") == b"First.\n"


def test_only_the_owning_server_removes_an_upload(store):
    store.add_upload(HOME, "penguins.txt", b"Penguins.\n")
    assert not store.remove_upload(OTHER, "penguins")
    assert ids(store.uploads()) == [(HOME, "penguins")]
    assert store.remove_upload(HOME, "penguins")
    assert store.uploads() == ()


def test_every_change_moves_the_version_and_nothing_else_does(store):
    start = store.version()
    store.add_upload(None, "old.txt", b"Adopted.\n")
    store.set_setting(HOME, "private", "true")
    store.remove_upload(OTHER, "old")
    assert store.version() == start + 1
    assert store.assign_upload("old", HOME)
    assert store.remove_upload(HOME, "old")
    assert store.version() == start + 3


def test_an_unassigned_upload_can_be_given_to_a_server(store):
    store.add_upload(None, "old.txt", b"Adopted.\n")
    assert ids(store.uploads()) == [(None, "old")]
    assert store.assign_upload("old", OTHER)
    assert ids(store.uploads()) == [(OTHER, "old")]
    assert not store.assign_upload("old", HOME)


def test_settings_are_per_server(store):
    assert store.setting(HOME, "private") is None
    store.set_setting(HOME, "private", "true")
    store.set_setting(OTHER, "private", "false")
    store.set_setting(HOME, "private", "false")
    assert store.setting(HOME, "private") == "false"
    assert store.setting(OTHER, "private") == "false"
    store.set_setting(HOME, "private", None)
    assert store.setting(HOME, "private") is None


def test_a_servers_settings_are_written_together_and_read_in_one_go(store):
    store.set_settings(HOME, {"private": "true", "threads": "true", "channels": "5,7"})
    store.set_settings(OTHER, {"threads": "true"})
    assert store.settings(HOME) == {"private": "true", "threads": "true", "channels": "5,7"}
    store.set_settings(HOME, {"private": None, "channels": "7"})
    assert store.settings(HOME) == {"threads": "true", "channels": "7"}
    assert store.settings(OTHER) == {"threads": "true"}
    assert store.settings(333) == {}


def test_settings_changed_at_once_by_two_processes_both_count(tmp_path, database_url):
    """Two stores (as two processes) each add a channel, interleaved: neither is lost."""
    first = open_store(tmp_path / "data", database_url)
    second = open_store(tmp_path / "data", database_url)
    read = threading.Event()

    def add(channel: int, *, wait: bool):
        def change(stored: dict[str, str]) -> dict[str, str | None]:
            read.set()
            if wait:  # hold the first change open while the second one tries
                time.sleep(0.3)
            return ServerSettings.from_stored(stored).changed(add=channel).stored()

        return change

    try:
        slow = threading.Thread(target=first.update_settings, args=(HOME, add(5, wait=True)))
        slow.start()
        read.wait(5)
        updated = second.update_settings(HOME, add(7, wait=False))
        slow.join(5)
        assert updated["channels"] == "5,7"
        assert ServerSettings.from_stored(first.settings(HOME)).channels == {5, 7}
    finally:
        first.close()
        second.close()


def test_a_refused_settings_change_changes_nothing(store):
    store.set_settings(HOME, {"threads": "true"})

    def refuse(stored: dict[str, str]) -> dict[str, str | None]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.update_settings(HOME, refuse)
    assert store.settings(HOME) == {"threads": "true"}


def test_server_settings_round_trip_through_the_store(tmp_path, database_url):
    chosen = ServerSettings(
        private=True, threads=True, channels=frozenset({5, 1234567890123456789})
    )
    first = open_store(tmp_path / "data", database_url)
    try:
        first.set_settings(HOME, chosen.stored())
    finally:
        first.close()
    reopened = open_store(tmp_path / "data", database_url)
    try:
        assert ServerSettings.from_stored(reopened.settings(HOME)) == chosen
        reopened.set_settings(HOME, ServerSettings().stored())
        assert reopened.settings(HOME) == {}
    finally:
        reopened.close()


def test_what_one_connection_writes_the_next_one_reads(tmp_path, database_url):
    first = open_store(tmp_path / "data", database_url)
    second = open_store(tmp_path / "data", database_url)
    try:
        first.add_upload(HOME, "penguins.txt", b"Penguins.\n")
        assert ids(second.uploads()) == [(HOME, "penguins")]
        assert second.version() == first.version()
    finally:
        first.close()
        second.close()


def test_concurrent_writers_lose_nothing(tmp_path, database_url):
    stores = [open_store(tmp_path / "data", database_url) for _ in range(4)]

    def add(number: int, store: Store) -> None:
        for upload in range(10):
            store.add_upload(number + 1, f"briefing-{upload}.txt", b"Text.\n")

    try:
        threads = [threading.Thread(target=add, args=pair) for pair in enumerate(stores)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(stores[0].uploads()) == 40
        assert stores[0].version() == 40
    finally:
        for store in stores:
            store.close()


def test_a_store_opened_while_another_process_writes_the_file_waits_for_it(tmp_path):
    # Switching a new file to WAL needs it to itself, and SQLite refuses at once
    # ("database is locked") instead of waiting: two bot processes starting
    # together had one of them exit.
    path = tmp_path / "briefbot.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE elsewhere (x)")
    opened: list[object] = []
    opener = threading.Thread(target=lambda: opened.append(_open(path)))
    opener.start()
    time.sleep(0.5)
    other.execute("COMMIT")
    other.close()
    opener.join(timeout=30)
    assert opened == ["ok"]


def _open(path: Path) -> str:
    try:
        SqliteStore.open(path).close()
    except StoreError as error:
        return str(error)
    return "ok"


@pytest.mark.parametrize(
    ("message", "url", "shown"),
    [
        (
            'missing "=" after "postgres://bb:p@ss w0rd@db/bb" in connection info string',
            "postgres://bb:p@ss w0rd@db/bb",
            'missing "=" after "postgres://bb:********@db/bb" in connection info string',
        ),
        (
            "unterminated quoted string in connection info string: password='a b",
            "host=db password='a b",
            "unterminated quoted string in connection info string: password=********",
        ),
        (
            'connection to server at "db", port 1 failed:\n\tIs the server running?',
            "postgresql://bb@db:1/bb",
            'connection to server at "db", port 1 failed: Is the server running?',
        ),
    ],
)
def test_a_postgresql_error_is_shown_on_one_line_without_the_password(message, url, shown):
    from bot.store.postgres import redact

    assert redact(message, url) == shown
