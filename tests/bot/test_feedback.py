"""Feedback end to end: recorded answers, votes, More passages from the record, /briefing-gaps."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.client import Briefbot, create_bot
from bot.feedback import RECORD_WAIT, Feedback, iso, quoted, rebuilt
from bot.library import Library
from bot.replies import ANSWER_EXPIRED, BRIEFING_CHANGED, BRIEFING_GONE, passage_reply
from bot.store import SQLITE_FILE
from bot.store.base import AnswerRecord
from bot.store.sqlite import SqliteStore
from index.answering import answer
from tests.bot.conftest import (
    PENGUINS,
    SHOIGU_QUESTION,
    TIMEOUT,
    add_briefing,
    buttons,
    is_ephemeral,
    reply_to_interaction,
)
from tests.fakediscord.payloads import DEFAULT_MEMBER_PERMISSIONS

pytestmark = pytest.mark.e2e

# 400 characters: far more than a custom_id could ever carry.
LONG_QUESTION = (
    "Who is Russia's top security official visiting Pyongyang, and what did he discuss there "
    "with the North Korean leadership about the missile launches, the cruise missiles that were "
    "test-fired, the strategic weapons, the agreements between Moscow and Pyongyang, and the "
    "support for the Russian war effort that the briefing reports, according to the Russian "
    "news agency and the Korean Central News Agency"
)
REFUSED = ("What did Zelensky say about Crimea?", "Is Zelensky visiting Kyiv?")
PENGUIN_COUNT = "How many emperor penguins did the survey team count near the colony?"


async def ask(fake, question: str, **options) -> dict:
    interaction = await fake.send_slash_command("ask", {"question": question, **options})
    return await reply_to_interaction(fake, interaction)


async def press(fake, custom_id: str, **options) -> dict:
    return await reply_to_interaction(fake, await fake.send_component(custom_id, **options))


async def gaps(fake, **options) -> dict:
    interaction = await fake.send_slash_command("briefing-gaps", options, user=fake.owner_id)
    return await reply_to_interaction(fake, interaction)


def database(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / SQLITE_FILE)


def test_the_long_question_is_400_characters():
    assert len(LONG_QUESTION) == 400


def test_a_recorded_passage_is_rebuilt_exactly_from_the_same_text(bundled_index):
    for question in (SHOIGU_QUESTION, LONG_QUESTION, "What did Kim oversee?"):
        passages = answer(bundled_index, question).passages
        assert passages
        for passage in passages:
            assert rebuilt(quoted(passage), passage.briefing) == passage
            changed = replace(passage.briefing, digest="0" * 64)
            assert rebuilt(quoted(passage), changed) is None


# -- votes ------------------------------------------------------------------------------


async def test_a_vote_is_acknowledged_privately_and_a_second_press_changes_it(fake, bot):
    reply = await ask(fake, SHOIGU_QUESTION)
    helpful, not_helpful = buttons(reply)["Helpful"], buttons(reply)["Not helpful"]

    first = await press(fake, helpful)
    assert is_ephemeral(first)
    assert first["content"] == "Thanks: you marked this answer helpful."
    again = await press(fake, helpful)
    assert again["content"] == "You already marked this answer helpful."
    changed = await press(fake, not_helpful)
    assert is_ephemeral(changed)
    assert changed["content"] == "Changed your vote: this answer is now marked not helpful."

    other = fake.add_user("another-reader")
    theirs = await press(fake, not_helpful, user=other)
    assert theirs["content"] == "Thanks: you marked this answer not helpful."
    summary = bot.feedback.store.feedback_summary(fake.guild_id, "2000-01-01")
    assert (summary.helpful, summary.not_helpful) == (0, 2)


async def test_votes_are_stored_under_a_hash_not_the_member_id(fake, bot, settings):
    reply = await ask(fake, SHOIGU_QUESTION)
    await press(fake, buttons(reply)["Helpful"])
    with database(settings.data_dir) as connection:
        voters = [row[0] for row in connection.execute("SELECT voter FROM votes")]
    assert len(voters) == 1
    assert str(fake.user_id) not in voters[0]
    assert len(voters[0]) == 64


async def test_refusals_and_chat_get_no_vote_buttons_but_are_counted(fake, bot):
    refused = await ask(fake, REFUSED[0])
    assert refused["content"].startswith("The briefing does not mention Zelensky")
    assert set(buttons(refused)) == {"Delete"}  # public, so it can be removed: nothing to vote on
    chat = await ask(fake, "hello")
    assert set(buttons(chat)) == {"Delete"}
    summary = bot.feedback.store.feedback_summary(fake.guild_id, "2000-01-01")
    assert summary.outcomes == {"no": 1, "chat": 1}
    assert summary.missing == (("Crimea", 1), ("Zelensky", 1))


async def test_a_forged_vote_from_another_server_is_refused(fake, start_bot, make_settings):
    _, other_channel = fake.add_guild("Other newsroom")
    bot = await start_bot(make_settings(BRIEFBOT_GUILD_ID=""))
    helpful = buttons(await ask(fake, SHOIGU_QUESTION))["Helpful"]
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True, channel_id=other_channel)
    there = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    pressed = await fake.send_component(helpful, int(there["id"]), forged=True)
    assert (await reply_to_interaction(fake, pressed))["content"] == ANSWER_EXPIRED
    more = helpful.replace("bb:vote:", "bb:more:").replace(":y", ":1")
    pressed = await fake.send_component(more, int(there["id"]), forged=True)
    assert (await reply_to_interaction(fake, pressed))["content"] == ANSWER_EXPIRED
    summary = bot.feedback.store.feedback_summary(fake.guild_id, "2000-01-01")
    assert summary.helpful == 0


# -- More passages from the record -------------------------------------------------------


async def test_more_passages_shows_what_a_400_character_question_ranked(fake, bot, bundled_index):
    core = answer(bundled_index, LONG_QUESTION)
    assert len(core.passages) == 3
    reply = await ask(fake, LONG_QUESTION)
    more = buttons(reply)["More passages"]
    assert len(more) < 30

    second = await press(fake, more)
    assert is_ephemeral(second)
    assert second["content"] == passage_reply(core.passages[1], 1)
    third = await press(fake, buttons(second)["More passages"])
    assert third["content"] == passage_reply(core.passages[2], 2)
    # The answer ranked three, and each bundled paragraph is quoted whole: no buttons.
    assert not buttons(third)


async def test_more_passages_works_after_a_restart_on_the_same_data_folder(fake, settings):
    async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
        reply = await ask(fake, LONG_QUESTION)
        more, helpful = buttons(reply)["More passages"], buttons(reply)["Helpful"]
        before = await press(fake, more)

    async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
        after = await press(fake, more)
        voted = await press(fake, helpful)
    assert after["content"] == before["content"]
    assert voted["content"] == "Thanks: you marked this answer helpful."


async def test_a_removed_or_replaced_briefing_is_named_by_its_button(fake, bot):
    await add_briefing(fake, "penguins.txt", PENGUINS)
    reply = await ask(fake, PENGUIN_COUNT)
    assert "4,000 emperor penguins" in reply["content"]
    more = buttons(reply)["More passages"]
    assert "survey team" in (await press(fake, more))["content"]

    removed = await fake.send_slash_command(
        "briefing-remove", {"name": "penguins"}, user=fake.owner_id
    )
    await reply_to_interaction(fake, removed)
    assert (await press(fake, more))["content"] == BRIEFING_GONE
    await add_briefing(fake, "penguins.txt", PENGUINS.replace(b"three weeks", b"two weeks"))
    assert (await press(fake, more))["content"] == BRIEFING_CHANGED


async def test_a_more_passages_button_from_before_answers_were_recorded_still_works(
    fake, bot, bundled_index
):
    await fake.send_slash_command("quote", {"paragraph": 4})
    await fake.wait_for_bot_message(timeout=TIMEOUT)
    legacy = f"bb:more:1:-:{SHOIGU_QUESTION}"
    shown = await reply_to_interaction(fake, await fake.send_component(legacy, forged=True))
    core = answer(bundled_index, SHOIGU_QUESTION)
    assert shown["content"] == passage_reply(core.passages[1], 1)
    assert buttons(shown)["More passages"] == f"bb:more:2:-:{SHOIGU_QUESTION}"


async def test_an_answer_that_cannot_be_recorded_is_still_sent(fake, bot, caplog):
    with bot.feedback.store.transaction() as cursor:
        cursor.execute("ALTER TABLE answers RENAME TO answers_elsewhere")
    reply = await ask(fake, SHOIGU_QUESTION)
    assert "Shoigu" in reply["content"]
    assert set(buttons(reply)) == {"Delete"}  # no record: no More passages, no votes
    assert "could not record an answer" in caplog.text
    assert "Pyongyang" not in caplog.text


# -- what is kept, and for how long -------------------------------------------------------


async def test_by_default_no_question_text_is_stored(fake, bot, settings):
    await ask(fake, SHOIGU_QUESTION)
    await ask(fake, REFUSED[0])
    asked = await fake.send_message("Who test-fired the cruise missiles?", mentions_bot=True)
    await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    with database(settings.data_dir) as connection:
        rows = connection.execute("SELECT command, outcome, question FROM answers").fetchall()
    assert sorted(rows) == [("ask", "no", None), ("ask", "yes", None), ("message", "yes", None)]
    stored = b"".join(path.read_bytes() for path in settings.data_dir.glob(SQLITE_FILE + "*"))
    for words in (b"top security official", b"say about", b"test-fired the cruise"):
        assert words not in stored, words


async def test_kept_questions_are_deleted_after_the_retention_period(
    fake, start_bot, make_settings
):
    settings = make_settings(BRIEFBOT_KEEP_QUESTIONS="true", BRIEFBOT_RETENTION_DAYS="10")
    bot = await start_bot(settings)
    reply = await ask(fake, SHOIGU_QUESTION)
    with database(settings.data_dir) as connection:
        assert connection.execute("SELECT question FROM answers").fetchall() == [(SHOIGU_QUESTION,)]

    store = bot.feedback.store
    with store.transaction() as cursor:
        cursor.execute("UPDATE answers SET asked_at = '2026-01-01T00:00:00.000000+00:00'")
    assert (await press(fake, buttons(reply)["Helpful"]))["content"] == ANSWER_EXPIRED
    assert (await press(fake, buttons(reply)["More passages"]))["content"] == ANSWER_EXPIRED
    assert (await asyncio.to_thread(bot.feedback.purge)).answers == 1
    with database(settings.data_dir) as connection:
        assert connection.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
        assert connection.execute("SELECT COUNT(*) FROM answer_passages").fetchone() == (0,)


async def test_the_bot_purges_old_records_when_it_starts(fake, start_bot, make_settings):
    settings = make_settings(BRIEFBOT_RETENTION_DAYS="10")
    first = await start_bot(settings)
    await ask(fake, REFUSED[0])
    with first.feedback.store.transaction() as cursor:
        cursor.execute("UPDATE answers SET asked_at = '2026-01-01T00:00:00.000000+00:00'")
    second = await start_bot(settings)
    store = second.feedback.store

    def count() -> int:
        with store.transaction(write=False) as cursor:
            cursor.execute("SELECT COUNT(*) FROM answers")
            return cursor.fetchone()[0]

    async def purged() -> None:
        while await asyncio.to_thread(count):
            await asyncio.sleep(0.01)  # the start-up purge runs in the background

    await asyncio.wait_for(purged(), TIMEOUT)
    assert store.feedback_summary(fake.guild_id, "2000-01-01").missing == ()


async def test_the_running_bot_purges_old_records_periodically(fake, make_settings):
    settings = make_settings(BRIEFBOT_RETENTION_DAYS="10")
    bot = Briefbot(settings, Library.load(settings), purge_seconds=0.05)
    async with fake.run_client(bot, timeout=TIMEOUT):
        await ask(fake, REFUSED[0])
        with bot.feedback.store.transaction() as cursor:
            cursor.execute("UPDATE answers SET asked_at = '2026-01-01T00:00:00.000000+00:00'")

        async def purged() -> None:
            while bot.feedback.store.answer_guilds("2000-01-01"):
                await asyncio.sleep(0.01)

        await asyncio.wait_for(purged(), TIMEOUT)


class SlowStore(SqliteStore):
    """The real store, except that recording an answer takes longer than a reply may wait."""

    delay = RECORD_WAIT + 0.5

    def record_answers(self, records):
        time.sleep(self.delay)  # in the thread that writes records
        super().record_answers(records)


async def test_a_slow_store_holds_up_no_answer(fake, start_bot, settings):
    store = SlowStore.open(settings.data_dir / SQLITE_FILE)
    await start_bot(library=Library.load(settings, store=store))
    reply = await ask(fake, SHOIGU_QUESTION)
    assert "Shoigu" in reply["content"]
    assert set(buttons(reply)) == {"Delete"}  # sent without waiting for the record

    async def recorded() -> None:  # the record still lands, so the answer is counted
        while not store.answer_guilds("2000-01-01"):
            await asyncio.sleep(0.05)

    await asyncio.wait_for(recorded(), TIMEOUT)


async def test_a_record_still_being_written_when_the_bot_stops_is_kept(fake, settings):
    store = SlowStore.open(settings.data_dir / SQLITE_FILE)
    library = Library.load(settings, store=store)
    try:
        async with fake.run_client(create_bot(settings, library), timeout=TIMEOUT):
            reply = await ask(fake, SHOIGU_QUESTION)
            assert "Helpful" not in buttons(reply)  # sent before its record was written
        assert store.answer_guilds("2000-01-01") == (fake.guild_id,)
    finally:
        library.close()


class CountingStore(SqliteStore):
    """The real store, counting the transactions that record answers."""

    batches = 0

    def record_answers(self, records):
        self.batches += 1
        super().record_answers(records)


async def test_answers_asked_together_are_recorded_in_few_transactions(settings, bundled_index):
    store = CountingStore.open(settings.data_dir / SQLITE_FILE)
    feedback = Feedback(store, keep_questions=False, retention_days=30)
    result = answer(bundled_index, SHOIGU_QUESTION)
    try:
        ids = await asyncio.gather(
            *(feedback.record(result, guild_id=7, command="ask") for _ in range(50))
        )
    finally:
        feedback.close()
    assert None not in ids and len(set(ids)) == 50
    assert all(store.answer_record(answer_id) is not None for answer_id in ids)
    assert store.batches < 50


# -- /briefing-gaps ------------------------------------------------------------------------


async def test_briefing_gaps_shows_the_missing_words_and_what_did_not_help(fake, bot):
    for question in REFUSED:
        await ask(fake, question)
    disliked = await ask(fake, SHOIGU_QUESTION)
    liked = await ask(fake, "What did Kim oversee?")
    await press(fake, buttons(disliked)["Not helpful"])
    await press(fake, buttons(liked)["Helpful"])
    await ask(fake, "thanks!")

    report = await gaps(fake)
    assert is_ephemeral(report)
    assert report["allowed_mentions"] == {"parse": []}
    text = report["content"]
    assert len(text) <= 2000
    assert text.startswith("**This server, last 7 days**\n")
    assert "4 questions: 2 answered, 2 refused · 1 other message" in text
    assert "Votes on answers: 1 helpful, 1 not helpful" in text
    assert "**Asked for but not in the briefings**\nZelensky (2) · Crimea (1)\n" in text
    assert "**Refused or marked not helpful** (3)" in text
    assert (
        "answered (/ask) · quoted 2025-03-21-north-korea-weapons-test paragraph 4 · "
        "1 not helpful, 0 helpful"
    ) in text
    assert "refused (/ask) · lacking Crimea, Zelensky" in text
    assert "refused (/ask) · lacking Zelensky\n" in text
    assert "Question text is not kept" in text and "BRIEFBOT_KEEP_QUESTIONS=true" in text
    assert "Shoigu" not in text and "Pyongyang" not in text


async def test_briefing_gaps_shows_kept_questions_escaped(fake, start_bot, make_settings):
    await start_bot(make_settings(BRIEFBOT_KEEP_QUESTIONS="true"))
    await ask(fake, "Did **@everyone** in <@123> hear from Zelensky?")
    text = (await gaps(fake, days=30))["content"]
    assert "“Did \\*\\*@\u200beveryone\\*\\* in @unknown-user hear from Zelensky?”" in text
    assert "not kept" not in text


async def test_a_kept_mention_question_shows_names_not_ids(fake, start_bot, make_settings):
    moderators = fake.add_role("moderators", 0)
    settings = make_settings(BRIEFBOT_KEEP_QUESTIONS="true")
    await start_bot(settings)
    asked = await fake.send_message(f"<@&{moderators}> what did Zelensky say?", mentions_bot=True)
    await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    with database(settings.data_dir) as connection:
        kept = connection.execute("SELECT question FROM answers").fetchall()
    assert kept == [("@moderators what did Zelensky say?",)]
    assert "“@moderators what did Zelensky say?”" in (await gaps(fake, days=30))["content"]
    await ask(fake, f"did <@&{moderators}> or <@{fake.user_id}> see what Zelensky said?")
    with database(settings.data_dir) as connection:
        kept = connection.execute("SELECT question FROM answers WHERE command = 'ask'").fetchall()
    assert kept == [("did @moderators or @unknown-user see what Zelensky said?",)]


async def test_briefing_gaps_is_for_managers_only(fake, bot):
    await ask(fake, REFUSED[0])
    with pytest.raises(PermissionError):
        await fake.send_slash_command("briefing-gaps", {}, user=fake.user_id)
    fake.open_command_to_everyone("briefing-gaps")
    interaction = await fake.send_slash_command(
        "briefing-gaps", {}, user=fake.user_id, member_permissions=DEFAULT_MEMBER_PERMISSIONS
    )
    reply = await reply_to_interaction(fake, interaction)
    assert is_ephemeral(reply)
    assert reply["content"] == "Only members with the **Manage Server** permission can do that."


async def test_briefing_gaps_fits_one_message_however_much_went_wrong(fake, bot):
    for number in range(40):
        bot.feedback.store.record_answer(
            _refusal(f"refused{number:03d}", fake.guild_id, ("Zelensky" + "x" * 30 + str(number),))
        )
    text = (await gaps(fake))["content"]
    assert len(text) <= 2000
    assert "(40)" in text and "more" in text.split("\n")[-2]


def _refusal(answer_id: str, guild_id: int, missing: tuple[str, ...]) -> AnswerRecord:
    now = iso(dt.datetime.now(dt.UTC))
    return AnswerRecord(answer_id, guild_id, now, "ask", "no", missing=missing)


@pytest.fixture(autouse=True)
def _quiet(caplog):
    caplog.set_level(logging.INFO)


async def test_votes_more_passages_and_gaps_on_postgresql(fake, start_bot, make_settings, postgres):
    await start_bot(make_settings(BRIEFBOT_DATABASE_URL=postgres.new_database()))
    await ask(fake, REFUSED[0])
    reply = await ask(fake, LONG_QUESTION)
    await press(fake, buttons(reply)["Helpful"])
    changed = await press(fake, buttons(reply)["Not helpful"])
    assert changed["content"] == "Changed your vote: this answer is now marked not helpful."
    assert (await press(fake, buttons(reply)["More passages"]))["content"].startswith(
        "-# Passage 2\n> "
    )
    text = (await gaps(fake))["content"]
    assert "2 questions: 1 answered, 1 refused" in text
    assert "Votes on answers: 0 helpful, 1 not helpful" in text
    lacking = text.split("**Asked for but not in the briefings**\n")[1].split("\n")[0]
    assert lacking.startswith("agreements (1) · Crimea (1) · effort (1)")  # ties alphabetically
    assert "Zelensky (1)" in lacking
