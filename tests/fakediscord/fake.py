"""``FakeDiscord``: a local Discord (REST + gateway) that the real discord.py client talks to."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from operator import attrgetter
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import web
from discord.gateway import DiscordWebSocket
from discord.http import Route

from . import payloads as p
from .gateway import OP_RECONNECT, GatewayServer
from .records import (
    FakeAttachment,
    FaultRule,
    IdentifyRecord,
    Incoming,
    RecordedRequest,
    ResumeRecord,
    SentInteraction,
)
from .server import API_PREFIX, Reply, RestApi, fault_reply
from .state import World

__all__ = [
    "DEFAULT_APPLICATION_ID",
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_CHANNEL_ID",
    "DEFAULT_GUILD_ID",
    "DEFAULT_OWNER_ID",
    "DEFAULT_TOKEN",
    "DEFAULT_USER_ID",
    "FakeDiscord",
]

_log = logging.getLogger(__name__)

DEFAULT_BOT_USER_ID = 1200000000000000001
DEFAULT_APPLICATION_ID = DEFAULT_BOT_USER_ID
DEFAULT_GUILD_ID = 1200000000000000100
DEFAULT_CHANNEL_ID = 1200000000000000200
DEFAULT_USER_ID = 1200000000000000300
DEFAULT_OWNER_ID = 1200000000000000400
DEFAULT_TOKEN = "fake-bot-token"

_CONTENT_FIELDS = ("embeds", "attachments", "components")

ClientT = TypeVar("ClientT", bound=discord.Client)
T = TypeVar("T")


class _Signal:
    """Wakes every waiter whenever the fake's state changes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(
        self, check: Callable[[], T | None], timeout: float, describe: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(describe())
            event = self._event
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


