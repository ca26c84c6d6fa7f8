"""The shared store: PostgreSQL, for bot processes on several machines.

The schema is the SQLite store's (``bot.store.migrations``). One
connection per process, used by one thread at a time; a connection the
server dropped is opened again on the next call. Migrations take a
transaction-scoped advisory lock, so processes that start together migrate
one after the other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from bot.store.base import Cursor, Store, StoreError
from bot.store.migrations import Dialect, migrate

# pg_advisory_xact_lock's key for schema migrations: any constant, the same in every process.
_MIGRATION_LOCK = 0x62726566
# pg_advisory_xact_lock(int, int)'s first key for a server's settings (the second is the server).
_SETTINGS_LOCK = 0x62727374


class PostgresStore(Store):
    """The store in a PostgreSQL database."""

    placeholder = "%s"

    def __init__(self, url: str) -> None:
        self._url = url
        self._lock = threading.Lock()
        self._connection: psycopg.Connection | None = None

    @classmethod
    def connect(cls, url: str) -> PostgresStore:
        """Connect to ``url`` (``postgresql://…``) and migrate the schema."""
        store = cls(url)
        try:
            migrate(store.transaction, Dialect("BYTEA", "%s", _lock_schema))
        except StoreError:
            store.close()
            raise
        return store

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Cursor]:
        """A cursor in a transaction (PostgreSQL locks rows as they are written)."""
        with self._lock:
            try:
                connection = self._connected()
                with connection.transaction(), connection.cursor() as cursor:
                    yield cursor
            except psycopg.Error as error:
                # The password, if any, is in the URL: name the server by its error only.
                raise StoreError(f"the PostgreSQL store failed: {error}") from None

    def _lock_settings(self, cursor: Cursor, guild_id: int) -> None:
        """Rows that do not exist yet cannot be locked: lock the server's id instead."""
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s::int, %s::int)", (_SETTINGS_LOCK, guild_id % 2**31)
        )

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _connected(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed:
            self._connection = None
            self._connection = psycopg.connect(self._url, autocommit=True, connect_timeout=10)
        return self._connection


def _lock_schema(cursor: Cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
