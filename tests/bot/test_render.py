import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import (
    MESSAGE_LIMIT,
    escape,
    plain,
    render_answer,
    render_briefing,
    render_paragraph,
)
from index.answering import Answer, Passage, Status, answer
from index.chunking import Chunk
from index.parsing import parse_briefing
from index.search import Index


def test_reply_is_a_quote_with_bold_sentence_and_attribution(bundled_index):
    reply = render_answer(
        answer(bundled_index, "Who is Russia's top security official visiting Pyongyang?")
    )
    quote, attribution, *rest = reply.split("\n")
    assert quote.startswith("> **Moscow's top security official Sergei Shoigu")
    assert (
        attribution == "— *North Korea weapons test*, SEOUL, 2025-03-21, paragraph 4, citing TASS"
    )
    assert all(line.startswith("-# Also relevant") for line in rest)


def test_question_words_the_briefing_lacks_are_noted_under_the_quote(bundled_index):
    reply = render_answer(
        answer(bundled_index, "What is the range of the new anti-aircraft missile?")
    )
    assert reply.startswith("> **Kim oversaw the test-fire")
    assert reply.endswith("\n-# Not in the briefing: range")
    complete = render_answer(answer(bundled_index, "Who oversaw the anti-aircraft test-fire?"))
    assert "Not in the briefing" not in complete


def test_refusals_are_plain_sentences(bundled_index):
    assert (
        render_answer(answer(bundled_index, "What did China say?"))
        == "The briefing does not mention China."
    )
    assert "Ask me a question" in render_answer(answer(bundled_index, " "))
    assert "no words I can look up" in render_answer(answer(bundled_index, "what was it"))


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


HOSTILE = "@everyone **Shoigu** said <@123> [link](https://x.example) " * 200


def hostile_briefing(title: str = "T" * 3000):
    text = f"---\ntitle: {title}\nsource: '@here TASS'\n---\n{HOSTILE}\n\nSecond paragraph.\n"
    return parse_briefing(text, "hostile")


def test_paragraph_is_verbatim_with_attribution(bundled):
    assert render_paragraph(bundled, 4) == (
        f"> {bundled.text(bundled.paragraph(4))}\n"
        f"— *{bundled.name}*, SEOUL, 2025-03-21, paragraph 4, citing TASS"
    )


def test_paragraph_cites_whom_the_paragraph_cites_or_the_source():
    briefing = parse_briefing(
        "---\nsource: Example Wire\n---\nKCNA said it worked.\n\nThe weather was mild.\n", "b"
    )
    assert render_paragraph(briefing, 1).endswith("paragraph 1, citing KCNA")
    assert render_paragraph(briefing, 2).endswith("paragraph 2, via Example Wire")


def test_no_such_paragraph_is_an_index_error(bundled):
    with pytest.raises(IndexError):
        render_paragraph(bundled, len(bundled.paragraphs) + 1)


def test_long_hostile_paragraph_is_cut_escaped_and_fits():
    reply = render_paragraph(hostile_briefing(title="Short"), 1)
    assert len(reply) <= MESSAGE_LIMIT
    assert "@everyone" not in reply and "@here" not in reply
    assert not re.search(r"(?<!\\)<@", reply)
    assert reply.split("\n")[0].endswith("…")


def test_briefing_card_shows_metadata_sizes_and_opening(bundled):
    card = render_briefing(bundled, 12)
    name, date, sizes, opening = card.split("\n")
    assert (name, date) == (f"**{bundled.name}**", "2025-03-21")
    assert sizes == f"{len(bundled.paragraphs)} paragraphs, 12 chunks · id: {bundled.id}"
    assert opening.startswith("> North Korea said on Friday (Mar 21)")
    assert render_briefing(bundled, 1).split("\n")[2].startswith("14 paragraphs, 1 chunk ·")


def test_briefing_card_fits_with_a_huge_title():
    card = render_briefing(hostile_briefing(), 1_000_000)
    assert len(card) <= MESSAGE_LIMIT
    assert "@here" not in card and "@everyone" not in card
    assert "1,000,000 chunks" in card


# A second briefing on the same story, for replies that quote from two.
RETURNS = (
    "date 2025-03-23 MOSCOW: Shoigu returned to Moscow on Sunday after talks in Pyongyang.\n\n"
    "The Kremlin said Shoigu hailed the treaty with Kim again.\n"
)


def test_other_passages_from_another_briefing_are_named_with_their_paragraphs(
    bundled, analyzer, chunker
):
    returns = parse_briefing(RETURNS, "2025-03-23-shoigu-returns")
    index = Index.build([bundled, returns], analyzer, chunker)
    result = answer(index, "when did shoigu return")
    assert result.best.briefing.id == returns.id
    others = [p for p in result.passages[1:] if p.briefing.id == bundled.id]
    assert others
    more = render_answer(result).splitlines()[-1]
    numbers = ", ".join(str(p.paragraph) for p in others)
    assert more.startswith("-# Also relevant: ")
    assert more.endswith(f"*{bundled.name}*, paragraph{'s' * (len(others) > 1)} {numbers}")


def test_a_paragraph_asked_for_by_number_is_quoted_as_quote_shows_it(
    bundled, bundled_index, chunker
):
    assert render_answer(answer(bundled_index, "what does paragraph 4 say?")) == render_paragraph(
        bundled, 4
    )
    beyond = render_answer(answer(bundled_index, "paragraph 40"))
    assert beyond == f"*{bundled.name}* has paragraphs 1 to 14; there is no paragraph 40."
    returns = parse_briefing(
        "date 2025-03-23\nShoigu returned.\n\nThe Kremlin said so.\n", "returns"
    )
    both = Index.build([bundled, returns], bundled_index.analyzer, chunker)
    assert answer(both, "paragraph 2").requested is None
    assert "/quote" in render_answer(answer(both, "paragraph 2"))
    chosen = answer(both, "paragraph 2", briefing_id="returns")
    assert render_answer(chosen) == render_paragraph(returns, 2)


def test_also_relevant_lists_the_quoted_briefings_paragraphs_first_and_stays_short(
    bundled, analyzer, chunker
):
    returns = parse_briefing(RETURNS, "2025-03-23-shoigu-returns")
    index = Index.build([bundled, returns], analyzer, chunker)
    found = answer(index, "Shoigu Kim treaty Pyongyang", k=10).passages
    ours = [p for p in found if p.briefing.id == returns.id]
    theirs = [p for p in found if p.briefing.id == bundled.id]
    assert len(ours) == 2 and theirs
    # The quoted briefing's second passage ranked after another briefing's.
    shown = Answer("q", Status.ANSWERED, (ours[0], theirs[0], ours[1]))
    more = render_answer(shown).splitlines()[-1]
    assert more == (
        f"-# Also relevant: paragraph {ours[1].paragraph}; "
        f"*{bundled.name}*, paragraph {theirs[0].paragraph}"
    )
    # Many briefings with long titles: the line is bounded and the quote keeps its room.
    many = [
        parse_briefing(
            f"# {'Shoigu ' * 40}{n}\n\nShoigu met Kim about the treaty, day {n}.\n", f"b{n}"
        )
        for n in range(30)
    ]
    wide = answer(Index.build([bundled, *many], analyzer, chunker), "Shoigu Kim treaty", k=40)
    reply = render_answer(wide)
    more = reply.splitlines()[-1]
    assert more.startswith("-# Also relevant: ") and len(more) <= 300
    assert len(reply) <= MESSAGE_LIMIT and wide.best.sentence[:20] in plain(reply)
