"""Finding the question in a channel message."""

from __future__ import annotations

import pytest

from bot.questions import question_in

BOT = 1200000000000000001


@pytest.mark.parametrize(
    ("content", "prefix", "question"),
    [
        (f"<@{BOT}> Who visited Pyongyang?", None, "Who visited Pyongyang?"),
        (f"<@!{BOT}>   who  visited\nPyongyang?", None, "who visited Pyongyang?"),
        (f"So <@{BOT}>, what did KCNA say?", None, "So , what did KCNA say?"),
        (f"<@{BOT}>", None, ""),
        ("!ask What did KCNA say?", "!", "What did KCNA say?"),
        ("  !ASK   What did KCNA say?", "!", "What did KCNA say?"),
        ("!ask", "!", ""),
        ("bb ask Who?", "bb ", "Who?"),
    ],
)
def test_questions_found(content, prefix, question):
    assert question_in(content, BOT, prefix) == question


@pytest.mark.parametrize(
    ("content", "prefix"),
    [
        ("Who visited Pyongyang?", "!"),
        ("!ask What did KCNA say?", None),
        ("!asking for a friend", "!"),
        ("please !ask this", "!"),
        ("<@1200000000000000002> Who visited?", "!"),
        (f"<@&{BOT}> a role with the bot's id", None),
        ("", "!"),
    ],
)
def test_messages_that_ask_nothing(content, prefix):
    assert question_in(content, BOT, prefix) is None
