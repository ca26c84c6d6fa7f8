"""Faults: a crash inside /briefing-add, Discord failing, the gateway dropping, a full disk.

Each test breaks one thing on purpose and then checks that nothing was half
done and that the bot still answers the next question.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time

import pytest

from bot.client import create_bot
from bot.library import STALE_SECONDS, Library, remove_unfinished_uploads
from bot.settings import load_settings
from bot.store import StoreError, open_store
from bot.store.sqlite import SqliteStore
from tests.bot.conftest import (
    PENGUIN_QUESTION,
    PENGUINS,
    SHOIGU_QUESTION,
    TIMEOUT,
    add_briefing,
    ask,
    environment,
    is_ephemeral,
    reply_to_interaction,
)
from tests.bot.processes import connected, finish, launch, stop
from tests.conftest import BRIEFINGS, BUNDLED_ID
from tests.fakediscord import FakeAttachment, FakeDiscord

pytestmark = pytest.mark.e2e

CRASHED = 70

# Kills the bot (as a power cut would: no clean-up, no flush) inside /briefing-add's
# write to the store: as the upload's INSERT starts ("insert"), or at the first
# statement after the COMMIT that followed it ("commit"). SQLite's own trace
# callback watches the store's real connection; nothing in the bot is replaced.
CRASH_IN_THE_STORE = """
import os, sqlite3

crash_at = os.environ["BRIEFBOT_CRASH_AT"]
seen = []

def trace(statement):
    if statement.startswith("INSERT INTO uploads") and crash_at == "insert":
        os._exit(70)
    if seen[-2:] == ["INSERT", "COMMIT"]:
        os._exit(70)
    if statement.startswith("INSERT INTO uploads") or statement == "COMMIT" and seen:
        seen.append(statement.split()[0])

connect = sqlite3.connect

def traced_connect(*args, **kwargs):
    connection = connect(*args, **kwargs)
    connection.set_trace_callback(trace)
    return connection

sqlite3.connect = traced_connect
"""

# Writes past 64 KiB fail (EFBIG), as they would on a full disk (ENOSPC);
# ignoring SIGXFSZ makes that an error rather than a kill.
FULL_DISK = """
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (192 * 1024, resource.RLIM_INFINITY))
"""


def folder(path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir()} if path.exists() else {}


# -- a crash in the middle of /briefing-add ------------------------------------------


@pytest.mark.parametrize(
    ("crash_at", "added"),
    [("insert", False), ("commit", True)],
    ids=["while-the-upload-is-written", "once-the-upload-is-committed"],
)
async def test_a_crash_during_briefing_add_leaves_the_old_state_or_the_new(
    tmp_path, crash_at, added
):
    settings = load_settings(environment(tmp_path / "data"), dotenv=False)
    async with FakeDiscord() as fake:
        process = await launch(
            fake, tmp_path, prelude=CRASH_IN_THE_STORE, BRIEFBOT_CRASH_AT=crash_at
        )
        await connected(fake, process)
        upload = {"file": FakeAttachment("penguins.txt", PENGUINS, "text/plain")}
        interaction = await fake.send_slash_command("briefing-add", upload, user=fake.owner_id)
        code, output = await finish(process)
        assert code == CRASHED, output
        if not added:
            assert fake.followups(interaction) == []  # it died before saying anything
        assert stored(settings) == ({"penguins": PENGUINS} if added else {})

        # The restart: the bot comes back with the old briefings or the new ones.
        async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
            answer = await ask(fake, PENGUIN_QUESTION)
            if added:
                assert "4,000 emperor penguins" in answer
            else:
                assert answer == "The briefing does not mention emperor or penguins."
                reply = await add_briefing(fake, "penguins.txt", PENGUINS)
                assert reply["content"].startswith("Added *Penguins*")
                assert "4,000 emperor penguins" in await ask(fake, PENGUIN_QUESTION)
            assert "Shoigu" in await ask(fake)
        assert stored(settings) == {"penguins": PENGUINS}


def stored(settings) -> dict[str, bytes]:
    """The uploads in the bot's store, by briefing id."""
    store = open_store(settings.data_dir)
    try:
        return {u.briefing_id: store.upload_data(*u.key) for u in store.uploads()}
    finally:
        store.close()


