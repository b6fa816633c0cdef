"""Every staff page in Chinese says things in words: no status, action, unit or role code,
no username where a name exists, no ISO or UTC time stamp and no "None" in what a person
reads (text nodes and the page title; scripts, styles and attributes are not read).

The pages and the data behind them are the tour in ``page_tour``; the codes come from the
vocabularies themselves and from the test database's org units and staff, so a new code
is checked the day it is added.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from careloop.domain import callbacks
from careloop.domain.incidents import IncidentStatus
from careloop.domain.lifecycle import tickets
from careloop.domain.vocabulary import ROLES
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.web import page_tour
from tests.integration.web.helpers import web_client


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the words on the pages do not depend on the engine."""
    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


class _VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside script, style, template and hidden parts."""

    SKIPPED = frozenset({"script", "style", "template", "noscript"})
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        hidden = tag in self.SKIPPED or any(name == "hidden" for name, _ in attrs)
        self._stack.append(hidden or (bool(self._stack) and self._stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _token(code: str) -> re.Pattern[str]:
    """`code` standing alone (not inside a longer word, number or code)."""
    return re.compile(rf"(?<![A-Za-z0-9_.-]){re.escape(code)}(?![A-Za-z0-9_-])")


RAW_TIME = [
    re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),  # an ISO stamp
    re.compile(r"\d{2}:\d{2}(:\d{2})?(\.\d+)?[+-]\d{2}:\d{2}"),  # a time with its offset
    re.compile(r"\bUTC\b"),
    re.compile(r"(?<![A-Za-z])None(?![A-Za-z])"),
    re.compile(r"⟦"),  # a missing translation
]


def forbidden_codes(database_url: str) -> dict[str, re.Pattern[str]]:
    """Every code a page might leak, by what it is."""
    codes: dict[str, str] = {}
    for status in (*tickets.Status, *tickets.WorkOrderStatus, *IncidentStatus):
        codes[status.value] = "status"
    for name in (*tickets.TRANSITIONS, *tickets.WORK_ORDER_TRANSITIONS):
        codes[name] = "action"
    for outcome in (*callbacks.CALLBACK_OUTCOME_LABELS, *callbacks.APPEAL_OUTCOME_LABELS):
        codes[str(outcome)] = "outcome"
    for role in ROLES:
        codes[role] = "role"
    engine = create_engine(database_url)
    with engine.connect() as conn:
        for (action,) in conn.execute(text("SELECT DISTINCT action FROM events")):
            codes[action] = "action"
        for (code,) in conn.execute(text("SELECT code FROM org_units")):
            # One-letter codes (the test org's "G", "P") also spell ordinary words; the
            # real province's unit codes are never one letter.
            if len(code) > 1:
                codes[code] = "unit"
        for (username,) in conn.execute(text("SELECT username FROM staff")):
            codes.setdefault(username, "username")
    engine.dispose()
    return {f"{kind} {code!r}": _token(code) for code, kind in codes.items()}


def leaks(page_text: str, forbidden: dict[str, re.Pattern[str]]) -> list[str]:
    found = [
        f"{what} in «{page_text[max(0, m.start() - 30) : m.end() + 30]}»"
        for what, pattern in forbidden.items()
        if (m := pattern.search(page_text))
    ]
    found += [
        f"raw {p.pattern!r} in «{page_text[max(0, m.start() - 30) : m.end() + 30]}»"
        for p in RAW_TIME
        if (m := p.search(page_text))
    ]
    return found


def test_the_visible_text_parser_reads_text_not_markup():
    html = (
        '<title>TS1 状态</title><p data-status="in_progress">处理中 <b>王坐席</b></p>'
        '<script>var s = "accepted";</script><input value="None"><p hidden>agent1</p>'
        "<time datetime='2026-09-28T02:00:00+00:00'>2026-09-28 10:00</time>"
    )
    assert visible_text(html) == "TS1 状态 处理中 王坐席 2026-09-28 10:00"
    forbidden = {"status 'accepted'": _token("accepted"), "unit 'C1-K1'": _token("C1-K1")}
    assert leaks("受理 · C1-K1-NET · accepted_at", forbidden) == []
    assert leaks("状态：accepted → C1-K1", forbidden) == [
        "status 'accepted' in «状态：accepted → C1-K1»",
        "unit 'C1-K1' in «状态：accepted → C1-K1»",
    ]
    assert leaks("到期 2026-09-28T10:00+08:00 None", {})


def test_every_page_in_chinese_shows_words_not_codes(
    server: LiveServer, api: Api, clock: MovableClock, database_url: str
):
    ids = page_tour.build(server, api, clock)
    forbidden = forbidden_codes(database_url)
    clients = {}
    problems: dict[str, list[str]] = {}
    for stop in page_tour.PAGES:
        if stop.who not in clients:
            clients[stop.who] = web_client(server.url, stop.who, lang="zh")
        path = stop.path.format(**ids)
        # A report of a period is computed on first request: more time than a page.
        response = clients[stop.who].get(path, timeout=180)
        assert response.status_code in (200, 404), f"{path}: {response.status_code}"
        assert response.headers["content-type"].startswith("text/html"), path
        found = leaks(visible_text(response.text), forbidden)
        if found:
            problems[f"{stop.who} {path}"] = found
    assert not problems, "\n".join(
        f"{page}:\n  " + "\n  ".join(found) for page, found in problems.items()
    )

    # The trail reads newest first, with units and staff by name and statuses in words.
    html = clients["agent1"].get(f"/complaints/{ids['returned']}").text
    trail = re.search(r'<ol class="timeline"[^>]*>(.*?)</ol>', html, re.S)
    assert trail, "the complaint page shows its trail"
    entries = [visible_text(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", trail.group(1), re.S)]
    assert entries[0].startswith("2026-09-28 10:00 工单退回 · 工单 #2 · 赵网络"), entries[0]
    assert "状态：已派单 → 已退回" in entries[0] and "非网络问题" in entries[0]
    assert "责任单位：西区网络部" in entries[1] and "办理时限：2026-09-30 10:00" in entries[1]
    assert entries[-1].startswith("2026-09-28 10:00 受理 · 王坐席"), entries[-1]
    merged = clients["agent1"].get(f"/complaints/{ids['merged']}").text
    assert "repeat of complaint" not in merged  # CareLoop's own note, in the reader's language
