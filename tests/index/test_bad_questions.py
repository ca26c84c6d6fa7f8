"""Hostile and careless questions through ``answer`` and ``render_answer``.

Every question gets a reply that fits one Discord message and is either a
quote with its attribution or a one-line refusal; no reply can ping anyone,
whatever the question or the briefing text holds, and nothing raises.
"""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import HELP, MESSAGE_LIMIT, escape, render_answer
from index.analysis import Analyzer
from index.answering import Answer, Status, answer
from index.parsing import BriefingFormatError, parse_briefing
from index.search import Index
from tests import hostile

# A briefing written to be dangerous when quoted: mentions, markdown, links,
# a long title and source, and a cited "name" hundreds of words long.
HOSTILE_BRIEFING = (
    "---\n"
    f"title: '@everyone <@123> **{'Breaking ' * 40}**'\n"
    f"source: '<@&456> ||{'Wire ' * 60}||'\n"
    "---\n"
    "Zeppelin crews told @everyone and @here at <@123456789> in <#789789> to read "
    "**this** ||spoiler|| [link](https://evil.example/x) `code` ~~gone~~ __under__.\n"
    "> The zeppelin quote opens a line.\n"
    "# Zeppelin heading\n"
    "1. Zeppelin list item\n"
    "-# zeppelin subtext\n"
    "```\nzeppelin fence\n```\n"
    "\\<@123> \\\\<@&456> zeppelin backslashes.\n"
    + " ".join(f"Name{n}" for n in range(300))
    + " said the zeppelin landed.\n"
)

_QUOTE_MARKUP = re.compile(r"(?<!\\)(?:\\\\)*[*_~`|<\[\]]")


# 60,000 characters in which no acronym of Q, X or Z words can be spelled out,
# so every acronym lookup reads all of it.
_WORDS = ("river", "stone", "window", "garden", "market", "silver", "harbour", "lantern")
FILLER = "\n".join(
    " ".join(_WORDS[(n + i) % len(_WORDS)] for i in range(90)) + "." for n in range(100)
)


@pytest.fixture(scope="module")
def library(bundled, analyzer, chunker) -> Index:
    briefings = [
        bundled,
        parse_briefing(HOSTILE_BRIEFING, "@everyone"),
        parse_briefing(FILLER, "filler"),
    ]
    return Index.build(briefings, analyzer, chunker)


def check_reply(result: Answer, reply: str) -> None:
    """A well-formed reply within Discord's limit that pings nobody."""
    assert reply.strip()
    assert len(reply) <= MESSAGE_LIMIT
    assert hostile.live_mentions(reply) == []
    assert "\x00" not in reply
    if result.answered:
        quote, attribution, *more = reply.split("\n")
        assert quote.startswith("> ") and "**" in quote
        assert attribution.startswith("— *") and "paragraph " in attribution
        notes = ("-# Also relevant: ", "-# Not in the briefing", "-# Read ")
        assert all(line.startswith(notes) for line in more)
        for line in more:
            _, _, listed = line.partition("-# Not in the briefing")
            assert _QUOTE_MARKUP.search(listed) is None and "@" not in listed, line
    elif result.status is Status.HELP:
        assert reply == HELP
    elif result.status is Status.SUMMARY:
        assert reply.startswith("**") and "\n> " in reply and "paragraph 1" in reply
    else:
        refusal, *notes = reply.split("\n")
        assert refusal.endswith((".", "*"))
        assert all(note.startswith("-# Read ") for note in notes)


def check_refusal_echo(result: Answer, reply: str) -> None:
    """Words of the question echoed in a refusal are plain, escaped text."""
    if result.status is not Status.NOT_COVERED or not result.missing:
        return
    refusal, *notes = reply.split("\n")
    _, _, listed = refusal.partition(" not mention ")
    assert listed, reply
    for echoed in (listed, *(note.removeprefix("-# Read ") for note in notes)):
        assert _QUOTE_MARKUP.search(echoed) is None, echoed
        assert "@" not in echoed and "#" not in echoed


@pytest.mark.parametrize("question", hostile.texts(), ids=hostile.ids())
@pytest.mark.parametrize("scope", [None, "@everyone"], ids=["library", "one-briefing"])
def test_a_hostile_question_gets_a_safe_well_formed_reply(library, question, scope):
    result = answer(library, question, briefing_id=scope)
    reply = render_answer(result)
    check_reply(result, reply)
    check_refusal_echo(result, reply)


def test_there_are_at_least_fifty_hostile_questions_with_unique_ids():
    assert len(hostile.QUESTIONS) >= 50
    assert len(set(hostile.ids())) == len(hostile.QUESTIONS)
    assert any(len(text) == 10_000 for text in hostile.texts())


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("", Status.EMPTY),
        (" \t\n\r\u00a0\u2003\u3000 ", Status.EMPTY),
        ("\x00\x00", Status.NO_SEARCH_TERMS),
        ("🚀🔥💣", Status.CHAT),
        ("?!?!... ,;: -- !!", Status.NO_SEARCH_TERMS),
        ("what is it that they were doing there?", Status.NO_SEARCH_TERMS),
    ],
)
def test_questions_without_words_are_refused_with_a_hint(library, question, status):
    result = answer(library, question)
    assert result.status is status
    assert "for example" in render_answer(result)


