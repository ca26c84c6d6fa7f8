"""The custom_id scheme: everything a button needs, within Discord's 100 characters."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.buttons import (
    CUSTOM_ID_LIMIT,
    MorePassages,
    WholeParagraph,
    answer_view,
    briefing_key,
    find_by_key,
    fit_question,
)
from index.answering import answer
from tests.bot.conftest import SHOIGU_QUESTION


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_answer_view_carries_paragraph_and_next_rank(bundled_index):
    view = answer_view(answer(bundled_index, SHOIGU_QUESTION), None)
    ids = [item.custom_id for item in view.children]
    key = briefing_key(bundled_index.briefings[0].id)
    assert ids == [f"bb:para:{key}:4", f"bb:more:1:-:{SHOIGU_QUESTION}"]
    assert view.timeout is None


def test_refusals_get_no_buttons(bundled_index):
    assert answer_view(answer(bundled_index, "What did Zelensky say?"), None) is None


def test_scoped_answers_carry_the_briefing_key(bundled_index):
    briefing_id = bundled_index.briefings[0].id
    view = answer_view(answer(bundled_index, SHOIGU_QUESTION, briefing_id=briefing_id), briefing_id)
    more = view.children[1].custom_id
    assert more == f"bb:more:1:{briefing_key(briefing_id)}:{SHOIGU_QUESTION}"
    assert find_by_key(bundled_index.briefings, briefing_key(briefing_id)).id == briefing_id


@given(st.text(min_size=1, max_size=500), st.integers(0, 99), st.booleans())
def test_more_passages_ids_fit_and_parse_back(question, rank, scoped):
    scope = briefing_key("some-briefing") if scoped else None
    item = MorePassages(question, rank, scope)
    assert utf16_length(item.custom_id) <= CUSTOM_ID_LIMIT
    match = re.fullmatch(MorePassages.__discord_ui_compiled_template__, item.custom_id)
    assert match is not None
    assert (match["question"], int(match["rank"])) == (item.question, rank)
    assert match["scope"] == (scope or "-")


@pytest.mark.parametrize(
    ("question", "room", "fitted"),
    [
        ("Who  visited\nPyongyang?", 80, "Who visited Pyongyang?"),
        ("Who visited Pyongyang?", 12, "Who visited"),
        ("Pneumonoultramicroscopic", 5, "Pneum"),
        ("🚀 rockets", 3, "🚀"),
    ],
)
def test_questions_are_cut_after_a_word(question, room, fitted):
    assert fit_question(question, room) == fitted


def test_whole_paragraph_ids_are_short_and_parse_back():
    key = briefing_key("x" * 300)
    item = WholeParagraph(key, 123456)
    assert item.custom_id == f"bb:para:{key}:123456"
    assert utf16_length(item.custom_id) <= CUSTOM_ID_LIMIT
    match = re.fullmatch(WholeParagraph.__discord_ui_compiled_template__, item.custom_id)
    assert match is not None
    assert (match["briefing"], int(match["paragraph"])) == (key, 123456)
