"""Messages built from the core's renderer: verbatim, escaped, within 2,000 characters."""

from __future__ import annotations

import re

from bot.replies import (
    briefing_reply,
    catalog_reply,
    out_of_range,
    paragraph_passage,
    paragraph_reply,
    passage_reply,
)
from index.answering import answer
from index.parsing import parse_briefing
from index.render import MESSAGE_LIMIT
from index.search import Index
from tests.bot.conftest import SHOIGU_QUESTION

HOSTILE = "@everyone **Shoigu** said <@123> [link](https://x.example) " * 200


def hostile_briefing(briefing_id: str = "hostile", title: str = "T" * 3000):
    text = f"---\ntitle: {title}\nsource: '@here TASS'\n---\n{HOSTILE}\n\nSecond paragraph.\n"
    return parse_briefing(text, briefing_id)


def test_paragraph_reply_is_verbatim_with_attribution(bundled):
    reply = paragraph_reply(bundled, 4)
    assert reply == (
        f"> {bundled.text(bundled.paragraph(4))}\n"
        f"— *{bundled.id}*, 2025-03-21, paragraph 4, citing TASS"
    )


def test_paragraph_passage_is_a_slice_of_the_body(bundled):
    passage = paragraph_passage(bundled, 2)
    assert bundled.body[passage.chunk.start : passage.chunk.end] == passage.text
    assert passage.sentence == passage.text


def test_long_hostile_paragraph_is_cut_escaped_and_fits():
    briefing = hostile_briefing(title="Short")
    reply = paragraph_reply(briefing, 1)
    assert len(reply) <= MESSAGE_LIMIT
    assert "@everyone" not in reply and "@here" not in reply
    assert not re.search(r"(?<!\\)<@", reply)
    assert reply.split("\n")[0].endswith("…")


def test_passage_reply_numbers_the_passage(bundled_index):
    result = answer(bundled_index, SHOIGU_QUESTION)
    reply = passage_reply(result.passages[1], 1)
    assert reply.startswith("-# Passage 2\n> **")
    assert reply.endswith("paragraph 1, citing North Korea")


def test_briefing_card_and_catalog_fit_with_huge_titles(analyzer, chunker):
    briefings = [hostile_briefing(f"b{n}") for n in range(60)]
    index = Index.build(briefings[:1], analyzer, chunker)
    card = briefing_reply(index, briefings[0])
    assert len(card) <= MESSAGE_LIMIT
    assert "@here" not in card
    catalog = catalog_reply(briefings)
    assert len(catalog) <= MESSAGE_LIMIT
    assert catalog.startswith("**60 briefings loaded**")
    assert catalog.endswith("more")


def test_out_of_range_names_the_valid_range(bundled):
    assert out_of_range(bundled, 40) == (
        f"*{bundled.id}* has paragraphs 1 to {len(bundled.paragraphs)}; there is no paragraph 40."
    )
