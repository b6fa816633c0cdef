"""The HTTP channels stay channels: no store, no toolkit, no session, no reaching across."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import careloop

SRC = Path(careloop.__file__).parent
FORBIDDEN = ("careloop.store", "sqlalchemy", "careloop.jobs", "careloop.web")
COMPOSITION = SRC / "api" / "app.py"
"""The one API module that mounts the pages beside the API."""


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _offending(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    offending = {}
    for path in sorted((SRC / package).rglob("*.py")):
        allowed = ("careloop.web",) if path == COMPOSITION else ()
        bad = [
            name
            for name in _imports(path)
            if name.startswith(forbidden) and not name.startswith(allowed)
        ]
        if bad:
            offending[str(path.relative_to(SRC))] = sorted(bad)
    return offending


def test_the_api_imports_neither_the_store_nor_the_jobs_nor_the_pages() -> None:
    assert _offending("api", FORBIDDEN) == {}


def test_the_shared_http_plumbing_imports_no_channel() -> None:
    assert _offending("http", (*FORBIDDEN, "careloop.api")) == {}


def test_no_api_route_touches_a_session() -> None:
    touching = [
        str(path.relative_to(SRC))
        for path in sorted((SRC / "api").rglob("*.py"))
        if re.search(r"\.session\b", path.read_text(encoding="utf-8"))
    ]
    assert touching == []


def test_the_api_asks_the_services_for_reports_and_never_renders_them() -> None:
    assert _offending("api", ("careloop.reports",)) == {}


def test_the_shared_http_plumbing_touches_no_session() -> None:
    touching = [
        str(path.relative_to(SRC))
        for path in sorted((SRC / "http").rglob("*.py"))
        if re.search(r"\.session\b", path.read_text(encoding="utf-8"))
    ]
    assert touching == []
