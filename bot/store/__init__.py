"""The store: what briefbot keeps that is not a briefing file.

Uploads (with the server that owns them), per-server settings, a
version number that changes with every upload or removal, so every process
sharing the store can tell that it should reload, and feedback: the answers
given, with the passages they quoted, the words briefings lacked and the
members' votes (``bot.feedback``). ``Store`` is the only
interface the rest of the bot sees; SQLite (``bot.store.sqlite``, the
default, in the data folder) and PostgreSQL (``bot.store.postgres``, when
``BRIEFBOT_DATABASE_URL`` is set) implement it with the same schema
(``bot.store.migrations``).
"""

from __future__ import annotations

from pathlib import Path

from bot.store.base import NoDatabaseError, Store, StoredUpload, StoreError, UploadTakenError

__all__ = [
    "NoDatabaseError",
    "Store",
    "StoreError",
    "StoredUpload",
    "UploadTakenError",
    "open_store",
    "open_store_to_read",
]

SQLITE_FILE = "briefbot.sqlite3"


def open_store(data_dir: Path, database_url: str | None = None) -> Store:
    """PostgreSQL at ``database_url`` if given, else SQLite in ``data_dir``; migrated."""
    if database_url:
        from bot.store.postgres import PostgresStore

        return PostgresStore.connect(database_url)
    from bot.store.sqlite import SqliteStore

    return SqliteStore.open(data_dir / SQLITE_FILE)


def open_store_to_read(data_dir: Path, database_url: str | None = None) -> Store:
    """The store as it is, to read only: nothing is created, migrated or written.

    NoDatabaseError if briefbot has not made its database yet; a StoreError
    (``OutdatedSchemaError``) if its schema is older than this briefbot's.
    """
    if database_url:
        from bot.store.postgres import PostgresStore

        return PostgresStore.connect(database_url, read_only=True)
    from bot.store.sqlite import SqliteStore

    return SqliteStore.open_read_only(data_dir / SQLITE_FILE)
