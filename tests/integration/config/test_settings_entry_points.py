"""Every entry point reads its policies from the one Settings object: a bad value stops it
with one line naming the variable (exit 2, no traceback), and the settings other modules
used to read from the environment themselves arrive through it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from careloop.api.app import create_app
from careloop.config import Settings, SettingsError
from careloop.jobs.runner import public_url
from careloop.notify import WebhookAdapter
from tests.conftest import LiveServer


def _clean_environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("CARELOOP_")}
    return {**env, "CARELOOP_DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite3'}"}


@pytest.mark.parametrize(
    "command",
    [
        ["careloop", "serve"],
        ["careloop", "up"],
        ["careloop", "worker", "--once"],
        ["careloop.cli", "migrate"],
    ],
    ids=lambda command: " ".join(command),
)
def test_a_bad_value_stops_each_command_with_one_line_and_exit_2(
    tmp_path: Path, command: list[str]
):
    module, *args = command
    env = {**_clean_environment(tmp_path), "CARELOOP_PORT": "x", "CARELOOP_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == "Settings error: CARELOOP_PORT: 'x' is not a whole number\n"
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "never.sqlite3").exists()  # stopped before touching anything


def test_the_console_script_says_it_in_chinese_by_default(tmp_path: Path):
    script = Path(sys.executable).with_name("careloop")
    if not script.exists():
        pytest.skip("the careloop console script is not installed next to this Python")
    env = {**_clean_environment(tmp_path), "CARELOOP_OIDC_ROLE_MAP": '{"admins": "root"}'}
    done = subprocess.run(
        [str(script), "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("配置错误：CARELOOP_OIDC_ROLE_MAP ") and "root" in line


def test_the_asgi_factory_raises_the_same_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARELOOP_LANG", "en")
    monkeypatch.setenv("CARELOOP_SESSION_HOURS", "all day")
    with pytest.raises(SettingsError) as refused:
        create_app()
    assert str(refused.value) == (
        "Settings error: CARELOOP_SESSION_HOURS: 'all day' is not a number"
    )


def test_the_former_direct_reads_come_from_the_apps_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_template: Path
):
    database = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, database)
    monkeypatch.chdir(tmp_path)
    # Set in a .env file, not the environment: nothing but Settings reads that file.
    (tmp_path / ".env").write_text(
        f"CARELOOP_DATABASE_URL=sqlite:///{database}\n"
        "CARELOOP_METRICS_TOKEN=from-dotenv\n"
        "CARELOOP_READY_TIMEOUT_SECONDS=5\n"
        "CARELOOP_PUBLIC_URL=https://careloop.example.cn/\n"
        "CARELOOP_NOTIFY=live\n"
        "CARELOOP_WEBHOOK_URL=http://hooks.invalid/careloop\n",
        "utf-8",
    )
    for name in list(os.environ):
        if name.upper().startswith("CARELOOP_"):
            monkeypatch.delenv(name)
    app = create_app()
    try:
        settings: Settings = app.state.settings
        assert settings.ready_timeout_seconds == 5.0
        assert public_url(settings) == "https://careloop.example.cn"
        assert isinstance(app.state.platform.adapters["webhook"], WebhookAdapter)
        assert app.state.platform.adapters["sms"].name == "recording"  # no gateway set
        with LiveServer(app) as server:
            refused = httpx.get(f"{server.url}/metrics")  # loopback, but a token is set
            assert refused.status_code == 401
            allowed = httpx.get(
                f"{server.url}/metrics", headers={"Authorization": "Bearer from-dotenv"}
            )
            assert allowed.status_code == 200
            assert httpx.get(f"{server.url}/readyz").status_code == 200
    finally:
        app.state.engine.dispose()
