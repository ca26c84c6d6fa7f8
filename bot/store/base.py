"""The store's contract, and the SQL both engines share.

An upload belongs to one server (``guild_id``), or to none (``None``: a
file adopted from an older data folder, shown only in the operator's home
server until it is assigned). Two servers may hold uploads with the same
briefing id. Every change to the uploads adds one to ``version`` in the same
transaction, so a process that polls the version learns of every change.

Feedback is kept per answer: an ``AnswerRecord`` (when, where, how it
ended, the passages it quoted, the words the briefings lacked, and the
question's text only if the operator keeps it), and one vote per member per
answer, the member known only by a hash. ``purge`` deletes what is older
than the retention period.

Engines differ only in how they connect, lock and spell a placeholder; the
queries are written once here with ``?`` placeholders.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

# Discord ids are never 0, so 0 stands for "no server" in the guild_id columns
# (a NULL would not take part in the primary key the same way on both engines).
NO_GUILD = 0


class StoreError(Exception):
    """The store cannot be opened or used; the message says why."""


class NoDatabaseError(StoreError):
    """A reader found no database: briefbot has not made one there yet."""


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


@dataclass(frozen=True)
class QuotedPassage:
    """Where a quoted passage is in its briefing, enough to rebuild it from the same text."""

    briefing_id: str
    digest: str  # the briefing's content digest: the passage is only valid for that text
    paragraph: int
    chunk_start: int
    chunk_end: int
    tokens: int
    sentence_start: int
    sentence_end: int
    score: float


@dataclass(frozen=True)
class AnswerRecord:
    """One handled question; ``outcome`` is the log's word (``yes``, ``no``, ``chat``…)."""

    id: str
    guild_id: int | None
    asked_at: str
    command: str
    outcome: str
    scope: str | None = None  # the briefing the question was limited to
    question: str | None = None  # only when the operator keeps question text
    passages: tuple[QuotedPassage, ...] = ()  # best first
    missing: tuple[str, ...] = ()


class VoteOutcome(enum.Enum):
    """What a vote did."""

    RECORDED = "recorded"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    NO_ANSWER = "no_answer"  # the answer was never recorded, or was deleted as too old


@dataclass(frozen=True)
class FlaggedAnswer:
    """An answer that was refused, or that a member marked not helpful."""

    id: str
    asked_at: str
    command: str
    outcome: str
    question: str | None
    missing: tuple[str, ...]
    helpful: int
    not_helpful: int
    quoted: tuple[str, int] | None = None  # the best passage's briefing id and paragraph


@dataclass(frozen=True)
class FeedbackSummary:
    """A server's answers since a moment: counts, lacking words, and what went wrong."""

    outcomes: dict[str, int]
    helpful: int
    not_helpful: int
    missing: tuple[tuple[str, int], ...]  # most asked for first
    flagged: tuple[FlaggedAnswer, ...]  # newest first
    flagged_total: int