def test_only_stale_unfinished_uploads_are_removed(tmp_path):
    now = time.time()
    files = {
        ".penguins.txt.k2j3h4_x": now - STALE_SECONDS - 1,  # a crash's leftover
        ".notes.MD.abcdefgh": now - 2 * STALE_SECONDS,
        ".fresh.txt.abcdefgh": now - 5,  # maybe another process's write in progress
        "penguins.txt": now - 10 * STALE_SECONDS,  # a briefing
        ".hidden-notes": now - 10 * STALE_SECONDS,  # not ours
    }
    for name, mtime in files.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (mtime, mtime))
    assert remove_unfinished_uploads(tmp_path, now) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".fresh.txt.abcdefgh",
        ".hidden-notes",
        "penguins.txt",
    ]
    assert remove_unfinished_uploads(tmp_path / "missing", now) == 0


# -- Discord failing -----------------------------------------------------------------


async def test_a_reply_answered_500_or_429_is_retried(fake, bot):
    callback = r"^/interactions/\d+/[^/]+/callback$"
    channel = rf"^/channels/{fake.channel_id}/messages$"
    # discord.py waits 1 s after a 5xx and retry_after after a 429, then tries again.
    for path in (callback, channel):
        fake.fail_next("POST", path, 500)
        fake.fail_next("POST", path, 429, retry_after=0.05)
    since = fake.request_count

    interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    for path in (callback, channel):
        await fake.wait_for_request(
            lambda r: r.status == 200, path=path, since=since, timeout=TIMEOUT
        )
    mention = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)

    for path in (callback, channel):
        assert [r.status for r in fake.find_requests("POST", path, since=since)] == [500, 429, 200]
    answer = fake.original_response(interaction)
    assert "Shoigu" in answer["content"] and answer["content"] == mention["content"]
    assert "Shoigu" in await ask(fake)


async def test_a_reply_discord_refuses_is_logged_and_the_next_is_answered(fake, bot, caplog):
    callback = r"^/interactions/\d+/[^/]+/callback$"
    fake.fail_next("POST", callback, 404, body={"message": "Unknown interaction", "code": 10062})
    channel = rf"^/channels/{fake.channel_id}/messages$"
    fake.fail_next("POST", channel, 403, times=2)

    interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    told = await fake.wait_for_request(lambda r: r.status == 200, path=callback, timeout=TIMEOUT)
    assert is_ephemeral(told.data) and "went wrong" in told.data["content"]
    assert told.path.startswith(f"/interactions/{interaction.id}/")
    await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    await fake.wait_for_request(lambda r: r.status == 403, path=channel, timeout=TIMEOUT)
    await fake.wait_for_request(
        lambda _: any("could not tell the user" in r.message for r in caplog.records),
        timeout=TIMEOUT,
    )

    failures = [r.exc_info[1] for r in caplog.records if r.levelno == logging.ERROR]
    causes = {type(error.__cause__ or error).__name__ for error in failures}
    assert causes >= {"NotFound", "Forbidden"}
    assert "Shoigu" in await ask(fake)
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    assert "Shoigu" in (await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT))["content"]


async def test_a_dropped_gateway_resumes_and_missed_questions_are_answered(fake, bot):
    await fake.drop_gateway()
    interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    resume = await fake.wait_for_resume(timeout=TIMEOUT)

    assert resume.replayed >= 2
    assert len([i for i in fake.identifies if i.accepted]) == 1  # resumed, not restarted
    reply = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
    assert reply.status == 200 and "Shoigu" in reply.data["content"]
    assert "Shoigu" in (await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT))["content"]
    assert "Shoigu" in await ask(fake)


# -- a data folder that refuses writes -----------------------------------------------


async def test_a_store_that_refuses_the_upload_is_explained_and_answering_goes_on(
    fake, start_bot, settings
):
    store = SqliteStore.open(settings.data_dir / "briefbot.sqlite3", busy_timeout=0.05)
    bot = await start_bot(library=Library.load(settings, store=store))
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        reply = await add_briefing(fake, "penguins.txt", PENGUINS)
    finally:
        blocker.rollback()
        blocker.close()
    assert is_ephemeral(reply)
    assert reply["content"] == (
        "The briefing could not be added: the bot's store refused it. Nothing was changed."
    )
    assert "Shoigu" in await ask(fake)
    assert len(bot.library.briefings(fake.guild_id)) == 1


