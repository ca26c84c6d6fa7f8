"""/briefing end to end."""

from __future__ import annotations

import pytest

from tests.bot.conftest import TIMEOUT, is_ephemeral
from tests.conftest import BUNDLED_ID

pytestmark = pytest.mark.e2e


async def briefing(fake, **options) -> dict:
    interaction = await fake.send_slash_command("briefing", options)
    return (await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)).data


async def test_without_a_name_lists_the_loaded_briefings(fake, bot):
    reply = await briefing(fake)
    assert is_ephemeral(reply)
    assert reply["content"] == (
        "**1 briefing loaded** (use `/briefing name` for one)\n"
        f"• *North Korea weapons test*, 2025-03-21 (id: {BUNDLED_ID})"
    )


async def test_with_a_name_shows_the_card_and_opening_paragraph(fake, bot, bundled, bundled_index):
    reply = await briefing(fake, name=BUNDLED_ID)
    name, date, sizes, opening = reply["content"].split("\n")
    chunks = len(bundled_index.chunks)
    assert name == "**North Korea weapons test**"
    assert date == "2025-03-21"
    assert sizes == f"{len(bundled.paragraphs)} paragraphs, {chunks} chunks · id: {BUNDLED_ID}"
    assert opening.startswith("> North Korea said on Friday (Mar 21)")


async def test_name_autocompletes(fake, bot):
    typed = await fake.send_autocomplete("briefing", {"name": "2025"}, "name")
    await fake.wait_for_interaction_response(typed, timeout=TIMEOUT)
    assert [c["value"] for c in fake.autocomplete_choices(typed)] == [BUNDLED_ID]
    typed = await fake.send_autocomplete("briefing", {"name": "ukraine"}, "name")
    await fake.wait_for_interaction_response(typed, timeout=TIMEOUT)
    assert fake.autocomplete_choices(typed) == []
