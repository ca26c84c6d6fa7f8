"""/briefing-add and /briefing-remove end to end: uploads, checks, persistence."""

from __future__ import annotations

import pytest

from bot.client import create_bot
from bot.library import Library
from bot.store import open_store
from tests.bot.conftest import (
    MANAGE_GUILD,
    PENGUIN_QUESTION,
    PENGUINS,
    TIMEOUT,
    add_briefing,
    ask,
    is_ephemeral,
    reply_to_interaction,
)
from tests.fakediscord import DEFAULT_GUILD_ID, FakeAttachment
from tests.fakediscord.payloads import DEFAULT_MEMBER_PERMISSIONS

pytestmark = pytest.mark.e2e


async def remove(fake, name: str) -> dict:
    """The reply to the guild owner's /briefing-remove; it answers privately."""
    interaction = await fake.send_slash_command(
        "briefing-remove", {"name": name}, user=fake.owner_id
    )
    reply = await reply_to_interaction(fake, interaction)
    assert is_ephemeral(fake.interaction_responses(interaction)[0].data)
    return reply


def stored(settings) -> list[str]:
    """The file names of the uploads in the bot's store."""
    store = open_store(settings.data_dir)
    try:
        return sorted(upload.filename for upload in store.uploads())
    finally:
        store.close()


def stored_data(settings, briefing_id: str) -> bytes | None:
    store = open_store(settings.data_dir)
    try:
        return store.upload_data(DEFAULT_GUILD_ID, briefing_id)
    finally:
        store.close()


async def test_added_briefing_answers_at_once_and_after_a_restart(fake, settings):
    async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
        assert "does not mention" in await ask(fake, PENGUIN_QUESTION)
        reply = await add_briefing(fake, "Penguin Census.txt", PENGUINS)
        assert is_ephemeral(reply)
        assert reply["content"] == (
            "Added *Penguin census* (2 paragraphs, id: penguin-census). /ask can quote it now."
        )
        answer = await ask(fake, PENGUIN_QUESTION)
        assert "4,000 emperor penguins" in answer
        assert "*Penguin census*, 2025-04-02, paragraph 1" in answer
    assert stored(settings) == ["penguin-census.txt"]
    assert stored_data(settings, "penguin-census") == PENGUINS

    async with fake.run_client(create_bot(settings, Library.load(settings)), timeout=TIMEOUT):
        assert "4,000 emperor penguins" in await ask(fake, PENGUIN_QUESTION)


async def test_title_and_date_options_become_the_briefings_metadata(fake, bot, settings):
    reply = await add_briefing(
        fake, "notes.md", PENGUINS, title="Penguin census", date="2025-04-03"
    )
    assert reply["content"].startswith("Added *Penguin census* (2 paragraphs, id: notes)")
    answer = await ask(fake, PENGUIN_QUESTION)
    assert "— *Penguin census*, 2025-04-03, paragraph 1" in answer
    stored_text = stored_data(settings, "notes").decode()
    assert stored_text.startswith("---\ntitle: Penguin census\n")


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("empty.txt", b"  \n\n", "it is empty"),
        ("binary.txt", b"\x89PNG\x00\x00\x01", "it is a binary file, not text"),
        ("latin1.txt", "Café in Pyongyang".encode("latin-1"), "it is not UTF-8 text"),
        ("huge.txt", b"word " * 500_000, "larger than the limit of 2,097,152 bytes"),
        ("report.pdf", PENGUINS, "Upload a text briefing (.txt, .md, .markdown file)"),
        ("!!!.txt", PENGUINS, "Give the file a name with letters or digits in it."),
        ("bad-front-matter.txt", b"---\ntitle: [unclosed\n---\nText.\n", "not valid YAML"),
    ],
)
async def test_bad_upload_is_refused_privately_and_changes_nothing(
    fake, bot, settings, filename, data, reason
):
    reply = await add_briefing(fake, filename, data)
    assert is_ephemeral(reply)
    assert reason in reply["content"]
    assert stored(settings) == []
    assert len(bot.library.briefings(DEFAULT_GUILD_ID)) == 1


