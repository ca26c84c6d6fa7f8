"""How the bot posts: deferred when an answer is slow, never unfurling links."""

from __future__ import annotations

import asyncio

import pytest

from bot.client import Briefbot
from bot.library import Library
from tests.bot.conftest import (
    DEFERRED,
    HARBOUR,
    HARBOUR_FILE,
    HARBOUR_QUESTION,
    SHOIGU_QUESTION,
    TIMEOUT,
    buttons,
    is_ephemeral,
    reply_to_interaction,
)
from tests.fakediscord import FakeAttachment

pytestmark = pytest.mark.e2e

SUPPRESS_EMBEDS = 1 << 2
ANSWERED = 4


class SlowLibrary(Library):
    """The real library, with every answer taking ``delay`` seconds longer."""

    delay = 0.3

    async def answer(self, *args, **kwargs):
        await asyncio.sleep(self.delay)
        return await super().answer(*args, **kwargs)


@pytest.fixture
async def slow_bot(fake, settings):
    bot = Briefbot(settings, SlowLibrary.load(settings), defer_after=0.05)
    async with fake.run_client(bot, timeout=TIMEOUT):
        yield bot


async def deferred_reply(fake, interaction, *, ephemeral: bool) -> dict:
    """The follow-up that replaced "thinking…", after checking the deferral itself."""
    callback = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
    assert callback.json["type"] == DEFERRED
    assert is_ephemeral(callback.data) == ephemeral
    await fake.wait_for_request(lambda _: bool(fake.followups(interaction)), timeout=TIMEOUT)
    shown = fake.original_response(interaction)
    assert shown is not None and is_ephemeral(shown) == ephemeral
    return fake.followups(interaction)[0].json


@pytest.mark.parametrize("private", [False, True])
async def test_a_slow_answer_is_deferred_then_sent(fake, slow_bot, private):
    interaction = await fake.send_slash_command(
        "ask", {"question": SHOIGU_QUESTION, "private": private}
    )
    reply = await deferred_reply(fake, interaction, ephemeral=private)
    assert "Shoigu" in reply["content"] and "paragraph 4" in reply["content"]
    # The bundled briefing's paragraphs are one sentence each: no "Whole paragraph".
    expected = {"More passages", "Helpful", "Not helpful"} | (set() if private else {"Delete"})
    assert set(buttons(reply)) == expected
    assert reply["flags"] & SUPPRESS_EMBEDS
    assert reply["allowed_mentions"] == {"parse": []}
    shown = fake.original_response(interaction)
    assert shown["content"] == reply["content"]
    assert buttons(shown) == buttons(reply)


async def test_a_slow_button_is_deferred_then_sent(fake, slow_bot):
    # A "More passages" button of an answer sent before answers were recorded searches again.
    interaction = await fake.send_slash_command("quote", {"paragraph": 4})
    await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
    legacy = f"bb:more:1:-:{SHOIGU_QUESTION}"
    pressed = await fake.send_component(legacy, forged=True)
    more = await deferred_reply(fake, pressed, ephemeral=True)
    assert more["content"].startswith("-# Passage 2\n> ")


async def test_a_quick_answer_is_sent_at_once(fake, bot):
    interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    callback = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
    assert callback.json["type"] == ANSWERED
    assert fake.followups(interaction) == []


async def test_nothing_the_bot_posts_unfurls_links(fake, bot):
    """Every kind of message carries SUPPRESS_EMBEDS, so a quoted URL never previews."""
    sent = []
    for name, options, user in [
        ("ask", {"question": SHOIGU_QUESTION}, None),
        ("ask", {"question": "What did Zelensky say?"}, None),
        ("quote", {"paragraph": 4}, None),
        ("quote", {"paragraph": 99}, None),
        ("briefing", {}, None),
        (
            "briefing-add",
            {"file": FakeAttachment("notes.txt", b"See https://example.org.\n")},
            fake.owner_id,
        ),
        ("briefing-add", {"file": FakeAttachment(HARBOUR_FILE, HARBOUR)}, fake.owner_id),
    ]:
        sent.append(await fake.send_slash_command(name, options, user=user))
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    answer = (await fake.wait_for_interaction_response(sent[0], timeout=TIMEOUT)).data
    sent.append(await fake.send_component(buttons(answer)["More passages"]))
    await reply_to_interaction(fake, sent[6])  # the harbour briefing is added
    sent.append(await fake.send_slash_command("ask", {"question": HARBOUR_QUESTION}))
    harbour = await reply_to_interaction(fake, sent[-1])
    sent.append(await fake.send_component(buttons(harbour)["Whole paragraph"]))
    await fake.wait_for_request(lambda _: bool(fake.followups(sent[5])), timeout=TIMEOUT)
    for pressed in (sent[7], sent[-1]):
        await fake.wait_for_interaction_response(pressed, timeout=TIMEOUT)

    bodies = [
        request.json.get("data", request.json)
        for interaction in sent
        for request in fake.interaction_requests(interaction)
        if request.method == "POST" and request.json.get("type") != DEFERRED
    ]
    bodies += [r.json for r in fake.find_requests("POST", r"^/channels/\d+/messages$")]
    assert len(bodies) == len(sent) + 1
    for body in bodies:
        assert body["flags"] & SUPPRESS_EMBEDS, body
    for message in fake.bot_messages():
        assert message["flags"] & SUPPRESS_EMBEDS, message
