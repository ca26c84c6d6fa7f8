"""The project's evaluation set: figures must not fall below their floors."""

import json

import pytest

from bot.render import plain, render_answer
from index.evaluation import EvalFormatError, Report, check_cases, evaluate, parse_cases
from tests.conftest import PROJECT

EVAL_SET = PROJECT / "tests" / "data" / "eval.jsonl"
# Questions written blind, in six batches of 60, by people who had seen neither the engine
# nor the questions above. They were then used to find reading gaps, so they guard what
# was mended rather than measure unseen questions (README, "Evaluation").
BLIND_SET = PROJECT / "tests" / "data" / "blind.jsonl"

# Floors sit just under the figures measured when they were set; raise them as
# the engine improves, never lower them to pass. They hold over the four kinds
# they were first set on; the conversational kind has floors of its own.
# Refusal recall was 0.78 under the hand-set rule, which also refused 6.6% of
# SQuAD 2.0's answerable questions; the fitted decision refuses 0.6% of those
# and trades some near-topic refusals for it (README, "Evaluation").
FLOORS = {
    "hit_at_1": 0.91,
    "hit_at_3": 0.91,
    "mrr": 0.91,
    "answer_in_reply": 0.91,
    "refusal_precision": 0.89,
    "refusal_recall": 0.80,
}
FIRST_KINDS = ("direct", "paraphrase", "near-topic", "unrelated")


@pytest.fixture(scope="module")
def report(bundled_index):
    with EVAL_SET.open() as handle:
        return evaluate(bundled_index, parse_cases(handle), render_answer, plain)


def test_eval_set_is_large_and_mixed():
    cases = parse_cases(EVAL_SET.read_text().splitlines())
    assert sum(c.answerable for c in cases) >= 40
    assert sum(not c.answerable for c in cases) >= 12


def test_answer_phrases_are_verbatim_in_their_paragraphs(bundled):
    for case in parse_cases(EVAL_SET.read_text().splitlines()):
        if case.answerable:
            assert case.phrase in bundled.text(bundled.paragraph(case.paragraphs[0])), case.question


@pytest.mark.parametrize("figure", sorted(FLOORS))
def test_figures_stay_above_their_floors(report, figure):
    first = Report(tuple(o for o in report.outcomes if o.case.kind in FIRST_KINDS))
    assert getattr(first, figure) >= FLOORS[figure]


def test_conversational_questions_stay_above_their_floors(report):
    conversational = report.by_kind()["conversational"]
    assert len(conversational.outcomes) >= 40
    assert conversational.hit_at_1 >= 0.89
    assert conversational.hit_at_3 >= 0.96
    assert conversational.false_refusals == 0


def test_direct_questions_meet_the_targets(report):
    direct = report.by_kind()["direct"]
    assert len(direct.outcomes) >= 30
    assert direct.hit_at_1 >= 0.97
    assert direct.false_refusals <= len(direct.outcomes) / 40


def test_unrelated_questions_are_refused_at_least_ten_times_in_twelve(report):
    unrelated = report.by_kind()["unrelated"]
    assert len(unrelated.outcomes) >= 12
    assert unrelated.refused / len(unrelated.outcomes) >= 11 / 12


def test_harder_kinds_stay_above_their_floors(report):
    kinds = report.by_kind()
    assert kinds["paraphrase"].hit_at_1 >= 0.76
    assert kinds["paraphrase"].hit_at_3 >= 0.76
    assert kinds["near-topic"].refused >= 9


def test_kinds_are_read_and_checked():
    (case,) = parse_cases([json.dumps({"q": "x", "unanswerable": True, "kind": "unrelated"})])
    assert case.kind == "unrelated"
    with pytest.raises(EvalFormatError, match="kind"):
        parse_cases([json.dumps({"q": "x", "unanswerable": True, "kind": 3})])


def test_every_answered_reply_is_attributed_and_quotes_verbatim(report, bundled):
    for outcome in report.outcomes:
        if outcome.answered:
            quote, attribution = outcome.reply.split("\n")[:2]
            assert plain(quote).removeprefix("> ") in bundled.body
            assert ", 2025-03-21, paragraph " in attribution


