"""The fake gateway: one aiohttp websocket handler speaking Discord's gateway protocol.

Sessions survive their websocket so a client can RESUME after a drop and get
the dispatches it missed replayed, as on the real gateway.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .payloads import PRIVILEGED_INTENTS
from .records import IdentifyRecord, ResumeRecord

if TYPE_CHECKING:
    from .fake import FakeDiscord

__all__ = ["GatewayServer"]

_log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLOSE_UNKNOWN_ERROR = 4000
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SHARD = 4010
CLOSE_DISALLOWED_INTENTS = 4014

_CLOSE_TIMEOUT = 5.0
_SEND_TIMEOUT = 5.0


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    path: str
    compressor: Any = None
    session: _Session | None = None
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, frame: Mapping[str, Any]) -> bool:
        """Send one frame; False if the socket is already gone."""
        text = json.dumps(frame, separators=(",", ":"))
        try:
            async with self.send_lock:
                if self.compressor is not None:
                    raw = self.compressor.compress(text.encode()) + self.compressor.flush(
                        zlib.Z_SYNC_FLUSH
                    )
                    await asyncio.wait_for(self.ws.send_bytes(raw), _SEND_TIMEOUT)
                else:
                    await asyncio.wait_for(self.ws.send_str(text), _SEND_TIMEOUT)
        except (TimeoutError, ConnectionError, RuntimeError):
            return False
        return True


@dataclass(eq=False)
class _Session:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    token: str | None
    seq: int = 0
    ready: bool = False
    invalidated: bool = False
    conn: _Connection | None = None
    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=10_000))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send_dispatch(self, event: str, data: Mapping[str, Any]) -> None:
        """Number, remember and (if connected) send a dispatch. Caller holds ``lock``."""
        self.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.history.append(frame)
        if self.conn is not None and self.conn.open:
            await self.conn.send(frame)


class GatewayServer:
    """Websocket endpoint plus the per-shard session table."""

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval_ms: int, compression: bool) -> None:
        self._fake = fake
        self._heartbeat_interval_ms = heartbeat_interval_ms
        self._compression = compression
        self._sessions: dict[str, _Session] = {}
        self._by_shard: dict[int, _Session] = {}
        self._connections: set[_Connection] = set()
        self._generation: dict[int, int] = {}
        self.identifies: list[IdentifyRecord] = []
        self.resumes: list[ResumeRecord] = []
        self.presence_updates: list[Mapping[str, Any]] = []
        self.heartbeats = 0
        self.shard_count: int | None = None

    # -- queries -----------------------------------------------------------

    def session(self, shard_id: int) -> _Session | None:
        """The live (latest identified) session of a shard."""
        return self._by_shard.get(shard_id)

    def intents(self, shard_id: int) -> int | None:
        """Intents the shard identified with, if it has."""
        session = self._by_shard.get(shard_id)
        return session.intents if session is not None else None

    def is_connected(self, shard_id: int) -> bool:
        """True if the shard has a READY session with an open websocket."""
        session = self._by_shard.get(shard_id)
        return bool(session and session.ready and session.conn is not None and session.conn.open)

    def all_connected(self) -> bool:
        """True once every shard of the announced shard count is connected."""
        if self.shard_count is None:
            return False
        return all(self.is_connected(shard) for shard in range(self.shard_count))

    def generation(self, shard_id: int) -> int:
        """How many times the fake has disturbed this shard's connection."""
        return self._generation.get(shard_id, 0)

    def shard_for_guild(self, guild_id: int | None) -> int:
        """Shard that receives events for ``guild_id`` (DMs go to shard 0)."""
        if guild_id is None or not self.shard_count:
            return 0
        return (guild_id >> 22) % self.shard_count

    # -- sending -----------------------------------------------------------

    def forget_history(self) -> None:
        """Empty every session's replay buffer (events sent so far can no longer be resumed)."""
        for session in self._sessions.values():
            session.history.clear()

    async def dispatch(self, shard_id: int, event: str, data: Mapping[str, Any]) -> bool:
        """Send a dispatch on a shard's session; False if that shard never identified."""
        session = self._by_shard.get(shard_id)
        if session is None:
            return False
        async with session.lock:
            await session.send_dispatch(event, data)
        return True

    async def send_op(self, shard_id: int, op: int, data: Any) -> None:
        """Send a non-dispatch opcode to a shard's live connection."""
        session = self._require_session(shard_id)
        self._bump(shard_id)
        if session.conn is None or not session.conn.open:
            raise RuntimeError(f"shard {shard_id} is not connected")
        await session.conn.send({"op": op, "d": data, "s": None, "t": None})

    async def invalidate(self, shard_id: int, *, resumable: bool) -> None:
        """Send INVALID_SESSION; a non-resumable one also forgets the session."""
        session = self._require_session(shard_id)
        if not resumable:
            session.invalidated = True
        await self.send_op(shard_id, OP_INVALID_SESSION, resumable)

    async def drop(self, shard_id: int, code: int) -> None:
        """Close a shard's websocket from the server side, keeping its session resumable."""
        session = self._require_session(shard_id)
        self._bump(shard_id)
        conn = session.conn
        if conn is None or not conn.open:
            raise RuntimeError(f"shard {shard_id} is not connected")
        await self._close(conn, code, b"dropped by test")

    async def close_all(self) -> None:
        """Close every open websocket (used on shutdown)."""
        for conn in list(self._connections):
            await self._close(conn, 1001, b"fake shutting down")

    # -- websocket handler ---------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for the gateway URL and the resume URL."""
        ws = web.WebSocketResponse(max_msg_size=0, timeout=_CLOSE_TIMEOUT)
        await ws.prepare(request)
        conn = _Connection(ws=ws, path=request.path)
        if self._compression and request.query.get("compress") == "zlib-stream":
            conn.compressor = zlib.compressobj()
        encoding = request.query.get("encoding", "json")
        self._connections.add(conn)
        try:
            if encoding != "json":
                await self._close(conn, CLOSE_DECODE_ERROR, b"only json encoding is supported")
                return ws
            await conn.send(
                {
                    "op": OP_HELLO,
                    "d": {
                        "heartbeat_interval": self._heartbeat_interval_ms,
                        "_trace": ["fake-gateway"],
                    },
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await self._close(conn, CLOSE_DECODE_ERROR, b"decode error")
                    break
                await self._on_frame(conn, frame)
        finally:
            self._connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
            self._fake._changed()
        return ws

    async def _on_frame(self, conn: _Connection, frame: Mapping[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data or {})
        elif op == OP_RESUME:
            await self._resume(conn, data or {})
        elif op == OP_PRESENCE:
            self.presence_updates.append(data or {})
        elif op == OP_REQUEST_MEMBERS:
            if conn.session is None:
                await self._close(conn, CLOSE_NOT_AUTHENTICATED, b"not authenticated")
                return
            chunk = self._fake._members_chunk(data or {})
            async with conn.session.lock:
                await conn.session.send_dispatch("GUILD_MEMBERS_CHUNK", chunk)
        elif op == OP_VOICE_STATE:
            pass
        else:
            _log.debug("fake gateway ignoring op %r", op)

    async def _identify(self, conn: _Connection, data: Mapping[str, Any]) -> None:
        token = data.get("token")
        shard = data.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])
        intents = data.get("intents")

        def record(session_id: str | None, ok: bool) -> None:
            self.identifies.append(
                IdentifyRecord(
                    shard_id=shard_id,
                    shard_count=shard_count,
                    intents=intents,
                    token=token,
                    session_id=session_id,
                    accepted=ok,
                    payload=data,
                )
            )
            self._fake._changed()

        refusal = self._identify_refusal(conn, token, shard_id, shard_count, intents)
        if refusal is not None:
            record(None, False)
            await self._close(conn, *refusal)
            return

        self.shard_count = shard_count
        session = _Session(
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            intents=int(intents or 0),
            token=token,
        )
        self._sessions[session.session_id] = session
        self._by_shard[shard_id] = session
        async with session.lock:
            session.conn = conn
            conn.session = session
            await session.send_dispatch(
                "READY", self._fake._ready_payload(session.session_id, shard_id, shard_count)
            )
            for guild in self._fake._guild_create_payloads(shard_id, shard_count, session.intents):
                await session.send_dispatch("GUILD_CREATE", guild)
            session.ready = True
        record(session.session_id, True)

    def _identify_refusal(
        self, conn: _Connection, token: Any, shard_id: int, shard_count: int, intents: Any
    ) -> tuple[int, bytes] | None:
        """The close code and reason Discord would answer this IDENTIFY with, if any."""
        if conn.session is not None:
            return CLOSE_ALREADY_AUTHENTICATED, b"already authenticated"
        if not self._fake._token_accepted(token):
            return CLOSE_AUTHENTICATION_FAILED, b"Authentication failed."
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            return CLOSE_INVALID_SHARD, b"Invalid shard."
        if intents and intents & PRIVILEGED_INTENTS and not self._fake.allow_privileged_intents:
            return CLOSE_DISALLOWED_INTENTS, b"Disallowed intent(s)."
        return None

    async def _resume(self, conn: _Connection, data: Mapping[str, Any]) -> None:
        session_id = data.get("session_id")
        token = data.get("token")
        seq = data.get("seq")
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        ok = (
            session is not None
            and not session.invalidated
            and session.token == token
            and self._fake._token_accepted(token)
            and self._by_shard.get(session.shard_id) is session
        )
        shard_id = session.shard_id if session is not None else None
        generation = self.generation(shard_id) if shard_id is not None else 0
        if not ok or session is None:
            self.resumes.append(
                ResumeRecord(
                    shard_id=shard_id,
                    session_id=session_id,
                    seq=seq,
                    accepted=False,
                    replayed=0,
                    gateway_path=conn.path,
                    generation=generation,
                )
            )
            self._fake._changed()
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        async with session.lock:
            stale = session.conn
            session.conn = conn
            conn.session = session
            if stale is not None and stale is not conn and stale.open:
                stale.session = None
                await self._close(stale, CLOSE_UNKNOWN_ERROR, b"session resumed elsewhere")
            missed = [frame for frame in session.history if frame["s"] > (seq or 0)]
            for frame in missed:
                await conn.send(frame)
            await session.send_dispatch("RESUMED", {"_trace": ["fake-gateway"]})
            session.ready = True
        self.resumes.append(
            ResumeRecord(
                shard_id=shard_id,
                session_id=session_id,
                seq=seq,
                accepted=True,
                replayed=len(missed),
                gateway_path=conn.path,
                generation=generation,
            )
        )
        self._fake._changed()

    # -- helpers -------------------------------------------------------------

    def _require_session(self, shard_id: int) -> _Session:
        session = self._by_shard.get(shard_id)
        if session is None:
            raise RuntimeError(f"shard {shard_id} has not identified yet")
        return session

    def _bump(self, shard_id: int) -> None:
        self._generation[shard_id] = self._generation.get(shard_id, 0) + 1

    @staticmethod
    async def _close(conn: _Connection, code: int, message: bytes) -> None:
        if conn.ws.closed:
            return
        try:
            await asyncio.wait_for(conn.ws.close(code=code, message=message), _CLOSE_TIMEOUT)
        except (TimeoutError, ConnectionError, RuntimeError):
            _log.debug("fake gateway: close with %s did not complete cleanly", code)
