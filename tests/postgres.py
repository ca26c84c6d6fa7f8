"""A throwaway PostgreSQL server for the tests, in a temporary directory.

It is Debian's ``postgresql`` package's own server (initdb and pg_ctl from
``/usr/lib/postgresql/<version>/bin``), listening only on a Unix socket in
its directory. PostgreSQL refuses to run as root, so as root it runs as the
``postgres`` user the package creates. Without the binaries the tests that
need it are skipped, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

SERVER_USER = "postgres"


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_major)
    return found[-1].parent if found else None


def _major(initdb: Path) -> int:
    version = initdb.parent.parent.name
    return int(version) if version.isdigit() else 0


class PostgresServer:
    """A running server; ``url(name)`` is a database on it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._databases = 0

    def url(self, database: str = "postgres") -> str:
        """The connection URL of ``database``, over the server's Unix socket."""
        return f"postgresql://briefbot@/{database}?host={self.directory}"

    def new_database(self) -> str:
        """A new, empty database's URL."""
        self._databases += 1
        name = f"test_{os.getpid()}_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a server in a new temporary directory; stop it and delete the directory after."""
    binaries = server_binaries()
    if binaries is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed; .ci/run installs the postgresql package")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="briefbot-pg-"))
    as_user = _as_server_user(directory)
    data = directory / "data"
    try:
        _run([*as_user, binaries / "initdb", "-D", data, "-U", "briefbot", "-A", "trust"])
        options = f"-c listen_addresses='' -k {directory} -c fsync=off"
        # -l: the server's output goes to a file, not to the pipe this process reads.
        log = directory / "server.log"
        _run([*as_user, binaries / "pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start"])
        try:
            yield PostgresServer(directory)
        finally:
            _run([*as_user, binaries / "pg_ctl", "-D", data, "-m", "immediate", "-s", "stop"])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _as_server_user(directory: Path) -> list[str]:
    """The command prefix that runs a program as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    user = pwd.getpwnam(SERVER_USER)
    os.chown(directory, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", SERVER_USER, "--"]


def _run(command: list[object]) -> None:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"{command[-1]} failed: {result.stdout}{result.stderr}")
