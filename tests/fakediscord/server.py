"""The fake REST API: one aiohttp catch-all handler dispatching on a route table.

Every request is parsed, checked against injected faults and authorization,
answered, and recorded (including unknown routes, which answer 404 JSON).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from . import payloads as p
from .records import Incoming, RecordedFile
from .validation import command_error, commands_error, form_error, message_error, thread_error

if TYPE_CHECKING:
    from .fake import FakeDiscord
    from .state import InteractionState

__all__ = ["API_PREFIX", "Reply", "RestApi"]

_log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"

_KEEP_FLAGS = p.FLAG_EPHEMERAL | (1 << 2) | (1 << 12) | (1 << 15)


@dataclass
class Reply:
    """What a route handler answers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"


class _Refused(Exception):  # noqa: N818 - not an error in the fake: Discord's own answer
    """Raised by a lookup inside a route handler: answer ``reply`` instead."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


Handler = Callable[[Incoming, "re.Match[str]"], Awaitable[Reply]]


def error(status: int, code: int, message: str, **extra: Any) -> Reply:
    """A Discord-style JSON error answer."""
    return Reply(status, {"message": message, "code": code, **extra})


def unknown_message() -> Reply:
    return error(404, 10008, "Unknown Message")


def unknown_channel() -> Reply:
    return error(404, 10003, "Unknown Channel")


def unknown_webhook() -> Reply:
    return error(404, 10015, "Unknown Webhook")


def unknown_interaction() -> Reply:
    return error(404, 10062, "Unknown interaction")


def missing_permissions() -> Reply:
    return error(403, 50013, "Missing Permissions")


def _response_type(state: InteractionState) -> int:
    """The type of a message answering an interaction: a command's, or a plain one."""
    if state.type != 2:
        return p.MESSAGE_DEFAULT
    if state.command_type in (p.COMMAND_USER, p.COMMAND_MESSAGE):
        return p.MESSAGE_CONTEXT_MENU_COMMAND
    return p.MESSAGE_CHAT_INPUT_COMMAND


def _bucket_for(method: str, path: str) -> str:
    template = re.sub(r"\d{5,}", "{id}", path)
    return hashlib.sha256(f"{method} {template}".encode()).hexdigest()[:16]


