"""Channel questions end to end: mentions, ``!ask``, and what the bot ignores."""

from __future__ import annotations

import pytest

from bot.buttons import ONLY_ASKER_OR_MODERATOR
from bot.render import render_answer
from index.answering import answer
from tests.bot.conftest import SHOIGU_QUESTION, TIMEOUT, buttons, is_ephemeral

DEFERRED_UPDATE = 6  # the callback type of a button that changes its own message
MANAGE_MESSAGES = 1 << 13

pytestmark = pytest.mark.e2e


async def reply_to(fake, message_id: int) -> dict:
    return await fake.wait_for_bot_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == str(message_id),
        timeout=TIMEOUT,
    )


def replies(fake) -> list[str]:
    return [
        m["message_reference"]["message_id"]
        for m in fake.bot_messages()
        if m.get("message_reference")
    ]


async def test_mention_gets_the_same_answer_as_ask(fake, bot, bundled_index):
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    reply = await reply_to(fake, asked)

    assert reply["content"] == render_answer(answer(bundled_index, SHOIGU_QUESTION))
    assert "Shoigu" in reply["content"] and "paragraph 4" in reply["content"]
    assert reply["mentions"] == []
    labels = [b["label"] for row in reply["components"] for b in row["components"]]
    assert labels == ["More passages", "Helpful", "Not helpful", "Delete"]
    post = fake.find_requests("POST", rf"^/channels/{fake.channel_id}/messages$")[-1]
    assert post.json["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_mention_alone_explains_how_to_ask(fake, bot):
    asked = await fake.send_message("", mentions_bot=True)
    reply = await reply_to(fake, asked)
    assert reply["content"].startswith("Ask me a question about the briefing")


async def test_mass_mention_in_a_mention_question_pings_nobody(fake, bot):
    asked = await fake.send_message("@everyone who visited Pyongyang? @here", mentions_bot=True)
    reply = await reply_to(fake, asked)
    post = fake.find_requests("POST", rf"^/channels/{fake.channel_id}/messages$")[-1]
    assert post.json["allowed_mentions"]["parse"] == []
    assert "@everyone" not in reply["content"] and "@here" not in reply["content"]
    assert reply["mention_everyone"] is False


async def test_bots_and_plain_messages_are_ignored(fake, bot):
    other_bot = fake.add_user("another-bot", bot=True)
    from_bot = await fake.send_message(SHOIGU_QUESTION, author=other_bot, mentions_bot=True)
    plain = await fake.send_message("Who visited Pyongyang?")
    prefixed = await fake.send_message("!ask Who visited Pyongyang?")  # no message content intent
    asked = await fake.send_message("Who visited Pyongyang?", mentions_bot=True)

    await reply_to(fake, asked)
    assert replies(fake) == [str(asked)]
    assert {from_bot, plain, prefixed}.isdisjoint(int(r) for r in replies(fake))


async def test_prefix_command_works_with_the_message_content_intent(fake, start_bot, make_settings):
    await start_bot(make_settings(BRIEFBOT_MESSAGE_CONTENT="true", BRIEFBOT_PREFIX="?"))
    asked = await fake.send_message("?ask What did KCNA say about the weapon system?")
    reply = await reply_to(fake, asked)
    assert "KCNA" in reply["content"]
    ignored = await fake.send_message("?asking nothing")
    later = await fake.send_message("?ASK Who visited Pyongyang?")
    await reply_to(fake, later)
    assert str(ignored) not in replies(fake)


@pytest.mark.parametrize(
    ("message", "starts"),
    [
        ("hey! thanks 🙏", "👋 Ask me anything about the briefing"),
        ("help", "I answer questions about the briefing with its own words"),
        ("tl;dr?", "**North Korea weapons test** · 2025-03-21 · 14 paragraphs"),
        ("what does paragraph 4 say?", "> Moscow's top security official Sergei Shoigu"),
    ],
)
async def test_chat_help_and_summary_by_mention(fake, bot, bundled_index, message, starts):
    asked = await fake.send_message(message, mentions_bot=True)
    reply = await reply_to(fake, asked)
    assert reply["content"] == render_answer(answer(bundled_index, message))
    assert reply["content"].startswith(starts)
    assert buttons(reply) == {"Delete": f"bb:del:{fake.user_id}"}  # nothing to show more of


async def test_a_chatty_question_with_a_typo_is_answered_and_says_how_it_was_read(fake, bot):
    asked = await fake.send_message("hi all! which treaty did Shiogu hail? thx", mentions_bot=True)
    reply = await reply_to(fake, asked)
    assert "paragraph 6" in reply["content"]
    assert reply["content"].endswith('-# Read "Shiogu" as "Shoigu"')
    assert "Not in the briefing" not in reply["content"]


async def test_a_direct_message_is_answered_without_a_mention(fake, bot, bundled_index):
    asked = await fake.send_message(SHOIGU_QUESTION, dm=True)
    reply = await reply_to(fake, asked)
    assert reply["content"] == render_answer(answer(bundled_index, SHOIGU_QUESTION))
    assert "guild_id" not in reply  # in the DM itself
    hello = await reply_to(fake, await fake.send_message("hi!", dm=True))
    assert hello["content"].startswith("👋 Ask me anything about the briefing")


# -- 🗑️ Delete under a public answer ----------------------------------------------------


async def press_delete(fake, answer: dict, user: int) -> dict:
    pressed = await fake.send_component(buttons(answer)["Delete"], int(answer["id"]), user=user)
    return (await fake.wait_for_interaction_response(pressed, timeout=TIMEOUT)).json


async def test_the_asker_can_delete_their_answer(fake, bot):
    answer_ = await reply_to(fake, await fake.send_message(SHOIGU_QUESTION, mentions_bot=True))
    assert buttons(answer_)["Delete"] == f"bb:del:{fake.user_id}"
    assert await press_delete(fake, answer_, fake.user_id) == {"type": DEFERRED_UPDATE}
    await fake.wait_for_request(method="DELETE", path=r"/messages/@original$", timeout=TIMEOUT)
    assert fake.message(int(answer_["id"])) is None


async def test_a_moderator_can_delete_an_answer_and_others_cannot(fake, bot):
    moderators = fake.add_role("moderators", MANAGE_MESSAGES)
    moderator = fake.add_user("moderator", roles=[moderators])
    bystander = fake.add_user("bystander")
    answer_ = await reply_to(fake, await fake.send_message(SHOIGU_QUESTION, mentions_bot=True))

    refused = await press_delete(fake, answer_, bystander)
    assert refused["data"]["content"] == ONLY_ASKER_OR_MODERATOR
    assert is_ephemeral(refused["data"])
    assert fake.message(int(answer_["id"])) is not None

    await press_delete(fake, answer_, moderator)
    await fake.wait_for_request(method="DELETE", path=r"/messages/@original$", timeout=TIMEOUT)
    assert fake.message(int(answer_["id"])) is None


async def test_a_public_ask_answer_can_be_deleted_by_its_asker(fake, bot):
    asked = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    await fake.wait_for_interaction_response(asked, timeout=TIMEOUT)
    answer_ = fake.original_response(asked)
    await press_delete(fake, answer_, fake.user_id)
    await fake.wait_for_request(method="DELETE", path=r"/messages/@original$", timeout=TIMEOUT)
    assert fake.original_response(asked) is None


async def test_a_forged_delete_naming_someone_else_is_refused(fake, bot):
    """Discord says who asked (the command's user, the replied-to author): that decides."""
    bystander = fake.add_user("bystander")
    asked = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    await fake.wait_for_interaction_response(asked, timeout=TIMEOUT)
    by_command = fake.original_response(asked)
    by_mention = await reply_to(fake, await fake.send_message(SHOIGU_QUESTION, mentions_bot=True))
    for answer_ in (by_command, by_mention):
        forged = f"bb:del:{bystander}"
        pressed = await fake.send_component(forged, int(answer_["id"]), user=bystander, forged=True)
        refused = (await fake.wait_for_interaction_response(pressed, timeout=TIMEOUT)).json
        assert refused["data"]["content"] == ONLY_ASKER_OR_MODERATOR
        assert fake.message(int(answer_["id"])) is not None
