"""``briefbot report``, run as a process: the /briefing-gaps report of every server, locally."""

from __future__ import annotations

import datetime as dt

from bot.feedback import iso
from bot.store import open_store
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
    assert await report(tmp_path) == (0, "No questions were recorded in the last 7 day(s).\n")
    code, output = await report(tmp_path, "--days", "0")
    assert code == 2
    assert "argument --days: must be at least 1" in output
