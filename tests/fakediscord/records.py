"""Immutable records of what a client did against the fake, plus small value types."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FakeAttachment",
    "FaultRule",
    "IdentifyRecord",
    "RecordedFile",
    "RecordedRequest",
    "ResumeRecord",
    "SentInteraction",
]


@dataclass(frozen=True)
class RecordedFile:
    """One file part of a multipart request (``files[n]`` fields)."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class Incoming:
    """An HTTP request as the fake parsed it, before answering it.

    ``path`` is relative to the API base (``/channels/1/messages``) for API
    calls and the plain URL path for anything else (attachment downloads).
    ``json`` is the JSON body, or the parsed ``payload_json`` part of a
    multipart body, or ``None``. ``received`` is when the request arrived
    (``time.monotonic()``, the clock interactions are created on).
    """

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    files: tuple[RecordedFile, ...]
    headers: Mapping[str, str]
    token: str | None
    received: float

    @property
    def body(self) -> Mapping[str, Any]:
        """The JSON body if it is an object, else an empty one."""
        return self.json if isinstance(self.json, Mapping) else {}


@dataclass(frozen=True, kw_only=True)
class RecordedRequest(Incoming):
    """One HTTP request the fake answered, with the answer it gave.

    ``index`` is its place in arrival order; ``timestamp`` is when it was
    answered (the event loop's clock).
    """

    index: int
    status: int
    response: Any
    timestamp: float

    def matches(self, method: str | None = None, path: str | None = None) -> bool:
        """True if the method equals ``method`` and ``path`` (a regex) is found in the path."""
        if method is not None and self.method != method.upper():
            return False
        return path is None or re.search(path, self.path) is not None

    @property
    def data(self) -> Mapping[str, Any]:
        """The ``data`` member of an interaction callback body (empty if absent)."""
        inner = self.body.get("data")
        return inner if isinstance(inner, Mapping) else {}

    def __str__(self) -> str:
        return f"#{self.index} {self.method} {self.path} -> {self.status}"


@dataclass(frozen=True)
class IdentifyRecord:
    """An IDENTIFY (op 2) received on the gateway."""

    shard_id: int
    shard_count: int
    intents: int | None
    token: str | None
    session_id: str | None
    accepted: bool
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class ResumeRecord:
    """A RESUME (op 6) received on the gateway.

    ``replayed`` counts the dispatches re-sent because the client had missed
    them; ``gateway_path`` is the URL path the client reconnected to.
    """

    shard_id: int | None
    session_id: str | None
    seq: int | None
    accepted: bool
    replayed: int
    gateway_path: str
    generation: int


@dataclass(frozen=True)
class SentInteraction:
    """An INTERACTION_CREATE the fake dispatched to the client."""

    id: int
    token: str
    type: int
    payload: Mapping[str, Any]

    @property
    def channel_id(self) -> int | None:
        """Channel the interaction happened in."""
        raw = self.payload.get("channel_id")
        return int(raw) if raw is not None else None


@dataclass(frozen=True)
class FakeAttachment:
    """A file a fake user uploads (slash-command attachment option or message attachment)."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"
    description: str | None = None


@dataclass
class FaultRule:
    """A pending fault: the next ``remaining`` matching REST calls get ``status``.

    Mutable on purpose: ``remaining`` counts down and ``hits`` lists the
    indexes of the requests that were failed.
    """

    method: str
    path_regex: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float = 0.05
    global_rate_limit: bool = False
    body: Any = None
    hits: list[int] = field(default_factory=list)

    def matches(self, method: str, path: str) -> bool:
        """True if this rule still has uses and applies to ``method path``."""
        if self.remaining <= 0:
            return False
        if self.method not in ("*", method.upper()):
            return False
        return self.path_regex.search(path) is not None