@pytest.mark.parametrize(
    "question",
    [
        "@everyone who visited Pyongyang?",
        "<@123456789012345678> who is Shoigu?",
        "||Who visited Pyongyang?||",
        "```\nWho visited Pyongyang?\n```",
        "> Who visited Pyongyang?",
        "\u202eWho visited Pyongyang?\u202c",
    ],
)
def test_markup_around_a_good_question_does_not_stop_it_being_answered(library, question):
    assert answer(library, question).answered


def test_mentions_in_a_question_are_never_echoed_as_mentions(library):
    result = answer(library, "What did <@111> <@&222> <#333> @everybody Quuxbar say?")
    reply = render_answer(result)
    assert result.status is Status.NOT_COVERED
    # Mentions are Discord markup, not words of the question: never searched or listed.
    assert reply == "The briefings do not mention Quuxbar."


def test_a_long_unknown_word_is_cut_in_the_refusal(library):
    reply = render_answer(answer(library, "What did " + "Q" * 3_000 + " say?"))
    assert reply.startswith("The briefings do not mention QQQ")
    assert reply.endswith("….") and len(reply) < 100


def test_quoting_the_hostile_briefing_is_escaped_and_within_the_limit(library):
    for question in [
        "zeppelin crews spoiler link",
        "zeppelin quote",
        "zeppelin heading",
        "zeppelin list item",
        "zeppelin subtext",
        "zeppelin fence",
        "zeppelin backslashes",
        "Who said the zeppelin landed?",
    ]:
        result = answer(library, question, briefing_id="@everyone")
        assert result.answered, question
        reply = render_answer(result)
        check_reply(result, reply)
        assert "Breaking Breaking" in reply and "…" in reply  # the long title, cut


def test_a_flood_of_unknown_acronyms_is_answered_quickly(library):
    acronyms = " ".join(f"{a}{b}{c}" for a in "QXZ" for b in "QXZJ" for c in "ABCDEFGHIJKLM")
    question = (acronyms + " ") * 60
    assert len(question) > 10_000
    started = time.perf_counter()
    result = answer(library, question)
    # Each lookup reads all 60,000 characters of the filler: one per word took over 10 s.
    assert time.perf_counter() - started < 2.0
    assert result.status is Status.NOT_COVERED


@pytest.mark.parametrize(
    "invisible",
    ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u034f", "\u0489"],
)
def test_invisible_characters_and_marks_never_split_a_word(analyzer, invisible):
    assert analyzer.analyze(f"Sho{invisible}igu") == analyzer.analyze("Shoigu")
    assert analyzer.analyze(invisible.join("Shoigu")) == ["shoigu"]


def test_a_soft_hyphen_copied_from_a_web_page_still_finds_the_name(library):
    assert answer(library, "Who is Sho\u00adigu?").answered


# Pieces that make generated questions likely to hit the briefings and the
# renderer's escaping at once.
_PIECES = [
    *["Shoigu", "Pyongyang", "Kim", "KCNA", "missile", "zeppelin", "Name7", "said", "WMD"],
    "@everyone",
    "@here",
    "<@123>",
    "<@&4>",
    "<#5>",
    "\\",
    "\\\\<@1>",
    "**",
    "||",
    "`",
    "```",
    "> ",
    "# ",
    "-# ",
    "1. ",
    "[x](https://e.x)",
    "\u202e",
    "\u200b",
    "\x00",
    "Z\u0489",
    "\n",
    "?",
    "'s",
    "ß",
    "İ",
    "ǅ",
    "ﬁ",
]
questions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(_PIECES) | st.text(max_size=5), max_size=25).map("".join),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(questions, st.sampled_from([None, "@everyone", "2025-03-21-north-korea-weapons-test"]))
def test_any_question_gets_a_safe_reply(library, question, scope):
    result = answer(library, question, briefing_id=scope)
    reply = render_answer(result)
    check_reply(result, reply)
    check_refusal_echo(result, reply)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(0, 20), st.sampled_from(["\u00ad", "\u200b", "\u0489", "\u0301"]))
def test_analyzer_terms_are_plain_words_whatever_is_inserted(text, where, invisible):
    analyzer = Analyzer()
    terms = analyzer.analyze(text)
    assert all(
        term and not any(ch.isspace() or not ch.isprintable() for ch in term) for term in terms
    )
    assert all(unicodedata.category(ch)[0] != "M" for term in terms for ch in term)
    word = "".join(ch for ch in text if ch.isalpha())[:20]
    if word:
        assert analyzer.analyze(word[:where] + invisible + word[where:]) == analyzer.analyze(word)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=8), max_size=40).map("".join))
def test_escaped_text_is_one_line_without_live_mentions(text):
    escaped = escape(text)
    assert "\n" not in escaped
    assert hostile.live_mentions(escaped) == []
    assert _QUOTE_MARKUP.search(escaped) is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(
            st.sampled_from(_PIECES) | st.text(min_size=1, max_size=12), min_size=1, max_size=30
        ).map(" ".join),
        min_size=1,
        max_size=4,
    ),
    questions,
)
def test_any_briefing_and_question_render_safely(analyzer, chunker, paragraphs, question):
    try:
        briefing = parse_briefing("\n".join(paragraphs), "generated")
    except BriefingFormatError:  # only a heading, an unclosed front matter, ...
        return
    index = Index.build([briefing], analyzer, chunker)
    for asked in (question, paragraphs[0][:200]):
        result = answer(index, asked)
        check_reply(result, render_answer(result))
