"""The subset of Discord's request validation a bot is likely to trip over.

Each checker returns ``None`` when the body is acceptable, or the JSON error
body Discord would answer with (HTTP 400).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .payloads import THREAD_ARCHIVE_DURATIONS, walk_components

CONTENT_LIMIT = 2000
THREAD_NAME_LIMIT = 100
EMBEDS_LIMIT = 10
EMBED_TOTAL_LIMIT = 6000
_EMBED_LIMITS = {"title": 256, "description": 4096}
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _form_error(errors: dict[str, Any]) -> dict[str, Any]:
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}


def form_error(path: Sequence[str], code: str, text: str) -> dict[str, Any]:
    """An "Invalid Form Body" (50035) answer with one error at ``path``."""
    return _form_error(_nest(path, code, text))


def _nest(path: Sequence[str], code: str, text: str) -> dict[str, Any]:
    node: dict[str, Any] = {"_errors": [{"code": code, "message": text}]}
    for key in reversed(path):
        node = {key: node}
    return node


def _embed_slots(embed: Mapping[str, Any]) -> Iterator[tuple[list[str], str, int, bool]]:
    """Every text slot of an embed: (path, text, max length, required)."""
    for key, limit in _EMBED_LIMITS.items():
        yield [key], str(embed.get(key) or ""), limit, False
    for index, item in enumerate(embed.get("fields") or []):
        for key, limit in (("name", 256), ("value", 1024)):
            yield ["fields", str(index), key], str(item.get(key) or ""), limit, True
    yield ["footer", "text"], str((embed.get("footer") or {}).get("text") or ""), 2048, False
    yield ["author", "name"], str((embed.get("author") or {}).get("name") or ""), 256, False


def _embed_error(embeds: Sequence[Any], prefix: Sequence[str]) -> dict[str, Any] | None:
    if len(embeds) > EMBEDS_LIMIT:
        return _nest(
            [*prefix, "embeds"],
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {EMBEDS_LIMIT} or fewer in length.",
        )
    total = 0
    for index, embed in enumerate(embeds):
        where = [*prefix, "embeds", str(index)]
        if not isinstance(embed, Mapping):
            return _nest(
                where, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"
            )
        if len(embed.get("fields") or []) > 25:
            return _nest(
                [*where, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for suffix, text, limit, required in _embed_slots(embed):
            total += len(text)
            if required and not text:
                return _nest([*where, *suffix], "BASE_TYPE_REQUIRED", "This field is required")
            if len(text) > limit:
                return _nest(
                    [*where, *suffix],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
    if total > EMBED_TOTAL_LIMIT:
        return _nest(
            [*prefix, "embeds"],
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        )
    return None


def _component_error(components: Sequence[Any], prefix: Sequence[str]) -> dict[str, Any] | None:
    seen: set[str] = set()
    for comp in walk_components(components):
        custom_id = comp.get("custom_id")
        if custom_id is None:
            continue
        if len(custom_id) > 100:
            return _nest(
                [*prefix, "components"],
                "BASE_TYPE_MAX_LENGTH",
                "custom_id must be 100 or fewer in length.",
            )
        if custom_id in seen:
            return _nest(
                [*prefix, "components"],
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)
    return None


def message_error(
    body: Mapping[str, Any] | None,
    *,
    file_count: int = 0,
    partial: bool = False,
    prefix: Sequence[str] = (),
) -> dict[str, Any] | None:
    """Validate a create (or, with ``partial``, edit) message body."""
    body = body or {}
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        return _form_error(_nest([*prefix, "content"], "BASE_TYPE_STRING", "Must be a string."))
    if content is not None and len(content) > CONTENT_LIMIT:
        return _form_error(
            _nest(
                [*prefix, "content"],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {CONTENT_LIMIT} or fewer in length.",
            )
        )
    embeds = body.get("embeds") or []
    nested = _embed_error(embeds, prefix) or _component_error(body.get("components") or [], prefix)
    if nested is not None:
        return _form_error(nested)
    if partial:
        return None
    has_payload = (
        bool((content or "").strip())
        or bool(embeds)
        or file_count > 0
        or bool(body.get("components"))
        or bool(body.get("sticker_ids"))
        or bool(body.get("poll"))
    )
    if not has_payload:
        return {"code": 50006, "message": "Cannot send an empty message"}
    return None


def _option_errors(options: Sequence[Mapping[str, Any]], path: list[str]) -> dict[str, Any] | None:
    if len(options) > 25:
        return _nest([*path, "options"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names: set[str] = set()
    optional_seen = False
    for index, opt in enumerate(options):
        where = [*path, "options", str(index)]
        name = opt.get("name") or ""
        if not _COMMAND_NAME.match(name) or name != name.lower():
            return _nest(
                [*where, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if name in names:
            return _nest(
                [*path, "options"],
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        names.add(name)
        description = opt.get("description") or ""
        if not 1 <= len(description) <= 100:
            return _nest(
                [*where, "description"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        if opt.get("type") in (1, 2):
            nested = _option_errors(opt.get("options") or [], where)
            if nested is not None:
                return nested
            continue
        if opt.get("required"):
            if optional_seen:
                return _nest(
                    [*path, "options"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        if len(opt.get("choices") or []) > 25:
            return _nest(
                [*where, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
    return None


def commands_error(commands: Any) -> dict[str, Any] | None:
    """Validate a bulk-overwrite (``PUT .../commands``) body."""
    if not isinstance(commands, list):
        return _form_error(
            {"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array."}]}
        )
    seen: set[tuple[int, str]] = set()
    for index, cmd in enumerate(commands):
        error = command_error(cmd, path=[str(index)])
        if error is not None:
            return error
        key = (int(cmd.get("type", 1)), cmd["name"])
        if key in seen:
            return _form_error(
                _nest(
                    [str(index), "name"],
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {cmd['name']}",
                )
            )
        seen.add(key)
    if sum(1 for c in commands if int(c.get("type", 1)) == 1) > 100:
        return _form_error(
            {
                "_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}
                ]
            }
        )
    return None


def command_error(cmd: Any, *, path: Sequence[str] = ()) -> dict[str, Any] | None:
    """Validate one application command body."""
    where = list(path)
    if not isinstance(cmd, Mapping):
        return _form_error(
            _nest(where, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        )
    name = cmd.get("name") or ""
    ctype = int(cmd.get("type", 1))
    if ctype == 1:
        if not _COMMAND_NAME.match(name) or name != name.lower():
            return _form_error(
                _nest(
                    [*where, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            )
        description = cmd.get("description") or ""
        if not 1 <= len(description) <= 100:
            return _form_error(
                _nest(
                    [*where, "description"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            )
        nested = _option_errors(cmd.get("options") or [], where)
        if nested is not None:
            return _form_error(nested)
    elif not 1 <= len(name) <= 32:
        return _form_error(
            _nest([*where, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
        )
    elif cmd.get("description") or cmd.get("options"):
        field = "description" if cmd.get("description") else "options"
        return _form_error(
            _nest(
                [*where, field],
                "APPLICATION_COMMAND_CONTEXT_MENU_FIELD_INVALID",
                f"User and message commands cannot have {field}",
            )
        )
    return None


def thread_error(body: Any) -> dict[str, Any] | None:
    """Validate a start-thread (``POST .../messages/{id}/threads``) body."""
    if not isinstance(body, Mapping):
        return _form_error(
            {"_errors": [{"code": "MODEL_TYPE_CONVERT", "message": "Must be an object."}]}
        )
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return form_error(["name"], "BASE_TYPE_REQUIRED", "This field is required")
    if len(name) > THREAD_NAME_LIMIT:
        return form_error(
            ["name"],
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {THREAD_NAME_LIMIT} in length.",
        )
    duration = body.get("auto_archive_duration")
    if duration is not None and duration not in THREAD_ARCHIVE_DURATIONS:
        return form_error(
            ["auto_archive_duration"],
            "BASE_TYPE_CHOICES",
            f"Value must be one of {set(THREAD_ARCHIVE_DURATIONS)}.",
        )
    return None
