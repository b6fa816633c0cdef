"""/readyz fails while PostgreSQL is stopped and /livez does not (and /metrics says so).

The shared server on 5432 serves every other session, so this test starts a private,
throwaway cluster (initdb + pg_ctl, on a free port, in a temporary directory), migrates it,
points a real server at it, then stops the cluster under the server. Skipped where the
PostgreSQL server binaries are not installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from careloop.api.app import create_app
from careloop.config import Settings
from careloop.store.migrate import upgrade
from tests.conftest import LiveServer, MovableClock
from tests.integration.faults.server import free_port


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivateCluster:
    """A PostgreSQL cluster of this test alone; run as the ``postgres`` user when the tests
    run as root (initdb refuses root)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="careloop-pg-"))
        self.data = self.root / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and no postgres user to run initdb as")
            self.user = "postgres"
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        # -l: the server's output to a file, not the pipe this test would wait on forever.
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    private = PrivateCluster(bin_dir)
    try:
        private.init()
        yield private
    finally:
        private.remove()


def test_readyz_fails_while_postgresql_is_stopped_and_livez_does_not(
    cluster: PrivateCluster, clock: MovableClock
):
    upgrade(cluster.url)
    app = create_app(Settings(database_url=cluster.url), clock=clock)
    try:
        with LiveServer(app) as server:
            ready = httpx.get(f"{server.url}/readyz")
            assert ready.status_code == 200, ready.text
            assert [c["name"] for c in ready.json()["checks"]] == [
                "database",
                "migrations",
                "job_queue",
            ]

            cluster.stop()
            down = httpx.get(f"{server.url}/readyz", headers={"Accept-Language": "en"})
            assert down.status_code == 503, down.text
            assert down.json()["failed"] == "database"
            assert "does not answer" in down.json()["message"]
            assert "postgres@" not in down.text and "127.0.0.1" not in down.text
            assert httpx.get(f"{server.url}/livez").status_code == 200
            scraped = httpx.get(f"{server.url}/metrics")
            assert scraped.status_code == 200
            assert "careloop_database_up 0.0" in scraped.text

            cluster.start()
            back = httpx.get(f"{server.url}/readyz")
            assert back.status_code == 200, back.text
    finally:
        app.state.engine.dispose()
