"""Feedback in the store, on both engines: answers, their passages, missing words and votes."""

from __future__ import annotations

import pytest

from bot.feedback import answer_record
from bot.store import StoreError, open_store
from bot.store.base import AnswerRecord, QuotedPassage, Store, VoteOutcome
from index.answering import Answer, Status

HOME, OTHER = 111, 222
NOW = "2026-11-20T12:00:00.000000+00:00"
LATER = "2026-11-21T12:00:00.000000+00:00"
PASSAGE = QuotedPassage("penguins", "ab" * 32, 2, 120, 180, 14, 130, 170, 3.25)


@pytest.fixture
def store(tmp_path, database_url) -> Store:
    opened = open_store(tmp_path / "data", database_url)
    yield opened
    opened.close()


def record(answer_id: str, guild_id: int | None = HOME, **fields: object) -> AnswerRecord:
    values = {"asked_at": NOW, "command": "ask", "outcome": "no", **fields}
    return AnswerRecord(answer_id, guild_id, **values)  # type: ignore[arg-type]


def test_an_answer_comes_back_as_it_was_recorded(store):
    kept = record(
        "answer0001",
        outcome="yes",
        scope="penguins",
        question="How many penguins?",
        passages=(PASSAGE, QuotedPassage("walruses", "cd" * 32, 1, 0, 40, 9, 0, 40, 0.5)),
        missing=("Zelensky",),
    )
    store.record_answer(kept)
    assert store.answer_record("answer0001") == kept
    assert store.answer_record("nothing123") is None


def test_a_direct_message_is_no_server_and_each_missing_word_counts_once(store):
    store.record_answer(record("answer0001", None, missing=("Crimea", "crimea", "Kyiv")))
    found = store.answer_record("answer0001")
    assert found.guild_id is None
    assert found.missing == ("Crimea", "Kyiv")
    assert store.answer_guilds(NOW) == (None,)


def test_one_vote_per_member_and_a_second_press_changes_it(store):
    store.record_answer(record("answer0001", outcome="yes"))
    assert store.vote("answer0001", "voter-a", helpful=True) is VoteOutcome.RECORDED
    assert store.vote("answer0001", "voter-a", helpful=True) is VoteOutcome.UNCHANGED
    assert store.vote("answer0001", "voter-a", helpful=False) is VoteOutcome.CHANGED
    assert store.vote("answer0001", "voter-b", helpful=False) is VoteOutcome.RECORDED
    assert store.vote("gone000001", "voter-a", helpful=True) is VoteOutcome.NO_ANSWER
    summary = store.feedback_summary(HOME, NOW)
    assert (summary.helpful, summary.not_helpful) == (0, 2)


def test_the_summary_counts_one_server_since_a_moment(store):
    store.record_answer(record("old0000001", asked_at="2026-11-01T00:00:00.000000+00:00"))
    store.record_answer(record("refused001", missing=("Zelensky", "Crimea")))
    store.record_answer(record("refused002", asked_at=LATER, missing=("zelensky",)))
    store.record_answer(
        record("answered01", outcome="yes", missing=("Kyiv",), passages=(PASSAGE, PASSAGE))
    )
    store.record_answer(record("answered02", outcome="yes"))
    store.record_answer(record("chat000001", outcome="chat"))
    store.record_answer(record("elsewhere1", OTHER, missing=("Zelensky",)))
    store.vote("answered01", "a", helpful=False)
    store.vote("answered01", "b", helpful=True)
    store.vote("answered02", "a", helpful=True)
    store.vote("elsewhere1", "a", helpful=False)

    summary = store.feedback_summary(HOME, NOW)
    assert summary.outcomes == {"no": 2, "yes": 2, "chat": 1}
    assert (summary.helpful, summary.not_helpful) == (2, 1)
    assert summary.missing == (("Zelensky", 2), ("Crimea", 1), ("Kyiv", 1))
    assert [f.id for f in summary.flagged] == ["refused002", "answered01", "refused001"]
    assert summary.flagged_total == 3
    answered = summary.flagged[1]
    assert (answered.outcome, answered.helpful, answered.not_helpful) == ("yes", 1, 1)
    assert answered.missing == ("Kyiv",)
    assert answered.quoted == ("penguins", 2)
    assert summary.flagged[0].quoted is None
    assert summary.flagged[2].missing == ("Crimea", "Zelensky")
    assert store.answer_guilds(NOW) == (HOME, OTHER)


def test_the_summary_lists_at_most_what_it_is_asked_for(store):
    for number in range(5):
        store.record_answer(record(f"refused00{number}", missing=(f"word{number}",)))
    summary = store.feedback_summary(HOME, NOW, words=2, flagged=3)
    assert len(summary.missing) == 2
    assert len(summary.flagged) == 3 and summary.flagged_total == 5


def test_purging_deletes_old_answers_with_all_that_hangs_on_them(store):
    old = "2026-10-01T00:00:00.000000+00:00"
    store.record_answer(record("old0000001", asked_at=old, passages=(PASSAGE,), missing=("X",)))
    store.record_answer(record("new0000001", question="Kept?", passages=(PASSAGE,)))
    store.vote("old0000001", "a", helpful=False)
    purged = store.purge(NOW, keep_questions=True)
    assert (purged.answers, purged.questions) == (1, 0)
    assert store.answer_record("old0000001") is None
    assert store.vote("old0000001", "a", helpful=True) is VoteOutcome.NO_ANSWER
    assert store.answer_record("new0000001").question == "Kept?"
    with store.transaction(write=False) as cursor:
        for table in ("answer_passages", "missing_words", "votes"):
            cursor.execute(f"SELECT answer_id FROM {table}")  # noqa: S608 - our own names
            assert {row[0] for row in cursor.fetchall()} <= {"new0000001"}, table


def test_purging_without_keeping_questions_clears_every_kept_question(store):
    store.record_answer(record("new0000001", question="Kept while it was on"))
    purged = store.purge(NOW, keep_questions=False)
    assert (purged.answers, purged.questions) == (0, 1)
    assert store.answer_record("new0000001").question is None


def test_text_no_engine_could_store_is_made_storable(store):
    refused = Answer(
        "Did Zel\x00ensky say \ud800 that?", Status.NOT_COVERED, missing=("Zel\x00ensky",)
    )
    kept = answer_record(
        refused,
        answer_id="answer0001",
        guild_id=HOME,
        command="ask",
        scope=None,
        asked_at=NOW,
        keep_question=True,
    )
    store.record_answer(kept)
    found = store.answer_record("answer0001")
    assert found.question == "Did Zelensky say ? that?"
    assert found.missing == ("Zelensky",)


def test_answers_recorded_together_are_stored_all_or_none(store):
    store.record_answer(record("answer0001"))
    with pytest.raises(StoreError):
        store.record_answers([record("answer0002"), record("answer0001")])
    assert store.answer_record("answer0002") is None
    store.record_answers([record("answer0002"), record("answer0003")])
    assert store.feedback_summary(HOME, NOW).outcomes == {"no": 3}
