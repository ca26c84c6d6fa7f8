"""The shared store: PostgreSQL, for bot processes on several machines.

The schema is the SQLite store's (``bot.store.migrations``). One
connection per process, used by one thread at a time; a connection the
server dropped is opened again on the next call. Migrations take a
transaction-scoped advisory lock, so processes that start together migrate
one after the other.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

import psycopg

from bot.store.base import Cursor, NoDatabaseError, Store, StoreError
from bot.store.migrations import Dialect, check_schema, current_version, migrate

# pg_advisory_xact_lock's key for schema migrations: any constant, the same in every process.
_MIGRATION_LOCK = 0x62726566
# pg_advisory_xact_lock(int, int)'s first key for a server's settings (the second is the server).
_SETTINGS_LOCK = 0x62727374
# A password where libpq takes one: in a URL's user part, or as a ``password=`` setting.
_URL_PASSWORD = re.compile(
    r"(?P<keep>[A-Za-z][\w+.-]*://[^:/?#@\s\"']*:)(?P<password>[^/?#\"'\n]*)@"
)
_SETTING_PASSWORD = re.compile(
    r"(?P<keep>password\s*=\s*)(?P<password>'(?:[^'\\]|\\.)*'?|[^\s&'\"]+)", re.IGNORECASE
)
HIDDEN = "********"
# A password shorter than this is hidden only where it stands as one: replacing it
# everywhere would blot out letters of the message.
_SHORTEST_LITERAL = 4


class PostgresStore(Store):
    """The store in a PostgreSQL database."""

    placeholder = "%s"

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self._url = url
        self._read_only = read_only
        self._lock = threading.Lock()
        self._connection: psycopg.Connection | None = None

    @classmethod
    def connect(cls, url: str, *, read_only: bool = False) -> PostgresStore:
        """Connect to ``url`` (``postgresql://…``) and migrate the schema.

        ``read_only``: migrate nothing and run every transaction READ ONLY;
        NoDatabaseError if briefbot has made no tables there, a StoreError if
        the schema is not the newest.
        """
        store = cls(url, read_only=read_only)
        try:
            if read_only:
                store._check_schema()
            else:
                migrate(store.transaction, Dialect("BYTEA", "%s", _lock_schema))
        except StoreError:
            store.close()
            raise
        return store

    def _check_schema(self) -> None:
        with self.transaction(write=False) as cursor:
            cursor.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
            history = bool(cursor.fetchone()[0])
            version = current_version(cursor) if history else None
        if version is None:
            raise NoDatabaseError("briefbot has made no tables in the PostgreSQL database yet")
        check_schema(version)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Cursor]:
        """A cursor in a transaction (PostgreSQL locks rows as they are written)."""
        with self._lock:
            try:
                connection = self._connected()
                with connection.transaction(), connection.cursor() as cursor:
                    yield cursor
            except psycopg.Error as error:
                # libpq quotes a URL it cannot parse, password and all.
                message = redact(str(error), self._url)
                raise StoreError(f"the PostgreSQL store failed: {message}") from None

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
            if self._read_only:  # every transaction begins READ ONLY: the server refuses writes
                self._connection.read_only = True
        return self._connection


def redact(message: str, url: str) -> str:
    """``message`` on one line, without the password of ``url`` or any other it shows."""
    secrets = {
        found["password"].strip("'")
        for pattern in (_URL_PASSWORD, _SETTING_PASSWORD)
        for found in pattern.finditer(url)
    }
    for secret in sorted(secrets | {unquote(secret) for secret in secrets}, key=len, reverse=True):
        if len(secret) >= _SHORTEST_LITERAL:
            message = message.replace(secret, HIDDEN)
    message = _URL_PASSWORD.sub(rf"\g<keep>{HIDDEN}@", message)
    message = _SETTING_PASSWORD.sub(rf"\g<keep>{HIDDEN}", message)
    return " ".join(message.split())


def _lock_schema(cursor: Cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
