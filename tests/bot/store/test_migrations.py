"""Schema migrations: applied once, in order, recorded, and never run backwards."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store import StoreError, open_store
from bot.store.migrations import MIGRATIONS, Dialect, Migration, migrate, recorded_versions
from bot.store.sqlite import SqliteStore

SQLITE = Dialect("BLOB", "?", lambda _: None)
LATEST = MIGRATIONS[-1].version


def test_a_new_database_gets_every_migration_recorded(tmp_path, database_url):
    store = open_store(tmp_path / "data", database_url)
    try:
        with store.transaction() as cursor:
            assert recorded_versions(cursor) == [m.version for m in MIGRATIONS]
    finally:
        store.close()


def test_reopening_applies_nothing_and_keeps_the_data(tmp_path, database_url):
    store = open_store(tmp_path / "data", database_url)
    store.add_upload(7, "kept.txt", b"Kept.\n")
    store.close()
    store = open_store(tmp_path / "data", database_url)
    try:
        assert migrate(store.transaction, _dialect(store)) == []
        assert store.upload_data(7, "kept") == b"Kept.\n"
    finally:
        store.close()


def test_a_later_migration_applies_only_itself(tmp_path, database_url):
    store = open_store(tmp_path / "data", database_url)
    store.add_upload(7, "kept.txt", b"Kept.\n")
    later = Migration(LATEST + 1, "a note per upload", ("ALTER TABLE uploads ADD note TEXT",))
    try:
        assert migrate(store.transaction, _dialect(store), (*MIGRATIONS, later)) == [LATEST + 1]
        with store.transaction() as cursor:
            assert recorded_versions(cursor)[-1] == LATEST + 1
            cursor.execute("SELECT briefing_id, note FROM uploads")
            assert [tuple(row) for row in cursor.fetchall()] == [("kept", None)]
    finally:
        store.close()


def test_a_database_from_a_newer_briefbot_is_refused(tmp_path, database_url):
    store = open_store(tmp_path / "data", database_url)
    later = Migration(LATEST + 1, "from the future", ("CREATE TABLE future (x INTEGER)",))
    migrate(store.transaction, _dialect(store), (*MIGRATIONS, later))
    store.close()
    with pytest.raises(StoreError, match=f"schema version {LATEST + 1}.*upgrade briefbot"):
        open_store(tmp_path / "data", database_url)


def test_a_failed_migration_leaves_the_schema_as_it_was(tmp_path):
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    broken = Migration(LATEST + 1, "broken", ("CREATE TABLE half (x INTEGER)", "NOT SQL"))
    with pytest.raises(StoreError):
        migrate(store.transaction, SQLITE, (*MIGRATIONS, broken))
    with store.transaction() as cursor:
        assert recorded_versions(cursor)[-1] == LATEST
        with pytest.raises(sqlite3.OperationalError):
            cursor.execute("SELECT x FROM half")
    store.close()


def test_the_sqlite_store_uses_write_ahead_logging(tmp_path):
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    with store.transaction(write=False) as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    store.close()


def _dialect(store: object) -> Dialect:
    if isinstance(store, SqliteStore):
        return SQLITE
    from bot.store.postgres import _lock_schema

    return Dialect("BYTEA", "%s", _lock_schema)
