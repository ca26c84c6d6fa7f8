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

from . import fake, records
from .fake import *  # noqa: F403 - the names each module exports, listed once there
from .records import *  # noqa: F403

__all__ = fake.__all__ + records.__all__
