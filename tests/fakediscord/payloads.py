"""Builders for Discord API JSON objects (API v10 shapes, as discord.py 2.x parses them).

Every builder returns a fresh ``dict``; snowflakes are emitted as strings
like the real API does.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits used by the defaults below.
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ADMINISTRATOR = 1 << 3

#: What a plain member may do in the default channel.
DEFAULT_MEMBER_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
#: What the bot may do in the default channel (its managed role).
DEFAULT_BOT_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS | MANAGE_MESSAGES | CREATE_PUBLIC_THREADS

# Gateway intent bits.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Message flags.
FLAG_HAS_THREAD = 1 << 5
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# Application flags: message content allowed for a small (unverified) bot.
APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19

# Channel types.
CHANNEL_GUILD_TEXT = 0
CHANNEL_DM = 1
CHANNEL_PUBLIC_THREAD = 11

#: The auto-archive durations (minutes) Discord accepts for a thread.
THREAD_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)

# Application command types.
COMMAND_CHAT_INPUT = 1
COMMAND_USER = 2
COMMAND_MESSAGE = 3

# Message types.
MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20
MESSAGE_CONTEXT_MENU_COMMAND = 23

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

_USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")


class SnowflakeFactory:
    """Makes strictly increasing snowflakes whose timestamp is "now"."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """A fresh snowflake, larger than every one made before."""
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (now_ms << 22) | (1 << 17)
        self._last = max(candidate, self._last + 1)
        return self._last


def snowflake_time(snowflake: int) -> dt.datetime:
    """The UTC creation time encoded in a snowflake."""
    return dt.datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=dt.UTC)


def iso_timestamp(when: int | dt.datetime | None = None) -> str:
    """ISO-8601 timestamp for a snowflake, a datetime, or now."""
    if when is None:
        moment = dt.datetime.now(dt.UTC)
    elif isinstance(when, int):
        moment = snowflake_time(when)
    else:
        moment = when
    return moment.isoformat()


def user(
    user_id: int,
    username: str,
    *,
    bot: bool = False,
    global_name: str | None = None,
) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user_id),
        "username": username,
        "global_name": global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }


def client_user(user_id: int, username: str) -> dict[str, Any]:
    """The bot's own user as returned by ``GET /users/@me`` and in READY."""
    data = user(user_id, username, bot=True)
    data.update(
        {"verified": True, "mfa_enabled": False, "flags": 0, "email": None, "locale": "en-US"}
    )
    return data