class FakeDiscord:
    """A fake Discord on 127.0.0.1 for end-to-end tests of discord.py bots.

    ``async with FakeDiscord() as fake:`` starts the server on an OS-chosen
    port and points discord.py (``Route.BASE``, ``DEFAULT_GATEWAY``) at it;
    leaving the block closes every socket and restores discord.py.

    The fake world has one guild (``guild_id``) with one text channel
    (``channel_id``), the bot (``bot_user_id`` == ``application_id``), a plain
    member (``user_id``) and the guild owner (``owner_id``).
    """

    def __init__(
        self,
        *,
        bot_user_id: int = DEFAULT_BOT_USER_ID,
        application_id: int | None = None,
        guild_id: int = DEFAULT_GUILD_ID,
        channel_id: int = DEFAULT_CHANNEL_ID,
        user_id: int = DEFAULT_USER_ID,
        owner_id: int = DEFAULT_OWNER_ID,
        bot_name: str = "BriefBot",
        guild_name: str = "Briefing Room",
        channel_name: str = "briefings",
        user_name: str = "reader",
        recommended_shards: int = 1,
        accepted_token: str | None = None,
        invalid_token: bool = False,
        interaction_deadline: float | None = 3.0,
        echo_bot_messages: bool = True,
        enforce_intents: bool = True,
        allow_privileged_intents: bool = True,
        gateway_compression: bool = True,
        heartbeat_interval: float = 41.25,
    ) -> None:
        """Configure the fake world; nothing is started before ``__aenter__``.

        ``accepted_token``: only this token is valid (default: any token).
        ``invalid_token``: every token is rejected (login raises LoginFailure).
        ``interaction_deadline``: seconds a bot has to answer an interaction
        before the callback fails with "Unknown interaction" (None: no limit).
        ``echo_bot_messages``: dispatch MESSAGE_CREATE/UPDATE/DELETE for the
        bot's own (non-ephemeral) messages, as Discord does.
        ``enforce_intents``: withhold message events the bot has no intent for
        and blank message content without the MESSAGE_CONTENT intent (unless
        the bot is mentioned or it is a DM), as Discord does.
        ``gateway_compression``: honour ``compress=zlib-stream``; if False the
        gateway always sends plain text frames.
        """
        self.recommended_shards = recommended_shards
        self.accepted_token = accepted_token
        self.invalid_token = invalid_token
        self.interaction_deadline = interaction_deadline
        self.echo_bot_messages = echo_bot_messages
        self.enforce_intents = enforce_intents
        self.allow_privileged_intents = allow_privileged_intents
        #: Exceptions raised inside fake handlers (answered as 500); should stay empty.
        self.server_errors: list[str] = []
        #: Events withheld because of missing intents: (shard_id, event, payload).
        self.filtered_events: list[tuple[int, str, Mapping[str, Any]]] = []

        self._world = World(
            base_url_getter=lambda: self.base_url,
            bot_user_id=bot_user_id,
            application_id=application_id if application_id is not None else bot_user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            owner_id=owner_id,
            bot_name=bot_name,
            guild_name=guild_name,
            channel_name=channel_name,
            user_name=user_name,
        )
        self._gateway = GatewayServer(
            self,
            heartbeat_interval_ms=int(heartbeat_interval * 1000),
            compression=gateway_compression,
        )
        self._rest = RestApi(self)
        self._requests: list[RecordedRequest] = []
        self._unhandled: list[RecordedRequest] = []
        self._faults: list[FaultRule] = []
        self._opened_commands: set[str] = set()
        self._signal: _Signal | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._saved: tuple[str, yarl.URL, str] | None = None

    # -- lifecycle ----------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the server and patch discord.py (prefer ``async with``)."""
        if self._runner is not None:
            raise RuntimeError("FakeDiscord already started")
        self._signal = _Signal()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._gateway.handle)
        app.router.add_get("/resume", self._gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self._rest.handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, discord.Asset.BASE)
        Route.BASE = self.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        discord.Asset.BASE = f"{self.base_url}/cdn"

    async def stop(self) -> None:
        """Close every connection, stop the server and restore discord.py."""
        try:
            await self._gateway.close_all()
            if self._runner is not None:
                await asyncio.wait_for(self._runner.cleanup(), 10.0)
        finally:
            self._runner = None
            if self._saved is not None:
                Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, discord.Asset.BASE = self._saved
                self._saved = None

    @contextlib.asynccontextmanager
    async def run_client(
        self, client: ClientT, token: str = DEFAULT_TOKEN, *, timeout: float = 10.0
    ) -> AsyncIterator[ClientT]:
        """Run ``client.start(token)`` in the background until every shard is connected.

        Raises the client's own error (e.g. ``discord.LoginFailure``) if it
        stops before connecting. On exit the client is closed and its task
        awaited (bounded); a crash of the client task is re-raised.
        """
        task = asyncio.create_task(client.start(token), name="fakediscord-client")
        try:
            waiter = asyncio.create_task(self.wait_until_connected(timeout=timeout))
            done, _ = await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if waiter not in done:
                waiter.cancel()
                await asyncio.wait({waiter})
                task.result()
                raise RuntimeError("client.start() returned before it connected")
            waiter.result()
            yield client
        except BaseException as exc:
            await self._stop_client(client, task, timeout)
            if (
                task.done()
                and not task.cancelled()
                and task.exception() is not None
                and task.exception() is not exc
            ):
                crash = task.exception()
                if hasattr(exc, "add_note"):
                    exc.add_note(f"meanwhile the client task failed with {crash!r}")
            raise
        await self._stop_client(client, task, timeout)
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]

    @staticmethod
    async def _stop_client(
        client: discord.Client, task: asyncio.Task[None], timeout: float
    ) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.close(), timeout)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)

    # -- addresses and identity -------------------------------------------------------

    @property
    def port(self) -> int:
        """TCP port the fake listens on."""
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The value given to ``discord.http.Route.BASE``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL (``DEFAULT_GATEWAY`` and ``GET /gateway/bot``)."""
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY."""
        return f"ws://127.0.0.1:{self.port}/resume"

    # The fake world's ids, read-only.
    bot_user_id = property(attrgetter("_world.bot_user_id"), doc="The bot's user id.")
    application_id = property(
        attrgetter("_world.application_id"),
        doc="The application id (same as the bot user id by default).",
    )
    guild_id = property(attrgetter("_world.guild_id"), doc="The fake guild.")
    channel_id = property(attrgetter("_world.channel_id"), doc="The guild's default text channel.")
    user_id = property(attrgetter("_world.user_id"), doc="A regular (non-owner, non-admin) member.")
    owner_id = property(attrgetter("_world.owner_id"), doc="The guild owner.")

    @property
    def bot_mention(self) -> str:
        """``<@BOT_ID>``."""
        return f"<@{self.bot_user_id}>"

    def shard_for_guild(self, guild_id: int | None = None) -> int:
        """Which shard receives events of ``guild_id`` (default: the fake guild)."""
        return self._gateway.shard_for_guild(self.guild_id if guild_id is None else guild_id)

    # -- world setup ------------------------------------------------------------------

    def add_user(self, username: str, *, bot: bool = False, roles: Iterable[int] = ()) -> int:
        """Add a guild member (with these roles of the guild) and return their id."""
        user_id = self._world.ids.next()
        self._world.add_user(user_id, username, bot=bot, roles=roles)
        return user_id

    def add_role(self, name: str, permissions: int | discord.Permissions) -> int:
        """Add a role granting ``permissions`` (before the bot connects); returns its id."""
        value = permissions.value if isinstance(permissions, discord.Permissions) else permissions
        return self._world.add_role(name, int(value))

    def set_bot_permissions(self, permissions: int | discord.Permissions) -> None:
        """What the bot's own role grants from now on, as when an admin edits it.

        Interactions carry the new ``app_permissions`` and the REST API enforces
        them (threads, deleting others' messages); no GUILD_ROLE_UPDATE is sent.
        """
        value = permissions.value if isinstance(permissions, discord.Permissions) else permissions
        world = self._world
        world.roles[world.bot_role_id]["permissions"] = str(int(value))

    def thread(self, thread_id: int) -> dict[str, Any] | None:
        """A thread the bot started (its id is the id of the message it started from)."""
        thread = self._world.threads.get(int(thread_id))
        return dict(thread) if thread is not None else None

    def add_guild(self, name: str) -> tuple[int, int]:
        """Put the bot in another guild (before it connects), with the same members and one
        text channel; returns (guild id, channel id). Pass the channel as ``channel_id`` to
        send messages and interactions in that guild."""
        return self._world.add_guild(name)

    def open_command_to_everyone(self, name: str) -> None:
        """What a server admin can do in Server Settings > Integrations: let every member use
        ``/name`` whatever its ``default_member_permissions``. The bot's own checks still run.
        """
        self._opened_commands.add(name)

    async def add_text_channel(self, name: str) -> int:
        """Add a text channel (dispatching CHANNEL_CREATE if connected) and return its id."""
        channel = self._world.add_text_channel(name)
        await self._deliver(self.guild_id, "CHANNEL_CREATE", channel, required=False)
        return int(channel["id"])

    # -- recorded traffic -----------------------------------------------------------

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """Every REST request so far, in arrival order."""
        return tuple(self._requests)

    @property
    def request_count(self) -> int:
        """Number of recorded requests (use as ``since=`` to ignore older ones)."""
        return len(self._requests)

    @property
    def unhandled_requests(self) -> tuple[RecordedRequest, ...]:
        """Requests to routes the fake does not implement (answered 404)."""
        return tuple(self._unhandled)

    @property
    def tokens_seen(self) -> tuple[str, ...]:
        """Distinct tokens sent in Authorization headers and IDENTIFY payloads, in order."""
        seen: list[str] = []
        for token in [r.token for r in self._requests] + [
            i.token for i in self._gateway.identifies
        ]:
            if token and token not in seen:
                seen.append(token)
        return tuple(seen)

    @property
    def identifies(self) -> tuple[IdentifyRecord, ...]:
        """Every IDENTIFY received."""
        return tuple(self._gateway.identifies)

    @property
    def resumes(self) -> tuple[ResumeRecord, ...]:
        """Every RESUME received (accepted or not)."""
        return tuple(self._gateway.resumes)

    @property
    def heartbeats(self) -> int:
        """HEARTBEATs received on all connections."""
        return self._gateway.heartbeats

    def find_requests(
        self, method: str | None = None, path: str | None = None, *, since: int = 0
    ) -> list[RecordedRequest]:
        """Recorded requests with this method whose path matches the ``path`` regex (searched)."""
        return [r for r in self._requests[since:] if r.matches(method, path)]

    def interaction_responses(self, interaction: SentInteraction | int) -> list[RecordedRequest]:
        """The ``/interactions/{id}/{token}/callback`` requests for an interaction."""
        interaction_id = (
            interaction.id if isinstance(interaction, SentInteraction) else int(interaction)
        )
        return [
            r
            for r in self._requests
            if r.method == "POST" and r.path.startswith(f"/interactions/{interaction_id}/")
        ]

    def acknowledged_after(self, interaction: SentInteraction) -> float | None:
        """Seconds from the interaction's dispatch to the arrival of its accepted callback.

        ``None`` while it is unanswered; Discord's deadline (``interaction_deadline``)
        is measured the same way.
        """
        state = self._world.interactions.get(interaction.id)
        accepted = [r for r in self.interaction_responses(interaction) if r.status < 300]
        if state is None or not accepted:
            return None
        return accepted[0].received - state.created

    def forget_history(self) -> None:
        """Drop recorded requests, messages, interactions and the gateway's replay buffer.

        For long runs (thousands of questions) whose records would otherwise
        pile up in the test process. Call it when nothing is in flight and no
        shard is waiting to RESUME; ``request_count`` starts again from 0.
        """
        self._requests.clear()
        self._unhandled.clear()
        world = self._world
        for store in (world.messages, world.blobs, world.interactions, world.interactions_by_token):
            store.clear()
        world.deleted_messages.clear()
        self._gateway.forget_history()

    def interaction_requests(self, interaction: SentInteraction) -> list[RecordedRequest]:
        """Callback, follow-up and ``@original`` requests made with an interaction's token."""
        return [r for r in self._requests if f"/{interaction.token}" in r.path]

    def followups(self, interaction: SentInteraction) -> list[RecordedRequest]:
        """The follow-up message requests (``POST /webhooks/{app}/{token}``) of an interaction."""
        path = f"/webhooks/{self.application_id}/{interaction.token}"
        return [r for r in self._requests if r.method == "POST" and r.path == path]

    def original_response(self, interaction: SentInteraction | int) -> dict[str, Any] | None:
        """Current state of an interaction's original response message, if any."""
        interaction_id = (
            interaction.id if isinstance(interaction, SentInteraction) else int(interaction)
        )
        state = self._world.interactions.get(interaction_id)
        if state is None or state.original_message_id is None:
            return None
        return self.message(state.original_message_id)

    def autocomplete_choices(self, interaction: SentInteraction) -> list[Any] | None:
        """Choices the bot answered an autocomplete interaction with."""
        state = self._world.interactions.get(interaction.id)
        return None if state is None else state.autocomplete_choices

    def message(self, message_id: int) -> dict[str, Any] | None:
        """Current payload of a (not deleted) message, bot's or user's."""
        msg = self._world.messages.get(int(message_id))
        return dict(msg) if msg is not None else None

    def bot_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Live messages the bot posted (channel, interaction and follow-up), oldest first."""
        out = []
        for message_id in self._world.bot_message_ids():
            msg = self._world.messages[message_id]
            if channel_id is None or int(msg["channel_id"]) == channel_id:
                out.append(dict(msg))
        return out

    def synced_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands the bot registered globally (``guild_id=None``) or in a guild."""
        return [dict(c) for c in self._world.commands.get(guild_id, {}).values()]

    def assert_no_unhandled_requests(self) -> None:
        """Fail if the client called a route the fake does not implement, or a handler crashed."""
        problems = [str(r) for r in self._unhandled] + self.server_errors
        if problems:
            raise AssertionError("fake discord saw unexpected traffic:\n  " + "\n  ".join(problems))

    # -- waiting ----------------------------------------------------------------------

    def _sig(self) -> _Signal:
        if self._signal is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._signal

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """First recorded request (already or later, index >= ``since``) matching all filters."""

        def check() -> RecordedRequest | None:
            for r in self._requests[since:]:
                if r.matches(method, path) and (predicate is None or predicate(r)):
                    return r
            return None

        def describe() -> str:
            recent = ", ".join(str(r) for r in self._requests[-8:]) or "none"
            wanted = f"method={method!r} path={path!r} predicate={predicate!r}"
            return f"no request matching {wanted} within {timeout}s; last requests: {recent}"

        return await self._sig().wait_for(check, timeout, describe)

    async def wait_for_interaction_response(
        self, interaction: SentInteraction, *, timeout: float = 5.0
    ) -> RecordedRequest:
        """The callback request the bot sent for ``interaction``."""
        prefix = f"/interactions/{interaction.id}/"
        return await self.wait_for_request(
            lambda r: r.method == "POST" and r.path.startswith(prefix), timeout=timeout
        )

    async def wait_for_bot_message(
        self,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        *,
        channel_id: int | None = None,
        after: int | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """First live bot message (id > ``after``) in ``channel_id`` matching ``predicate``.

        Snowflakes grow, so ``after=await fake.send_message(...)`` waits for a reply to it.
        """

        def check() -> dict[str, Any] | None:
            for msg in self.bot_messages(channel_id):
                if after is not None and int(msg["id"]) <= after:
                    continue
                if predicate is None or predicate(msg):
                    return msg
            return None

        def describe() -> str:
            contents = [m["content"][:60] for m in self.bot_messages(channel_id)[-5:]]
            wanted = f"(channel={channel_id}, after={after}) matching {predicate!r}"
            return f"no bot message {wanted} within {timeout}s; latest: {contents}"

        return await self._sig().wait_for(check, timeout, describe)

    async def wait_until_connected(
        self, timeout: float = 5.0, *, shard_id: int | None = None
    ) -> None:
        """Until an IDENTIFY was answered with READY (+ GUILD_CREATE) and the socket is open.

        ``shard_id=None`` waits for every shard of the shard count the client announced.
        """

        def check() -> bool | None:
            if shard_id is None:
                return True if self._gateway.all_connected() else None
            return True if self._gateway.is_connected(shard_id) else None

        def describe() -> str:
            return (
                f"gateway not connected (shard={shard_id}) within {timeout}s; "
                f"identifies={list(self._gateway.identifies)}; "
                f"requests={[str(r) for r in self._requests[-5:]]}"
            )

        await self._sig().wait_for(check, timeout, describe)

    async def wait_for_resume(self, shard_id: int = 0, *, timeout: float = 5.0) -> ResumeRecord:
        """An accepted RESUME of ``shard_id`` after the latest drop/reconnect/invalidate."""
        generation = self._gateway.generation(shard_id)

        def check() -> ResumeRecord | None:
            for record in self._gateway.resumes:
                if (
                    record.shard_id == shard_id
                    and record.accepted
                    and record.generation >= generation
                ):
                    return record
            return None

        return await self._sig().wait_for(
            check,
            timeout,
            lambda: (
                f"shard {shard_id} did not RESUME within {timeout}s; "
                f"resumes={list(self._gateway.resumes)}"
            ),
        )

    async def wait_for_identify(
        self, shard_id: int = 0, *, count: int = 1, timeout: float = 5.0
    ) -> IdentifyRecord:
        """The ``count``-th accepted IDENTIFY of ``shard_id``."""

        def check() -> IdentifyRecord | None:
            matching = [
                i for i in self._gateway.identifies if i.shard_id == shard_id and i.accepted
            ]
            return matching[count - 1] if len(matching) >= count else None

        return await self._sig().wait_for(
            check, timeout, lambda: f"no IDENTIFY #{count} for shard {shard_id} within {timeout}s"
        )

    # -- fault injection ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        global_rate_limit: bool = False,
        body: Any = None,
    ) -> FaultRule:
        """Answer the next ``times`` matching REST calls with ``status`` instead of handling them.

        ``method`` may be ``"*"``; ``path_regex`` is searched in the API-relative
        path (``/channels/123/messages``). 429 answers carry ``retry_after``
        plus the headers discord.py needs to wait and retry; 5xx answers are
        retried by discord.py after 1 s, 3 s, ... Returns the live rule.
        """
        rule = FaultRule(
            method=method.upper(),
            path_regex=re.compile(path_regex),
            status=status,
            remaining=times,
            retry_after=retry_after,
            global_rate_limit=global_rate_limit,
            body=body,
        )
        self._faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Forget every pending fault."""
        self._faults.clear()

    async def drop_gateway(self, shard_id: int = 0, *, code: int = 4000) -> None:
        """Close a shard's websocket with a resumable close code; the client should RESUME."""
        await self._gateway.drop(shard_id, code)

    async def send_reconnect(self, shard_id: int = 0) -> None:
        """Send op 7 RECONNECT; the client should reconnect and RESUME."""
        await self._gateway.send_op(shard_id, OP_RECONNECT, None)

    async def invalidate_session(self, shard_id: int = 0, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; a non-resumable one forces a fresh IDENTIFY.

        discord.py sleeps 5 s in ``before_identify_hook`` before re-identifying.
        """
        await self._gateway.invalidate(shard_id, resumable=resumable)

    # -- dispatching ------------------------------------------------------------------

    async def dispatch(self, event: str, data: Mapping[str, Any], *, shard_id: int = 0) -> None:
        """Send a raw dispatch event (no intent filtering) on a shard."""
        if not await self._gateway.dispatch(shard_id, event, data):
            raise RuntimeError(f"shard {shard_id} has not connected yet")
        self._changed()

    async def send_message(
        self,
        content: str,
        *,
        author: int | None = None,
        mentions_bot: bool = False,
        channel_id: int | None = None,
        dm: bool = False,
        reply_to: int | None = None,
        mentions: Iterable[int] = (),
        attachments: Iterable[FakeAttachment] = (),
    ) -> int:
        """Dispatch MESSAGE_CREATE from a user and return the message id.

        ``mentions_bot`` prefixes ``<@BOT_ID> `` (unless already present) and
        lists the bot in ``mentions``. ``dm`` sends it in the author's DM
        channel with the bot. ``reply_to`` makes it a reply to that message.
        """
        world = self._world
        author_id = world.user_id if author is None else author
        if author_id not in world.users:
            raise ValueError(f"unknown author {author_id}; use fake.add_user()")
        if mentions_bot and not re.search(rf"<@!?{self.bot_user_id}>", content):
            content = f"{self.bot_mention} {content}"
        if dm:
            target = int(world.dm_channel_for(author_id)["id"])
            guild_id = None
        else:
            target = world.channel_id if channel_id is None else channel_id
            if not world.is_guild_channel(target):
                raise ValueError(f"unknown guild channel {target}")
            guild_id = world.guild_of(target)
        self._require_shard(guild_id)
        message_id = world.ids.next()
        mention_ids = p.mentioned_user_ids(content)
        mention_ids += [u for u in mentions if u not in mention_ids]
        reference = referenced = None
        message_type = p.MESSAGE_DEFAULT
        if reply_to is not None:
            referenced = world.messages.get(reply_to)
            if referenced is None:
                raise ValueError(f"cannot reply to unknown message {reply_to}")
            reference = {
                "type": 0,
                "message_id": referenced["id"],
                "channel_id": referenced["channel_id"],
            }
            if guild_id is not None:
                reference["guild_id"] = str(guild_id)
            message_type = p.MESSAGE_REPLY
            replied = int(referenced["author"]["id"])
            if replied not in mention_ids:
                mention_ids.append(replied)
        msg = p.message(
            message_id,
            target,
            world.user_payload(author_id),
            content,
            guild_id=guild_id,
            member_payload=world.member_payload(author_id, with_user=False)
            if guild_id is not None
            else None,
            mentions=[world.user_payload(u) for u in mention_ids],
            mention_roles=p.mentioned_role_ids(content),
            mention_everyone="@everyone" in content or "@here" in content,
            attachments=[
                world.store_attachment(
                    target, a.filename, a.data, a.content_type, description=a.description
                )
                for a in attachments
            ],
            message_type=message_type,
            message_reference=reference,
            referenced_message=referenced,
        )
        world.messages[message_id] = msg
        await self._deliver(guild_id, "MESSAGE_CREATE", world.with_member_mentions(msg))
        self._changed()
        return message_id

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: int | None = None,
        member_permissions: int | str | discord.Permissions | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        locale: str = "en-US",
        require_synced: bool = True,
    ) -> SentInteraction:
        """Dispatch INTERACTION_CREATE type 2 for ``/name`` (``"group sub"`` for subcommands).

        Option types come from the synced command, so ints, bools, strings,
        users, channels, roles and attachments (:class:`FakeAttachment`) are
        sent as Discord would; unknown/missing-required options, values outside
        choices or bounds, and users lacking ``default_member_permissions``
        raise, since Discord's client would not send such an interaction.
        """
        return await self._send_command_interaction(
            interaction_type=2,
            name=name,
            options=options or {},
            focused=None,
            user=user,
            member_permissions=member_permissions,
            channel_id=channel_id,
            dm=dm,
            locale=locale,
            require_synced=require_synced,
        )

    async def send_message_command(
        self,
        name: str,
        message_id: int,
        *,
        user: int | None = None,
        member_permissions: int | str | discord.Permissions | None = None,
        locale: str = "en-US",
    ) -> SentInteraction:
        """Dispatch INTERACTION_CREATE type 2 for the message command ``name`` (Apps → name)
        on ``message_id``, as a user right-clicking that message would.

        The message travels in ``resolved.messages`` with its content, whatever
        the bot's intents. An unsynced command, an unknown or ephemeral message,
        or a user lacking ``default_member_permissions`` raises.
        """
        world = self._world
        target = world.messages.get(int(message_id))
        if target is None or target["flags"] & p.FLAG_EPHEMERAL:
            raise LookupError(f"no message {message_id} a user could right-click")
        user_id = world.user_id if user is None else user
        permissions = self._permission_value(member_permissions, user_id)
        dm = "guild_id" not in target
        guild_id = None if dm else int(target["guild_id"])
        command = world.find_command(name, guild_id, p.COMMAND_MESSAGE)
        if command is None:
            raise LookupError(f"message command {name!r} was never synced to Discord")
        self._check_command_access(command, permissions, dm)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": p.COMMAND_MESSAGE,
            "target_id": str(target["id"]),
            "resolved": {"messages": {str(target["id"]): world.with_member_mentions(target)}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._send_interaction(
            2,
            data,
            user_id=user_id,
            permissions=permissions,
            channel_id=None if dm else int(target["channel_id"]),
            dm=dm,
            locale=locale,
            command_type=p.COMMAND_MESSAGE,
        )

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: int | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> SentInteraction:
        """Dispatch INTERACTION_CREATE type 4 (autocomplete) with ``focused`` being typed.

        The bot's choices are then in ``fake.autocomplete_choices(interaction)``.
        """
        if focused not in options:
            raise ValueError(f"focused option {focused!r} must be in options")
        return await self._send_command_interaction(
            interaction_type=4,
            name=name,
            options=options,
            focused=focused,
            user=user,
            member_permissions=None,
            channel_id=channel_id,
            dm=dm,
            locale=locale,
            require_synced=True,
        )

    async def send_component(
        self,
        custom_id: str,
        message_id: int | None = None,
        *,
        user: int | None = None,
        values: Iterable[str] | None = None,
        member_permissions: int | str | discord.Permissions | None = None,
        locale: str = "en-US",
        forged: bool = False,
    ) -> SentInteraction:
        """Dispatch INTERACTION_CREATE type 3: a user presses a button / uses a select.

        ``message_id`` defaults to the newest bot message carrying ``custom_id``.
        Pressing a disabled or non-existent component raises, unless ``forged``:
        then the interaction claims that ``message_id`` (default: the newest bot
        message) carries a button with ``custom_id``, as a tampered client would.
        """
        world = self._world
        if forged:
            message_id = message_id or world.bot_message_ids()[-1]
            button = {"type": 2, "style": 2, "label": "Forged", "custom_id": custom_id}
            msg = {
                **world.messages[message_id],
                "components": [{"type": 1, "components": [button]}],
            }
            return await self._send_interaction(
                3,
                {"custom_id": custom_id, "component_type": 2},
                user_id=world.user_id if user is None else user,
                permissions=self._permission_value(member_permissions, world.user_id),
                channel_id=int(msg["channel_id"]),
                dm="guild_id" not in msg,
                locale=locale,
                message_payload=msg,
                component_message_id=message_id,
            )
        if message_id is None:
            candidates = [
                mid
                for mid in reversed(world.bot_message_ids())
                if any(
                    c.get("custom_id") == custom_id
                    for c in p.walk_components(world.messages[mid]["components"])
                )
            ]
            if not candidates:
                raise LookupError(f"no bot message has a component with custom_id {custom_id!r}")
            message_id = candidates[0]
        msg = world.messages.get(message_id)
        if msg is None:
            raise LookupError(f"unknown message {message_id}")
        component = next(
            (c for c in p.walk_components(msg["components"]) if c.get("custom_id") == custom_id),
            None,
        )
        if component is None:
            raise LookupError(f"message {message_id} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot use it")
        ctype = int(component.get("type", 2))
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": ctype}
        if "id" in component:
            data["id"] = component["id"]
        if ctype in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        user_id = world.user_id if user is None else user
        return await self._send_interaction(
            3,
            data,
            user_id=user_id,
            permissions=self._permission_value(member_permissions, user_id),
            channel_id=int(msg["channel_id"]),
            dm="guild_id" not in msg,
            locale=locale,
            message_payload=msg,
            component_message_id=message_id,
        )

    # -- internals used by the gateway and REST modules -----------------------------------

    def _changed(self) -> None:
        if self._signal is not None:
            self._signal.fire()

    def _record(
        self, incoming: Incoming, status: int, response: Any, *, unhandled: bool
    ) -> RecordedRequest:
        record = RecordedRequest(
            **vars(incoming),
            index=len(self._requests),
            status=status,
            response=response,
            timestamp=asyncio.get_running_loop().time(),
        )
        self._requests.append(record)
        if unhandled:
            _log.warning("fake discord: unhandled %s %s", incoming.method, incoming.path)
            self._unhandled.append(record)
        self._changed()
        return record

    def _take_fault(self, method: str, path: str) -> Reply | None:
        for rule in self._faults:
            if rule.matches(method, path):
                rule.remaining -= 1
                rule.hits.append(len(self._requests))
                return fault_reply(
                    rule.status,
                    retry_after=rule.retry_after,
                    global_rate_limit=rule.global_rate_limit,
                    body=rule.body,
                )
        return None

    def _token_accepted(self, token: str | None) -> bool:
        if self.invalid_token or not token:
            return False
        return self.accepted_token is None or token == self.accepted_token

    def _ready_payload(self, session_id: str, shard_id: int, shard_count: int) -> dict[str, Any]:
        world = self._world
        guilds = [
            {"id": str(guild_id), "unavailable": True}
            for guild_id in world.guild_ids()
            if (guild_id >> 22) % shard_count == shard_id
        ]
        return {
            "v": 10,
            "user": dict(world.bot_user),
            "guilds": guilds,
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "shard": [shard_id, shard_count],
            "application": {
                "id": str(world.application_id),
                "flags": p.APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED,
            },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["fake-gateway"],
        }

    def _guild_create_payloads(
        self, shard_id: int, shard_count: int, intents: int
    ) -> list[dict[str, Any]]:
        world = self._world
        return [
            world.guild_payload(
                full=True,
                include_all_members=bool(intents & p.INTENT_GUILD_MEMBERS),
                guild_id=guild_id,
            )
            for guild_id in world.guild_ids()
            if (guild_id >> 22) % shard_count == shard_id
        ]

    def _members_chunk(self, request: Mapping[str, Any]) -> dict[str, Any]:
        world = self._world
        wanted = request.get("user_ids")
        if isinstance(wanted, (str, int)):
            wanted = [wanted]
        query = str(request.get("query") or "").lower()
        limit = int(request.get("limit") or 0)
        ids = [int(u) for u in wanted] if wanted else list(world.users)
        members = [
            world.member_payload(uid)
            for uid in ids
            if uid in world.users and world.users[uid]["username"].lower().startswith(query)
        ]
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(world.guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if request.get("nonce") is not None:
            chunk["nonce"] = request["nonce"]
        return chunk

    def _filter_for_intents(
        self, shard_id: int, event: str, data: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        if not self.enforce_intents or not event.startswith("MESSAGE_"):
            return data
        intents = self._gateway.intents(shard_id) or 0
        is_dm = "guild_id" not in data
        needed = p.INTENT_DIRECT_MESSAGES if is_dm else p.INTENT_GUILD_MESSAGES
        if not intents & needed:
            return None
        if (
            event in ("MESSAGE_CREATE", "MESSAGE_UPDATE")
            and not is_dm
            and not intents & p.INTENT_MESSAGE_CONTENT
        ):
            author_id = int(data.get("author", {}).get("id", 0))
            mentioned = any(int(m["id"]) == self.bot_user_id for m in data.get("mentions", []))
            if author_id != self.bot_user_id and not mentioned:
                stripped = dict(data)
                stripped["content"] = ""
                for key in _CONTENT_FIELDS:
                    stripped[key] = []
                stripped.pop("poll", None)
                return stripped
        return data

    def _require_shard(self, guild_id: int | None) -> None:
        shard_id = self._gateway.shard_for_guild(guild_id)
        if self._gateway.session(shard_id) is None:
            raise RuntimeError(
                f"shard {shard_id} has not connected yet; await fake.wait_until_connected() first"
            )

    async def _deliver(
        self, guild_id: int | None, event: str, data: Mapping[str, Any], *, required: bool = True
    ) -> bool:
        shard_id = self._gateway.shard_for_guild(guild_id)
        if self._gateway.session(shard_id) is None:
            if required:
                self._require_shard(guild_id)
            return False
        filtered = self._filter_for_intents(shard_id, event, data)
        if filtered is None:
            _log.warning(
                "fake discord: %s withheld from shard %s (missing intents)", event, shard_id
            )
            self.filtered_events.append((shard_id, event, data))
            return False
        return await self._gateway.dispatch(shard_id, event, filtered)

    async def _emit_message_event(self, event: str, msg: Mapping[str, Any]) -> None:
        if not self.echo_bot_messages:
            return
        guild_id = int(msg["guild_id"]) if "guild_id" in msg else None
        data = self._world.with_member_mentions(msg) if event != "MESSAGE_DELETE" else msg
        await self._deliver(guild_id, event, data, required=False)

    def _permission_value(self, value: int | str | discord.Permissions | None, user_id: int) -> int:
        if value is None:
            return self._world.permissions_of(user_id)
        if isinstance(value, discord.Permissions):
            return value.value
        return int(value)

    async def _send_interaction(
        self,
        interaction_type: int,
        data: Mapping[str, Any],
        *,
        user_id: int,
        permissions: int,
        channel_id: int | None,
        dm: bool,
        locale: str,
        message_payload: Mapping[str, Any] | None = None,
        component_message_id: int | None = None,
        command_type: int | None = None,
    ) -> SentInteraction:
        world = self._world
        if user_id not in world.users:
            raise ValueError(f"unknown user {user_id}; use fake.add_user()")
        target = world.channel_id if channel_id is None else channel_id
        self._require_shard(
            None if dm or not world.is_guild_channel(target) else world.guild_of(target)
        )
        channel: dict[str, Any] | None
        if dm:
            channel = world.dm_channel_for(user_id)
            guild_id = None
        else:
            channel = world.channel_payload(target, permissions=permissions)
            if channel is None or not world.is_guild_channel(target):
                raise ValueError(f"unknown guild channel {target}")
            guild_id = world.guild_of(target)
        state = world.new_interaction(
            interaction_type,
            channel_id=int(channel["id"]),
            guild_id=guild_id,
            user_id=user_id,
            component_message_id=component_message_id,
            command_type=command_type,
        )
        payload = p.interaction(
            interaction_id=state.id,
            interaction_type=interaction_type,
            token=state.token,
            application_id=world.application_id,
            data=data,
            channel_payload=channel,
            guild_id=guild_id,
            member_payload=world.member_payload(user_id, permissions=permissions)
            if guild_id is not None
            else None,
            user_payload=world.user_payload(user_id),
            app_permissions=world.permissions_of(world.bot_user_id),
            locale=locale,
            message_payload=message_payload,
        )
        await self._deliver(guild_id, "INTERACTION_CREATE", payload)
        self._changed()
        return SentInteraction(
            id=state.id, token=state.token, type=interaction_type, payload=payload
        )

    async def _send_command_interaction(
        self,
        *,
        interaction_type: int,
        name: str,
        options: Mapping[str, Any],
        focused: str | None,
        user: int | None,
        member_permissions: int | str | discord.Permissions | None,
        channel_id: int | None,
        dm: bool,
        locale: str,
        require_synced: bool,
    ) -> SentInteraction:
        world = self._world
        parts = name.strip().lstrip("/").split()
        if not parts:
            raise ValueError("empty command name")
        user_id = world.user_id if user is None else user
        permissions = self._permission_value(member_permissions, user_id)
        in_guild = not dm and world.is_guild_channel(channel_id or world.channel_id)
        guild_id = world.guild_of(channel_id or world.channel_id) if in_guild else None
        command = world.find_command(parts[0], guild_id)
        if command is None and require_synced:
            known = sorted({c["name"] for scope in world.commands.values() for c in scope.values()})
            raise LookupError(f"/{parts[0]} was never synced to Discord (synced: {known})")
        if command is not None:
            opened = command["name"] in self._opened_commands
            self._check_command_access(command, permissions, dm, opened=opened)
        target_channel = (
            int(world.dm_channel_for(user_id)["id"])
            if dm
            else (world.channel_id if channel_id is None else channel_id)
        )
        resolved: dict[str, dict[str, Any]] = {}
        spec = command.get("options") or [] if command is not None else None
        built = self._build_options(
            spec, parts[1:], options, resolved, focused, target_channel, guild_id
        )
        data: dict[str, Any] = {
            "id": command["id"] if command is not None else str(world.ids.next()),
            "name": parts[0],
            "type": 1,
            "options": built,
        }
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return await self._send_interaction(
            interaction_type,
            data,
            user_id=user_id,
            permissions=permissions,
            channel_id=channel_id,
            dm=dm,
            locale=locale,
            command_type=p.COMMAND_CHAT_INPUT,
        )

    @staticmethod
    def _check_command_access(
        command: Mapping[str, Any], permissions: int, dm: bool, *, opened: bool = False
    ) -> None:
        name = command["name"]
        if dm:
            contexts = command.get("contexts")
            if (
                command.get("guild_id")
                or command.get("dm_permission") is False
                or (contexts is not None and 1 not in contexts)
            ):
                raise PermissionError(f"/{name} cannot be used in DMs")
            return
        required = command.get("default_member_permissions")
        if required is not None and not opened and not permissions & p.ADMINISTRATOR:
            need = int(required)
            if permissions & need != need:
                raise PermissionError(
                    f"/{name} requires permissions {need} (member has {permissions})"
                )

    def _build_options(
        self,
        spec: list[Mapping[str, Any]] | None,
        path: list[str],
        values: Mapping[str, Any],
        resolved: dict[str, dict[str, Any]],
        focused: str | None,
        channel_id: int,
        guild_id: int | None,
    ) -> list[dict[str, Any]]:
        if path:
            head, rest = path[0], path[1:]
            if spec is not None:
                sub = next((o for o in spec if o["name"] == head and o.get("type") in (1, 2)), None)
                if sub is None:
                    raise ValueError(f"no subcommand {head!r}")
                sub_type = int(sub["type"])
                if (sub_type == 2) != bool(rest):
                    raise ValueError(
                        f"{head!r} is "
                        + (
                            "a group: name a subcommand"
                            if sub_type == 2
                            else "a subcommand, not a group"
                        )
                    )
                inner = list(sub.get("options") or [])
            else:
                sub_type, inner = (2 if rest else 1), None
            return [
                {
                    "name": head,
                    "type": sub_type,
                    "options": self._build_options(
                        inner, rest, values, resolved, focused, channel_id, guild_id
                    ),
                }
            ]
        if spec is None:
            return [
                self._option_entry(
                    name,
                    _infer_type(value),
                    value,
                    {},
                    resolved,
                    name == focused,
                    channel_id,
                    guild_id,
                )
                for name, value in values.items()
            ]
        if any(o.get("type") in (1, 2) for o in spec):
            raise ValueError("this command needs a subcommand: pass 'command sub' as the name")
        known = {o["name"]: o for o in spec}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown options {unknown}; command has {sorted(known)}")
        if focused is None:
            missing = [o["name"] for o in spec if o.get("required") and o["name"] not in values]
            if missing:
                raise ValueError(f"missing required options {missing}")
        elif not known[focused].get("autocomplete"):
            raise ValueError(f"option {focused!r} has no autocomplete")
        return [
            self._option_entry(
                o["name"],
                int(o["type"]),
                values[o["name"]],
                o,
                resolved,
                o["name"] == focused,
                channel_id,
                guild_id,
            )
            for o in spec
            if o["name"] in values
        ]

    def _option_entry(
        self,
        name: str,
        option_type: int,
        value: Any,
        spec: Mapping[str, Any],
        resolved: dict[str, dict[str, Any]],
        focused: bool,
        channel_id: int,
        guild_id: int | None,
    ) -> dict[str, Any]:
        if focused:
            return {"name": name, "type": option_type, "value": value, "focused": True}
        return {
            "name": name,
            "type": option_type,
            "value": self._coerce(name, option_type, value, spec, resolved, channel_id, guild_id),
        }

    def _coerce(
        self,
        name: str,
        option_type: int,
        value: Any,
        spec: Mapping[str, Any],
        resolved: dict[str, dict[str, Any]],
        channel_id: int,
        guild_id: int | None,
    ) -> Any:
        if option_type in (3, 4, 5, 10):
            _check_scalar(name, option_type, value, spec)
            return value
        if option_type == 11:
            return self._resolve_attachment(name, value, resolved, channel_id)
        return self._resolve_entity(name, option_type, value, resolved, guild_id)

    def _resolve_attachment(
        self, name: str, value: Any, resolved: dict[str, dict[str, Any]], channel_id: int
    ) -> str:
        if not isinstance(value, FakeAttachment):
            raise TypeError(f"option {name!r} is an attachment option: pass a FakeAttachment")
        attachment = self._world.store_attachment(
            channel_id,
            value.filename,
            value.data,
            value.content_type,
            description=value.description,
            ephemeral=True,
        )
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
        return str(attachment["id"])

    def _resolve_entity(
        self,
        name: str,
        option_type: int,
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild_id: int | None,
    ) -> str:
        world = self._world
        entity_id = int(value)
        key = str(entity_id)
        if option_type in (6, 9) and entity_id in world.users:
            resolved.setdefault("users", {})[key] = world.user_payload(entity_id)
            if guild_id is not None:
                resolved.setdefault("members", {})[key] = world.member_payload(
                    entity_id, with_user=False, permissions=world.permissions_of(entity_id)
                )
            return key
        if option_type in (8, 9) and entity_id in world.roles:
            resolved.setdefault("roles", {})[key] = dict(world.roles[entity_id])
            return key
        if option_type == 7:
            channel = world.channel_payload(
                entity_id, permissions=world.permissions_of(world.user_id)
            )
            if channel is None:
                raise ValueError(f"option {name!r}: unknown channel {value}")
            resolved.setdefault("channels", {})[key] = channel
            return key
        raise ValueError(
            f"option {name!r}: unknown user/role {value} for option type {option_type}"
        )


def _check_scalar(name: str, option_type: int, value: Any, spec: Mapping[str, Any]) -> None:
    """Reject values Discord's client would not let a user send for a string/number/bool option."""
    expected: dict[int, type | tuple[type, ...]] = {3: str, 4: int, 5: bool, 10: (int, float)}
    if not isinstance(value, expected[option_type]) or (
        option_type != 5 and isinstance(value, bool)
    ):
        kind = {3: "a string", 4: "an integer", 5: "a boolean", 10: "a number"}[option_type]
        raise TypeError(f"option {name!r} is {kind} option, got {value!r}")
    if option_type == 3:
        low, high = int(spec.get("min_length") or 0), int(spec.get("max_length") or 6000)
        length = len(str(value))
        if not low <= length <= high:
            raise ValueError(f"option {name!r}: length {length} outside [{low}, {high}]")
    elif option_type in (4, 10):
        bottom, top = spec.get("min_value"), spec.get("max_value")
        if (bottom is not None and value < bottom) or (top is not None and value > top):
            raise ValueError(f"option {name!r}: {value} outside [{bottom}, {top}]")
    choices = [c["value"] for c in spec.get("choices") or []]
    if choices and value not in choices:
        raise ValueError(f"option {name!r}: {value!r} is not one of the choices {choices}")


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, FakeAttachment):
        return 11
    return 3
