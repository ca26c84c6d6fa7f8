"""Score the engine on a set of questions with known answers.

Each case is a JSON line: ``{"q", "paras", "answer"?, "briefing"?}`` for a
question the briefing answers (paragraph numbers from 1, an answer phrase the
reply should contain), or ``{"q", "unanswerable": true}`` for one it does not;
an optional ``"kind"`` label ("direct", "paraphrase", ...) gets figures of its
own. Every field is checked for its type, so a mistyped file is refused with
its line number rather than scored wrongly. The report gives hit@1, hit@3,
MRR and the answer-in-reply rate over answerable cases, and precision and
recall of "not in the briefing".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from index.answering import Answer, answer
from index.briefing import Briefing
from index.search import Index

EVAL_DEPTH = 3


class EvalFormatError(ValueError):
    """A line of the evaluation file is not a valid case."""


@dataclass(frozen=True)
class Case:
    """One question and what a correct reply contains (or that none exists)."""

    question: str
    paragraphs: tuple[int, ...] = ()
    phrase: str | None = None
    briefing_id: str | None = None
    kind: str | None = None
    line: int | None = None  # where the case is in its file, for messages about it

    @property
    def answerable(self) -> bool:
        """Whether the briefing answers this question."""
        return bool(self.paragraphs)


@dataclass(frozen=True)
class Outcome:
    """How the engine did on one case."""

    case: Case
    answered: bool  # the reply quotes the briefing (``Answer.quotes``); otherwise it refused
    rank: int | None
    phrase_in_reply: bool
    reply: str


@dataclass(frozen=True)
class Report:
    """Figures over all cases, and the outcomes behind them."""

    outcomes: tuple[Outcome, ...]

    def _answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.answerable]

    def _share(self, hits: int, total: int) -> float:
        return hits / total if total else 1.0

    @property
    def hit_at_1(self) -> float:
        """Answerable cases whose first passage is a right paragraph."""
        cases = self._answerable()
        return self._share(sum(o.rank == 1 for o in cases), len(cases))

    @property
    def hit_at_3(self) -> float:
        """Answerable cases with a right paragraph among the first three."""
        cases = self._answerable()
        return self._share(sum(o.rank is not None and o.rank <= 3 for o in cases), len(cases))

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first right paragraph (0 when absent)."""
        cases = self._answerable()
        return self._share(sum(1 / o.rank for o in cases if o.rank), len(cases))

    @property
    def answer_in_reply(self) -> float:
        """Answerable cases whose reply contains the answer phrase."""
        cases = self._answerable()
        return self._share(sum(o.phrase_in_reply for o in cases), len(cases))

    @property
    def refusal_precision(self) -> float:
        """Of the questions refused, the share that the briefing does not answer."""
        refused = [o for o in self.outcomes if not o.answered]
        return self._share(sum(not o.case.answerable for o in refused), len(refused))

    @property
    def refusal_recall(self) -> float:
        """Of the questions the briefing does not answer, the share refused."""
        cases = [o for o in self.outcomes if not o.case.answerable]
        return self._share(sum(not o.answered for o in cases), len(cases))

    @property
    def refused(self) -> int:
        """Questions answered "not in the briefing"."""
        return sum(not o.answered for o in self.outcomes)

    def by_kind(self) -> dict[str, Report]:
        """A report for each ``kind`` the cases are labelled with, in order of appearance."""
        kinds: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            if outcome.case.kind:
                kinds.setdefault(outcome.case.kind, []).append(outcome)
        return {kind: Report(tuple(outcomes)) for kind, outcomes in kinds.items()}

    @property
    def false_refusals(self) -> int:
        """Answerable questions that were refused."""
        return sum(not o.answered for o in self._answerable())


def parse_cases(lines: Iterable[str]) -> list[Case]:
    """Cases from JSON lines; EvalFormatError names the first bad line.

    A byte order mark before the first line (Windows editors write one) is skipped.
    """
    cases = []
    for number, line in enumerate(lines, 1):
        text = line.removeprefix("\ufeff") if number == 1 else line
        if not text.strip():
            continue
        try:
            cases.append(replace(_case(json.loads(text)), line=number))
        except (json.JSONDecodeError, EvalFormatError, TypeError, RecursionError) as error:
            raise EvalFormatError(f"line {number}: {error}") from None
    return cases


def _case(data: object) -> Case:
    if not isinstance(data, dict) or not isinstance(data.get("q"), str) or not data["q"].strip():
        raise EvalFormatError('each line needs a "q": the question, a non-empty string')
    kind = _optional_string(data, "kind")
    unanswerable = data.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise EvalFormatError(f'"unanswerable" must be true or false, not {unanswerable!r}')
    if unanswerable:
        if "paras" in data:
            raise EvalFormatError('a case is "unanswerable" or has "paras", not both')
        return Case(data["q"], kind=kind)
    paragraphs = data.get("paras")
    if (
        not isinstance(paragraphs, list)
        or not paragraphs
        or not all(type(p) is int and p >= 1 for p in paragraphs)  # not bools, not 0
    ):
        raise EvalFormatError(
            'an answerable case needs "paras", a list of paragraph numbers from 1 '
            '(or "unanswerable": true)'
        )
    phrase, briefing = _optional_string(data, "answer"), _optional_string(data, "briefing")
    return Case(data["q"], tuple(paragraphs), phrase, briefing, kind)


def _optional_string(data: dict[str, object], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise EvalFormatError(f'"{name}" must be a string, not {json.dumps(value)[:40]}')
    return value


def check_cases(cases: Iterable[Case], briefings: Sequence[Briefing]) -> list[str]:
    """What in ``cases`` no briefing has: unknown briefing ids, paragraphs past the end.

    Such a case could only ever be scored a miss, which would hide the typo in the file.
    """
    paragraphs = {briefing.id: len(briefing.spans()) for briefing in briefings}
    most = max(paragraphs.values(), default=0)
    problems = []
    for case in cases:
        where = f"line {case.line}: " if case.line else ""
        if case.briefing_id is not None and case.briefing_id not in paragraphs:
            problems.append(f"{where}no briefing has the id {case.briefing_id!r}")
            continue
        count = most if case.briefing_id is None else paragraphs[case.briefing_id]
        if past := [p for p in case.paragraphs if p > count]:
            whose = "any briefing" if case.briefing_id is None else case.briefing_id
            problems.append(
                f"{where}paragraph {past[0]} is past the end of {whose} ({count} paragraphs)"
            )
    return problems


def evaluate(
    index: Index,
    cases: Iterable[Case],
    render: Callable[[Answer], str],
    readable: Callable[[str], str] = str,
) -> Report:
    """Answer every case and score the replies.

    ``render`` makes the reply a user reads, and ``readable`` takes its markup
    off, so that an answer phrase is found in the reply as a reader sees it:
    the core knows no markup, the adapter that renders does.
    """
    return Report(
        tuple(
            _outcome(case, answer(index, case.question, EVAL_DEPTH), render, readable)
            for case in cases
        )
    )


def _outcome(
    case: Case, result: Answer, render: Callable[[Answer], str], readable: Callable[[str], str]
) -> Outcome:
    reply = render(result)
    rank = None
    for position, passage in enumerate(result.passages, 1):
        right_briefing = case.briefing_id in (None, passage.briefing.id)
        if right_briefing and passage.paragraph in case.paragraphs:
            rank = position
            break
    phrase_in_reply = bool(case.phrase) and case.phrase in readable(reply)
    return Outcome(case, result.quotes, rank, phrase_in_reply, reply)
