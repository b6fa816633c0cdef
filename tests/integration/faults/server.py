"""`careloop serve` as a real subprocess on a loopback port, to be killed and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import TEST_PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    def __init__(self, database_url: str, log_dir: Path, **env: str) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.log_path = log_dir / f"serve-{self.port}.log"
        self.env = {
            **os.environ,
            "CARELOOP_DATABASE_URL": database_url,
            # The burst is the test's own load, not abuse: no per-user intake limit here.
            "CARELOOP_INTAKE_RATE_PER_MINUTE": "0",
            "CARELOOP_LOGIN_RATE_PER_MINUTE": "0",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> ServerProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "careloop.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def token(self, username: str = "agent1") -> str:
        response = httpx.post(
            f"{self.url}/api/v1/auth/login",
            json={"username": username, "password": TEST_PASSWORD},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def client(self, token: str, timeout: float = 10) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )
