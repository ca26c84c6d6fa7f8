"""The fake's Discord world: users, guild, channels, messages, commands and interactions."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from . import payloads as p

__all__ = ["InteractionState", "World"]


@dataclass
class InteractionState:
    """Server-side bookkeeping for one interaction token."""

    id: int
    token: str
    type: int
    channel_id: int
    guild_id: int | None
    user_id: int
    created: float
    component_message_id: int | None = None
    command_type: int | None = None
    acknowledged: bool = False
    callback_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    autocomplete_choices: list[Any] | None = None
    modal: Mapping[str, Any] | None = None


class World:
    """All mutable state the REST API and the gateway share."""

    def __init__(
        self,
        *,
        base_url_getter: Any,
        bot_user_id: int,
        application_id: int,
        guild_id: int,
        channel_id: int,
        user_id: int,
        owner_id: int,
        bot_name: str,
        guild_name: str,
        channel_name: str,
        user_name: str,
    ) -> None:
        self._base_url = base_url_getter
        self.ids = p.SnowflakeFactory()
        self.bot_user_id = bot_user_id
        self.application_id = application_id
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.user_id = user_id
        self.owner_id = owner_id
        self.everyone_role_id = guild_id
        self.bot_role_id = self.ids.next()
        self.guild_name = guild_name
        # More guilds the bot is in, by id: their names (each has one text channel).
        self.other_guilds: dict[int, str] = {}
        self.bot_joined_at = p.iso_timestamp()

        self.bot_user = p.client_user(bot_user_id, bot_name)
        self.users: dict[int, dict[str, Any]] = {}
        self.member_roles: dict[int, list[int]] = {}
        self.joined_at: dict[int, str] = {}
        self.users[bot_user_id] = p.user(bot_user_id, bot_name, bot=True)
        self.member_roles[bot_user_id] = [self.bot_role_id]
        self.joined_at[bot_user_id] = self.bot_joined_at
        self.add_user(user_id, user_name)
        self.add_user(owner_id, "guild-owner")

        self.roles: dict[int, dict[str, Any]] = {
            self.everyone_role_id: p.role(
                self.everyone_role_id, "@everyone", permissions=p.DEFAULT_MEMBER_PERMISSIONS
            ),
            self.bot_role_id: p.role(
                self.bot_role_id,
                bot_name,
                permissions=p.DEFAULT_BOT_PERMISSIONS,
                position=1,
                managed=True,
                bot_id=bot_user_id,
            ),
        }
        self.channels: dict[int, dict[str, Any]] = {
            channel_id: p.text_channel(channel_id, guild_id, channel_name)
        }
        # Threads, by id (a thread started from a message has the message's id).
        self.threads: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, dict[str, Any]] = {}
        self.dm_by_user: dict[int, int] = {}

        self.messages: dict[int, dict[str, Any]] = {}
        self.deleted_messages: set[int] = set()
        self.blobs: dict[int, tuple[bytes, str]] = {}
        self.commands: dict[int | None, dict[int, dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionState] = {}
        self.interactions_by_token: dict[str, InteractionState] = {}

    # -- users, members, channels -------------------------------------------

    def add_user(
        self, user_id: int, username: str, *, bot: bool = False, roles: Iterable[int] = ()
    ) -> None:
        """Register a guild member."""
        self.users[user_id] = p.user(user_id, username, bot=bot)
        self.member_roles[user_id] = list(roles)
        self.joined_at[user_id] = p.iso_timestamp()

    def add_role(self, name: str, permissions: int) -> int:
        """A role of the main guild with these permissions; returns its id."""
        role_id = self.ids.next()
        position = len(self.roles)
        self.roles[role_id] = p.role(role_id, name, permissions=permissions, position=position)
        return role_id

    def user_payload(self, user_id: int) -> dict[str, Any]:
        """User object of a known user (or a placeholder for an unknown id)."""
        known = self.users.get(user_id)
        return dict(known) if known is not None else p.user(user_id, f"user-{user_id}")

    def member_payload(
        self, user_id: int, *, with_user: bool = True, permissions: int | None = None
    ) -> dict[str, Any]:
        """Guild member object of a known user."""
        return p.member(
            self.user_payload(user_id) if with_user else None,
            roles=self.member_roles.get(user_id, []),
            joined_at=self.joined_at.get(user_id),
            permissions=permissions,
        )

    def permissions_of(self, user_id: int) -> int:
        """Base guild permissions (everyone + roles; owner and admins get everything)."""
        if user_id == self.owner_id:
            return (1 << 53) - 1
        value = int(self.roles[self.everyone_role_id]["permissions"])
        for role_id in self.member_roles.get(user_id, []):
            role = self.roles.get(role_id)
            if role is not None:
                value |= int(role["permissions"])
        if value & p.ADMINISTRATOR:
            return (1 << 53) - 1
        return value

    def is_guild_channel(self, channel_id: int) -> bool:
        """True for a text channel or thread of a guild the bot is in."""
        return channel_id in self.channels or channel_id in self.threads

    def channel_payload(
        self, channel_id: int, *, permissions: int | None = None
    ) -> dict[str, Any] | None:
        """Channel object for a guild or DM channel id."""
        if channel_id in self.channels or channel_id in self.threads:
            data = dict(self.channels.get(channel_id) or self.threads[channel_id])
            if permissions is not None:
                data["permissions"] = str(permissions)
            return data
        if channel_id in self.dm_channels:
            return dict(self.dm_channels[channel_id])
        return None

    def dm_channel_for(self, user_id: int) -> dict[str, Any]:
        """The DM channel between the bot and ``user_id`` (created on first use)."""
        channel_id = self.dm_by_user.get(user_id)
        if channel_id is None:
            channel_id = self.ids.next()
            self.dm_by_user[user_id] = channel_id
            self.dm_channels[channel_id] = p.dm_channel(channel_id, self.user_payload(user_id))
        return dict(self.dm_channels[channel_id])

    def add_guild(self, name: str) -> tuple[int, int]:
        """Another guild with one text channel, "general"; returns (guild id, channel id)."""
        guild_id, channel_id = self.ids.next(), self.ids.next()
        self.other_guilds[guild_id] = name
        self.channels[channel_id] = p.text_channel(channel_id, guild_id, "general")
        return guild_id, channel_id

    def guild_ids(self) -> list[int]:
        """Every guild the bot is in, the main one first."""
        return [self.guild_id, *self.other_guilds]

    def guild_of(self, channel_id: int) -> int:
        """The guild a guild text channel or thread belongs to."""
        return int((self.channels.get(channel_id) or self.threads[channel_id])["guild_id"])

    def start_thread(
        self, message: dict[str, Any], name: str, auto_archive_duration: int
    ) -> dict[str, Any]:
        """A public thread started by the bot from ``message`` (which now points at it)."""
        parent_id = int(message["channel_id"])
        thread = p.thread_channel(
            int(message["id"]),
            self.guild_of(parent_id),
            parent_id,
            name,
            owner_id=self.bot_user_id,
            auto_archive_duration=auto_archive_duration,
        )
        self.threads[int(thread["id"])] = thread
        message["flags"] |= p.FLAG_HAS_THREAD
        message["thread"] = dict(thread)
        return dict(thread)

    def add_text_channel(self, name: str) -> dict[str, Any]:
        """Create another text channel in the guild."""
        channel_id = self.ids.next()
        self.channels[channel_id] = p.text_channel(
            channel_id, self.guild_id, name, position=len(self.channels)
        )
        return dict(self.channels[channel_id])

    def guild_payload(
        self, *, full: bool, include_all_members: bool = False, guild_id: int | None = None
    ) -> dict[str, Any]:
        """A guild (default: the main one); ``full`` gives the GUILD_CREATE form (only the
        bot's member unless asked)."""
        guild_id = self.guild_id if guild_id is None else guild_id
        member_ids = list(self.users) if include_all_members else [self.bot_user_id]
        roles = list(self.roles.values())
        if guild_id != self.guild_id:  # its own @everyone role, whose id is the guild's
            everyone = p.role(guild_id, "@everyone", permissions=p.DEFAULT_MEMBER_PERMISSIONS)
            roles = [everyone, *roles[1:]]
        return p.guild(
            guild_id,
            self.other_guilds.get(guild_id, self.guild_name),
            owner_id=self.owner_id,
            roles=roles,
            channels=[
                {k: v for k, v in c.items() if k != "guild_id"}
                for c in self.channels.values()
                if int(c["guild_id"]) == guild_id
            ],
            threads=[dict(t) for t in self.threads.values() if int(t["guild_id"]) == guild_id],
            members=[self.member_payload(uid) for uid in member_ids],
            member_count=len(self.users),
            system_channel_id=next(
                int(c["id"]) for c in self.channels.values() if int(c["guild_id"]) == guild_id
            ),
            joined_at=self.bot_joined_at,
            full=full,
        )

    # -- messages --------------------------------------------------------------

    def attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        """URL under which the fake serves an attachment's bytes."""
        return f"{self._base_url()}/attachments/{channel_id}/{attachment_id}/{quote(filename)}"

    def store_attachment(
        self,
        channel_id: int,
        filename: str,
        data: bytes,
        content_type: str | None,
        *,
        description: str | None = None,
        ephemeral: bool = False,
    ) -> dict[str, Any]:
        """Keep the bytes of an uploaded file and return its attachment object."""
        attachment_id = self.ids.next()
        url = self.attachment_url(channel_id, attachment_id, filename)
        self.blobs[attachment_id] = (data, content_type or "application/octet-stream")
        return p.attachment(
            attachment_id,
            filename,
            size=len(data),
            url=url,
            content_type=content_type,
            description=description,
            ephemeral=ephemeral,
        )

    def resolve_mentions(
        self,
        content: str,
        allowed_mentions: Mapping[str, Any] | None,
        *,
        replied_user_id: int | None = None,
    ) -> tuple[list[dict[str, Any]], list[int], bool]:
        """Users, roles and @everyone a message really pings, honouring ``allowed_mentions``."""
        if allowed_mentions is None:
            parse: Sequence[str] = ("users", "roles", "everyone")
            allowed_users: Sequence[Any] = ()
            allowed_roles: Sequence[Any] = ()
            replied = True
        else:
            parse = allowed_mentions.get("parse") or ()
            allowed_users = allowed_mentions.get("users") or ()
            allowed_roles = allowed_mentions.get("roles") or ()
            replied = bool(allowed_mentions.get("replied_user", False))
        user_ids = [
            uid
            for uid in p.mentioned_user_ids(content)
            if "users" in parse or str(uid) in {str(u) for u in allowed_users}
        ]
        if replied_user_id is not None and replied and replied_user_id not in user_ids:
            user_ids.append(replied_user_id)
        role_ids = [
            rid
            for rid in p.mentioned_role_ids(content)
            if "roles" in parse or str(rid) in {str(r) for r in allowed_roles}
        ]
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        return [self.user_payload(uid) for uid in user_ids], role_ids, everyone

    def with_member_mentions(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Gateway form of a guild message: mentions and author carry member data."""
        data = dict(message)
        if "guild_id" in data:
            data["mentions"] = [
                {**m, "member": self.member_payload(int(m["id"]), with_user=False)}
                for m in data.get("mentions", [])
            ]
            author_id = int(data["author"]["id"])
            if "webhook_id" not in data or author_id == self.bot_user_id:
                data.setdefault("member", self.member_payload(author_id, with_user=False))
        return data

    def bot_message_ids(self) -> list[int]:
        """Ids of live messages authored by the bot, oldest first."""
        return [
            mid for mid, m in self.messages.items() if int(m["author"]["id"]) == self.bot_user_id
        ]

    # -- interactions ------------------------------------------------------------

    def new_interaction(
        self,
        interaction_type: int,
        *,
        channel_id: int,
        guild_id: int | None,
        user_id: int,
        component_message_id: int | None = None,
        command_type: int | None = None,
    ) -> InteractionState:
        """Register a new interaction id/token pair."""
        state = InteractionState(
            id=self.ids.next(),
            token=f"fake-interaction-{secrets.token_urlsafe(24)}",
            type=interaction_type,
            channel_id=channel_id,
            guild_id=guild_id,
            user_id=user_id,
            created=time.monotonic(),
            component_message_id=component_message_id,
            command_type=command_type,
        )
        self.interactions[state.id] = state
        self.interactions_by_token[state.token] = state
        return state

    # -- application commands ------------------------------------------------------

    def echo_command(
        self, body: Mapping[str, Any], guild_id: int | None, existing: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """The stored form of a command body (what Discord answers with)."""
        command_id = int(existing["id"]) if existing is not None else self.ids.next()
        data: dict[str, Any] = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
        }
        data.update(dict(body))
        data["id"] = str(command_id)
        data["application_id"] = str(self.application_id)
        data["version"] = str(self.ids.next())
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        else:
            data.pop("guild_id", None)
        return data

    def find_command(
        self, name: str, guild_id: int | None, command_type: int = 1
    ) -> dict[str, Any] | None:
        """A synced command visible in ``guild_id`` (guild commands first, then global)."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, {}).values():
                if cmd["name"] == name and int(cmd.get("type", 1)) == command_type:
                    return cmd
        return None
