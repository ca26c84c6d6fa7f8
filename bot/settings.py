"""Settings, read once from the environment (and ``.env``) and passed in.

Every setting is documented in ``.env.example``. The Discord token is held
in a ``Secret`` so that it never appears in a repr, a log or an error.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# A day: anything longer is a typo, and inf or nan would break the arithmetic.
MAX_COOLDOWN_SECONDS = 86_400.0
# Ten years: longer is a typo, and an operator keeping feedback forever should say so.
MAX_RETENTION_DAYS = 3650
# How much disk the index caches of one data folder may take (least recently used go first).
DEFAULT_CACHE_MAX_BYTES = 2 * 1000**3
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?((?:[KMGT]i?)?B?)", re.IGNORECASE | re.ASCII)
# A petabyte: anything larger is a typo, and would overflow on the way to a number.
MAX_CACHE_BYTES = 1000**5
_UNITS = {
    "": 1,
    "B": 1,
    **{f"{p}B": 1000**n for n, p in enumerate("KMGT", 1)},
    **{p: 1000**n for n, p in enumerate("KMGT", 1)},
    **{f"{p}IB": 1024**n for n, p in enumerate("KMGT", 1)},
    **{f"{p}I": 1024**n for n, p in enumerate("KMGT", 1)},
}
# Far beyond the largest bot's shards: more is a typo, and would overflow on its way to Discord.
MAX_SHARD_COUNT = 100_000
# Discord ids (snowflakes) are positive and fit the store's signed 64-bit integers.
SNOWFLAKE_LIMIT = 2**63
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
    database_url: Secret | None = None  # PostgreSQL; may hold a password, so never shown
    log_discord_debug: bool = False
    keep_questions: bool = False  # store question text with feedback (privacy: off)
    retention_days: int = 30  # how long feedback, and question text if kept, is stored
    cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES

    @property
    def cache_dir(self) -> Path:
        """Where the index cache lives."""
        return self.data_dir / "cache"

    @property
    def uploads_dir(self) -> Path:
        """Where an older briefbot stored briefings added from Discord (adopted on start)."""
        return self.data_dir / "briefings"


def default_briefings() -> Path:
    """``./briefings`` if there is one, else the briefings bundled with briefbot."""
    local = Path("briefings")
    return local if local.is_dir() else PROJECT_BRIEFINGS


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Settings from ``environ`` (default: the process environment plus ``.env``)."""
    if environ is None:
        if dotenv:
            from dotenv import find_dotenv, load_dotenv

            # The .env of the folder briefbot runs in (or a parent), not of the package.
            path = find_dotenv(usecwd=True)
            try:
                load_dotenv(path, override=False, encoding="utf-8")
            except UnicodeDecodeError:
                raise SettingsError(
                    f"{path} is not UTF-8 text (saved as UTF-16?); save it as UTF-8"
                ) from None
        environ = os.environ
    _refuse_blank(environ)
    env = {key: value.strip() for key, value in environ.items() if value.strip()}
    token = _token(env)
    shard_count, shard_ids = _shards(env)
    return Settings(
        briefings=_paths(env.get("BRIEFBOT_BRIEFINGS")) or (default_briefings(),),
        data_dir=Path(env["BRIEFBOT_DATA_DIR"]) if "BRIEFBOT_DATA_DIR" in env else _user_data(),
        token=Secret(token) if token else None,
        guild_id=_snowflake(env, "BRIEFBOT_GUILD_ID"),
        message_content=_bool(env, "BRIEFBOT_MESSAGE_CONTENT", default=False),
        prefix=_prefix(environ),
        cooldown_seconds=_seconds(env, "BRIEFBOT_COOLDOWN_SECONDS", 5.0, MAX_COOLDOWN_SECONDS),
        shard_count=shard_count,
        shard_ids=shard_ids,
        log_level=_log_level(env),
        database_url=Secret(env["BRIEFBOT_DATABASE_URL"])
        if "BRIEFBOT_DATABASE_URL" in env
        else None,
        log_discord_debug=_bool(env, "BRIEFBOT_LOG_DISCORD_DEBUG", default=False),
        keep_questions=_bool(env, "BRIEFBOT_KEEP_QUESTIONS", default=False),
        retention_days=_days(env, "BRIEFBOT_RETENTION_DAYS", 30, MAX_RETENTION_DAYS),
        cache_max_bytes=_bytes(env, "BRIEFBOT_CACHE_MAX_BYTES", DEFAULT_CACHE_MAX_BYTES),
    )


def _user_data() -> Path:
    """The user's data folder for briefbot, as the platform places it."""
    import platformdirs  # only when BRIEFBOT_DATA_DIR does not say

    return Path(platformdirs.user_data_dir("briefbot"))


def _token(env: Mapping[str, str]) -> str | None:
    """The token, or None; SettingsError (never showing it) if it cannot be one."""
    token = env.get("DISCORD_TOKEN")
    # Discord tokens are printable ASCII without spaces: anything else was mis-pasted.
    if token is not None and not (token.isascii() and token.isprintable() and " " not in token):
        raise SettingsError(
            "DISCORD_TOKEN has a space, line break or control character in it: copy the "
            "token again from the Developer Portal (Applications > your app > Bot)"
        )
    return token


