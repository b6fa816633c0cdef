"""The deployment files checked against the code they start (scripts/check_compose.py), and
started for real where a container runtime answers (skipped cleanly where none does)."""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_compose", ROOT / "scripts/check_compose.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    return loaded


def test_shipped_files_have_no_findings() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/check_compose.py")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no findings" in done.stdout


def test_a_broken_compose_file_is_caught() -> None:
    broken = copy.deepcopy(_compose())
    services = broken["services"]
    services["api"]["command"] = ["serve", "--threads", "4"]
    services["worker"]["command"] = ["work"]
    services["worker"]["depends_on"] = {"db": {"condition": "service_healthy"}}
    services["migrate"]["environment"] = {
        **services["migrate"]["environment"],
        "CARELOOP_SECRET_KEY": "written-in-clear",
        "CARELOOP_DATABSE_URL": "postgresql+psycopg://x@db/careloop",
    }
    services["api"]["healthcheck"]["test"] = ["CMD", "curl", "http://127.0.0.1:8000/ready-or-not"]
    del services["db"]["volumes"]
    findings = "\n".join(checker.check_compose(broken))
    assert "`careloop serve` has no option --threads" in findings
    assert "`careloop work` is not a command" in findings
    assert "worker: must start after migrate completed successfully" in findings
    assert "CARELOOP_SECRET_KEY is written into the file" in findings
    assert "CareLoop reads no variable CARELOOP_DATABSE_URL" in findings
    assert "/ready-or-not, which the app does not serve" in findings
    assert "named volume" in findings


def test_an_image_running_as_root_with_a_compiler_is_caught() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    bad = text.replace("USER careloop", "USER root").replace(
        "fonts-noto-cjk tzdata", "fonts-noto-cjk tzdata gcc"
    )
    findings = "\n".join(checker.check_dockerfile(bad))
    assert "non-root USER" in findings
    assert "build tool gcc" in findings
    assert checker.check_dockerfile(text) == []


@pytest.mark.skipif(
    checker.compose_cli() is None or not checker.runtime_up(),
    reason="no container runtime answers here (docker info fails)",
)
def test_the_stack_starts_and_becomes_ready() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/check_compose.py"), "--up"], text=True
    )
    assert done.returncode == 0
