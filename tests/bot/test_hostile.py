"""Hostile and careless input through Discord: every reply well formed, nobody pinged.

All of ``tests/hostile.py`` goes to one running bot, as /ask and as a mention,
at once. Discord's client sends at most 500 characters in /ask's question
(the option's max_length) and never an empty one, so /ask gets the first 500
characters and the empty question is only asked as a bare mention; a message
holds at most 4,000 characters (with Nitro), so a mention gets the first 4,000.
"""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from bot.buttons import CUSTOM_ID_LIMIT, briefing_key, content_key
from bot.exts.ask import MAX_QUESTION
from bot.questions import question_in
from bot.render import MESSAGE_LIMIT, out_of_range, render_answer
from bot.replies import BRIEFING_CHANGED
from bot.store import open_store
from index.answering import answer
from tests.bot.conftest import (
    HARBOUR,
    HARBOUR_FILE,
    HARBOUR_QUESTION,
    PENGUINS,
    SHOIGU_QUESTION,
    TIMEOUT,
    add_briefing,
    buttons,
    is_ephemeral,
    reply_to_interaction,
)
from tests.fakediscord import FakeAttachment
from tests.hostile import QUESTIONS, live_mentions

pytestmark = pytest.mark.e2e

MESSAGE_MAX = 4000
SUPPRESS_EMBEDS = 1 << 2
QUOTE = re.compile(r"(?:-# Passage \d+\n)?> .+\n— \*.+\*, .*paragraph \d+.*", re.DOTALL)
REFUSALS = (
    "Ask me a question about the briefing",
    "👋 Ask me anything about the briefing",
    "That question has no words I can look up.",
    "The briefing does not mention ",
    "The briefing does not say: ",
)


def assert_well_formed(content: str, where: str) -> None:
    assert 0 < len(content) <= MESSAGE_LIMIT, where
    assert QUOTE.fullmatch(content) or content.startswith(REFUSALS), (where, content)
    assert live_mentions(content) == [], (where, content)


def assert_pings_nobody(message: dict, where: str) -> None:
    assert message["mentions"] == [], where
    assert message["mention_roles"] == [], where
    assert message["mention_everyone"] is False, where
    assert message["flags"] & SUPPRESS_EMBEDS, where
    assert not message["embeds"], where


async def test_every_hostile_question_gets_a_safe_reply_by_ask_and_by_mention(
    fake, bot, bundled_index, caplog
):
    caplog.set_level(logging.WARNING)
    asked = [(name, text[:MAX_QUESTION]) for name, text in QUESTIONS if text]
    interactions = await asyncio.gather(
        *(fake.send_slash_command("ask", {"question": text}) for _, text in asked)
    )
    mentioned = [(name, text[:MESSAGE_MAX]) for name, text in QUESTIONS]
    messages = await asyncio.gather(
        *(fake.send_message(text, mentions_bot=True) for _, text in mentioned)
    )

    for (name, text), interaction in zip(asked, interactions, strict=True):
        body = await reply_to_interaction(fake, interaction)
        assert body["allowed_mentions"] == {"parse": []}, name
        assert body["content"] == render_answer(answer(bundled_index, text)), name
        assert_well_formed(body["content"], name)
        assert_pings_nobody(fake.original_response(interaction), name)

    replies = {}
    for message in messages:
        replies[message] = await fake.wait_for_bot_message(
            lambda m, asked=message: (
                (m.get("message_reference") or {}).get("message_id") == str(asked)
            ),
            timeout=TIMEOUT,
        )
    for request in fake.find_requests("POST", rf"^/channels/{fake.channel_id}/messages$"):
        assert request.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    for (name, _), message in zip(mentioned, messages, strict=True):
        content = fake.message(message)["content"]
        question = question_in(content, fake.bot_user_id, None)
        assert replies[message]["content"] == render_answer(answer(bundled_index, question))
        assert_well_formed(replies[message]["content"], name)
        assert_pings_nobody(replies[message], name)

    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    again = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    assert "Shoigu" in (await reply_to_interaction(fake, again))["content"]


