"""/ask end to end: the real client against the fake Discord."""

from __future__ import annotations

import logging
import re

import pytest

from bot.buttons import CUSTOM_ID_LIMIT
from bot.client import create_bot
from bot.exts.ask import ASK_MESSAGE, MAX_QUESTION, NO_TEXT
from bot.library import Library
from bot.render import render_answer
from index.answering import answer
from tests.bot.conftest import (
    HARBOUR_QUESTION,
    SHOIGU_QUESTION,
    TIMEOUT,
    buttons,
    is_ephemeral,
    reply_to_interaction,
)
from tests.conftest import BUNDLED_ID
from tests.fakediscord import FakeAttachment

pytestmark = pytest.mark.e2e


async def ask(fake, question: str, **options) -> dict:
    interaction = await fake.send_slash_command("ask", {"question": question, **options})
    response = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
    assert response.status == 200
    assert response.json["type"] == 4
    return response.data


async def press(fake, custom_id: str, **kwargs) -> dict:
    interaction = await fake.send_component(custom_id, **kwargs)
    response = await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)
    assert response.status == 200
    return response.data


async def test_ask_quotes_shoigu_with_paragraph_and_attribution(fake, bot, bundled_index):
    reply = await ask(fake, SHOIGU_QUESTION)
    others = [p.paragraph for p in answer(bundled_index, SHOIGU_QUESTION).passages[1:]]

    quote, attribution, *rest = reply["content"].split("\n")
    assert quote.startswith("> **") and "Shoigu" in quote
    assert (
        attribution == "— *North Korea weapons test*, SEOUL, 2025-03-21, paragraph 4, citing TASS"
    )
    assert rest == [f"-# Also relevant: paragraphs {others[0]}, {others[1]}"]
    assert 4 not in others
    assert not is_ephemeral(reply)
    assert reply["allowed_mentions"] == {"parse": []}
    # Paragraph 4 is one sentence, all of it quoted: no "Whole paragraph" to repeat it.
    shown = buttons(reply)
    assert list(shown) == ["More passages", "Helpful", "Not helpful", "Delete"]
    assert re.fullmatch(r"bb:more:[A-Za-z0-9_-]{10}:1", shown["More passages"])
    assert shown["Delete"] == f"bb:del:{fake.user_id}"


async def test_private_answer_is_ephemeral_without_delete(fake, bot):
    reply = await ask(fake, SHOIGU_QUESTION, private=True)
    assert is_ephemeral(reply)
    assert "Shoigu" in reply["content"]
    assert set(buttons(reply)) == {"More passages", "Helpful", "Not helpful"}


async def test_unanswerable_question_is_refused_with_only_delete(fake, bot):
    reply = await ask(fake, "What did Zelensky say about Crimea?")
    assert reply["content"] == "The briefing does not mention Zelensky or Crimea."
    assert set(buttons(reply)) == {"Delete"}
    private = await ask(fake, "What did Zelensky say about Crimea?", private=True)
    assert not private.get("components")


async def test_whole_paragraph_shows_the_paragraph_privately(
    fake, start_bot, make_settings, harbour_briefings
):
    await start_bot(make_settings(BRIEFBOT_BRIEFINGS=str(harbour_briefings)))
    reply = await ask(fake, HARBOUR_QUESTION)
    assert reply["content"].startswith("> The dredging will start in September")
    assert "Fishing boats" in reply["content"] and "breakwater" not in reply["content"]
    paragraph = await press(fake, buttons(reply)["Whole paragraph"])

    assert is_ephemeral(paragraph)
    quote, attribution = paragraph["content"].split("\n")
    assert quote.startswith("> The dredging will start in September")
    assert quote.endswith("will be decided next year.")
    assert "paragraph 2" in attribution

    kayakers = await ask(fake, "What did kayakers fear?")
    assert "Kayakers said they feared" in kayakers["content"]
    assert "Whole paragraph" not in buttons(kayakers)


async def test_more_passages_shows_each_next_passage_until_there_are_no_more(
    fake, bot, bundled_index
):
    reply = await ask(fake, SHOIGU_QUESTION)
    best = [p.paragraph for p in answer(bundled_index, SHOIGU_QUESTION).passages]
    custom_id = buttons(reply)["More passages"]
    seen = [int(re.search(r"paragraph (\d+)", reply["content"].split("\n")[1])[1])]
    for rank in range(2, 30):
        shown = await press(fake, custom_id)
        assert is_ephemeral(shown)
        assert shown["content"].startswith(f"-# Passage {rank}\n> ")
        seen.append(int(re.search(r"paragraph (\d+)", shown["content"])[1]))
        if "More passages" not in buttons(shown):
            break
        custom_id = buttons(shown)["More passages"]
    else:
        pytest.fail("More passages never ran out")
    assert seen[:3] == best[:3]
    assert len(set(seen)) == len(seen)


