"""Start the Discord bot: ``python -m bot`` (``briefbot run`` does the same).

Settings come from the environment and ``.env``; the index is loaded (or
built) before connecting, outside the event loop. A missing or rejected
token, or any other start-up problem, is one line on stderr and exit code 2;
the token itself is never printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
import time

import discord

from bot.client import GuildSyncError, create_bot
from bot.library import Library
from bot.settings import Settings, SettingsError, load_settings
from bot.store import StoreError
from index.briefingtable import paragraph_arrays
from index.loading import BriefingsNotFoundError

log = logging.getLogger("briefbot")

EXIT_ERROR = 2
LOGIN_MISSING = (
    "DISCORD_TOKEN is not set: copy the bot token from the Discord Developer Portal "
    "(Applications > your app > Bot) into the environment or .env"
)
LOGIN_REJECTED = (
    "Discord rejected the token in DISCORD_TOKEN: reset it in the Developer Portal "
    "(Applications > your app > Bot) and update the environment or .env"
)
INTENT_DENIED = (
    "Discord refused the message content intent: enable it in the Developer Portal "
    "(Bot > Privileged Gateway Intents) or set BRIEFBOT_MESSAGE_CONTENT=false"
)
_REJECTED_TOKEN_CLOSE_CODE = 4004


def main() -> int:
    """Run the bot with settings from the environment; returns the exit code."""
    from bot.cli import tolerate_any_terminal

    tolerate_any_terminal()
    try:
        settings = load_settings()
    except SettingsError as error:
        return _fail(str(error))
    return run(settings)


def run(settings: Settings) -> int:
    """Load the briefings, connect, and serve until stopped; returns the exit code."""
    if settings.token is None:
        return _fail(LOGIN_MISSING)
    setup_logging(settings)
    started = time.perf_counter()
    try:
        library = Library.load(settings)
    except (BriefingsNotFoundError, StoreError, ValueError) as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{error.filename or 'file'}: {error.strerror or error}")
    # What is loaded now lives as long as the process: keep it out of the garbage
    # collector's full passes, each of which would pause the event loop longer.
    gc.freeze()
    _log_loaded(library, time.perf_counter() - started)
    try:
        return _serve(settings, library)
    finally:
        library.close()


def _log_loaded(library: Library, seconds: float) -> None:
    """What the bot answers from: briefings, paragraphs, chunks, uploads, and how long it took."""
    configured = library.index(None)
    # Counted from the paragraph spans: a paragraph object each would cost seconds at 1M.
    paragraphs = sum(len(paragraph_arrays(s.briefings)[0]) for s in configured.segments)
    log.info(
        "loaded %d configured briefing(s), %d paragraphs, %d chunks, and %d upload(s) in %.2f s",
        len(configured.briefings),
        paragraphs,
        configured.size,
        len(library.shelf.uploads),
        seconds,
    )


def _serve(settings: Settings, library: Library) -> int:
    try:
        asyncio.run(serve(settings, library))
    except discord.LoginFailure:
        return _fail(LOGIN_REJECTED)
    except discord.PrivilegedIntentsRequired:
        return _fail(INTENT_DENIED)
    except GuildSyncError as error:
        return _fail(str(error))
    except discord.ConnectionClosed as error:
        if error.code == _REJECTED_TOKEN_CLOSE_CODE:
            return _fail(LOGIN_REJECTED)
        return _fail(f"Discord closed the connection (code {error.code}); see the log above")
    except KeyboardInterrupt:
        pass
    return 0


def setup_logging(settings: Settings) -> None:
    """Log at the configured level, but keep discord.py's payload logging off unless asked.

    At DEBUG, discord.py logs every gateway event and HTTP body, message text
    included; that needs ``BRIEFBOT_LOG_DISCORD_DEBUG`` as well.
    """
    level = logging.getLevelNamesMapping()[settings.log_level]
    discord.utils.setup_logging(level=level)
    if level < logging.INFO and not settings.log_discord_debug:
        logging.getLogger("discord").setLevel(logging.INFO)


async def serve(settings: Settings, library: Library) -> None:
    """Connect and serve until the bot is closed (SIGTERM and Ctrl+C close it)."""
    if settings.token is None:
        raise SettingsError(LOGIN_MISSING)
    async with create_bot(settings, library) as bot:
        _close_on_sigterm(bot)
        await bot.start(settings.token.value)


def _close_on_sigterm(bot: discord.Client) -> None:
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # not on Windows
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))


def _fail(message: str) -> int:
    print(f"briefbot: error: {message}", file=sys.stderr)  # noqa: T201 - the one line
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