HOSTILE_BRIEFING = (
    "---\n"
    f'title: "Ping @everyone {"<@&123456789012345678> " * 150}"\n'
    'source: "@here [TASS](https://evil.example)"\n'
    "---\n"
    + "KCNA said @everyone must see https://evil.example/phish <@123456789012345678> now. " * 60
    + "\n\nThe penguins said ||spoiler|| and `code` and **bold** to @here.\n"
).encode()


async def test_a_hostile_briefing_is_shown_safely_everywhere(fake, bot):
    added = await reply_to_interaction(
        fake,
        await fake.send_slash_command(
            "briefing-add",
            {"file": FakeAttachment("hostile.md", HOSTILE_BRIEFING)},
            user=fake.owner_id,
        ),
    )
    assert added["content"].startswith("Added *Ping @")
    replies = [added["content"]]
    for name, options in [
        ("ask", {"question": "What did KCNA say?", "briefing": "hostile"}),
        ("ask", {"question": "What did the penguins say?"}),
        ("quote", {"paragraph": 1, "briefing": "hostile"}),
        ("quote", {"paragraph": 2, "briefing": "hostile"}),
        ("quote", {"paragraph": 3, "briefing": "hostile"}),
        ("briefing", {"name": "hostile"}),
        ("briefing", {}),
    ]:
        body = await reply_to_interaction(fake, await fake.send_slash_command(name, options))
        replies.append(body["content"])
        for button in (b for row in body.get("components", []) for b in row["components"]):
            if button["custom_id"].startswith("bb:del:"):
                continue  # deletes the answer, showing nothing
            pressed = await fake.send_component(button["custom_id"])
            replies.append((await reply_to_interaction(fake, pressed))["content"])
    assert len(replies) > 8
    for content in replies:
        assert 0 < len(content) <= MESSAGE_LIMIT, content
        assert live_mentions(content) == [], content
        assert not re.search(r"(?<!\\)\]\(", content), content  # no masked link
    for message in fake.bot_messages():
        assert_pings_nobody(message, message["content"][:80])


# -- what the log keeps ----------------------------------------------------------------


def briefbot_log(caplog) -> str:
    """Every line briefbot itself logged (discord.py's own loggers left out)."""
    return "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.exc_info or ''}"
        for record in caplog.records
        if not record.name.startswith("discord")
    )


async def test_no_log_line_of_briefbot_holds_the_question(fake, bot, caplog):
    caplog.set_level(logging.DEBUG)
    callback = r"^/interactions/\d+/[^/]+/callback$"
    interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    more = buttons(await reply_to_interaction(fake, interaction))["More passages"]
    assert "Pyongyang" not in more  # the custom_id carries the answer's id, not the question
    # The button's reply is refused, so its failure is logged.
    fake.fail_next("POST", callback, 404, body={"message": "Unknown interaction", "code": 10062})
    pressed = await fake.send_component(more)
    await fake.wait_for_request(
        lambda r: r.status == 404 and f"/{pressed.id}/" in r.path, path=callback, timeout=TIMEOUT
    )
    asked = await fake.send_message(SHOIGU_QUESTION, mentions_bot=True)
    await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)
    await fake.wait_for_request(
        lambda _: any("bb:more" in r.getMessage() for r in caplog.records), timeout=TIMEOUT
    )

    logged = briefbot_log(caplog)
    assert "failed to handle component bb:more" in logged
    for words in ("Pyongyang", "security official", "Russia's"):
        assert words not in logged, words


# -- buttons: the cooldown, and text they were not made for -----------------------------

TRY_AGAIN = "You're asking quickly. Please try again in 30 s."


