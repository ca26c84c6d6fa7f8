"""/quote end to end."""

from __future__ import annotations

import pytest

from tests.bot.conftest import TIMEOUT, is_ephemeral
from tests.conftest import BUNDLED_ID

pytestmark = pytest.mark.e2e


async def quote(fake, **options) -> dict:
    interaction = await fake.send_slash_command("quote", options)
    return (await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)).data


async def test_quote_posts_the_paragraph_verbatim_with_attribution(fake, bot, bundled):
    reply = await quote(fake, paragraph=5)
    assert reply["content"] == (
        f"> {bundled.text(bundled.paragraph(5))}\n"
        "— *North Korea weapons test*, SEOUL, 2025-03-21, paragraph 5"
    )
    assert not is_ephemeral(reply)


async def test_quote_with_a_briefing_named(fake, bot):
    reply = await quote(fake, paragraph=1, briefing=BUNDLED_ID)
    assert reply["content"].startswith("> North Korea said on Friday")


@pytest.mark.parametrize("number", [0, 99, -3])
async def test_out_of_range_paragraph_names_the_valid_range_privately(fake, bot, bundled, number):
    reply = await quote(fake, paragraph=number)
    assert is_ephemeral(reply)
    last = len(bundled.paragraphs)
    assert reply["content"] == (
        f"*North Korea weapons test* has paragraphs 1 to {last}; there is no paragraph {number}."
    )
