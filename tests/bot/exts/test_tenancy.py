"""Two servers, one bot: each sees the configured briefings and its own uploads, nothing else."""

from __future__ import annotations

import pytest

from tests.bot.conftest import (
    HARBOUR,
    HARBOUR_FILE,
    HARBOUR_QUESTION,
    PENGUINS,
    SHOIGU_QUESTION,
    TIMEOUT,
    is_ephemeral,
    reply_to_interaction,
)
from tests.fakediscord import FakeAttachment

pytestmark = pytest.mark.e2e

WALRUSES = (
    b"date 2025-04-03\n"
    b"TROMSO: A herd of 300 walruses hauled out on the beach at Kapp Lee, "
    b"the Norwegian Polar Institute said.\n"
)
THEIR_PENGUINS = (
    b"date 2025-04-04\n"
    b"OSLO: Only 12 emperor penguins were counted near the station, the institute said.\n"
)
HOW_MANY_PENGUINS = "How many emperor penguins were counted?"


@pytest.fixture
async def servers(fake, start_bot, make_settings):
    """The fake's guild and a second one, and a bot in both with commands synced globally."""
    other_guild, other_channel = fake.add_guild("Other newsroom")
    bot = await start_bot(make_settings(BRIEFBOT_GUILD_ID=""))
    return bot, fake.channel_id, other_channel, other_guild


async def command(fake, name: str, options: dict, channel: int | None, **extra) -> dict:
    interaction = await fake.send_slash_command(name, options, channel_id=channel, **extra)
    return await reply_to_interaction(fake, interaction)


async def add(fake, channel: int, filename: str, data: bytes) -> str:
    upload = {"file": FakeAttachment(filename, data, "text/plain")}
    reply = await command(fake, "briefing-add", upload, channel, user=fake.owner_id)
    assert is_ephemeral(reply)
    return reply["content"]


async def ask(fake, channel: int | None, question: str, **extra) -> str:
    return (await command(fake, "ask", {"question": question}, channel, **extra))["content"]


async def choices(fake, channel: int, name: str, option: str) -> list[str]:
    typed = await fake.send_autocomplete(
        name, {option: ""}, option, user=fake.owner_id, channel_id=channel
    )
    await fake.wait_for_interaction_response(typed, timeout=TIMEOUT)
    return [choice["value"] for choice in fake.autocomplete_choices(typed)]


async def test_each_server_answers_from_its_own_uploads_only(fake, servers):
    _, ours, theirs, _ = servers
    assert (await add(fake, ours, "penguins.txt", PENGUINS)).startswith("Added")
    assert (await add(fake, theirs, "walruses.txt", WALRUSES)).startswith("Added")

    assert "4,000 emperor penguins" in await ask(fake, ours, HOW_MANY_PENGUINS)
    assert "not mention" in await ask(fake, theirs, HOW_MANY_PENGUINS)
    assert "300 walruses" in await ask(fake, theirs, "How many walruses hauled out?")
    assert "not mention" in await ask(fake, ours, "How many walruses hauled out?")
    # Direct messages see only the configured briefings.
    assert "not mention" in await ask(fake, None, HOW_MANY_PENGUINS, dm=True)
    assert "Shoigu" in await ask(fake, theirs, SHOIGU_QUESTION)


async def test_lists_autocomplete_and_quotes_show_only_what_the_server_sees(fake, servers):
    _, ours, theirs, _ = servers
    await add(fake, ours, "penguins.txt", PENGUINS)
    await add(fake, theirs, "walruses.txt", WALRUSES)

    listed = (await command(fake, "briefing", {}, theirs))["content"]
    assert "walruses" in listed and "penguins" not in listed
    assert "walruses" not in (await command(fake, "briefing", {}, ours))["content"]
    assert "penguins" not in await choices(fake, theirs, "ask", "briefing")
    assert "walruses" in await choices(fake, theirs, "ask", "briefing")
    assert await choices(fake, theirs, "briefing-remove", "name") == ["walruses"]
    assert await choices(fake, ours, "briefing-remove", "name") == ["penguins"]

    quoted = await command(fake, "quote", {"paragraph": 1, "briefing": "penguins"}, theirs)
    assert quoted["content"].startswith("There is no briefing named “penguins”")
    assert (
        "4,000"
        in (await command(fake, "quote", {"paragraph": 1, "briefing": "penguins"}, ours))["content"]
    )


async def test_two_servers_may_upload_the_same_name_and_remove_only_their_own(fake, servers):
    _, ours, theirs, _ = servers
    await add(fake, ours, "penguins.txt", PENGUINS)
    assert (await add(fake, theirs, "Penguins.TXT", THEIR_PENGUINS)).startswith("Added")
    assert "4,000" in await ask(fake, ours, HOW_MANY_PENGUINS)
    assert "Only 12 emperor penguins" in await ask(fake, theirs, HOW_MANY_PENGUINS)

    removed = await command(
        fake, "briefing-remove", {"name": "penguins"}, theirs, user=fake.owner_id
    )
    assert removed["content"] == "Removed *Penguins*."
    assert "not mention" in await ask(fake, theirs, HOW_MANY_PENGUINS)
    assert "4,000" in await ask(fake, ours, HOW_MANY_PENGUINS)
    refused = await command(
        fake, "briefing-remove", {"name": "penguins"}, theirs, user=fake.owner_id
    )
    assert refused["content"].startswith("There is no briefing named “penguins”")


async def test_buttons_answer_from_the_server_they_were_pressed_in(fake, servers):
    _, ours, _, _ = servers
    await add(fake, ours, HARBOUR_FILE, HARBOUR)
    answer = await command(fake, "ask", {"question": HARBOUR_QUESTION}, ours)
    buttons = {
        b["label"]: b["custom_id"] for row in answer["components"] for b in row["components"]
    }
    pressed = await fake.send_component(buttons["Whole paragraph"])
    reply = await fake.wait_for_interaction_response(pressed, timeout=TIMEOUT)
    assert "will be decided next year." in reply.data["content"]