def _shards(env: Mapping[str, str]) -> tuple[int | None, tuple[int, ...] | None]:
    """Shard count and this process's shard ids, checked against each other."""
    count = _int(env, "BRIEFBOT_SHARD_COUNT")
    ids = _ints(env, "BRIEFBOT_SHARD_IDS")
    if count is not None and count < 1:
        raise SettingsError("BRIEFBOT_SHARD_COUNT must be at least 1")
    if count is not None and count > MAX_SHARD_COUNT:
        raise SettingsError(
            f"BRIEFBOT_SHARD_COUNT must be at most {MAX_SHARD_COUNT:,}, "
            f"not {env['BRIEFBOT_SHARD_COUNT'][:40]}"
        )
    if ids is not None:
        if count is None:
            raise SettingsError("BRIEFBOT_SHARD_IDS needs BRIEFBOT_SHARD_COUNT as well")
        if not ids or any(not 0 <= shard < count for shard in ids):
            raise SettingsError(
                f"BRIEFBOT_SHARD_IDS must be numbers from 0 to {count - 1} "
                "(one less than BRIEFBOT_SHARD_COUNT)"
            )
        if len(set(ids)) != len(ids):
            twice = next(shard for shard in ids if ids.count(shard) > 1)
            raise SettingsError(f"BRIEFBOT_SHARD_IDS lists shard {twice} more than once")
    return count, ids


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("BRIEFBOT_LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"BRIEFBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    return level


def _refuse_blank(environ: Mapping[str, str]) -> None:
    """Refuse settings that are only spaces where a blank would quietly mean the default.

    An empty value (``BRIEFBOT_BRIEFINGS=`` as in .env.example) means the default;
    one of spaces was meant to say something, and "the current folder" is never it.
    """
    briefings = environ.get("BRIEFBOT_BRIEFINGS", "")
    parts = briefings.split(os.pathsep)
    if briefings and any(not part.strip() and part for part in parts):
        raise SettingsError(
            "BRIEFBOT_BRIEFINGS has a path of only spaces: name briefing files or folders "
            f"separated by {os.pathsep!r}, or leave it empty for the default"
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
        raise SettingsError(f"{name} must be a whole number, not {env[name][:40]!r}") from None


def _snowflake(env: Mapping[str, str], name: str) -> int | None:
    """A Discord id: a whole number from 1 to 2⁶³ − 1."""
    value = _int(env, name)
    if value is not None and not 0 < value < SNOWFLAKE_LIMIT:
        raise SettingsError(f"{name} must be a Discord id (a positive whole number), not {value}")
    return value


def _ints(env: Mapping[str, str], name: str) -> tuple[int, ...] | None:
    """Whole numbers separated by commas; an empty item (``0,,1``) is a typo, not skipped."""
    if name not in env:
        return None
    parts = [part.strip() for part in env[name].split(",")]
    if not all(part.isascii() and part.isdigit() for part in parts):
        # Not repeated back: a token pasted into the wrong line would be shown.
        raise SettingsError(f"{name} must be whole numbers separated by commas, such as 0,1")
    return tuple(int(part) for part in parts)


def _prefix(environ: Mapping[str, str]) -> str:
    """The channel-command prefix: "!" unless set; refused if no message could start with it.

    Set but empty or spaces would silently be "!"; a space or line break
    inside cannot be typed as one word; "@" starts a mention in Discord.
    """
    if "BRIEFBOT_PREFIX" not in environ:
        return "!"
    prefix = environ["BRIEFBOT_PREFIX"].strip()
    if not prefix or not prefix.isprintable() or any(c.isspace() for c in prefix):
        raise SettingsError(
            "BRIEFBOT_PREFIX must be one or more characters without spaces or line breaks, "
            "such as ? (remove the setting for the default !)"
        )
    if prefix.startswith("@"):
        raise SettingsError(
            "BRIEFBOT_PREFIX must not start with @, which Discord reads as a mention"
        )
    return prefix


def _days(env: Mapping[str, str], name: str, default: int, most: int) -> int:
    """A whole number of days from 1 to ``most``."""
    if name not in env:
        return default
    value = env[name]
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= most):
        raise SettingsError(
            f"{name} must be a whole number of days from 1 to {most:,}, not {value[:40]!r}"
        )
    return int(value)


def _seconds(env: Mapping[str, str], name: str, default: float, most: float) -> float:
    """A number of seconds from 0 to ``most``; inf, nan and the like are refused."""
    if name not in env:
        return default
    try:
        value = float(env[name])
    except ValueError:
        value = math.nan
    if not 0 <= value <= most:  # also false for nan
        raise SettingsError(
            f"{name} must be a number of seconds from 0 to {most:,.0f}, not {env[name][:40]!r}"
        )
    return value


def _bytes(env: Mapping[str, str], name: str, default: int) -> int:
    """A size in bytes: a whole number, optionally with a unit (500MB, 2GB, 1.5GiB)."""
    if name not in env:
        return default
    from decimal import Decimal  # exact for "1.5GiB"; imported only when a size is given

    match = _SIZE.fullmatch(env[name].strip())
    size = Decimal(match[1]) * _UNITS[match[2].upper()] if match else Decimal(0)
    if not 1 <= size <= MAX_CACHE_BYTES:
        raise SettingsError(
            f"{name} must be a size in bytes from 1 byte to 1PB, such as 2000000000, "
            f"500MB or 2GB, not {env[name][:40]!r}"
        )
    return int(size)


def _bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value[:40]!r}")
