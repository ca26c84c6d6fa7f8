"""The schema, as a list of migrations applied in order and recorded in the database.

Each migration is data: a version, what it does, and its statements, with
``{blob}`` standing for the engine's byte-string type. ``migrate`` creates
the ``schema_migrations`` table, applies every migration newer than the
newest recorded one (each in its own transaction, recorded in the same
transaction) and refuses a database that a newer briefbot has written.
The engine's ``lock_schema`` keeps two processes that start together from
migrating at once. ``check_schema`` is for readers that must change nothing:
it refuses a schema other than the newest instead of migrating it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from bot.store.base import Cursor, StoreError


@dataclass(frozen=True)
class Migration:
    """One step of the schema."""

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "uploads with the server that owns them, per-server settings, the library version",
        (
            "CREATE TABLE uploads ("
            " guild_id BIGINT NOT NULL,"
            " briefing_id TEXT NOT NULL,"
            " filename TEXT NOT NULL,"
            " data {blob} NOT NULL,"
            " digest TEXT NOT NULL,"
            " added_at TEXT NOT NULL,"
            " PRIMARY KEY (guild_id, briefing_id))",
            "CREATE TABLE guild_settings ("
            " guild_id BIGINT NOT NULL,"
            " name TEXT NOT NULL,"
            " value TEXT NOT NULL,"
            " PRIMARY KEY (guild_id, name))",
            "CREATE TABLE library_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)",
            "INSERT INTO library_version (id, version) VALUES (1, 0)",
        ),
    ),
    Migration(
        2,
        "answers with the passages they quoted, the words briefings lacked, and votes",
        (
            "CREATE TABLE answers ("
            " id TEXT PRIMARY KEY,"
            " guild_id BIGINT NOT NULL,"
            " asked_at TEXT NOT NULL,"
            " command TEXT NOT NULL,"
            " outcome TEXT NOT NULL,"
            " scope TEXT NULL,"
            " question TEXT NULL)",
            "CREATE INDEX answers_by_server ON answers (guild_id, asked_at)",
            "CREATE INDEX answers_by_age ON answers (asked_at)",
            "CREATE TABLE answer_passages ("
            " answer_id TEXT NOT NULL,"
            " rank INTEGER NOT NULL,"
            " briefing_id TEXT NOT NULL,"
            " digest TEXT NOT NULL,"
            " paragraph INTEGER NOT NULL,"
            " chunk_start INTEGER NOT NULL,"
            " chunk_end INTEGER NOT NULL,"
            " tokens INTEGER NOT NULL,"
            " sentence_start INTEGER NOT NULL,"
            " sentence_end INTEGER NOT NULL,"
            " score DOUBLE PRECISION NOT NULL,"
            " PRIMARY KEY (answer_id, rank))",
            "CREATE TABLE missing_words ("
            " answer_id TEXT NOT NULL,"
            " folded TEXT NOT NULL,"
            " word TEXT NOT NULL,"
            " PRIMARY KEY (answer_id, folded))",
            "CREATE INDEX missing_words_by_word ON missing_words (folded)",
            "CREATE TABLE votes ("
            " answer_id TEXT NOT NULL,"
            " voter TEXT NOT NULL,"
            " helpful BOOLEAN NOT NULL,"
            " voted_at TEXT NOT NULL,"
            " PRIMARY KEY (answer_id, voter))",
        ),
    ),
)

_HISTORY = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Dialect:
    """What differs between engines when migrating."""

    blob: str
    placeholder: str
    lock_schema: Callable[[Cursor], None]


def migrate(
    transaction: Callable[[], AbstractContextManager[Cursor]],
    dialect: Dialect,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> list[int]:
    """Bring the schema up to date; returns the versions applied now."""
    applied = []
    for migration in migrations:
        with transaction() as cursor:
            dialect.lock_schema(cursor)
            cursor.execute(_HISTORY)
            current = _current_version(cursor)
            newest = max(m.version for m in migrations)
            if current > newest:
                raise StoreError(
                    f"the database has schema version {current}, but this briefbot knows "
                    f"only up to {newest}: upgrade briefbot"
                )
            if migration.version <= current:
                continue
            for statement in migration.statements:
                cursor.execute(statement.format(blob=dialect.blob))
            cursor.execute(
                "INSERT INTO schema_migrations (version, description, applied_at)"
                " VALUES (?, ?, ?)".replace("?", dialect.placeholder),
                (migration.version, migration.description, dt.datetime.now(dt.UTC).isoformat()),
            )
            applied.append(migration.version)
    return applied


class OutdatedSchemaError(StoreError):
    """The database has an older schema, and the reader may not migrate it."""


def check_schema(current: int, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Refuse a database at schema version ``current`` unless it is the newest one.

    For readers that must change nothing: ``current`` is ``current_version`` of
    the database, or 0 where it has no ``schema_migrations`` table.
    """
    newest = max(m.version for m in migrations)
    if current > newest:
        raise StoreError(
            f"the database has schema version {current}, but this briefbot knows "
            f"only up to {newest}: upgrade briefbot"
        )
    if current < newest:
        raise OutdatedSchemaError(
            f"the database has schema version {current}, older than this briefbot's "
            f"{newest}: start the bot (briefbot run), or run `briefbot uploads`, "
            "which migrate it, then report again"
        )


def recorded_versions(cursor: Cursor) -> list[int]:
    """The versions the database says were applied, in order."""
    cursor.execute("SELECT version FROM schema_migrations ORDER BY version")
    return [int(row[0]) for row in cursor.fetchall()]


def current_version(cursor: Cursor) -> int:
    """The newest version the database's ``schema_migrations`` records (0 if none)."""
    return _current_version(cursor)


def _current_version(cursor: Cursor) -> int:
    cursor.execute("SELECT MAX(version) FROM schema_migrations")
    row = cursor.fetchone()
    return 0 if row is None or row[0] is None else int(row[0])