async def test_a_full_disk_refuses_the_upload_and_the_bot_process_answers_on(tmp_path):
    big = b"date 2025-04-02\n" + b"The penguins were counted again by the survey team.\n" * 5000
    async with FakeDiscord() as fake:
        process = await launch(fake, tmp_path, prelude=FULL_DISK)
        try:
            await connected(fake, process)
            reply = await add_briefing(fake, "penguins.txt", big)
            assert reply["content"] == (
                "The briefing could not be added: the bot's store refused it. Nothing was changed."
            )
            assert "does not mention emperor or penguins" in await ask(fake, PENGUIN_QUESTION)
            assert "Shoigu" in await ask(fake)
        finally:
            code, output = await stop(process)
        fake.assert_no_unhandled_requests()
    assert code == 0, output
    assert "could not store briefing penguins" in output
    assert stored(load_settings(environment(tmp_path / "data"), dotenv=False)) == {}


class SlowlyFailingStore(SqliteStore):
    """The real store, except that (once told to) an upload takes a while and then fails."""

    failing = False

    def add_upload(self, guild_id, filename, data):
        if self.failing:
            time.sleep(0.2)  # in the worker thread that writes the upload
            raise StoreError("database or disk is full")
        return super().add_upload(guild_id, filename, data)


async def test_questions_asked_while_an_upload_fails_are_answered(fake, start_bot, settings):
    """The swap is all or nothing: questions during a failing add see the old library."""
    store = SlowlyFailingStore.open(settings.data_dir / "briefbot.sqlite3")
    await start_bot(library=Library.load(settings, store=store))
    store.failing = True
    adding = asyncio.create_task(add_briefing(fake, "penguins.txt", PENGUINS))
    answers = await asyncio.gather(*(ask(fake) for _ in range(5)))
    assert all("Shoigu" in answer for answer in answers)
    assert "the bot's store refused it" in (await adding)["content"]
    assert stored(settings) == {}


class UnreadableSettingsStore(SqliteStore):
    """The real store, except that a server's settings cannot be read."""

    def settings(self, guild_id):
        raise StoreError("the database is locked")


async def test_a_store_that_cannot_read_settings_answers_with_the_defaults(
    fake, start_bot, settings, caplog
):
    store = UnreadableSettingsStore.open(settings.data_dir / "briefbot.sqlite3")
    store.set_settings(fake.guild_id, {"threads": "true"})
    await start_bot(library=Library.load(settings, store=store))
    changed = await fake.send_slash_command(
        "briefbot-settings", {"private": True}, user=fake.owner_id
    )
    # A change reads what it changes inside its own transaction: made on top, never
    # over the defaults.
    saved = await reply_to_interaction(fake, changed)
    assert is_ephemeral(saved) and "Mentions are answered in a new thread" in saved["content"]
    assert SqliteStore.settings(store, fake.guild_id) == {"threads": "true", "private": "true"}
    assert "Shoigu" in await ask(fake)
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    reply = await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    assert "Shoigu" in reply["content"] and int(reply["channel_id"]) == fake.channel_id
    assert f"could not read the settings of guild {fake.guild_id}" in caplog.text


async def test_questions_are_answered_while_another_process_holds_the_store(
    fake, start_bot, settings
):
    """Another process writing for seconds: settings are still read, answers still go out."""
    store = SqliteStore.open(settings.data_dir / "briefbot.sqlite3")
    store.set_settings(fake.guild_id, {"private": "true"})
    await start_bot(library=Library.load(settings, store=store))
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        # The first answer's record now waits for the lock; the second question must not.
        answers = []
        for question in (SHOIGU_QUESTION, "What did KCNA say?"):
            asked = await fake.send_slash_command("ask", {"question": question})
            answers.append(await reply_to_interaction(fake, asked))
    finally:
        blocker.rollback()
        blocker.close()
    assert "Shoigu" in answers[0]["content"] and "KCNA" in answers[1]["content"]
    assert all(is_ephemeral(answer) for answer in answers)  # the server's setting was read


