"""The custom_id scheme: everything a button needs, within Discord's 100 characters."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.buttons import (
    CUSTOM_ID_LIMIT,
    DeleteAnswer,
    MorePassages,
    Vote,
    WholeParagraph,
    answer_view,
    briefing_key,
    content_key,
    find_by_key,
)
from bot.feedback import new_answer_id
from bot.legacy_buttons import LegacyMorePassages, fit_question
from index.answering import answer
from index.loading import load_briefings
from index.search import Index
from tests.bot.conftest import HARBOUR, HARBOUR_FILE, SHOIGU_QUESTION

ASKER = 1200000000000000300
DREDGING = "When will the dredging start?"


@pytest.fixture(scope="module")
def harbour_index(tmp_path_factory, analyzer, chunker) -> Index:
    path = tmp_path_factory.mktemp("harbour") / HARBOUR_FILE
    path.write_bytes(HARBOUR)
    return Index.build(list(load_briefings(path).briefings), analyzer, chunker)


def ids(view) -> list[str]:
    return [item.custom_id for item in view.children]


def test_answer_view_carries_paragraph_next_rank_and_votes(harbour_index):
    view = answer_view(answer(harbour_index, DREDGING), record="AbCd-_1234")
    briefing = harbour_index.briefings[0]
    key, digest = briefing_key(briefing.id), content_key(briefing)
    assert ids(view) == [
        f"bb:para:{key}:{digest}:2",
        "bb:more:AbCd-_1234:1",
        "bb:vote:AbCd-_1234:y",
        "bb:vote:AbCd-_1234:n",
    ]
    assert digest == briefing.digest[:8]
    assert view.timeout is None


def test_no_whole_paragraph_when_the_quote_is_the_whole_paragraph(bundled_index, harbour_index):
    """Each bundled paragraph is one sentence, one chunk: its quote is all of it."""
    assert ids(answer_view(answer(bundled_index, SHOIGU_QUESTION), record="AbCd-_1234")) == [
        "bb:more:AbCd-_1234:1",
        "bb:vote:AbCd-_1234:y",
        "bb:vote:AbCd-_1234:n",
    ]
    kayakers = answer(harbour_index, "What did kayakers fear?")
    assert kayakers.best.paragraph == 3
    assert answer_view(kayakers) is None


def test_public_answers_end_with_delete_for_their_asker(bundled_index, harbour_index):
    shoigu = answer_view(
        answer(bundled_index, SHOIGU_QUESTION), record="AbCd-_1234", asker_id=ASKER
    )
    assert len(ids(shoigu)) == 4 and ids(shoigu)[3] == f"bb:del:{ASKER}"
    dredging = answer_view(answer(harbour_index, DREDGING), record="AbCd-_1234", asker_id=ASKER)
    assert len(ids(dredging)) == 5 and ids(dredging)[4] == f"bb:del:{ASKER}"
    refusal = answer_view(answer(bundled_index, "What did Zelensky say?"), asker_id=ASKER)
    assert ids(refusal) == [f"bb:del:{ASKER}"]


def test_delete_ids_parse_back():
    item = DeleteAnswer(ASKER)
    match = re.fullmatch(DeleteAnswer.__discord_ui_compiled_template__, item.custom_id)
    assert match is not None and int(match["asker"]) == ASKER


def test_an_answer_that_was_not_recorded_keeps_only_its_paragraph(harbour_index):
    view = answer_view(answer(harbour_index, DREDGING), record=None)
    assert [item.custom_id[:8] for item in view.children] == ["bb:para:"]


def test_private_refusals_get_no_buttons(bundled_index):
    assert answer_view(answer(bundled_index, "What did Zelensky say?"), record="AbCd-_1234") is None


def test_briefing_keys_find_their_briefing(bundled_index):
    briefing_id = bundled_index.briefings[0].id
    assert find_by_key(bundled_index.briefings, briefing_key(briefing_id)).id == briefing_id


@given(st.integers(0, 99), st.booleans())
def test_record_ids_fit_and_parse_back(rank, helpful):
    record = new_answer_id()
    for item, template in [
        (MorePassages(record, rank), MorePassages),
        (Vote(record, helpful=helpful), Vote),
    ]:
        assert len(item.custom_id) <= CUSTOM_ID_LIMIT
        match = re.fullmatch(template.__discord_ui_compiled_template__, item.custom_id)
        assert match is not None and match["record"] == record
        # A new button is never mistaken for a button of the older scheme, and back.
        assert not re.fullmatch(LegacyMorePassages.__discord_ui_compiled_template__, item.custom_id)
    legacy = LegacyMorePassages("Who visited?", rank, None).custom_id
    assert not re.fullmatch(MorePassages.__discord_ui_compiled_template__, legacy)


# Long runs of characters outside the Basic Multilingual Plane (two UTF-16 units
# each, one code point), with and without spaces between them.
ASTRAL = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=["Cs"])
questions = st.one_of(
    st.text(min_size=1, max_size=500),
    st.lists(st.text(ASTRAL, min_size=1, max_size=120), min_size=1, max_size=6).map(" ".join),
    st.lists(st.sampled_from(["🚀", "𝐖𝐡𝐨", "Shoigu", "a", " "]), min_size=1, max_size=200).map(
        "".join
    ),
)


@given(questions, st.integers(0, 99), st.booleans())
def test_legacy_more_passages_ids_fit_and_parse_back(question, rank, scoped):
    scope = briefing_key("some-briefing") if scoped else None
    item = LegacyMorePassages(question, rank, scope)
    assert len(item.custom_id) <= CUSTOM_ID_LIMIT
    match = re.fullmatch(LegacyMorePassages.__discord_ui_compiled_template__, item.custom_id)
    assert match is not None
    assert (match["question"], int(match["rank"])) == (item.question, rank)
    assert match["scope"] == (scope or "-")


@given(questions, st.integers(1, 100))
def test_a_question_keeps_every_word_that_fits(question, room):
    """Cut only where Discord's limit needs it: the next word would not fit in code points."""
    words = question.split()
    fitted = fit_question(question, room)
    assert len(fitted) <= room
    kept = len(fitted.split())
    if words and fitted != words[0][:room]:
        assert fitted == " ".join(words[:kept])
        assert kept == len(words) or len(" ".join(words[: kept + 1])) > room


@pytest.mark.parametrize(
    ("question", "room", "fitted"),
    [
        ("Who  visited\nPyongyang?", 80, "Who visited Pyongyang?"),
        ("Who visited Pyongyang?", 12, "Who visited"),
        ("Pneumonoultramicroscopic", 5, "Pneum"),
        ("🚀 rockets", 3, "🚀"),
        ("🚀" * 30 + " " + "🚀" * 30, 61, "🚀" * 30 + " " + "🚀" * 30),
        ("🚀" * 120, 88, "🚀" * 88),
    ],
)
def test_questions_are_cut_after_a_word(question, room, fitted):
    assert fit_question(question, room) == fitted


@pytest.mark.parametrize("digest", ["0123abcd", None], ids=["bound", "made-before-digests"])
def test_whole_paragraph_ids_are_short_and_parse_back(digest):
    key = briefing_key("x" * 300)
    item = WholeParagraph(key, digest, 123456)
    bound = f"{digest}:" if digest else ""
    assert item.custom_id == f"bb:para:{key}:{bound}123456"
    assert len(item.custom_id) <= CUSTOM_ID_LIMIT
    match = re.fullmatch(WholeParagraph.__discord_ui_compiled_template__, item.custom_id)
    assert match is not None
    assert (match["briefing"], match["digest"], int(match["paragraph"])) == (key, digest, 123456)
