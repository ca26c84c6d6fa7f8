"""Feedback: every handled question recorded under a short id, votes, and retention.

Every question the bot answers or refuses (and every chat, help or summary
message, counted only) is recorded in the store under a random short id
that the answer's buttons carry: "More passages" quotes the recorded
passages, "Helpful" and "Not helpful" vote on the answer. What is recorded
is in ``answer_record``; the question's own text only when the operator sets
``BRIEFBOT_KEEP_QUESTIONS``. Records older than ``BRIEFBOT_RETENTION_DAYS``
are deleted at start-up and every hour (``Feedback.run``).

A member's vote is stored under a hash of the answer's id and the member's
id: enough to keep one vote per member, without a list of who voted.
Recording never holds up or loses an answer: if the store fails or is slow,
the answer goes out without the buttons that need the record.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.store import Store, StoreError
from bot.store.base import AnswerRecord, Purged, QuotedPassage, VoteOutcome
from bot.telemetry import outcome_of
from index.answering import Answer, Passage, Status
from index.attribution import cited_sources
from index.briefing import Briefing
from index.chunking import Chunk

log = logging.getLogger(__name__)

# How long a reply waits for its record before it goes out without the buttons that
# need it: short enough that an answer still reaches Discord within its 3 seconds.
RECORD_WAIT = 1.0
PURGE_SECONDS = 3600.0
# How long a stopping bot waits for answer records still being written.
FINISH_WAIT = 5.0
ID_BYTES = 7  # 56 random bits: 10 URL-safe characters
ID_PATTERN = r"[A-Za-z0-9_-]{10}"
# Longer than any Discord message: a stored question is never cut, only bounded.
MAX_QUESTION = 4000
MAX_WORD = 100
_QUESTIONS = frozenset({Status.ANSWERED, Status.NOT_COVERED, Status.NO_SEARCH_TERMS})


def new_answer_id() -> str:
    """A random id for an answer, short enough for a button's custom_id."""
    return secrets.token_urlsafe(ID_BYTES)


def voter_key(answer_id: str, user_id: int) -> str:
    """Who voted on an answer, as a hash: one vote per member, no list of member ids."""
    return hashlib.sha256(f"{answer_id}:{user_id}".encode()).hexdigest()


def iso(moment: dt.datetime) -> str:
    """A UTC time as the store keeps it (sortable as text)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def answer_record(
    result: Answer,
    *,
    answer_id: str,
    guild_id: int | None,
    command: str,
    scope: str | None,
    asked_at: str,
    keep_question: bool,
    text: str | None = None,
) -> AnswerRecord:
    """What is kept of a handled message.

    Answers keep the passages they quoted; answers and refusals keep the words
    the briefings lacked, and the question text only with ``keep_question``;
    chat, help, summaries and empty messages are only counted. ``text`` is the
    question as members read it, if it differs from what was searched.
    """
    question = result.status in _QUESTIONS
    return AnswerRecord(
        answer_id,
        guild_id,
        asked_at,
        command,
        outcome_of(result),
        scope,
        storable(text or result.question, MAX_QUESTION) if question and keep_question else None,
        tuple(map(quoted, result.passages)) if result.answered else (),
        tuple(storable(word, MAX_WORD) for word in result.missing) if question else (),
    )


def storable(text: str, limit: int) -> str:
    """Text both engines accept: no NUL (PostgreSQL refuses it), no lone surrogate halves."""
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def quoted(passage: Passage) -> QuotedPassage:
    """Where ``passage`` is, to quote it again later from the same text."""
    chunk = passage.chunk
    return QuotedPassage(
        passage.briefing.id,
        passage.briefing.digest,
        chunk.paragraph,
        chunk.start,
        chunk.end,
        chunk.tokens,
        passage.sentence_start,
        passage.sentence_end,
        passage.score,
    )


def rebuilt(where: QuotedPassage, briefing: Briefing) -> Passage | None:
    """The passage again, from ``briefing``; None if the briefing's text has changed."""
    if briefing.id != where.briefing_id or briefing.digest != where.digest:
        return None
    body = briefing.body
    chunk = Chunk(
        briefing.id,
        where.paragraph,
        where.chunk_start,
        where.chunk_end,
        body[where.chunk_start : where.chunk_end],
        where.tokens,
    )
    sentence = body[where.sentence_start : where.sentence_end]
    return Passage(
        briefing,
        chunk,
        where.score,
        where.sentence_start,
        where.sentence_end,
        cited_sources(sentence),
    )