@dataclass(frozen=True)
class Purged:
    """What ``purge`` deleted."""

    answers: int
    questions: int


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

    def update_settings(
        self, guild_id: int, change: Callable[[dict[str, str]], Mapping[str, str | None]]
    ) -> dict[str, str]:
        """Change a server's settings as ``change`` says, given the current ones; the new ones.

        Read and write are one transaction that holds the server's settings
        throughout, so two changes made at once both count. Only the settings
        ``change`` returns are written (None clears one).
        """
        with self.transaction() as cursor:
            self._lock_settings(cursor, guild_id)
            rows = self._run(
                cursor, "SELECT name, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchall()
            current = {str(name): str(value) for name, value in rows}
            values = change(dict(current))
            self._write_settings(cursor, guild_id, values)
        updated = {**current, **values}
        return {name: value for name, value in updated.items() if value is not None}

    @abstractmethod
    def _lock_settings(self, cursor: Cursor, guild_id: int) -> None:
        """Hold the server's settings until the writing transaction ``cursor`` is in ends."""

    def set_setting(self, guild_id: int, name: str, value: str | None) -> None:
        """Set (or, with None, clear) a server's setting."""
        self.set_settings(guild_id, {name: value})

    def set_settings(self, guild_id: int, values: Mapping[str, str | None]) -> None:
        """Set (or, with None, clear) several of a server's settings in one transaction."""
        with self.transaction() as cursor:
            self._write_settings(cursor, guild_id, values)

    def _write_settings(
        self, cursor: Cursor, guild_id: int, values: Mapping[str, str | None]
    ) -> None:
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

    def record_answer(self, record: AnswerRecord) -> None:
        """Store an answer with its passages and missing words (each word once)."""
        self.record_answers((record,))

    def record_answers(self, records: Sequence[AnswerRecord]) -> None:
        """Store several answers in one transaction: all of them, or none."""
        with self.transaction() as cursor:
            for record in records:
                self._insert_answer(cursor, record)

    def _insert_answer(self, cursor: Cursor, record: AnswerRecord) -> None:
        self._run(
            cursor,
            "INSERT INTO answers (id, guild_id, asked_at, command, outcome, scope, question)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                _column(record.guild_id),
                record.asked_at,
                record.command,
                record.outcome,
                record.scope,
                record.question,
            ),
        )
        for rank, passage in enumerate(record.passages):
            self._run(
                cursor,
                "INSERT INTO answer_passages (answer_id, rank, briefing_id, digest, paragraph,"
                " chunk_start, chunk_end, tokens, sentence_start, sentence_end, score)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.id, rank, *_passage_columns(passage)),
            )
        words: dict[str, str] = {}
        for word in record.missing:
            words.setdefault(word.casefold(), word)
        for folded, word in words.items():
            self._run(
                cursor,
                "INSERT INTO missing_words (answer_id, folded, word) VALUES (?, ?, ?)",
                (record.id, folded, word),
            )

    def answer_record(self, answer_id: str) -> AnswerRecord | None:
        """The recorded answer, with its passages best first; None if there is none."""
        with self.transaction(write=False) as cursor:
            row = self._run(
                cursor,
                "SELECT id, guild_id, asked_at, command, outcome, scope, question"
                " FROM answers WHERE id = ?",
                (answer_id,),
            ).fetchone()
            if row is None:
                return None
            passages = self._run(
                cursor,
                "SELECT briefing_id, digest, paragraph, chunk_start, chunk_end, tokens,"
                " sentence_start, sentence_end, score FROM answer_passages"
                " WHERE answer_id = ? ORDER BY rank",
                (answer_id,),
            ).fetchall()
            missing = self._missing_words(cursor, [answer_id]).get(answer_id, ())
        return AnswerRecord(
            row[0],
            _guild(row[1]),
            *row[2:],
            passages=tuple(QuotedPassage(*p[:8], float(p[8])) for p in passages),
            missing=missing,
        )

    def vote(self, answer_id: str, voter: str, *, helpful: bool) -> VoteOutcome:
        """One vote per ``voter`` per answer: a new one, a changed one, or the same again."""
        with self.transaction() as cursor:
            if not self._run(cursor, "SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone():
                return VoteOutcome.NO_ANSWER
            row = self._run(
                cursor,
                "SELECT helpful FROM votes WHERE answer_id = ? AND voter = ?",
                (answer_id, voter),
            ).fetchone()
            if row is not None and bool(row[0]) == helpful:
                return VoteOutcome.UNCHANGED
            # An upsert: if the same member's other press (in another process) got in
            # first, this press, the later one, is the vote that stands.
            self._run(
                cursor,
                "INSERT INTO votes (answer_id, voter, helpful, voted_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (answer_id, voter)"
                " DO UPDATE SET helpful = excluded.helpful, voted_at = excluded.voted_at",
                (answer_id, voter, helpful, _now()),
            )
        return VoteOutcome.RECORDED if row is None else VoteOutcome.CHANGED

    def purge(self, before: str, *, keep_questions: bool) -> Purged:
        """Delete answers asked before ``before`` (ISO time) with all that hangs on them.

        Without ``keep_questions``, question text kept while the operator kept it
        is cleared too, however recent.
        """
        with self.transaction() as cursor:
            old = "SELECT id FROM answers WHERE asked_at < ?"
            for table in ("answer_passages", "missing_words", "votes"):
                self._run(cursor, f"DELETE FROM {table} WHERE answer_id IN ({old})", (before,))  # noqa: S608 - the table names are ours
            answers = self._run(
                cursor, "DELETE FROM answers WHERE asked_at < ?", (before,)
            ).rowcount
            questions = 0
            if not keep_questions:
                questions = self._run(
                    cursor, "UPDATE answers SET question = NULL WHERE question IS NOT NULL"
                ).rowcount
        return Purged(answers, questions)

    def answer_guilds(self, since: str) -> tuple[int | None, ...]:
        """The servers (None: direct messages) with answers since ``since``, in id order."""
        with self.transaction(write=False) as cursor:
            rows = self._run(
                cursor,
                "SELECT DISTINCT guild_id FROM answers WHERE asked_at >= ? ORDER BY guild_id",
                (since,),
            ).fetchall()
        return tuple(_guild(row[0]) for row in rows)

    def feedback_summary(
        self, guild_id: int | None, since: str, *, words: int = 10, flagged: int = 20
    ) -> FeedbackSummary:
        """A server's answers since ``since``: up to ``words`` lacking words and ``flagged``."""
        scope = (_column(guild_id), since)
        with self.transaction(write=False) as cursor:
            outcomes = self._run(
                cursor,
                "SELECT outcome, COUNT(*) FROM answers WHERE guild_id = ? AND asked_at >= ?"
                " GROUP BY outcome",
                scope,
            ).fetchall()
            votes = self._run(
                cursor,
                "SELECT v.helpful, COUNT(*) FROM votes v JOIN answers a ON a.id = v.answer_id"
                " WHERE a.guild_id = ? AND a.asked_at >= ? GROUP BY v.helpful",
                scope,
            ).fetchall()
            lacking = self._run(
                cursor,
                "SELECT MIN(m.word), COUNT(*) FROM missing_words m"
                " JOIN answers a ON a.id = m.answer_id WHERE a.guild_id = ? AND a.asked_at >= ?"
                " GROUP BY m.folded ORDER BY COUNT(*) DESC, m.folded LIMIT ?",
                (*scope, words),
            ).fetchall()
            flagged_rows = self._run(
                cursor, _FLAGGED + " ORDER BY t.asked_at DESC, t.id LIMIT ?", (*scope, flagged)
            ).fetchall()
            total = self._run(cursor, _COUNT_FLAGGED, scope).fetchone()
            flagged_ids = [row[0] for row in flagged_rows]
            missing = self._missing_words(cursor, flagged_ids)
            quoted = self._best_passages(cursor, flagged_ids)
        tally = {bool(row[0]): int(row[1]) for row in votes}
        return FeedbackSummary(
            outcomes={str(row[0]): int(row[1]) for row in outcomes},
            helpful=tally.get(True, 0),
            not_helpful=tally.get(False, 0),
            missing=tuple((str(row[0]), int(row[1])) for row in lacking),
            flagged=tuple(
                FlaggedAnswer(
                    *row[:5],
                    missing.get(row[0], ()),
                    int(row[5]),
                    int(row[6]),
                    quoted.get(row[0]),
                )
                for row in flagged_rows
            ),
            flagged_total=int(total[0]),
        )

    def _best_passages(self, cursor: Cursor, answer_ids: list[str]) -> dict[str, tuple[str, int]]:
        if not answer_ids:
            return {}
        marks = ", ".join("?" * len(answer_ids))
        best = "SELECT answer_id, briefing_id, paragraph FROM answer_passages WHERE rank = 0"
        rows = self._run(cursor, f"{best} AND answer_id IN ({marks})", answer_ids).fetchall()
        return {row[0]: (str(row[1]), int(row[2])) for row in rows}

    def _missing_words(self, cursor: Cursor, answer_ids: list[str]) -> dict[str, tuple[str, ...]]:
        if not answer_ids:
            return {}
        marks = ", ".join("?" * len(answer_ids))
        rows = self._run(
            cursor,
            f"SELECT answer_id, word FROM missing_words WHERE answer_id IN ({marks})"  # noqa: S608
            " ORDER BY answer_id, word",
            answer_ids,
        ).fetchall()
        found: dict[str, tuple[str, ...]] = {}
        for answer_id, word in rows:
            found[answer_id] = (*found.get(answer_id, ()), word)
        return found

    def _exists(self, cursor: Cursor, guild_id: int | None, briefing_id: str) -> bool:
        row = self._run(
            cursor,
            "SELECT 1 FROM uploads WHERE guild_id = ? AND briefing_id = ?",
            (_column(guild_id), briefing_id),
        ).fetchone()
        return row is not None

    def _bump(self, cursor: Cursor) -> None:
        self._run(cursor, "UPDATE library_version SET version = version + 1 WHERE id = 1")


# A server's answers since a moment that were refused or marked not helpful, with their votes.
_FLAGGED = (
    "SELECT * FROM ("
    "SELECT a.id, a.asked_at, a.command, a.outcome, a.question,"
    " SUM(CASE WHEN v.helpful THEN 1 ELSE 0 END) AS helpful,"
    " SUM(CASE WHEN NOT v.helpful THEN 1 ELSE 0 END) AS not_helpful"
    " FROM answers a LEFT JOIN votes v ON v.answer_id = a.id"
    " WHERE a.guild_id = ? AND a.asked_at >= ?"
    " GROUP BY a.id, a.asked_at, a.command, a.outcome, a.question"
    ") t WHERE t.outcome = 'no' OR t.not_helpful > 0"
)

_COUNT_FLAGGED = f"SELECT COUNT(*) FROM ({_FLAGGED}) f"  # noqa: S608 - constants only


def _passage_columns(passage: QuotedPassage) -> tuple[Any, ...]:
    return (
        passage.briefing_id,
        passage.digest,
        passage.paragraph,
        passage.chunk_start,
        passage.chunk_end,
        passage.tokens,
        passage.sentence_start,
        passage.sentence_end,
        passage.score,
    )


def _column(guild_id: int | None) -> int:
    return NO_GUILD if guild_id is None else guild_id


def _guild(value: int) -> int | None:
    return None if value == NO_GUILD else int(value)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