def member(
    user_payload: Mapping[str, Any] | None,
    *,
    roles: Iterable[int] = (),
    joined_at: str | None = None,
    nick: str | None = None,
    permissions: int | None = None,
) -> dict[str, Any]:
    """A guild member object; ``user_payload=None`` gives the partial form used inside messages."""
    data: dict[str, Any] = {
        "roles": [str(r) for r in roles],
        "joined_at": joined_at or iso_timestamp(),
        "nick": nick,
        "avatar": None,
        "banner": None,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if user_payload is not None:
        data["user"] = dict(user_payload)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def role(
    role_id: int,
    name: str,
    *,
    permissions: int = 0,
    position: int = 0,
    managed: bool = False,
    bot_id: int | None = None,
) -> dict[str, Any]:
    """A role object; ``bot_id`` marks a bot's managed role."""
    data: dict[str, Any] = {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        data["tags"] = {"bot_id": str(bot_id)}
    return data


def text_channel(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    position: int = 0,
    topic: str | None = None,
    permissions: int | None = None,
) -> dict[str, Any]:
    """A guild text channel object."""
    data: dict[str, Any] = {
        "id": str(channel_id),
        "type": CHANNEL_GUILD_TEXT,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": None,
        "topic": topic,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "default_auto_archive_duration": 1440,
        "flags": 0,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def dm_channel(channel_id: int, recipient: Mapping[str, Any]) -> dict[str, Any]:
    """A DM channel object."""
    return {
        "id": str(channel_id),
        "type": CHANNEL_DM,
        "last_message_id": None,
        "recipients": [dict(recipient)],
        "flags": 0,
    }


def thread_channel(
    thread_id: int,
    guild_id: int,
    parent_id: int,
    name: str,
    *,
    owner_id: int,
    auto_archive_duration: int = 1440,
) -> dict[str, Any]:
    """A public thread; one started from a message has that message's id."""
    return {
        "id": str(thread_id),
        "type": CHANNEL_PUBLIC_THREAD,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": iso_timestamp(),
            "locked": False,
            "create_timestamp": iso_timestamp(),
        },
    }


def guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    roles: Sequence[Mapping[str, Any]],
    channels: Sequence[Mapping[str, Any]] = (),
    threads: Sequence[Mapping[str, Any]] = (),
    members: Sequence[Mapping[str, Any]] = (),
    member_count: int | None = None,
    system_channel_id: int | None = None,
    joined_at: str | None = None,
    full: bool = True,
) -> dict[str, Any]:
    """A guild object; ``full`` adds the GUILD_CREATE-only fields (channels, members, ...)."""
    data: dict[str, Any] = {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "features": [],
        "roles": [dict(r) for r in roles],
        "emojis": [],
        "stickers": [],
        "system_channel_id": str(system_channel_id) if system_channel_id else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "application_id": None,
        "widget_enabled": False,
    }
    if full:
        data.update(
            {
                "unavailable": False,
                "large": False,
                "lazy": True,
                "joined_at": joined_at or iso_timestamp(),
                "member_count": member_count if member_count is not None else len(members),
                "channels": [dict(c) for c in channels],
                "threads": [dict(t) for t in threads],
                "members": [dict(m) for m in members],
                "presences": [],
                "voice_states": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        )
    return data


def attachment(
    attachment_id: int,
    filename: str,
    *,
    size: int,
    url: str,
    content_type: str | None = None,
    description: str | None = None,
    ephemeral: bool = False,
) -> dict[str, Any]:
    """An attachment object; ``url`` should point at the fake so ``Attachment.read()`` works."""
    data: dict[str, Any] = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "description": description,
        "flags": 0,
    }
    if ephemeral:
        data["ephemeral"] = True
    return data


def message(
    message_id: int,
    channel_id: int,
    author: Mapping[str, Any],
    content: str,
    *,
    guild_id: int | None = None,
    member_payload: Mapping[str, Any] | None = None,
    mentions: Sequence[Mapping[str, Any]] = (),
    mention_roles: Iterable[int] = (),
    mention_everyone: bool = False,
    attachments: Sequence[Mapping[str, Any]] = (),
    embeds: Sequence[Mapping[str, Any]] = (),
    components: Sequence[Mapping[str, Any]] = (),
    flags: int = 0,
    message_type: int = MESSAGE_DEFAULT,
    message_reference: Mapping[str, Any] | None = None,
    referenced_message: Mapping[str, Any] | None = None,
    webhook_id: int | None = None,
    application_id: int | None = None,
    interaction_metadata: Mapping[str, Any] | None = None,
    tts: bool = False,
    nonce: str | int | None = None,
) -> dict[str, Any]:
    """A full message object."""
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": dict(author),
        "content": content,
        "timestamp": iso_timestamp(message_id),
        "edited_timestamp": None,
        "tts": tts,
        "mention_everyone": mention_everyone,
        "mentions": [dict(m) for m in mentions],
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": [dict(a) for a in attachments],
        "embeds": [dict(e) for e in embeds],
        "components": [dict(c) for c in components],
        "reactions": [],
        "pinned": False,
        "type": message_type,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if member_payload is not None:
        data["member"] = dict(member_payload)
    if message_reference is not None:
        data["message_reference"] = dict(message_reference)
        data["referenced_message"] = (
            dict(referenced_message) if referenced_message is not None else None
        )
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    if application_id is not None:
        data["application_id"] = str(application_id)
    if interaction_metadata is not None:
        data["interaction_metadata"] = dict(interaction_metadata)
    if nonce is not None:
        data["nonce"] = nonce
    return data


def application(
    app_id: int, name: str, *, owner: Mapping[str, Any], flags: int = 0
) -> dict[str, Any]:
    """The application object of ``GET /oauth2/applications/@me``."""
    return {
        "id": str(app_id),
        "name": name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": dict(owner),
        "team": None,
        "verify_key": "0" * 64,
        "flags": flags,
        "hook": True,
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "tags": [],
        "approximate_guild_count": 1,
    }


def interaction(
    *,
    interaction_id: int,
    interaction_type: int,
    token: str,
    application_id: int,
    data: Mapping[str, Any] | None,
    channel_payload: Mapping[str, Any],
    guild_id: int | None,
    member_payload: Mapping[str, Any] | None,
    user_payload: Mapping[str, Any] | None,
    app_permissions: int,
    locale: str = "en-US",
    guild_locale: str | None = "en-US",
    message_payload: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload (guild interactions use ``member``, DMs use ``user``)."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": interaction_type,
        "token": token,
        "version": 1,
        "channel_id": channel_payload["id"],
        "channel": dict(channel_payload),
        "app_permissions": str(app_permissions),
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "context": 0 if guild_id is not None else 1,
    }
    if data is not None:
        payload["data"] = dict(data)
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
        payload["guild"] = {"id": str(guild_id), "locale": guild_locale or "en-US", "features": []}
        payload["guild_locale"] = guild_locale
        payload["authorizing_integration_owners"] = {"0": str(guild_id)}
        payload["member"] = dict(member_payload or {})
    else:
        payload["user"] = dict(user_payload or {})
        payload["authorizing_integration_owners"] = {"0": "0"}
    if message_payload is not None:
        payload["message"] = dict(message_payload)
    return payload


def mentioned_user_ids(content: str) -> list[int]:
    """User ids written as ``<@id>``/``<@!id>`` in ``content``, in order, without repeats."""
    seen: list[int] = []
    for raw in _USER_MENTION.findall(content or ""):
        value = int(raw)
        if value not in seen:
            seen.append(value)
    return seen


def mentioned_role_ids(content: str) -> list[int]:
    """Role ids written as ``<@&id>`` in ``content``."""
    return sorted({int(raw) for raw in _ROLE_MENTION.findall(content or "")})


def walk_components(components: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Every component in a (possibly nested) component tree."""
    for comp in components or ():
        yield comp
        children = comp.get("components")
        if isinstance(children, list):
            yield from walk_components(children)
        accessory = comp.get("accessory")
        if isinstance(accessory, Mapping):
            yield from walk_components([accessory])
        inner = comp.get("component")
        if isinstance(inner, Mapping):
            yield from walk_components([inner])
