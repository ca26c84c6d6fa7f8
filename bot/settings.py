"""Settings, read once from the environment (and ``.env``) and passed in.

Every setting is documented in ``.env.example``. The Discord token is held
in a ``Secret`` so that it never appears in a repr, a log or an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

PROJECT_BRIEFINGS = Path(__file__).resolve().parent.parent / "briefings"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Secret:
    """A value that must not be shown: repr and str hide it."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults a newcomer needs."""

    briefings: tuple[Path, ...]
    data_dir: Path
    token: Secret | None = None
    guild_id: int | None = None
    message_content: bool = False
    prefix: str = "!"
    cooldown_seconds: float = 5.0
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    log_level: str = "INFO"

    @property
    def cache_dir(self) -> Path:
        """Where the index cache lives."""
        return self.data_dir / "cache"

    @property
    def uploads_dir(self) -> Path:
        """Where briefings added from Discord are stored."""
        return self.data_dir / "briefings"


def default_briefings() -> Path:
    """``./briefings`` if there is one, else the briefings bundled with briefbot."""
    local = Path("briefings")
    return local if local.is_dir() else PROJECT_BRIEFINGS


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Settings from ``environ`` (default: the process environment plus ``.env``)."""
    if environ is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(override=False)
        environ = os.environ
    env = {key: value.strip() for key, value in environ.items() if value.strip()}
    token = env.get("DISCORD_TOKEN")
    return Settings(
        briefings=_paths(env.get("BRIEFBOT_BRIEFINGS")) or (default_briefings(),),
        data_dir=Path(env.get("BRIEFBOT_DATA_DIR") or platformdirs.user_data_dir("briefbot")),
        token=Secret(token) if token else None,
        guild_id=_int(env, "BRIEFBOT_GUILD_ID"),
        message_content=_bool(env, "BRIEFBOT_MESSAGE_CONTENT", default=False),
        prefix=env.get("BRIEFBOT_PREFIX", "!"),
        cooldown_seconds=_float(env, "BRIEFBOT_COOLDOWN_SECONDS", 5.0),
        shard_count=_int(env, "BRIEFBOT_SHARD_COUNT"),
        shard_ids=_ints(env, "BRIEFBOT_SHARD_IDS"),
        log_level=env.get("BRIEFBOT_LOG_LEVEL", "INFO").upper(),
    )


def _paths(value: str | None) -> tuple[Path, ...]:
    if not value:
        return ()
    return tuple(Path(part).expanduser() for part in value.split(os.pathsep) if part)


def _int(env: Mapping[str, str], name: str) -> int | None:
    if name not in env:
        return None
    try:
        return int(env[name])
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {env[name]!r}") from None


def _ints(env: Mapping[str, str], name: str) -> tuple[int, ...] | None:
    if name not in env:
        return None
    try:
        return tuple(int(part) for part in env[name].replace(",", " ").split())
    except ValueError:
        raise SettingsError(f"{name} must be whole numbers separated by commas") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, default))
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {env[name]!r}") from None
    if value < 0:
        raise SettingsError(f"{name} cannot be negative")
    return value


def _bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")