class Feedback:
    """Records answers and votes in the store, and forgets them after ``retention_days``."""

    def __init__(
        self,
        store: Store,
        *,
        keep_questions: bool,
        retention_days: int,
        purge_every: float = PURGE_SECONDS,
    ) -> None:
        self.store = store
        self.keep_questions = keep_questions
        self.retention_days = retention_days
        self.purge_every = purge_every
        # One thread writes the records: they queue there instead of taking the
        # shared worker threads that answer questions.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefbot-feedback")
        self._queued: list[tuple[AnswerRecord, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    def cutoff(self) -> str:
        """The oldest moment still kept."""
        return iso(dt.datetime.now(dt.UTC) - dt.timedelta(days=self.retention_days))

    async def record(
        self,
        result: Answer,
        *,
        guild_id: int | None,
        command: str,
        scope: str | None = None,
        text: str | None = None,
    ) -> str | None:
        """Record a handled message; its id, or None if the store failed or was too slow."""
        record = answer_record(
            result,
            answer_id=new_answer_id(),
            guild_id=guild_id,
            command=command,
            scope=scope,
            asked_at=iso(dt.datetime.now(dt.UTC)),
            keep_question=self.keep_questions,
            text=text,
        )
        written = asyncio.get_running_loop().create_future()
        self._queued.append((record, written))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_queued(), name="briefbot-records")
        done, _ = await asyncio.wait({written}, timeout=RECORD_WAIT)
        if not done:
            log.warning("the store took over %.1f s to record an answer; sent without", RECORD_WAIT)
            written.add_done_callback(_log_late_failure)
            return None
        if error := written.exception():
            _log_failure(error)
            return None
        return record.id

    async def _write_queued(self) -> None:
        """Write what is queued, all of it in one transaction, until nothing is left.

        Answers asked together are stored together, so a burst of questions is a
        few transactions rather than one each.
        """
        while self._queued:
            batch, self._queued = self._queued, []
            await self._write(batch)

    async def _write(self, batch: list[tuple[AnswerRecord, asyncio.Future[None]]]) -> None:
        loop = asyncio.get_running_loop()
        records = [record for record, _ in batch]
        try:
            await loop.run_in_executor(self._writer, self.store.record_answers, records)
        except Exception as error:  # noqa: BLE001 - handed to each waiting answer
            if len(batch) > 1:  # one bad record must not lose the others
                for item in batch:
                    await self._write([item])
                return
            _settle(batch[0][1], error)
            return
        for _, written in batch:
            _settle(written, None)

    async def finish(self, timeout: float = FINISH_WAIT) -> None:
        """Write what is still queued (waiting at most ``timeout`` s), then end the writer.

        An answer sent before its record was written (a slow store) is still
        recorded when the bot stops, instead of being lost with the process.
        """
        writing = self._writing
        if writing is not None and not writing.done():
            try:
                async with asyncio.timeout(timeout):
                    await asyncio.shield(writing)
            except TimeoutError:
                log.warning("stopping with %d answer record(s) not yet written", len(self._queued))
        self.close()

    def close(self) -> None:
        """Let the writer thread finish what it was given, and end."""
        self._writer.shutdown(wait=False)

    async def recorded(self, answer_id: str, guild_id: int | None) -> AnswerRecord | None:
        """The answer, if it was asked where ``guild_id`` is and is still kept."""
        record = await asyncio.to_thread(self.store.answer_record, answer_id)
        if record is None or record.guild_id != guild_id or record.asked_at < self.cutoff():
            return None
        return record

    async def vote(
        self, answer_id: str, guild_id: int | None, user_id: int, *, helpful: bool
    ) -> VoteOutcome:
        """A member's vote on an answer asked where ``guild_id`` is."""
        if await self.recorded(answer_id, guild_id) is None:
            return VoteOutcome.NO_ANSWER
        voter = voter_key(answer_id, user_id)
        return await asyncio.to_thread(self.store.vote, answer_id, voter, helpful=helpful)

    def purge(self) -> Purged:
        """Delete what is older than the retention period (and stray question text)."""
        purged = self.store.purge(self.cutoff(), keep_questions=self.keep_questions)
        if purged.answers or purged.questions:
            log.info(
                "deleted %d answer record(s) older than %d days and %d question text(s)",
                purged.answers,
                self.retention_days,
                purged.questions,
            )
        return purged

    async def run(self) -> None:
        """Purge now and then every ``purge_every`` seconds, until cancelled."""
        while True:
            try:
                await asyncio.to_thread(self.purge)
            except Exception:  # the purge must outlive any one failure
                log.exception("could not delete old feedback; trying again later")
            await asyncio.sleep(self.purge_every)


def feedback_of(client: object) -> Feedback:
    """The feedback recorder a bot client holds (buttons and cogs reach it this way)."""
    feedback = getattr(client, "feedback", None)
    if not isinstance(feedback, Feedback):
        raise TypeError(f"{type(client).__name__} holds no feedback recorder")
    return feedback


async def record_answer(
    client: object,
    result: Answer,
    *,
    guild_id: int | None,
    command: str,
    scope: str | None = None,
    text: str | None = None,
) -> str | None:
    """Record what a question got, for every way of asking; None if it was not recorded.

    ``command`` names the way (``ask``, ``message``…); ``scope`` is the briefing
    the question was limited to. Never raises: a reply goes out either way.
    """
    try:
        return await feedback_of(client).record(
            result, guild_id=guild_id, command=command, scope=scope, text=text
        )
    except Exception as error:  # noqa: BLE001 - an answer is never lost to its record
        _log_failure(error)
        return None


def _log_failure(error: BaseException) -> None:
    if isinstance(error, StoreError):
        log.warning("could not record an answer: %s", error)
    else:
        log.error("could not record an answer", exc_info=error)


def _settle(written: asyncio.Future[None], error: BaseException | None) -> None:
    if written.done():
        return
    if error is None:
        written.set_result(None)
    else:
        written.set_exception(error)


def _log_late_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and (error := task.exception()):
        _log_failure(error)
