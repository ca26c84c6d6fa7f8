"""Chat around a question is stripped where it sits, and chat alone is recognised."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.analysis import split_words
from index.chat import ChatLexicon, Intent, Kind, default_lexicon, trim_chat

LEXICON = ChatLexicon.parse(
    """
    # a small lexicon, so the rules are tested apart from the shipped data
    [greeting]
    hi
    good morning
    [vocative]
    all
    [thanks]
    thanks
    [apology]
    sorry
    [framing]
    can anyone explain
    i was wondering
    [politeness]
    please
    [closing]
    cheers
    [reaction]
    ok
    [help]
    help
    [summary]
    summarize the briefing
    [light]
    take
    take place
    """.splitlines()
)


def trimmed(message: str, *, had_symbols: bool = False) -> tuple[Intent, list[str]]:
    words = split_words(message)
    result = trim_chat(words, LEXICON, had_symbols=had_symbols)
    return result.intent, [word for i, word in enumerate(words) if result.kept(i)]


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("Hi! Who is visiting Pyongyang?", "who is visiting pyongyang"),
        ("Good morning all — who is visiting?", "who is visiting"),
        ("Sorry, hi, can anyone explain why Seoul is angry?", "why seoul is angry"),
        ("I was wondering: who is Shoigu? Thanks! Cheers", "who is shoigu"),
        ("Who is Shoigu, please?", "who is shoigu"),
        ("who, please, is Shoigu", "who is shoigu"),
    ],
)
def test_chat_around_a_question_is_stripped(message, question):
    assert trimmed(message) == (Intent.QUESTION, question.split())


def test_a_vocative_is_chat_only_beside_a_greeting_or_thanks():
    assert trimmed("all the missiles they fired")[1] == ["all", "the", "missiles", "they", "fired"]
    assert trimmed("what did they fire, thanks all")[1] == ["what", "did", "they", "fire"]


def test_a_greeting_does_not_close_a_question():
    # "morning" ends questions as often as it greets.
    assert trimmed("what happened this good morning")[1][-2:] == ["good", "morning"]


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("thanks!", Intent.CHAT),
        ("hi all", Intent.CHAT),
        ("ok", Intent.CHAT),
        ("help", Intent.HELP),
        ("hi, help please", Intent.HELP),
        ("can anyone explain... summarize the briefing", Intent.SUMMARY),
        ("summarize briefing", Intent.SUMMARY),  # but for a stopword
    ],
)
def test_whole_messages_of_chat_help_or_summary_are_recognised(message, intent):
    assert trimmed(message)[0] is intent


def test_emoji_alone_are_chat_and_punctuation_alone_is_a_question_with_no_words():
    assert trimmed("", had_symbols=True)[0] is Intent.CHAT
    assert trimmed("?!")[0] is Intent.QUESTION


def test_light_words_are_single_words_only():
    assert LEXICON.light_words == frozenset({"take"})


def test_a_phrase_before_any_section_is_an_error():
    with pytest.raises(ValueError, match="line 1"):
        ChatLexicon.parse(["hello"])


def test_the_shipped_lexicon_covers_every_kind_of_chat():
    lexicon = default_lexicon()
    assert all(lexicon.phrases[kind] for kind in Kind)
    assert len(lexicon.phrases[Kind.FRAMING]) >= 500
    assert sum(len(phrases) for phrases in lexicon.phrases.values()) >= 2000


def _is_header(line: str) -> bool:
    return line.split("#", 1)[0].strip().startswith("[")


@given(st.lists(st.text().filter(lambda line: not _is_header(line)), max_size=8))
def test_a_lexicon_holds_each_lines_folded_words(lines):
    lexicon = ChatLexicon.parse(["[thanks]", *lines])
    phrases = {tuple(split_words(line.split("#", 1)[0].strip())) for line in lines}
    assert lexicon.phrases[Kind.THANKS] == phrases - {()}