async def test_a_store_that_refuses_a_settings_change_says_so(fake, start_bot, settings):
    store = SqliteStore.open(settings.data_dir / "briefbot.sqlite3", busy_timeout=0.05)
    await start_bot(library=Library.load(settings, store=store))
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        changed = await fake.send_slash_command(
            "briefbot-settings", {"private": True}, user=fake.owner_id
        )
        refused = await reply_to_interaction(fake, changed)
    finally:
        blocker.rollback()
        blocker.close()
    assert refused["content"] == (
        "The settings could not be saved: the bot's store refused them. Nothing was changed."
    )
    assert store.settings(fake.guild_id) == {}


# -- a tampered index cache ----------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"[" * 100_000 + b"]" * 100_000, b"9" * 5000], ids=["nested", "huge-number"]
)
async def test_a_tampered_index_cache_is_rebuilt_and_the_bot_answers(settings, caplog, raw):
    Library.load(settings)
    [manifest] = settings.cache_dir.glob("index-*/manifest.json")
    manifest.write_bytes(manifest.read_bytes().replace(b'"k1"', b'"extra": ' + raw + b', "k1"'))
    library = Library.load(settings)
    assert "Shoigu" in (await library.answer(SHOIGU_QUESTION)).best.text
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith("discarding the index cache") and "rebuilding" in warning
    assert "\n" not in warning


# -- a configured briefing and an upload with the same name --------------------------

CONFIGURED_PENGUINS = b"date 2025-04-01\nThe operator's own penguin briefing, kept in the folder.\n"


@pytest.mark.parametrize("order", ["upload-first", "configured-first"])
async def test_an_upload_never_stands_for_a_configured_briefing_of_its_name(
    fake, start_bot, make_settings, tmp_path, caplog, order
):
    configured = tmp_path / "configured"
    configured.mkdir()
    (configured / f"{BUNDLED_ID}.txt").write_bytes((BRIEFINGS / f"{BUNDLED_ID}.txt").read_bytes())
    settings = make_settings(BRIEFBOT_BRIEFINGS=str(configured))
    if order == "configured-first":
        (configured / "penguins.txt").write_bytes(CONFIGURED_PENGUINS)
    else:  # uploaded earlier; the operator adds a file of the same name, and restarts
        settings.uploads_dir.mkdir(parents=True)
        (settings.uploads_dir / "penguins.txt").write_bytes(PENGUINS)
        (configured / "penguins.txt").write_bytes(CONFIGURED_PENGUINS)
    bot = await start_bot(settings)

    if order == "configured-first":
        reply = await add_briefing(fake, "penguins.txt", PENGUINS)
        assert "already loaded" in reply["content"]
    else:
        assert stored(settings) == {"penguins": PENGUINS}  # adopted, kept, but hidden
    assert bot.library.removable(fake.guild_id) == ()
    typed = await fake.send_autocomplete(
        "briefing-remove", {"name": "peng"}, "name", user=fake.owner_id
    )
    await fake.wait_for_interaction_response(typed, timeout=TIMEOUT)
    assert fake.autocomplete_choices(typed) == []

    removing = await fake.send_slash_command(
        "briefing-remove", {"name": "penguins"}, user=fake.owner_id
    )
    reply = await reply_to_interaction(fake, removing)
    assert "was not added with /briefing-add" in reply["content"]
    assert (configured / "penguins.txt").read_bytes() == CONFIGURED_PENGUINS
    assert stored(settings) == ({} if order == "configured-first" else {"penguins": PENGUINS})
    assert "operator's own penguin" in await ask(fake, "What is the operator's penguin briefing?")


# -- an attachment Discord will not hand over ----------------------------------------


@pytest.mark.parametrize("status", [404, 403, 500])
async def test_an_attachment_that_cannot_be_downloaded_is_explained(fake, bot, settings, status):
    fake.fail_next("GET", r"^/attachments/", status)
    reply = await add_briefing(fake, "penguins.txt", PENGUINS)
    assert reply["content"] == (
        f"“penguins.txt” could not be downloaded from Discord (Discord answered {status}), "
        "so nothing was added. Try uploading it again."
    )
    assert stored(settings) == {}
    assert "Shoigu" in await ask(fake)
