"""A local fake Discord (REST + gateway) for end-to-end tests of discord.py bots.

Usage::

    from tests.fakediscord import FakeDiscord

    async with FakeDiscord() as fake:
        async with fake.run_client(client):
            interaction = await fake.send_slash_command("ping", {"count": 2})
            callback = await fake.wait_for_interaction_response(interaction)

Nothing leaves 127.0.0.1: discord.py's REST base, gateway URL and CDN base
are pointed at the fake for the duration of the ``async with`` block.
"""

from .fake import (
    DEFAULT_APPLICATION_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_GUILD_ID,
    DEFAULT_OWNER_ID,
    DEFAULT_TOKEN,
    DEFAULT_USER_ID,
    FakeDiscord,
)
from .records import (
    FakeAttachment,
    FaultRule,
    IdentifyRecord,
    RecordedFile,
    RecordedRequest,
    ResumeRecord,
    SentInteraction,
)

__all__ = [
    "DEFAULT_APPLICATION_ID",
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_CHANNEL_ID",
    "DEFAULT_GUILD_ID",
    "DEFAULT_OWNER_ID",
    "DEFAULT_TOKEN",
    "DEFAULT_USER_ID",
    "FakeAttachment",
    "FakeDiscord",
    "FaultRule",
    "IdentifyRecord",
    "RecordedFile",
    "RecordedRequest",
    "ResumeRecord",
    "SentInteraction",
]
