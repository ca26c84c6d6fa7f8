"""``briefbot report``, run as a process: the /briefing-gaps report of every server, locally."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3

import pytest

from bot.cli import main
from bot.feedback import iso
from bot.store import SQLITE_FILE, open_store
from bot.store.base import AnswerRecord
from tests.bot.processes import run_python

HOME, OTHER = 1200000000000000100, 1300000000000000200
QUESTION = "What did **Zelensky** say about Crimea?"


def recorded(tmp_path, *records: AnswerRecord) -> None:
    store = open_store(tmp_path / "data")
    try:
        for record in records:
            store.record_answer(record)
            store.vote(record.id, "someone", helpful=record.outcome == "chat")
    finally:
        store.close()


def ago(days: float) -> str:
    return iso(dt.datetime.now(dt.UTC) - dt.timedelta(days=days))


async def report(tmp_path, *args: str, **env: str) -> tuple[int, str]:
    return await run_python(tmp_path, "-m", "bot.cli", "report", *args, **env)


async def test_report_prints_each_server_within_retention_and_deletes_nothing(tmp_path):
    recorded(
        tmp_path,
        AnswerRecord("home000001", HOME, ago(1), "ask", "no", question=QUESTION, missing=("X",)),
        AnswerRecord("home000002", HOME, ago(2), "message", "yes"),
        AnswerRecord("other00001", OTHER, ago(3), "ask", "no", missing=("Zelensky",)),
        AnswerRecord("direct0001", None, ago(1), "message", "chat"),
        AnswerRecord("ancient001", HOME, ago(45), "ask", "no", missing=("Ancient",)),
    )
    code, output = await report(tmp_path, "--days", "365")
    assert code == 0, output
    sections = output.strip().split("\n\n")
    assert [section.split("\n")[0] for section in sections] == [
        "Direct messages, last 365 days",
        f"Server {HOME}, last 365 days",
        f"Server {OTHER}, last 365 days",
    ]
    home = sections[1]
    assert "2 questions: 1 answered, 1 refused" in home
    assert "Votes on answers: 0 helpful, 2 not helpful" in home
    assert "Ancient" not in output  # older than the 30 days kept: not reported
    assert "Question text is not kept" in home
    assert "Zelensky" not in home  # question text is not kept, so not shown
    assert "Records are kept 30 days (BRIEFBOT_RETENTION_DAYS)" in home
    store = open_store(tmp_path / "data")
    try:
        # Deleting is the bot's business, under its own settings: the report only reads.
        assert store.answer_record("ancient001") is not None
        assert store.answer_record("home000001").question == QUESTION
    finally:
        store.close()


async def test_report_for_one_server_with_questions_kept(tmp_path):
    recorded(
        tmp_path,
        AnswerRecord("home000001", HOME, ago(1), "ask", "no", question=QUESTION),
        AnswerRecord("other00001", OTHER, ago(1), "ask", "no", question="Not ours?"),
    )
    code, output = await report(
        tmp_path, "--guild", str(HOME), "--days", "3", BRIEFBOT_KEEP_QUESTIONS="true"
    )
    assert code == 0, output
    assert output.startswith(f"Server {HOME}, last 3 days\n")
    assert f"“{QUESTION}”" in output  # as typed: plain text, no escapes
    assert "Not ours" not in output and "not kept" not in output


async def test_report_with_nothing_recorded_and_with_a_bad_period(tmp_path):
    open_store(tmp_path / "data").close()
    assert await report(tmp_path) == (0, "No questions were recorded in the last 7 days.\n")
    code, output = await report(tmp_path, "--days", "0")
    assert code == 2
    assert "argument --days: must be at least 1" in output


@pytest.fixture
def store_env(tmp_path, monkeypatch, database_url):
    """The environment of a report on each engine; the URL (None for SQLite in tmp_path/data)."""
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    if database_url:
        monkeypatch.setenv("BRIEFBOT_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("BRIEFBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return database_url


def versions(tmp_path, database_url) -> list[int]:
    """The schema versions the database records, read without any store (which migrates)."""
    query = "SELECT version FROM schema_migrations ORDER BY version"
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as connection:
            return [row[0] for row in connection.execute(query)]
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / SQLITE_FILE)) as connection:
        return [row[0] for row in connection.execute(query)]


def test_a_report_before_any_database_makes_none_and_adopts_nothing(tmp_path, store_env, capsys):
    old_uploads = tmp_path / "data" / "briefings"
    old_uploads.mkdir(parents=True)
    (old_uploads / "penguins.txt").write_text("Penguins were counted.\n")
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing to report: ") and out.endswith(" yet.\n")
    assert sorted(path.name for path in (tmp_path / "data").iterdir()) == ["briefings"]
    assert (old_uploads / "penguins.txt").is_file()
    if store_env:  # PostgreSQL: still no table of briefbot's
        import psycopg

        with psycopg.connect(store_env) as connection:
            found = connection.execute("SELECT to_regclass('schema_migrations')").fetchone()
        assert found == (None,)


def test_a_report_on_an_older_schema_says_to_migrate_and_changes_nothing(
    tmp_path, store_env, capsys
):
    store = open_store(tmp_path / "data", store_env)
    with store.transaction() as cursor:  # back to the first schema, as an older briefbot left it
        for table in ("votes", "missing_words", "answer_passages", "answers"):
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DELETE FROM schema_migrations WHERE version > 1")
    store.close()
    assert main(["report"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: error: the database has schema version 1, older than")
    assert "start the bot" in err and err.count("\n") == 1
    assert versions(tmp_path, store_env) == [1]