class RestApi:
    """Route table and handlers of the fake HTTP API."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake._world
        self._routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        sf = r"(\d+)"
        tok = r"([^/]+)"
        add = self._add
        add("GET", "/users/@me", self._get_me)
        add("GET", f"/users/{sf}", self._get_user)
        add("POST", "/users/@me/channels", self._create_dm)
        add("GET", "/oauth2/applications/@me", self._get_application)
        add("GET", "/applications/@me", self._get_application)
        add("GET", "/gateway", self._get_gateway, auth=False)
        add("GET", "/gateway/bot", self._get_gateway_bot)
        for scope in (f"/applications/{sf}/commands", f"/applications/{sf}/guilds/{sf}/commands"):
            add("GET", scope, self._list_commands)
            add("PUT", scope, self._bulk_commands)
            add("POST", scope, self._upsert_command)
            add("GET", f"{scope}/{sf}", self._get_command)
            add("PATCH", f"{scope}/{sf}", self._edit_command)
            add("DELETE", f"{scope}/{sf}", self._delete_command)
        add("POST", f"/interactions/{sf}/{tok}/callback", self._interaction_callback, auth=False)
        add("POST", f"/webhooks/{sf}/{tok}", self._followup_create, auth=False)
        for verb, handler in (
            ("GET", self._webhook_get),
            ("PATCH", self._webhook_edit),
            ("DELETE", self._webhook_delete),
        ):
            add(verb, f"/webhooks/{sf}/{tok}/messages/(@original|\\d+)", handler, auth=False)
        add("GET", f"/channels/{sf}", self._get_channel)
        add("GET", f"/channels/{sf}/messages", self._list_messages)
        add("POST", f"/channels/{sf}/messages", self._create_channel_message)
        add("GET", f"/channels/{sf}/messages/{sf}", self._get_message)
        add("PATCH", f"/channels/{sf}/messages/{sf}", self._edit_channel_message)
        add("DELETE", f"/channels/{sf}/messages/{sf}", self._delete_channel_message)
        add("POST", f"/channels/{sf}/messages/{sf}/threads", self._start_thread)
        add("POST", f"/channels/{sf}/typing", self._typing)
        add("PUT", f"/channels/{sf}/messages/{sf}/reactions/{tok}/@me", self._add_reaction)
        add("DELETE", f"/channels/{sf}/messages/{sf}/reactions/{tok}/@me", self._remove_reaction)
        add("GET", f"/guilds/{sf}", self._get_guild)
        add("GET", f"/guilds/{sf}/channels", self._get_guild_channels)
        add("GET", f"/guilds/{sf}/roles", self._get_guild_roles)
        add("GET", f"/guilds/{sf}/members/{sf}", self._get_member)

    def _add(self, method: str, pattern: str, handler: Handler, *, auth: bool = True) -> None:
        self._routes.append((method, re.compile(pattern), handler, auth))

    # -- entry point -------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp catch-all handler."""
        fake = self.fake
        received = time.monotonic()
        is_api = request.path.startswith(API_PREFIX + "/")
        path = request.path[len(API_PREFIX) :] if is_api else request.path
        body, files = await self._read_body(request)
        authorization = request.headers.get("Authorization")
        token = (
            authorization[4:]
            if authorization and authorization.startswith("Bot ")
            else authorization
        )
        incoming = Incoming(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            files=files,
            headers=dict(request.headers),
            token=token,
            received=received,
        )
        reply, unhandled = await self._answer(incoming, is_api)
        record = fake._record(
            incoming, reply.status, reply.body if reply.raw is None else None, unhandled=unhandled
        )
        headers = dict(reply.headers)
        if is_api and "X-RateLimit-Limit" not in headers:
            reset_after = 1.0
            headers.update(
                {
                    "X-RateLimit-Limit": "50",
                    "X-RateLimit-Remaining": "49",
                    "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                    "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                    "X-RateLimit-Bucket": _bucket_for(incoming.method, path),
                }
            )
        headers["X-Fake-Request-Index"] = str(record.index)
        if reply.raw is not None:
            return web.Response(
                status=reply.status,
                body=reply.raw,
                headers=headers,
                content_type=reply.content_type,
            )
        if reply.body is None:
            return web.Response(status=reply.status, headers=headers)
        return web.Response(
            status=reply.status,
            body=json.dumps(reply.body).encode(),
            headers=headers,
            content_type="application/json",
        )

    async def _answer(self, incoming: Incoming, is_api: bool) -> tuple[Reply, bool]:
        fault = self.fake._take_fault(incoming.method, incoming.path)
        if fault is not None:
            return fault, False
        if not is_api:
            found = re.match(r"/attachments/\d+/(\d+)/", incoming.path)
            if incoming.method == "GET" and found is not None:
                blob = self.world.blobs.get(int(found[1]))
                if blob is not None:
                    return Reply(200, raw=blob[0], content_type=blob[1]), False
            return error(404, 0, "404: Not Found"), True
        for method, pattern, handler, needs_auth in self._routes:
            if method != incoming.method:
                continue
            match = pattern.fullmatch(incoming.path)
            if match is None:
                continue
            if needs_auth and not self.fake._token_accepted(incoming.token):
                return error(401, 0, "401: Unauthorized"), False
            try:
                return await handler(incoming, match), False
            except _Refused as refused:
                return refused.reply, False
            except Exception as exc:  # noqa: BLE001 - a bug in the fake must not hang the client
                _log.exception(
                    "fake discord handler failed for %s %s", incoming.method, incoming.path
                )
                self.fake.server_errors.append(f"{incoming.method} {incoming.path}: {exc!r}")
                return error(500, 0, "500: Internal Server Error (fake handler crashed)"), False
        return error(404, 0, "404: Not Found"), True

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, tuple[RecordedFile, ...]]:
        if not request.body_exists:
            return None, ()
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            files: list[RecordedFile] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                raw = bytes(await part.read(decode=False))
                if part.name == "payload_json":
                    payload = json.loads(raw.decode() or "null")
                else:
                    files.append(
                        RecordedFile(
                            field_name=part.name or "",
                            filename=part.filename,
                            content_type=part.headers.get("Content-Type"),
                            data=raw,
                        )
                    )
            return payload, tuple(files)
        raw_body = await request.read()
        if not raw_body:
            return None, ()
        try:
            return json.loads(raw_body), ()
        except ValueError:
            return raw_body.decode(errors="replace"), ()

    # -- users, application, gateway -----------------------------------------

    async def _get_me(self, req: Incoming, m: re.Match[str]) -> Reply:
        return Reply(200, dict(self.world.bot_user))

    async def _get_user(self, req: Incoming, m: re.Match[str]) -> Reply:
        user_id = int(m[1])
        if user_id not in self.world.users:
            return error(404, 10013, "Unknown User")
        return Reply(200, self.world.user_payload(user_id))

    async def _create_dm(self, req: Incoming, m: re.Match[str]) -> Reply:
        recipient = int((req.json or {}).get("recipient_id", 0))
        if recipient not in self.world.users or recipient == self.world.bot_user_id:
            return error(400, 50007, "Cannot send messages to this user")
        return Reply(200, self.world.dm_channel_for(recipient))

    async def _get_application(self, req: Incoming, m: re.Match[str]) -> Reply:
        world = self.world
        return Reply(
            200,
            p.application(
                world.application_id,
                world.bot_user["username"],
                owner=world.user_payload(world.owner_id),
                flags=p.APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED,
            ),
        )

    async def _get_gateway(self, req: Incoming, m: re.Match[str]) -> Reply:
        return Reply(200, {"url": self.fake.gateway_url})

    async def _get_gateway_bot(self, req: Incoming, m: re.Match[str]) -> Reply:
        return Reply(
            200,
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            },
        )

    # -- application commands --------------------------------------------------

    def _command_scope(self, m: re.Match[str]) -> int | None:
        """The guild of a command path (None: global); _Refused if the bot may not use it."""
        if int(m[1]) != self.world.application_id:
            raise _Refused(error(403, 50001, "Missing Access"))
        if m.lastindex is not None and m.lastindex >= 2 and "/guilds/" in m.string:
            guild_id = int(m[2])
            if guild_id != self.world.guild_id:
                raise _Refused(error(403, 50001, "Missing Access"))
            return guild_id
        return None

    @staticmethod
    def _command_id(m: re.Match[str]) -> int:
        return int(m[m.lastindex or 0])

    async def _list_commands(self, req: Incoming, m: re.Match[str]) -> Reply:
        scope = self._command_scope(m)
        return Reply(200, [dict(c) for c in self.world.commands.get(scope, {}).values()])

    async def _bulk_commands(self, req: Incoming, m: re.Match[str]) -> Reply:
        scope = self._command_scope(m)
        problem_body = commands_error(req.json)
        if problem_body is not None:
            return Reply(400, problem_body)
        old = {
            (c["name"], int(c.get("type", 1))): c
            for c in self.world.commands.get(scope, {}).values()
        }
        new: dict[int, dict[str, Any]] = {}
        for body in req.json:
            stored = self.world.echo_command(
                body, scope, old.get((body["name"], int(body.get("type", 1))))
            )
            new[int(stored["id"])] = stored
        self.world.commands[scope] = new
        self.fake._changed()
        return Reply(200, [dict(c) for c in new.values()])

    async def _upsert_command(self, req: Incoming, m: re.Match[str]) -> Reply:
        scope = self._command_scope(m)
        problem_body = command_error(req.json)
        if problem_body is not None:
            return Reply(400, problem_body)
        commands = self.world.commands.setdefault(scope, {})
        existing = next(
            (
                c
                for c in commands.values()
                if c["name"] == req.json["name"]
                and int(c.get("type", 1)) == int(req.json.get("type", 1))
            ),
            None,
        )
        stored = self.world.echo_command(req.json, scope, existing)
        commands[int(stored["id"])] = stored
        self.fake._changed()
        return Reply(200 if existing else 201, dict(stored))

    async def _get_command(self, req: Incoming, m: re.Match[str]) -> Reply:
        scope = self._command_scope(m)
        cmd = self.world.commands.get(scope, {}).get(self._command_id(m))
        return Reply(200, dict(cmd)) if cmd else error(404, 10063, "Unknown application command")

    async def _edit_command(self, req: Incoming, m: re.Match[str]) -> Reply:
        scope = self._command_scope(m)
        commands = self.world.commands.get(scope, {})
        cmd = commands.get(self._command_id(m))
        if cmd is None:
            return error(404, 10063, "Unknown application command")
        merged = {**cmd, **(req.json or {})}
        problem_body = command_error(merged)
        if problem_body is not None:
            return Reply(400, problem_body)
        commands[int(cmd["id"])] = self.world.echo_command(merged, scope, cmd)
        self.fake._changed()
        return Reply(200, dict(commands[int(cmd["id"])]))

    async def _delete_command(self, req: Incoming, m: re.Match[str]) -> Reply:
        scope = self._command_scope(m)
        if self.world.commands.get(scope, {}).pop(self._command_id(m), None) is None:
            return error(404, 10063, "Unknown application command")
        self.fake._changed()
        return Reply(204)

    # -- messages (shared) --------------------------------------------------------

    def _attachments_from(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        files: tuple[RecordedFile, ...],
        *,
        ephemeral: bool,
    ) -> list[dict[str, Any]]:
        meta = {
            str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, Mapping)
        }
        out: list[dict[str, Any]] = []
        for index, f in enumerate(files):
            match = re.fullmatch(r"files\[(\d+)\]", f.field_name)
            key = match[1] if match else str(index)
            info = meta.get(key, {})
            out.append(
                self.world.store_attachment(
                    channel_id,
                    info.get("filename") or f.filename or f"file{index}",
                    f.data,
                    f.content_type,
                    description=info.get("description"),
                    ephemeral=ephemeral,
                )
            )
        return out

    async def create_bot_message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        files: tuple[RecordedFile, ...] = (),
        *,
        message_type: int = p.MESSAGE_DEFAULT,
        interaction: InteractionState | None = None,
        extra_flags: int = 0,
    ) -> tuple[dict[str, Any] | None, Reply | None]:
        """Store (and echo over the gateway) a message the bot posts; returns (message, error)."""
        world = self.world
        guild_id = world.guild_of(channel_id) if world.is_guild_channel(channel_id) else None
        flags = (int(body.get("flags") or 0) & _KEEP_FLAGS) | extra_flags
        if interaction is None:
            flags &= ~p.FLAG_EPHEMERAL
        ephemeral = bool(flags & p.FLAG_EPHEMERAL)
        reference = body.get("message_reference")
        referenced = None
        replied_user_id = None
        if isinstance(reference, Mapping) and reference.get("message_id") is not None:
            referenced = world.messages.get(int(reference["message_id"]))
            if referenced is None:
                if reference.get("fail_if_not_exists", True):
                    unknown = form_error(
                        ["message_reference"],
                        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                        "Unknown message",
                    )
                    return None, Reply(400, unknown)
                reference = None
            else:
                replied_user_id = int(referenced["author"]["id"])
                reference = {
                    "type": 0,
                    "message_id": referenced["id"],
                    "channel_id": referenced["channel_id"],
                    **({"guild_id": str(guild_id)} if guild_id else {}),
                }
                message_type = p.MESSAGE_REPLY
        content = body.get("content") or ""
        mentions, role_ids, everyone = world.resolve_mentions(
            content, body.get("allowed_mentions"), replied_user_id=replied_user_id
        )
        metadata = None
        if interaction is not None:
            metadata = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": world.user_payload(interaction.user_id),
                "authorizing_integration_owners": {"0": str(interaction.guild_id or 0)},
            }
        message_id = world.ids.next()
        msg = p.message(
            message_id,
            channel_id,
            world.user_payload(world.bot_user_id),
            content,
            guild_id=guild_id,
            mentions=mentions,
            mention_roles=role_ids,
            mention_everyone=everyone,
            attachments=self._attachments_from(channel_id, body, files, ephemeral=ephemeral),
            embeds=[{"type": "rich", **e} for e in body.get("embeds") or []],
            components=body.get("components") or [],
            flags=flags,
            message_type=message_type,
            message_reference=reference,
            referenced_message=referenced,
            webhook_id=world.application_id if interaction is not None else None,
            application_id=world.application_id if interaction is not None else None,
            interaction_metadata=metadata,
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
        )
        if body.get("poll"):
            msg["poll"] = body["poll"]
        world.messages[message_id] = msg
        if not ephemeral:
            await self.fake._emit_message_event("MESSAGE_CREATE", msg)
        self.fake._changed()
        return msg, None

    async def edit_message(
        self,
        msg: dict[str, Any],
        body: Mapping[str, Any],
        files: tuple[RecordedFile, ...] = (),
    ) -> Reply | None:
        """Apply an edit body to a stored message (and echo MESSAGE_UPDATE)."""
        problem = message_error(body, file_count=len(files), partial=True)
        if problem is not None:
            return Reply(400, problem)
        world = self.world
        channel_id = int(msg["channel_id"])
        ephemeral = bool(msg["flags"] & p.FLAG_EPHEMERAL)
        if "content" in body:
            msg["content"] = body["content"] or ""
            mentions, role_ids, everyone = world.resolve_mentions(
                msg["content"], body.get("allowed_mentions")
            )
            msg["mentions"], msg["mention_roles"], msg["mention_everyone"] = (
                mentions,
                [str(r) for r in role_ids],
                everyone,
            )
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = list(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            msg["flags"] = (msg["flags"] & (p.FLAG_EPHEMERAL | p.FLAG_LOADING)) | (
                int(body["flags"]) & ~p.FLAG_EPHEMERAL & _KEEP_FLAGS
            )
        if "attachments" in body or files:
            keep = {
                str(a.get("id")) for a in body.get("attachments") or [] if isinstance(a, Mapping)
            }
            kept = [a for a in msg["attachments"] if a["id"] in keep]
            msg["attachments"] = kept + self._attachments_from(
                channel_id, body, files, ephemeral=ephemeral
            )
        msg["flags"] &= ~p.FLAG_LOADING
        msg["edited_timestamp"] = p.iso_timestamp()
        if not ephemeral:
            await self.fake._emit_message_event("MESSAGE_UPDATE", msg)
        self.fake._changed()
        return None

    async def delete_message(self, msg: Mapping[str, Any]) -> None:
        """Remove a stored message (and echo MESSAGE_DELETE)."""
        message_id = int(msg["id"])
        self.world.messages.pop(message_id, None)
        self.world.deleted_messages.add(message_id)
        if not msg["flags"] & p.FLAG_EPHEMERAL:
            event = {"id": msg["id"], "channel_id": msg["channel_id"]}
            if "guild_id" in msg:
                event["guild_id"] = msg["guild_id"]
            await self.fake._emit_message_event("MESSAGE_DELETE", event)
        self.fake._changed()

    # -- interactions ----------------------------------------------------------

    async def _interaction_callback(self, req: Incoming, m: re.Match[str]) -> Reply:
        state = self.world.interactions.get(int(m[1]))
        if state is None or state.token != m[2]:
            return unknown_interaction()
        if state.acknowledged:
            return error(400, 40060, "Interaction has already been acknowledged.")
        deadline = self.fake.interaction_deadline
        if deadline is not None and time.monotonic() - state.created > deadline:
            return unknown_interaction()
        body = req.body
        ctype = body.get("type")
        raw_data = body.get("data")
        data: Mapping[str, Any] = raw_data if isinstance(raw_data, Mapping) else {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}.get(state.type, set())
        if ctype not in allowed:
            return Reply(
                400,
                form_error(
                    ["type"],
                    "INTERACTION_RESPONSE_TYPE_INVALID",
                    "Interaction response type is invalid",
                ),
            )
        msg, failure = await self._apply_callback(state, int(ctype), data, req.files)
        if failure is not None:
            return failure
        state.acknowledged = True
        state.callback_type = ctype
        self.fake._changed()
        info: dict[str, Any] = {"id": str(state.id), "type": state.type}
        answer: dict[str, Any] = {"interaction": info}
        if msg is not None:
            info["response_message_id"] = msg["id"]
            info["response_message_loading"] = ctype == 5
            info["response_message_ephemeral"] = bool(msg["flags"] & p.FLAG_EPHEMERAL)
            answer["resource"] = {"type": ctype, "message": dict(msg)}
        return Reply(200, answer)

    async def _apply_callback(
        self,
        state: InteractionState,
        ctype: int,
        data: Mapping[str, Any],
        files: tuple[RecordedFile, ...],
    ) -> tuple[dict[str, Any] | None, Reply | None]:
        """Carry out one callback type; returns (message shown to the user, error)."""
        message_type = _response_type(state)
        if ctype in (4, 5):
            if ctype == 4:
                problem = message_error(data, file_count=len(files), prefix=("data",))
                if problem is not None:
                    return None, Reply(400, problem)
                body, extra = data, 0
            else:
                body = {"content": "", "flags": int(data.get("flags") or 0) & p.FLAG_EPHEMERAL}
                extra, files = p.FLAG_LOADING, ()
            msg, failure = await self.create_bot_message(
                state.channel_id,
                body,
                files,
                message_type=message_type,
                interaction=state,
                extra_flags=extra,
            )
            if msg is not None:
                state.original_message_id = int(msg["id"])
            return msg, failure
        if ctype in (6, 7):
            target = self.world.messages.get(state.component_message_id or 0)
            if target is None:
                return None, unknown_message()
            state.original_message_id = int(target["id"])
            if ctype == 6:
                return None, None
            return target, await self.edit_message(target, data, files)
        if ctype == 8:
            choices = list(data.get("choices") or [])
            if len(choices) > 25:
                too_many = form_error(
                    ["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
                return None, Reply(400, too_many)
            state.autocomplete_choices = choices
        else:
            state.modal = dict(data)
        return None, None

    def _webhook_state(self, m: re.Match[str]) -> InteractionState:
        """The interaction a webhook path's token belongs to (else _Refused)."""
        state = None
        if int(m[1]) == self.world.application_id:
            state = self.world.interactions_by_token.get(m[2])
        if state is None or not state.acknowledged:
            raise _Refused(unknown_webhook())
        return state

    async def _followup_create(self, req: Incoming, m: re.Match[str]) -> Reply:
        state = self._webhook_state(m)
        body = req.body
        problem = message_error(body, file_count=len(req.files))
        if problem is not None:
            return Reply(400, problem)
        original = self.world.messages.get(state.original_message_id or 0)
        if original is not None and original["flags"] & p.FLAG_LOADING:
            # The first follow-up after a deferral replaces the "thinking..." message.
            failure = await self.edit_message(original, body, req.files)
            if failure is not None:
                return failure
            msg = original
        else:
            message_type = _response_type(state)
            created, failure = await self.create_bot_message(
                state.channel_id, body, req.files, message_type=message_type, interaction=state
            )
            if failure is not None or created is None:
                return failure or unknown_webhook()
            msg = created
            state.followup_ids.append(int(msg["id"]))
        if req.query.get("wait", "").lower() in ("true", "1"):
            return Reply(200, dict(msg))
        return Reply(204)

    def _webhook_message(self, m: re.Match[str]) -> dict[str, Any]:
        """The original response or follow-up a webhook path names (else _Refused)."""
        state = self._webhook_state(m)
        if m[3] == "@original":
            message_id = state.original_message_id
        else:
            message_id = int(m[3])
            if message_id != state.original_message_id and message_id not in state.followup_ids:
                raise _Refused(unknown_message())
        return self._message(message_id)

    async def _webhook_get(self, req: Incoming, m: re.Match[str]) -> Reply:
        return Reply(200, dict(self._webhook_message(m)))

    async def _webhook_edit(self, req: Incoming, m: re.Match[str]) -> Reply:
        return await self._edit(self._webhook_message(m), req)

    async def _webhook_delete(self, req: Incoming, m: re.Match[str]) -> Reply:
        return await self._delete(self._webhook_message(m))

    # -- stored messages ------------------------------------------------------------

    def _message(self, message_id: int | None) -> dict[str, Any]:
        msg = self.world.messages.get(message_id or 0)
        if msg is None:
            raise _Refused(unknown_message())
        return msg

    async def _edit(self, msg: dict[str, Any], req: Incoming) -> Reply:
        failure = await self.edit_message(msg, req.body, req.files)
        return failure or Reply(200, dict(msg))

    async def _delete(self, msg: dict[str, Any]) -> Reply:
        await self.delete_message(msg)
        return Reply(204)

    # -- channels -----------------------------------------------------------------

    async def _get_channel(self, req: Incoming, m: re.Match[str]) -> Reply:
        data = self.world.channel_payload(int(m[1]))
        return Reply(200, data) if data is not None else unknown_channel()

    async def _list_messages(self, req: Incoming, m: re.Match[str]) -> Reply:
        channel_id = int(m[1])
        if self.world.channel_payload(channel_id) is None:
            return unknown_channel()
        limit = max(1, min(100, int(req.query.get("limit", 50))))
        before = int(req.query["before"]) if "before" in req.query else None
        after = int(req.query["after"]) if "after" in req.query else None
        found = [
            msg
            for mid, msg in self.world.messages.items()
            if int(msg["channel_id"]) == channel_id
            and not msg["flags"] & p.FLAG_EPHEMERAL
            and (before is None or mid < before)
            and (after is None or mid > after)
        ]
        found.sort(key=lambda msg: int(msg["id"]), reverse=True)
        if after is not None and before is None:
            found = sorted(found, key=lambda msg: int(msg["id"]))[:limit]
            found.reverse()
        return Reply(200, [dict(msg) for msg in found[:limit]])

    async def _create_channel_message(self, req: Incoming, m: re.Match[str]) -> Reply:
        channel_id = int(m[1])
        if self.world.channel_payload(channel_id) is None:
            return unknown_channel()
        problem = message_error(req.body, file_count=len(req.files))
        if problem is not None:
            return Reply(400, problem)
        msg, failure = await self.create_bot_message(channel_id, req.body, req.files)
        return failure or Reply(200, dict(msg or {}))

    def _channel_message(self, m: re.Match[str]) -> dict[str, Any]:
        """The message a channel path names (else _Refused)."""
        msg = self._message(int(m[2]))
        if int(msg["channel_id"]) != int(m[1]):
            raise _Refused(unknown_message())
        return msg

    async def _get_message(self, req: Incoming, m: re.Match[str]) -> Reply:
        return Reply(200, dict(self._channel_message(m)))

    async def _edit_channel_message(self, req: Incoming, m: re.Match[str]) -> Reply:
        msg = self._channel_message(m)
        if int(msg["author"]["id"]) != self.world.bot_user_id:
            return error(403, 50005, "Cannot edit a message authored by another user")
        return await self._edit(msg, req)

    async def _delete_channel_message(self, req: Incoming, m: re.Match[str]) -> Reply:
        msg = self._channel_message(m)
        world = self.world
        others = int(msg["author"]["id"]) != world.bot_user_id
        if others and not world.permissions_of(world.bot_user_id) & p.MANAGE_MESSAGES:
            return missing_permissions()
        return await self._delete(msg)

    async def _start_thread(self, req: Incoming, m: re.Match[str]) -> Reply:
        msg = self._channel_message(m)
        world = self.world
        if int(m[1]) not in world.channels:  # a DM, or a thread: no thread starts there
            return error(400, 50024, "Cannot execute action on this channel type")
        if not world.permissions_of(world.bot_user_id) & p.CREATE_PUBLIC_THREADS:
            return missing_permissions()
        problem = thread_error(req.json)
        if problem is not None:
            return Reply(400, problem)
        if int(msg["id"]) in world.threads:
            return error(400, 160004, "A thread has already been created for this message")
        parent = world.channels[int(m[1])]
        duration = req.json.get("auto_archive_duration") or parent["default_auto_archive_duration"]
        thread = world.start_thread(msg, req.json["name"], int(duration))
        guild_id = world.guild_of(int(m[1]))
        await self.fake._deliver(
            guild_id, "THREAD_CREATE", {**thread, "newly_created": True}, required=False
        )
        self.fake._changed()
        return Reply(201, thread)

    async def _typing(self, req: Incoming, m: re.Match[str]) -> Reply:
        if self.world.channel_payload(int(m[1])) is None:
            return unknown_channel()
        return Reply(204)

    async def _add_reaction(self, req: Incoming, m: re.Match[str]) -> Reply:
        msg = self._channel_message(m)
        emoji = m[3]
        for reaction in msg["reactions"]:
            if reaction["emoji"].get("name") == emoji:
                if not reaction["me"]:
                    reaction["me"] = True
                    reaction["count"] += 1
                break
        else:
            msg["reactions"].append({"emoji": {"id": None, "name": emoji}, "count": 1, "me": True})
        self.fake._changed()
        return Reply(204)

    async def _remove_reaction(self, req: Incoming, m: re.Match[str]) -> Reply:
        msg = self._channel_message(m)
        emoji = m[3]
        for reaction in list(msg["reactions"]):
            if reaction["emoji"].get("name") == emoji and reaction["me"]:
                reaction["me"] = False
                reaction["count"] -= 1
                if reaction["count"] <= 0:
                    msg["reactions"].remove(reaction)
        self.fake._changed()
        return Reply(204)

    # -- guild --------------------------------------------------------------------

    async def _get_guild(self, req: Incoming, m: re.Match[str]) -> Reply:
        if int(m[1]) != self.world.guild_id:
            return error(404, 10004, "Unknown Guild")
        data = self.world.guild_payload(full=False)
        if req.query.get("with_counts", "").lower() == "true":
            data["approximate_member_count"] = len(self.world.users)
            data["approximate_presence_count"] = 0
        return Reply(200, data)

    async def _get_guild_channels(self, req: Incoming, m: re.Match[str]) -> Reply:
        if int(m[1]) != self.world.guild_id:
            return error(404, 10004, "Unknown Guild")
        return Reply(200, [dict(c) for c in self.world.channels.values()])

    async def _get_guild_roles(self, req: Incoming, m: re.Match[str]) -> Reply:
        if int(m[1]) != self.world.guild_id:
            return error(404, 10004, "Unknown Guild")
        return Reply(200, [dict(r) for r in self.world.roles.values()])

    async def _get_member(self, req: Incoming, m: re.Match[str]) -> Reply:
        if int(m[1]) != self.world.guild_id:
            return error(404, 10004, "Unknown Guild")
        user_id = int(m[2])
        if user_id not in self.world.users:
            return error(404, 10007, "Unknown Member")
        return Reply(200, self.world.member_payload(user_id))


def fault_reply(status: int, *, retry_after: float, global_rate_limit: bool, body: Any) -> Reply:
    """The answer for an injected fault: a realistic 429, 5xx or other error."""
    if status == 429:
        payload = (
            body
            if body is not None
            else {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": global_rate_limit,
                "code": 0,
            }
        )
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Scope": "global" if global_rate_limit else "user",
        }
        if global_rate_limit:
            headers["X-RateLimit-Global"] = "true"
        return Reply(429, payload, headers=headers)
    if body is not None:
        return Reply(status, body)
    if status >= 500:
        return error(status, 0, f"{status}: Internal Server Error")
    messages = {
        400: "400: Bad Request",
        401: "401: Unauthorized",
        403: "Missing Permissions",
        404: "404: Not Found",
    }
    codes = {403: 50013}
    return error(status, codes.get(status, 0), messages.get(status, f"{status}: Error"))