def test_bad_lines_are_reported_by_number():
    with pytest.raises(EvalFormatError, match="line 2"):
        parse_cases([json.dumps({"q": "ok", "unanswerable": True}), "{not json"])
    with pytest.raises(EvalFormatError, match="paras"):
        parse_cases([json.dumps({"q": "no paragraphs"})])


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"q": "who is shoigu", "paras": [4], "answer": 7}, '"answer" must be a string'),
        ({"q": "who is shoigu", "paras": [4], "answer": ["a"]}, '"answer" must be a string'),
        ({"q": "who is shoigu", "paras": [4], "briefing": 3}, '"briefing" must be a string'),
        ({"q": "", "paras": [4]}, '"q"'),
        ({"q": "  ", "unanswerable": True}, '"q"'),
        ({"q": "x", "paras": [True]}, '"paras"'),
        ({"q": "x", "paras": [0]}, '"paras"'),
        ({"q": "x", "paras": [-2]}, '"paras"'),
        ({"q": "x", "paras": [1.0]}, '"paras"'),
        ({"q": "x", "paras": "4"}, '"paras"'),
        ({"q": "x", "paras": {"4": 1}}, '"paras"'),
        ({"q": "x", "paras": []}, '"paras"'),
        ({"q": "x", "unanswerable": "no"}, '"unanswerable" must be true or false'),
        ({"q": "x", "unanswerable": 1}, '"unanswerable" must be true or false'),
        ({"q": "x", "unanswerable": True, "paras": [1]}, "not both"),
    ],
)
def test_a_case_of_the_wrong_type_is_refused_by_line(case, message):
    with pytest.raises(EvalFormatError, match=message) as refused:
        parse_cases([json.dumps({"q": "ok", "unanswerable": True}), json.dumps(case)])
    assert str(refused.value).startswith("line 2: ")


def test_a_byte_order_mark_and_an_explicit_answerable_case_are_read():
    first, second = parse_cases(
        [
            "\ufeff" + json.dumps({"q": "a", "paras": [1, 2], "answer": "x", "briefing": "b"}),
            json.dumps({"q": "b", "paras": [3], "unanswerable": False}),
        ]
    )
    assert (first.paragraphs, first.phrase, first.briefing_id, first.line) == ((1, 2), "x", "b", 1)
    assert (second.paragraphs, second.answerable, second.line) == ((3,), True, 2)


def test_cases_naming_what_no_briefing_has_are_found(bundled):
    cases = parse_cases(
        [
            json.dumps({"q": "a", "paras": [14]}),
            json.dumps({"q": "b", "paras": [15]}),
            json.dumps({"q": "c", "paras": [1], "briefing": "nowhere"}),
            json.dumps({"q": "d", "paras": [2, 99], "briefing": bundled.id}),
            json.dumps({"q": "e", "unanswerable": True}),
        ]
    )
    assert check_cases(cases, [bundled]) == [
        "line 2: paragraph 15 is past the end of any briefing (14 paragraphs)",
        "line 3: no briefing has the id 'nowhere'",
        f"line 4: paragraph 99 is past the end of {bundled.id} (14 paragraphs)",
    ]


def test_the_overview_is_an_answer_not_a_refusal(bundled_index):
    when = {"q": "what date is this news from?", "paras": [1], "answer": "Mar 21"}
    lines = [json.dumps(when)] + [
        json.dumps({"q": q, "unanswerable": True}) for q in ("hi", "paragraph 99", "paragraph 2")
    ]
    overview, chat, missing, second = evaluate(
        bundled_index, parse_cases(lines), render_answer, plain
    ).outcomes
    assert overview.answered and overview.rank == 1 and overview.phrase_in_reply
    assert not chat.answered and not missing.answered  # "there is no paragraph 99"
    assert second.answered


def test_blind_questions_stay_above_their_floors(bundled_index, bundled):
    cases = parse_cases(BLIND_SET.read_text().splitlines())
    assert len(cases) >= 360
    for case in cases:
        if case.answerable:  # the date and dateline are the overview's, not a paragraph's
            text = bundled.text(bundled.paragraph(case.paragraphs[0]))
            assert case.phrase in text or case.phrase in (bundled.date, bundled.dateline)
    report = evaluate(bundled_index, cases, render_answer, plain)
    assert report.hit_at_1 >= 0.79
    assert report.hit_at_3 >= 0.91
    assert report.answer_in_reply >= 0.79
    assert report.false_refusals <= 13
