"""One log line per question: where, how, how fast, and whether it was answered.

Never the user's name or the question's text: the line is for operators.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("briefbot.questions")


def log_question(guild_id: int | None, command: str, started: float, *, answered: bool) -> None:
    """Log a handled question; ``started`` is a ``time.perf_counter()`` reading."""
    latency_ms = (time.perf_counter() - started) * 1000
    log.info(
        "question guild=%s command=%s latency_ms=%.1f answered=%s",
        guild_id if guild_id is not None else "dm",
        command,
        latency_ms,
        "yes" if answered else "no",
    )
