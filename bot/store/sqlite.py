"""The embedded store: one SQLite file in the data folder, in WAL mode.

WAL lets readers go on while one process writes, so several bot processes
on one machine can share the file. Writes take the lock when they begin
(``BEGIN IMMEDIATE``), so two writers queue instead of failing halfway, and
a busy database is waited for rather than refused. Reads have a connection
of their own, so a read never queues behind a write that is waiting for
another process. Deleted rows are overwritten (``secure_delete``), so a
purged question's text does not linger in the file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.store.base import Cursor, NoDatabaseError, Store, StoreError
from bot.store.migrations import Dialect, check_schema, current_version, migrate

BUSY_TIMEOUT_SECONDS = 30.0
_WAL_RETRY_SECONDS = 0.05


class SqliteStore(Store):
    """The store in a SQLite file."""

    def __init__(
        self, connection: sqlite3.Connection, reader: sqlite3.Connection, path: Path
    ) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._reader = reader
        self._read_lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> SqliteStore:
        """Open (creating if need be) and migrate the database at ``path``.

        ``busy_timeout``: how long to wait for another process's write to finish.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = _connect(path, busy_timeout)
            _use_wal(connection, busy_timeout)
            store = cls(connection, _connect(path, busy_timeout), path)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot open the database {path}: {error}") from error
        migrate(store.transaction, Dialect("BLOB", "?", lambda _: None))
        return store

    @classmethod
    def open_read_only(cls, path: Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> SqliteStore:
        """Open the database at ``path`` to read only: never created, migrated or written.

        NoDatabaseError if there is no file; a StoreError if its schema is not the newest.
        """
        if not path.is_file():
            raise NoDatabaseError(f"there is no database at {path} yet")
        try:
            store = cls(
                _connect(path, busy_timeout, read_only=True),
                _connect(path, busy_timeout, read_only=True),
                path,
            )
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the database {path}: {error}") from error
        try:
            with store.transaction(write=False) as cursor:
                history = _has_table(cursor, "schema_migrations")
                check_schema(current_version(cursor) if history else 0)
        except StoreError:
            store.close()
            raise
        return store

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Cursor]:
        """A cursor in a transaction; a writing one holds the write lock from the start."""
        connection, lock = (
            (self._connection, self._lock) if write else (self._reader, self._read_lock)
        )
        with lock:
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.Error as error:
                cursor.close()
                raise StoreError(f"the database {self.path} failed: {error}") from error
            try:
                yield cursor
                connection.commit()
            except sqlite3.Error as error:
                connection.rollback()
                raise StoreError(f"the database {self.path} failed: {error}") from error
            except BaseException:
                connection.rollback()
                raise
            finally:
                cursor.close()

    def _lock_settings(self, cursor: Cursor, guild_id: int) -> None:
        """Nothing to do: a writing transaction (``BEGIN IMMEDIATE``) excludes every other."""

    def close(self) -> None:
        """Close the database file."""
        with self._lock, self._read_lock:
            self._reader.close()
            self._connection.close()


def _connect(path: Path, busy_timeout: float, *, read_only: bool = False) -> sqlite3.Connection:
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro" if read_only else path,
        timeout=busy_timeout,
        isolation_level=None,  # transactions are begun explicitly
        check_same_thread=False,  # used from worker threads, one at a time
        uri=read_only,
    )
    if not read_only:
        connection.execute("PRAGMA secure_delete=ON")
    return connection


def _has_table(cursor: Cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return cursor.fetchone() is not None


def _use_wal(connection: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch the file to WAL, waiting out another process that opens it at the same time.

    Changing the journal mode needs the file to itself, and SQLite answers
    "database is locked" at once instead of calling its busy handler, so two
    processes starting together would have one of them refused.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(_WAL_RETRY_SECONDS)