async def test_more_passages_counts_toward_the_cooldown(fake, start_bot, make_settings):
    await start_bot(make_settings(BRIEFBOT_COOLDOWN_SECONDS="30"))
    interaction = await fake.send_slash_command("ask", {"question": SHOIGU_QUESTION})
    more = buttons(await reply_to_interaction(fake, interaction))["More passages"]
    presser = fake.add_user("button-masher")
    pressed = [await fake.send_component(more, user=presser) for _ in range(10)]
    replies = [(await reply_to_interaction(fake, p))["content"] for p in pressed]
    assert replies[0].startswith("-# Passage 2")
    assert replies[1:] == [TRY_AGAIN] * 9
    # The asker's own press comes after their /ask, inside the same window.
    mine = await reply_to_interaction(fake, await fake.send_component(more))
    assert mine["content"] == TRY_AGAIN and is_ephemeral(mine)


HARBOUR_AGAIN = HARBOUR.replace(b"eighteen months", b"two years")


async def test_a_paragraph_button_quotes_only_the_text_it_was_made_for(fake, bot):
    await add_briefing(fake, HARBOUR_FILE, HARBOUR)
    asked = await fake.send_slash_command("ask", {"question": HARBOUR_QUESTION})
    whole = buttons(await reply_to_interaction(fake, asked))["Whole paragraph"]
    first = await reply_to_interaction(fake, await fake.send_component(whole))
    assert "eighteen months" in first["content"]

    name = HARBOUR_FILE.removesuffix(".txt")
    removed = await fake.send_slash_command("briefing-remove", {"name": name}, user=fake.owner_id)
    assert (await reply_to_interaction(fake, removed))["content"].startswith("Removed")
    await add_briefing(fake, HARBOUR_FILE, HARBOUR_AGAIN)
    again = await reply_to_interaction(fake, await fake.send_component(whole))
    assert again["content"] == BRIEFING_CHANGED
    assert "two years" not in again["content"]


@pytest.mark.parametrize("paragraph", [0, 15, 999999])
async def test_a_forged_paragraph_button_says_what_is_wrong(fake, bot, paragraph):
    briefing = bot.library.briefings(fake.guild_id)[0]
    key, digest = briefing_key(briefing.id), content_key(briefing)
    await reply_to_interaction(fake, await fake.send_slash_command("quote", {"paragraph": 4}))
    for forged in (f"bb:para:{key}:{digest}:{paragraph}", f"bb:para:{key}:{paragraph}"):
        pressed = await fake.send_component(forged, forged=True)
        reply = await reply_to_interaction(fake, pressed)
        assert reply["content"] == out_of_range(briefing, paragraph), forged
        assert "has paragraphs 1 to 14" in reply["content"]


async def test_a_question_of_astral_characters_gets_its_answer_and_buttons(fake, bot):
    question = "🚀" * 60 + " Shoigu"
    body = await reply_to_interaction(
        fake, await fake.send_slash_command("ask", {"question": question})
    )
    assert "Shoigu" in body["content"]
    more = buttons(body)["More passages"]
    assert len(more) <= CUSTOM_ID_LIMIT
    assert "🚀" not in more
    pressed = await reply_to_interaction(fake, await fake.send_component(more))
    assert pressed["content"].startswith("-# Passage 2")


# -- one member spamming mentions ------------------------------------------------------

REACTION = r"^/channels/\d+/messages/\d+/reactions/"


async def spam(fake, channels: list[int], count: int) -> list[int]:
    """``count`` mentions from the default member, spread over ``channels``."""
    return [
        await fake.send_message(
            f"{SHOIGU_QUESTION} #{n}", mentions_bot=True, channel_id=channels[n % len(channels)]
        )
        for n in range(count)
    ]


async def answered_for_someone_else(fake) -> None:
    """Until another member's question, sent after the spam, is answered."""
    other = fake.add_user("patient-reader")
    asked = await fake.send_message(SHOIGU_QUESTION, author=other, mentions_bot=True)
    await fake.wait_for_bot_message(after=asked, timeout=TIMEOUT)