async def test_bad_date_option_is_refused(fake, bot, settings):
    reply = await add_briefing(fake, "penguins.txt", PENGUINS, date="2025-13-40")
    assert "is not a YYYY-MM-DD date" in reply["content"]
    assert stored(settings) == []


async def test_file_name_cannot_escape_the_uploads_folder(fake, bot, settings, tmp_path):
    # Backslashes: the fake puts the raw name in the download URL, where "/" would be a path.
    reply = await add_briefing(fake, "..\\..\\..\\outside\\Evil Name.txt", PENGUINS)
    assert "id: evil-name" in reply["content"]
    assert stored(settings) == ["evil-name.txt"]
    assert not (tmp_path / "outside").exists()


async def test_a_taken_name_is_refused(fake, bot, settings):
    await add_briefing(fake, "penguins.txt", PENGUINS)
    reply = await add_briefing(fake, "PENGUINS.md", PENGUINS)
    assert "A briefing named “penguins” is already loaded" in reply["content"]
    assert stored(settings) == ["penguins.txt"]


async def test_commands_are_hidden_from_members_without_manage_server(fake, bot):
    upload = {"file": FakeAttachment("penguins.txt", PENGUINS)}
    with pytest.raises(PermissionError):
        await fake.send_slash_command("briefing-add", upload, user=fake.user_id)


async def test_member_without_manage_server_is_refused_even_if_discord_lets_it_through(
    fake, bot, settings
):
    for name, options in [
        ("briefing-add", {"file": FakeAttachment("penguins.txt", PENGUINS)}),
        ("briefing-remove", {"name": "anything"}),
    ]:
        fake.open_command_to_everyone(name)
        interaction = await fake.send_slash_command(
            name, options, user=fake.user_id, member_permissions=DEFAULT_MEMBER_PERMISSIONS
        )
        reply = (await fake.wait_for_interaction_response(interaction, timeout=TIMEOUT)).data
        assert is_ephemeral(reply)
        assert reply["content"] == "Only members with the **Manage Server** permission can do that."
    assert stored(settings) == []


async def test_remove_deletes_an_uploaded_briefing(fake, bot, settings):
    await add_briefing(fake, "penguins.txt", PENGUINS)
    typed = await fake.send_autocomplete(
        "briefing-remove", {"name": "pen"}, "name", user=fake.owner_id
    )
    await fake.wait_for_interaction_response(typed, timeout=TIMEOUT)
    assert [c["value"] for c in fake.autocomplete_choices(typed)] == ["penguins"]

    reply = await remove(fake, "penguins")
    assert is_ephemeral(reply)
    assert reply["content"] == "Removed *Penguins*."
    assert stored(settings) == []
    assert "does not mention" in await ask(fake, PENGUIN_QUESTION)


async def test_bundled_briefings_cannot_be_removed(fake, bot, bundled):
    reply = await remove(fake, bundled.id)
    assert reply["content"] == (
        f"“{bundled.id}” was not added with /briefing-add in this server, "
        "so it cannot be removed here."
    )
    assert len(bot.library.briefings(DEFAULT_GUILD_ID)) == 1


async def test_a_member_with_manage_server_who_is_not_the_owner_may_add(fake, bot, settings):
    manager = fake.add_user("manager")
    interaction = await fake.send_slash_command(
        "briefing-add",
        {"file": FakeAttachment("penguins.txt", PENGUINS)},
        user=manager,
        member_permissions=DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD,
    )
    await fake.wait_for_request(lambda _: bool(fake.followups(interaction)), timeout=TIMEOUT)
    assert fake.followups(interaction)[0].json["content"].startswith("Added *Penguins*")
    assert stored(settings) == ["penguins.txt"]
