import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from index.answering import Answer, Passage, Status, answer
from index.chunking import Chunk
from index.parsing import parse_briefing
from index.render import MESSAGE_LIMIT, escape, render_answer


def test_reply_is_a_quote_with_bold_sentence_and_attribution(bundled_index):
    reply = render_answer(
        answer(bundled_index, "Who is Russia's top security official visiting Pyongyang?")
    )
    quote, attribution, *rest = reply.split("\n")
    assert quote.startswith("> **Moscow's top security official Sergei Shoigu")
    assert (
        attribution
        == "— *2025-03-21-north-korea-weapons-test*, 2025-03-21, paragraph 4, citing TASS"
    )
    assert all(line.startswith("-# Also relevant") for line in rest)


def test_refusals_are_plain_sentences(bundled_index):
    assert (
        render_answer(answer(bundled_index, "What did China say?"))
        == "The briefing does not mention China."
    )
    assert "Ask me a question" in render_answer(answer(bundled_index, " "))
    assert "no words I can look up" in render_answer(answer(bundled_index, "what is it"))


def test_escape_neutralises_markdown_links_mentions_and_pings():
    text = "**bold** _it_ `code` ||spoiler|| [link](https://x.y) <@123> <#9> @everyone @here ~~s~~"
    escaped = escape(text)
    for token in ["**", "_it_", "`code`", "||", "[link]", "<@", "<#", "~~"]:
        assert token not in escaped.replace("\\" + token[0], "")
    assert "@everyone" not in escaped and "@here" not in escaped
    assert escape("# heading") == "\\# heading"
    assert escape("> quote") == "\\> quote"
    assert escape("1. item") == "1\\. item"
    assert escape("two\nlines") == "two lines"


def make_answer(
    body: str, sentence: tuple[int, int] | None = None, title: str | None = None
) -> Answer:
    briefing = parse_briefing(body, "b")
    briefing = dataclasses.replace(briefing, title=title)
    paragraph = briefing.paragraphs[0]
    text = briefing.text(paragraph)
    chunk = Chunk("b", 1, paragraph.start, paragraph.end, text, 1)
    start, end = sentence or (paragraph.start, paragraph.end)
    passage = Passage(briefing, chunk, 1.0, start, end, ())
    return Answer("q", Status.ANSWERED, (passage,))


def test_long_passages_keep_the_sentence_and_fit_2000_characters():
    before, sentence, after = "a " * 1500, "The key sentence is here.", " b" * 1500
    body = before + sentence + after
    start = len(before)
    reply = render_answer(make_answer(body, (start, start + len(sentence))))
    assert len(reply) <= MESSAGE_LIMIT
    assert "**The key sentence is here.**" in reply
    assert "…" in reply


@settings(max_examples=150, deadline=None)
@given(
    st.text(min_size=1, max_size=5000).filter(lambda t: t.strip()),
    st.one_of(st.none(), st.text(max_size=300)),
)
def test_any_briefing_text_renders_within_the_limit_and_never_pings(body, title):
    body = "Quote " + " ".join(body.split())
    reply = render_answer(make_answer(body, title=title))
    assert len(reply) <= MESSAGE_LIMIT
    assert "@everyone" not in reply and "@here" not in reply
    assert reply.startswith("> ")