async def test_forty_mentions_in_one_cooldown_get_one_answer_and_one_wait_notice(
    fake, start_bot, make_settings
):
    await start_bot(make_settings(BRIEFBOT_COOLDOWN_SECONDS="30"))
    channels = [fake.channel_id] + [await fake.add_text_channel(f"room-{n}") for n in range(4)]
    since = fake.request_count
    sent = await spam(fake, channels, 40)
    await answered_for_someone_else(fake)
    await fake.wait_for_request(method="PUT", path=REACTION, since=since, timeout=TIMEOUT)
    await asyncio.sleep(0.3)  # anything else the spam set off would be on its way by now

    posts = fake.find_requests("POST", r"^/channels/\d+/messages$", since=since)
    assert len(posts) == 2  # the first question's answer, and the other member's
    reactions = fake.find_requests("PUT", REACTION, since=since)
    assert len(reactions) == 1
    # Which of the spam is answered and which is told to wait is the order the bot's
    # handlers reach the cooldown (each reads its server's settings first), not the
    # order they were sent in: one of each, never the same one.
    answered = {int(post.json["message_reference"]["message_id"]) for post in posts}
    waiting = [m for m in sent if fake.message(m)["reactions"]]
    assert len(waiting) == 1 and waiting[0] not in answered
    assert len(answered & set(sent)) == 1
    assert fake.message(waiting[0])["reactions"][0]["emoji"]["name"] == "⏳"


async def test_where_the_bot_may_not_react_the_wait_notice_is_one_reply(
    fake, start_bot, make_settings
):
    await start_bot(make_settings(BRIEFBOT_COOLDOWN_SECONDS="30"))
    fake.fail_next("PUT", REACTION, 403, body={"message": "Missing Permissions", "code": 50013})
    since = fake.request_count
    sent = await spam(fake, [fake.channel_id], 10)
    await answered_for_someone_else(fake)
    await asyncio.sleep(0.3)

    replies = [
        m for m in fake.bot_messages() if (m.get("message_reference") or {}).get("message_id")
    ]
    contents = [m["content"] for m in replies if int(m["message_reference"]["message_id"]) in sent]
    # The notice can be posted before the answer, which takes longer to make.
    [notice] = [c for c in contents if "Shoigu" not in c]
    assert len(contents) == 2
    assert notice == "You're asking quickly. Please try again in 30 s."
    assert len(fake.find_requests("PUT", REACTION, since=since)) == 1


# -- names of every script -------------------------------------------------------------

PYONGYANG = "date 2025-04-03\nПхеньян провёл испытание ракеты, сообщило агентство.\n".encode()
MISSILE = "date 2025-04-04\n북한이 미사일을 발사했다고 합동참모본부가 밝혔다.\n".encode()


@pytest.mark.parametrize(
    ("filename", "data", "briefing_id"),
    [
        ("Пхеньян.txt", PYONGYANG, "пхеньян"),
        ("북한 미사일.md", MISSILE, "북한-미사일"),
        ("résumé.txt", PENGUINS, "résumé"),
    ],
)
async def test_names_in_any_script_keep_their_letters(
    fake, bot, settings, filename, data, briefing_id
):
    added = await add_briefing(fake, filename, data)
    assert added["content"].startswith("Added") and f"id: {briefing_id})" in added["content"]
    assert stored_names(settings) == [briefing_id + filename[filename.rindex(".") :]]
    quoted = await fake.send_slash_command("quote", {"paragraph": 1, "briefing": briefing_id})
    first_paragraph = data.decode().splitlines()[1]
    assert first_paragraph[-20:] in (await reply_to_interaction(fake, quoted))["content"]
    removed = await fake.send_slash_command(
        "briefing-remove", {"name": briefing_id}, user=fake.owner_id
    )
    assert (await reply_to_interaction(fake, removed))["content"].startswith("Removed")
    assert stored_names(settings) == []


def stored_names(settings) -> list[str]:
    """The file names of the uploads in the bot's store."""
    store = open_store(settings.data_dir)
    try:
        return [upload.filename for upload in store.uploads()]
    finally:
        store.close()
