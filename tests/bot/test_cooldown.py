"""The per-user cooldown, end to end: shared by /ask and mentions, polite, per user."""

from __future__ import annotations

import pytest

from bot.exts.ask import ASK_MESSAGE
from tests.bot.conftest import SHOIGU_QUESTION, TIMEOUT, is_ephemeral

pytestmark = pytest.mark.e2e

TRY_AGAIN = "You're asking quickly. Please try again in 30 s."


@pytest.fixture
async def bot(start_bot, make_settings):
    return await start_bot(make_settings(BRIEFBOT_COOLDOWN_SECONDS="30"))


async def ask(fake, **kwargs) -> dict:
    interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION}, **kwargs)
    return (await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)).data


async def test_second_question_within_the_cooldown_is_declined_politely(fake, bot):
    assert "Shoigu" in (await ask(fake))["content"]

    again = await ask(fake)
    assert is_ephemeral(again)
    assert again["content"] == TRY_AGAIN

    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    await fake.wait_for_request(method="PUT", path=r"/reactions/", timeout=TIMEOUT)
    assert fake.message(asked)["reactions"] == [
        {"emoji": {"id": None, "name": "⏳"}, "count": 1, "me": True}
    ]


async def test_cooldown_is_per_user_and_only_for_questions(fake, bot):
    await ask(fake)
    other = fake.add_user("another-reader")
    assert "Shoigu" in (await ask(fake, user=other))["content"]
    quoted = await fake.send_slash_command("quote", {"paragraph": 4})
    reply = (await fake.wait_for_interaction_response(quoted, timeout=TIMEOUT)).data
    assert "Shoigu" in reply["content"]


async def test_ask_briefbot_on_a_message_shares_the_cooldown_and_says_so_privately(fake, bot):
    assert "Shoigu" in (await ask(fake))["content"]
    claim = await fake.send_message("Shoigu was in Pyongyang", author=fake.add_user("poster"))
    pressed = await fake.send_message_command(ASK_MESSAGE, claim)
    declined = (await fake.wait_for_interaction_response(pressed, timeout=TIMEOUT)).data
    assert is_ephemeral(declined)
    assert declined["content"] == TRY_AGAIN


async def test_a_direct_message_asked_too_soon_gets_an_hourglass(fake, bot):
    first = await fake.send_message(SHOIGU_QUESTION, dm=True)
    await fake.wait_for_bot_message(after=first, timeout=TIMEOUT)
    again = await fake.send_message(SHOIGU_QUESTION, dm=True)
    await fake.wait_for_request(
        method="PUT", path=rf"/messages/{again}/reactions/", timeout=TIMEOUT
    )
    assert fake.message(again)["reactions"][0]["emoji"]["name"] == "⏳"