async def test_buttons_work_after_a_restart(fake, make_settings, harbour_briefings):
    settings = make_settings(BRIEFBOT_BRIEFINGS=str(harbour_briefings))
    async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
        reply = await ask(fake, "When will the dredging start?")
        more = buttons(reply)["More passages"]
        whole = buttons(reply)["Whole paragraph"]
        first = await press(fake, more)

    async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
        again = await press(fake, more)
        paragraph = await press(fake, whole)
    assert again["content"] == first["content"]
    assert paragraph["content"].startswith("> The dredging will start in September")
    assert "will be decided next year." in paragraph["content"]
    assert len([i for i in fake.identifies if i.accepted]) == 2


async def test_custom_ids_fit_discord_limit_for_long_questions(fake, bot):
    long_question = "Who is Russia's top security official " + "visiting Pyongyang and " * 6
    reply = await ask(fake, long_question)
    for custom_id in buttons(reply).values():
        assert len(custom_id) <= CUSTOM_ID_LIMIT


async def test_briefing_option_autocompletes_and_scopes_the_search(fake, bot):
    typed = await fake.send_autocomplete("ask", {"question": "x", "briefing": "korea"}, "briefing")
    await fake.wait_for_interaction_response(typed, timeout=TIMEOUT)
    assert fake.autocomplete_choices(typed) == [
        {"name": f"{BUNDLED_ID} (2025-03-21)", "value": BUNDLED_ID}
    ]

    reply = await ask(fake, SHOIGU_QUESTION, briefing=BUNDLED_ID)
    assert "paragraph 4" in reply["content"]
    assert re.fullmatch(r"bb:more:[A-Za-z0-9_-]{10}:1", buttons(reply)["More passages"])
    more = await press(fake, buttons(reply)["More passages"])
    assert more["content"].startswith("-# Passage 2")


async def test_unknown_briefing_gets_a_private_explanation(fake, bot):
    reply = await ask(fake, SHOIGU_QUESTION, briefing="no-such-briefing")
    assert is_ephemeral(reply)
    assert reply["content"] == (
        f"There is no briefing named “no-such-briefing”. Try one of: {BUNDLED_ID}."
    )


async def test_mass_mentions_in_a_question_ping_nobody(fake, bot):
    for question in ("@everyone who visited Pyongyang?", "What did China say to @here?"):
        reply = await ask(fake, question)
        assert reply["allowed_mentions"] == {"parse": []}
        assert "@everyone" not in reply["content"] and "@here" not in reply["content"]


async def test_each_question_is_logged_once_without_who_or_what(fake, bot, caplog):
    caplog.set_level(logging.INFO, logger="briefbot.questions")
    await ask(fake, SHOIGU_QUESTION)
    await ask(fake, "What did Zelensky say?")
    await ask(fake, "thanks!")
    lines = [r.getMessage() for r in caplog.records if r.name == "briefbot.questions"]
    assert [re.sub(r"latency_ms=[\d.]+", "latency_ms=N", line) for line in lines] == [
        f"question guild={fake.guild_id} command=ask latency_ms=N answered=yes",
        f"question guild={fake.guild_id} command=ask latency_ms=N answered=no",
        f"question guild={fake.guild_id} command=ask latency_ms=N answered=chat",
    ]


# -- "Ask briefbot": right-click a message ---------------------------------------------

CLAIM = "Apparently Shoigu went to Pyongyang to see Kim?"


async def ask_about(fake, message_id: int, **kwargs) -> dict:
    interaction = await fake.send_message_command(ASK_MESSAGE, message_id, **kwargs)
    return await reply_to_interaction(fake, interaction)


async def test_ask_briefbot_answers_a_message_privately_from_its_text(fake, bot, bundled_index):
    claim = await fake.send_message(CLAIM, author=fake.add_user("poster"))
    reply = await ask_about(fake, claim)

    assert is_ephemeral(reply)
    assert reply["content"] == render_answer(answer(bundled_index, CLAIM))
    assert "Shoigu" in reply["content"]
    # Private: nothing to delete.
    assert set(buttons(reply)) == {"More passages", "Helpful", "Not helpful"}
    posted = [m for m in fake.bot_messages(fake.channel_id) if not is_ephemeral(m)]
    assert posted == []  # nothing anyone else sees


async def test_ask_briefbot_on_a_message_without_text_says_so_privately(fake, bot):
    photo = FakeAttachment("photo.png", b"\x89PNG\r\n", "image/png")
    posted = await fake.send_message("", attachments=[photo])
    reply = await ask_about(fake, posted)
    assert is_ephemeral(reply)
    assert reply["content"] == NO_TEXT


async def test_ask_briefbot_reads_a_message_longer_than_a_question_may_be(fake, bot):
    long_claim = "Shoigu met Kim in Pyongyang, I read. " * 100
    assert len(long_claim) > MAX_QUESTION
    reply = await ask_about(fake, await fake.send_message(long_claim))
    assert is_ephemeral(reply) and "Shoigu" in reply["content"]
