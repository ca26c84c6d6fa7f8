"""The bot's own messages: built from the core's renderer, escaped, within 2,000 characters."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.buttons import briefing_key, find_by_id, find_by_key
from bot.exts.options import choices
from bot.render import MESSAGE_LIMIT, out_of_range
from bot.replies import added_reply, catalog_reply, passage_reply, removed_reply
from index.answering import answer
from index.catalog import open_catalog
from index.parsing import parse_briefing
from index.segments import Segments
from index.stored import StoredBriefing
from tests.bot.conftest import SHOIGU_QUESTION

HOSTILE = "@everyone **Shoigu** said <@123> [link](https://x.example) " * 200


def hostile_briefing(briefing_id: str = "hostile", title: str = "T" * 3000):
    text = f"---\ntitle: {title}\nsource: '@here TASS'\n---\n{HOSTILE}\n\nSecond paragraph.\n"
    return parse_briefing(text, briefing_id)


def test_passage_reply_numbers_the_passage(bundled_index):
    result = answer(bundled_index, SHOIGU_QUESTION)
    second = result.passages[1]
    reply = passage_reply(second, 1)
    assert reply.startswith("-# Passage 2\n> **")
    cited = "".join(f", citing {source}" for source in second.cites[:1])
    assert reply.endswith(f"paragraph {second.paragraph}{cited}")


def test_catalog_fits_with_huge_titles():
    briefings = [hostile_briefing(f"b{n}") for n in range(60)]
    catalog = catalog_reply(briefings)
    assert len(catalog) <= MESSAGE_LIMIT
    assert catalog.startswith("**60 briefings loaded**")
    assert catalog.endswith("more")


def test_management_replies_fit_and_ping_nobody():
    briefing = hostile_briefing("hostile_notes", title="Ping @everyone " * 1000)
    added = added_reply(briefing)
    assert added.endswith("(2 paragraphs, id: hostile\\_notes). /ask can quote it now.")
    for reply in (added, removed_reply(briefing)):
        assert len(reply) <= 300
        assert "@everyone" not in reply


def test_out_of_range_names_the_valid_range(bundled):
    assert out_of_range(bundled, 40) == (
        f"*{bundled.name}* has paragraphs 1 to {len(bundled.paragraphs)}; there is no paragraph 40."
    )


def test_out_of_range_fits_with_a_huge_title():
    message = out_of_range(hostile_briefing(title="Ping @everyone " * 1000), 9)
    assert len(message) <= 200
    assert "@everyone" not in message
    assert message.endswith("there is no paragraph 9.")


@pytest.fixture
def archive(tmp_path, monkeypatch) -> tuple[Sequence, list[str]]:
    """A cached archive of 30 dated briefings as a server sees it, and the ids of those made."""
    folder = tmp_path / "briefings"
    folder.mkdir()
    for n in range(30):
        (folder / f"b{n:02}.txt").write_text(f"date 2025-01-{n + 1:02}\n# Story {n}\n\nText {n}.\n")
    open_catalog([folder], tmp_path / "cache", lambda _: None)
    index = open_catalog([folder], tmp_path / "cache", lambda _: None)
    made: list[str] = []

    def counted(record, *args):
        made.append(record.id)
        return StoredBriefing(record, *args)

    monkeypatch.setattr("index.briefingtable.StoredBriefing", counted)
    return Segments([index]).briefings, made


def test_the_catalog_and_autocompletion_read_a_cached_archive_as_columns(archive):
    briefings, made = archive
    catalog = catalog_reply(briefings)
    assert catalog.startswith("**30 briefings loaded**")
    assert catalog.index("*Story 29*, 2025-01-30 (id: b29)") < catalog.index("*Story 28*")
    assert made == []
    offered = [choice.value for choice in choices(briefings, "story 1")]
    assert offered == [f"b{n}" for n in range(19, 9, -1)] + ["b01"]
    assert sorted(made) == sorted(offered)


def test_buttons_find_their_briefing_in_a_cached_archive_making_no_other(archive):
    briefings, made = archive
    assert find_by_key(briefings, briefing_key("b17")).id == "b17"
    assert find_by_id(briefings, "b23").id == "b23"
    assert find_by_id(briefings, "gone") is None and find_by_key(briefings, "0" * 8) is None
    assert made == ["b17", "b23"]
