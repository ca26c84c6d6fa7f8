"""A server's own choices: answers private by default, mentions answered in threads, where.

They live in the store's ``guild_settings`` table as text, one row per
setting, so they survive restarts and every process sharing the store reads
the same ones. A setting a server never set is simply absent: the defaults
below apply (public answers, plain replies, every channel).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.errors import UserFacingError
from bot.store import Store, StoreError

log = logging.getLogger(__name__)

PRIVATE = "private"
THREADS = "threads"
CHANNELS = "channels"
MAX_CHANNELS = 50
# How long a question waits for its server's settings before the defaults answer it:
# well inside Discord's 3 s, however busy the store.
SETTINGS_WAIT = 1.0


@dataclass(frozen=True)
class ServerSettings:
    """What one server chose; ``channels`` empty means every channel."""

    private: bool = False
    threads: bool = False
    channels: frozenset[int] = frozenset()

    @classmethod
    def from_stored(cls, stored: Mapping[str, str]) -> ServerSettings:
        """The settings from their stored text; anything unreadable counts as unset."""
        channels = stored.get(CHANNELS, "")
        return cls(
            private=stored.get(PRIVATE) == "true",
            threads=stored.get(THREADS) == "true",
            channels=frozenset(int(c) for c in channels.split(",") if c.isdigit()),
        )

    def stored(self) -> dict[str, str | None]:
        """The settings as stored text; a default is stored as no row at all."""
        return {
            PRIVATE: "true" if self.private else None,
            THREADS: "true" if self.threads else None,
            CHANNELS: ",".join(map(str, sorted(self.channels))) or None,
        }

    def answers_in(self, channel_id: int, parent_id: int | None = None) -> bool:
        """Whether mentions are answered in this channel (a thread counts as its parent's)."""
        return not self.channels or bool({channel_id, parent_id} & self.channels)

    def changed(
        self,
        *,
        private: bool | None = None,
        threads: bool | None = None,
        add: int | None = None,
        remove: int | None = None,
        clear: bool = False,
    ) -> ServerSettings:
        """These settings with the given changes; the list is cleared before adding."""
        if add is not None and add == remove:
            raise UserFacingError("Choose a channel to add or one to remove, not the same one.")
        channels = frozenset() if clear else self.channels
        if add is not None:
            channels |= {add}
        if remove is not None:
            channels -= {remove}
        if len(channels) > MAX_CHANNELS:
            raise UserFacingError(
                f"The bot can be limited to at most {MAX_CHANNELS} channels. "
                "Remove one first, or clear the list to answer everywhere."
            )
        return replace(
            self,
            private=self.private if private is None else private,
            threads=self.threads if threads is None else threads,
            channels=channels,
        )


async def load_server_settings(
    store: Store, guild_id: int | None, *, or_defaults: bool = True
) -> ServerSettings:
    """A server's settings (the defaults outside servers), read off the event loop.

    If the store cannot be read, questions are still answered, with the
    defaults; a change (``or_defaults=False``) is refused instead, so that it
    never saves the defaults over what the server chose.
    """
    if guild_id is None:
        return ServerSettings()
    try:
        async with asyncio.timeout(SETTINGS_WAIT):
            stored = await asyncio.to_thread(store.settings, guild_id)
    except (StoreError, TimeoutError) as error:
        if not or_defaults:
            raise UserFacingError(
                "The settings could not be read: the bot's store refused. Nothing was changed."
            ) from error
        reason = error if isinstance(error, StoreError) else f"no answer in {SETTINGS_WAIT:.0f} s"
        log.warning("could not read the settings of guild %s, using defaults: %s", guild_id, reason)
        return ServerSettings()
    return ServerSettings.from_stored(stored)


async def change_server_settings(store: Store, guild_id: int, **changes: Any) -> ServerSettings:
    """Apply ``changes`` (as ``ServerSettings.changed`` takes them) in one transaction.

    The current settings are read and the new ones written while the server's
    settings are held, so two admins changing them at once both count. A
    refusal is explained, and nothing is changed.
    """

    def change(stored: dict[str, str]) -> dict[str, str | None]:
        return ServerSettings.from_stored(stored).changed(**changes).stored()

    try:
        stored = await asyncio.to_thread(store.update_settings, guild_id, change)
    except StoreError as error:
        log.warning("could not store the settings of guild %s: %s", guild_id, error)
        raise UserFacingError(
            "The settings could not be saved: the bot's store refused them. Nothing was changed."
        ) from error
    return ServerSettings.from_stored(stored)
