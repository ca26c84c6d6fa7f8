"""Run the real bot as a separate process, pointed at a fake Discord in the test process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.bot.conftest import environment
from tests.conftest import PROJECT
from tests.fakediscord import FakeDiscord

START_TIMEOUT = 20.0

# Runs the bot unmodified, with discord.py pointed at the fake (as FakeDiscord
# does in-process). A test may add Python code that runs first (# PRELUDE).
LAUNCHER = """
import runpy, sys
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

api_base, gateway_url, entry = sys.argv[1:4]
Route.BASE = api_base
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
# PRELUDE
if entry == "module":
    sys.argv = ["bot"]
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
else:
    from bot.cli import main
    sys.exit(main(["run"]))
"""


def child_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Only what the bot needs: no developer token or settings leak in."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(PROJECT),
        "PYTHONDONTWRITEBYTECODE": "1",
        **environment(tmp_path / "data", **overrides),
    }
    return {key: value for key, value in env.items() if value}


async def launch(
    fake: FakeDiscord, tmp_path: Path, entry: str = "module", *, prelude: str = "", **env: str
) -> asyncio.subprocess.Process:
    """Start the bot (``python -m bot``, or ``briefbot run`` for entry "cli") in tmp_path."""
    code = LAUNCHER.replace("# PRELUDE", prelude)
    return await _python(tmp_path, "-c", code, fake.api_base, fake.gateway_url, entry, **env)


async def run_python(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    """Run ``python ARGS`` in tmp_path with the bot's environment; its exit code and output."""
    return await finish(await _python(tmp_path, *args, **env))


async def _python(tmp_path: Path, *args: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=tmp_path,
        env=child_environment(tmp_path, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def connected(fake: FakeDiscord, process: asyncio.subprocess.Process) -> None:
    """Until the bot process is connected; fails at once (with its output) if it exits."""
    waiting = asyncio.create_task(fake.wait_until_connected(timeout=START_TIMEOUT))
    exited = asyncio.create_task(process.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        _, output = await finish(process)
        pytest.fail(f"the bot exited with {process.returncode} before connecting:\n{output}")
    exited.cancel()
    waiting.result()


async def finish(
    process: asyncio.subprocess.Process, timeout: float = START_TIMEOUT
) -> tuple[int, str]:
    """Wait for the process to end (killing it after ``timeout``); its code and output."""
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode, out.decode() + err.decode()


async def stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """Send SIGTERM if the process still runs, then ``finish`` it."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    return await finish(process)
