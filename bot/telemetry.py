"""One log line per question: where, how, how fast, and what became of it.

Never the user's name or the question's text: the line is for operators.
``answered`` is ``yes`` or ``no`` for a question, and says what the message
was otherwise (``chat``, ``help``, ``summary``, ``empty``), so chat is never
counted as a question the briefing could not answer.
"""

from __future__ import annotations

import logging
import time

from index.answering import Answer, Status

log = logging.getLogger("briefbot.questions")

_OUTCOMES = {
    Status.ANSWERED: "yes",
    Status.NOT_COVERED: "no",
    Status.NO_SEARCH_TERMS: "no",
    Status.CHAT: "chat",
    Status.HELP: "help",
    Status.SUMMARY: "summary",
    Status.PARAGRAPH: "paragraph",
    Status.EMPTY: "empty",
}


def outcome_of(result: Answer) -> str:
    """What became of a message, in the log's words (``yes``, ``no``, ``chat`` and so on)."""
    return _OUTCOMES[result.status]


def log_question(guild_id: int | None, command: str, started: float, result: Answer) -> None:
    """Log a handled message; ``started`` is a ``time.perf_counter()`` reading."""
    latency_ms = (time.perf_counter() - started) * 1000
    log.info(
        "question guild=%s command=%s latency_ms=%.1f answered=%s",
        guild_id if guild_id is not None else "dm",
        command,
        latency_ms,
        outcome_of(result),
    )
