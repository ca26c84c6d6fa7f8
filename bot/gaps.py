"""What readers asked that the briefings did not answer: /briefing-gaps and ``briefbot report``.

``gap_report`` gathers a server's recorded answers over a period as plain
data; ``render_gap_report`` makes the one text both the slash command (within
Discord's 2,000 characters) and the command line (in full) show. Every word
that came from a reader is escaped, so nothing in it formats, links or pings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.feedback import Feedback, iso
from bot.render import MESSAGE_LIMIT, WORD_LIMIT, count_of, cut_end
from bot.store.base import FeedbackSummary, FlaggedAnswer

DEFAULT_DAYS = 7
MAX_DAYS = 365
QUESTION_LIMIT = 300
BRIEFING_LIMIT = 80
# What one report lists at most: in Discord it is cut further to fit one message.
WORDS_LISTED = 15
FLAGGED_LISTED = 100
_COMMANDS = {"ask": "/ask", "message": "mention or DM", "message-command": "Ask briefbot"}
_OUTCOMES = {"yes": "answered", "no": "refused"}


@dataclass(frozen=True)
class GapReport:
    """One server's answers over the last ``days`` days."""

    guild_id: int | None
    days: int
    retention_days: int
    questions_kept: bool
    summary: FeedbackSummary

    @property
    def answered(self) -> int:
        """Questions answered with a quote."""
        return self.summary.outcomes.get("yes", 0)

    @property
    def refused(self) -> int:
        """Questions the briefings did not answer."""
        return self.summary.outcomes.get("no", 0)

    @property
    def other(self) -> int:
        """Messages that asked nothing: chat, help, summaries and empty mentions."""
        return sum(self.summary.outcomes.values()) - self.answered - self.refused


def period_start(days: int) -> str:
    """The moment ``days`` days ago, as the store keeps times."""
    return iso(dt.datetime.now(dt.UTC) - dt.timedelta(days=days))


def gap_report(feedback: Feedback, guild_id: int | None, days: int = DEFAULT_DAYS) -> GapReport:
    """The report for ``guild_id`` (None: direct messages) over the last ``days`` days.

    Never further back than the retention period, even before the next purge.
    """
    since = max(period_start(days), feedback.cutoff())
    summary = feedback.store.feedback_summary(
        guild_id, since, words=WORDS_LISTED, flagged=FLAGGED_LISTED
    )
    return GapReport(guild_id, days, feedback.retention_days, feedback.keep_questions, summary)


def render_gap_report(report: GapReport, heading: str, limit: int | None = MESSAGE_LIMIT) -> str:
    """The report as text under ``heading``; with a ``limit``, the flagged list is cut to fit."""
    lines = [f"**{heading}, last {count_of(report.days, 'day')}**", *_totals(report)]
    if report.summary.missing:
        lines.append("**Asked for but not in the briefings**")
        lines.append(
            " · ".join(f"{cut_end(w, WORD_LIMIT)} ({n})" for w, n in report.summary.missing)
        )
    notes = _notes(report)
    flagged = report.summary.flagged
    if flagged:
        lines.append(f"**Refused or marked not helpful** ({report.summary.flagged_total:,})")
    room = None if limit is None else limit - len("\n".join([*lines, *notes])) - 1
    lines.extend(_listed(flagged, report.summary.flagged_total, room, kept=report.questions_kept))
    return "\n".join([*lines, *notes])


def _totals(report: GapReport) -> list[str]:
    questions = report.answered + report.refused
    if not questions and not report.other:
        return ["No questions were asked."]
    votes = report.summary
    return [
        f"{count_of(questions, 'question')}: {report.answered:,} answered, "
        f"{report.refused:,} refused · {count_of(report.other, 'other message')} "
        "(chat, help, summaries)",
        f"Votes on answers: {votes.helpful:,} helpful, {votes.not_helpful:,} not helpful",
    ]


def _notes(report: GapReport) -> list[str]:
    notes = []
    if report.summary.flagged and not report.questions_kept:
        notes.append(
            "-# Question text is not kept, only the words the briefings lacked. To see "
            "questions here, the bot's operator can set BRIEFBOT_KEEP_QUESTIONS=true."
        )
    if report.days > report.retention_days:
        notes.append(
            f"-# Records are kept {count_of(report.retention_days, 'day')} "
            "(BRIEFBOT_RETENTION_DAYS), so this covers no more than that."
        )
    return notes


def _listed(
    flagged: tuple[FlaggedAnswer, ...], total: int, room: int | None, *, kept: bool
) -> list[str]:
    """One line per flagged answer, newest first, and how many did not fit."""
    lines: list[str] = []
    used = 0
    for shown, answer in enumerate(flagged):
        line = _flagged_line(answer, with_question=kept)
        more = f"… and {total - shown:,} more"
        if room is not None and used + len(line) + 1 + len(more) > room:
            return [*lines, more]
        lines.append(line)
        used += len(line) + 1
    if total > len(flagged):
        lines.append(f"… and {total - len(flagged):,} more")
    return lines


def _flagged_line(answer: FlaggedAnswer, *, with_question: bool) -> str:
    when = answer.asked_at[:16].replace("T", " ") + " UTC"
    how = _COMMANDS.get(answer.command, answer.command)
    parts = [when, f"{_OUTCOMES.get(answer.outcome, answer.outcome)} ({how})"]
    if answer.quoted is not None:
        briefing, paragraph = answer.quoted
        parts.append(f"quoted {cut_end(briefing, BRIEFING_LIMIT)} paragraph {paragraph}")
    if answer.helpful or answer.not_helpful:
        parts.append(f"{answer.not_helpful} not helpful, {answer.helpful} helpful")
    if with_question and answer.question is not None:
        parts.append(f"“{cut_end(answer.question, QUESTION_LIMIT)}”")
    if answer.missing:
        parts.append("lacking " + ", ".join(cut_end(w, WORD_LIMIT) for w in answer.missing[:5]))
    return "• " + " · ".join(parts)
