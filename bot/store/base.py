"""The store's contract, and the SQL both engines share.

An upload belongs to one server (``guild_id``), or to none (``None``: a
file adopted from an older data folder, shown only in the operator's home
server until it is assigned). Two servers may hold uploads with the same
briefing id. Every change to the uploads adds one to ``version`` in the same
transaction, so a process that polls the version learns of every change.

Engines differ only in how they connect, lock and spell a placeholder; the
queries are written once here with ``?`` placeholders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

# Discord ids are never 0, so 0 stands for "no server" in the guild_id columns
# (a NULL would not take part in the primary key the same way on both engines).
NO_GUILD = 0


class StoreError(Exception):
    """The store cannot be opened or used; the message says why."""


class UploadTakenError(StoreError):
    """The server already has an upload with this briefing id; the message says so."""


@dataclass(frozen=True)
class StoredUpload:
    """An upload as the store lists it (without its bytes)."""

    guild_id: int | None
    briefing_id: str
    filename: str
    digest: str
    added_at: str

    @property
    def key(self) -> tuple[int | None, str]:
        """What identifies the upload: its server and its briefing id."""
        return (self.guild_id, self.briefing_id)


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses."""

    def execute(self, query: Any, params: Sequence[Any] = ...) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...


class Store(ABC):
    """Uploads, per-server settings and the library version, in a SQL database."""

    placeholder = "?"

    @abstractmethod
    def transaction(self, *, write: bool = True) -> AbstractContextManager[Cursor]:
        """A cursor inside a transaction that commits on success and rolls back on error.

        ``write=False`` promises only reads, which an engine may run without a write lock.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def _run(self, cursor: Cursor, query: str, params: Sequence[Any] = ()) -> Cursor:
        cursor.execute(query.replace("?", self.placeholder), params)
        return cursor

    def add_upload(self, guild_id: int | None, filename: str, data: bytes) -> StoredUpload:
        """Store an upload for a server; UploadTakenError if its id is taken there."""
        briefing_id = filename.rsplit(".", 1)[0]
        upload = StoredUpload(
            guild_id, briefing_id, filename, hashlib.sha256(data).hexdigest(), _now()
        )
        with self.transaction() as cursor:
            if self._exists(cursor, guild_id, briefing_id):
                raise UploadTakenError(
                    f"A briefing named “{briefing_id}” is already loaded. "
                    "Remove it first, or rename the file."
                )
            self._run(
                cursor,
                "INSERT INTO uploads (guild_id, briefing_id, filename, data, digest, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (_column(guild_id), briefing_id, filename, data, upload.digest, upload.added_at),
            )
            self._bump(cursor)
        return upload

    def remove_upload(self, guild_id: int | None, briefing_id: str) -> bool:
        """Delete a server's upload; False if it had none with this id."""
        with self.transaction() as cursor:
            removed = self._run(
                cursor,
                "DELETE FROM uploads WHERE guild_id = ? AND briefing_id = ?",
                (_column(guild_id), briefing_id),
            ).rowcount
            if removed:
                self._bump(cursor)
        return bool(removed)

    def assign_upload(self, briefing_id: str, guild_id: int) -> bool:
        """Give an upload that belongs to no server to ``guild_id``; False if there is none."""
        with self.transaction() as cursor:
            if self._exists(cursor, guild_id, briefing_id):
                raise UploadTakenError(f"Server {guild_id} already has “{briefing_id}”.")
            moved = self._run(
                cursor,
                "UPDATE uploads SET guild_id = ? WHERE guild_id = ? AND briefing_id = ?",
                (guild_id, NO_GUILD, briefing_id),
            ).rowcount
            if moved:
                self._bump(cursor)
        return bool(moved)

    def uploads(self) -> tuple[StoredUpload, ...]:
        """Every server's uploads, oldest first."""
        with self.transaction(write=False) as cursor:
            rows = self._run(
                cursor,
                "SELECT guild_id, briefing_id, filename, digest, added_at FROM uploads"
                " ORDER BY added_at, guild_id, briefing_id",
            ).fetchall()
        return tuple(StoredUpload(_guild(row[0]), *row[1:]) for row in rows)

    def upload_data(self, guild_id: int | None, briefing_id: str) -> bytes | None:
        """The bytes of a server's upload, or None if it is gone."""
        with self.transaction(write=False) as cursor:
            row = self._run(
                cursor,
                "SELECT data FROM uploads WHERE guild_id = ? AND briefing_id = ?",
                (_column(guild_id), briefing_id),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def version(self) -> int:
        """A number that changes whenever an upload is added, removed or assigned."""
        with self.transaction(write=False) as cursor:
            row = self._run(cursor, "SELECT version FROM library_version WHERE id = 1").fetchone()
        return int(row[0])

    def setting(self, guild_id: int, name: str) -> str | None:
        """A server's setting, or None if it has not set it."""
        with self.transaction(write=False) as cursor:
            row = self._run(
                cursor,
                "SELECT value FROM guild_settings WHERE guild_id = ? AND name = ?",
                (guild_id, name),
            ).fetchone()
        return None if row is None else str(row[0])

    def settings(self, guild_id: int) -> dict[str, str]:
        """Every setting a server has set, by name, in one read."""
        with self.transaction(write=False) as cursor:
            rows = self._run(
                cursor, "SELECT name, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchall()
        return {str(name): str(value) for name, value in rows}

    def set_setting(self, guild_id: int, name: str, value: str | None) -> None:
        """Set (or, with None, clear) a server's setting."""
        self.set_settings(guild_id, {name: value})

    def set_settings(self, guild_id: int, values: Mapping[str, str | None]) -> None:
        """Set (or, with None, clear) several of a server's settings in one transaction."""
        with self.transaction() as cursor:
            for name, value in values.items():
                self._run(
                    cursor,
                    "DELETE FROM guild_settings WHERE guild_id = ? AND name = ?",
                    (guild_id, name),
                )
                if value is not None:
                    self._run(
                        cursor,
                        "INSERT INTO guild_settings (guild_id, name, value) VALUES (?, ?, ?)",
                        (guild_id, name, value),
                    )

    def _exists(self, cursor: Cursor, guild_id: int | None, briefing_id: str) -> bool:
        row = self._run(
            cursor,
            "SELECT 1 FROM uploads WHERE guild_id = ? AND briefing_id = ?",
            (_column(guild_id), briefing_id),
        ).fetchone()
        return row is not None

    def _bump(self, cursor: Cursor) -> None:
        self._run(cursor, "UPDATE library_version SET version = version + 1 WHERE id = 1")


def _column(guild_id: int | None) -> int:
    return NO_GUILD if guild_id is None else guild_id


def _guild(value: int) -> int | None:
    return None if value == NO_GUILD else int(value)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
