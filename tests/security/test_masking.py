"""Personal data in every output format, for every role (docs/security.md, Personal data).

One complaint carries a mobile number in its phone field and, in its free text (description,
dispatch instructions, a unit's result and its reason for returning a work order, a note,
the reply), the same number written four ways (plain, with spaces, with dashes and +86,
+86 glued on) and an 18-digit resident ID number. It is escalated (so the supervisor board
lists it) and five more complaints share its category, county and product on the same day
(so the daily report flags that cell and lists the complaints behind the flag).

Roles that may not see it unmasked (the inspector always; a billing handler of the same city
who is not involved) read every GET route the app serves, generated from its route table and
OpenAPI document: JSON answers, exports, reports (HTML, XLSX, PDF text) and pages. None may
hold any of the raw spellings. Roles that may see it do see the number, where they should.
The server's access log lines, which print query strings, hold none either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

import pytest
from uvicorn.logging import AccessFormatter

from tests.integration.api.helpers import act, create
from tests.security.conftest import Stack
from tests.security.probes import (
    enum_of,
    fill,
    reference_values,
    routes_of,
    text_of,
    web_client,
    where,
)

DAY = "2026-09-28"
MARK = "PIIMARKQ"
PII_TEXT = (
    f"{MARK} 客户要求回电 13912348765 或 139 1234 8765 或 +86 139-1234-8765 "
    "或 +8613912348765，身份证号 110101199003071234。"
)
RAW = [
    "13912348765",
    "139 1234 8765",
    "139-1234-8765",
    "+8613912348765",
    "110101199003071234",
    "6222020200112233",
    "孙女士",
]
"""What a role without the right must never read: the number in each spelling, the ID
number, the account number and the full name."""
MASKED_PHONE = "139****8765"

MASKED_VIEWS = ["inspector", "bill1"]
"""The regulator's inspector never unmasks; the city's billing handler sees the complaint
(their city) but is not involved in it (docs/security.md, Roles and rights)."""
UNMASKED_VIEWS = ["agent1", "agent2", "net1", "lead1", "super1", "admin"]
"""The owner and their hotline, the unit holding its work orders, the city's lead, and the
province's quality staff."""
EXPORT_UNMASKED = {"super1", "admin"}
MASKED_EXPORTS = ["agent1", "net1", "lead1", "inspector", "bill1"]


@dataclass
class PiiWorld:
    complaint_id: int
    number: str
    work_orders: list[int]
    incident_id: int
    task_id: int = 0
    supervisor_id: int = 0
    submission_id: int = 0
    case_id: int = 0
    inspection_id: int = 0
    spam_case_id: int = 0
    spam_report: tuple[int, int] = (0, 0)
    """A spam report quoting the customer and its campaign."""


def _spam_report_quoting(stack: Stack, text: str) -> tuple[int, int]:
    """A spam SMS the customer forwarded from their own number, in the complaint's district,
    its text quoting them: (report, campaign), masked like a complaint."""
    stored = stack.api.as_("admin").post(
        "/api/v1/spam/forwarded",
        json={"message_id": "masking-probe", "reporter_phone": "13912348765",
              "sender": "10657009876", "text": text, "region": "C1-K1",
              "received_at": f"{DAY}T09:00:00+08:00"},
    )  # fmt: skip
    assert stored.status_code == 201, stored.text
    report = stack.api.as_("admin").get(f"/api/v1/spam/reports/{stored.json()['id']}").json()
    return int(report["id"]), int(report["campaign_id"])


def _spam_case_quoting(stack: Stack, text: str) -> int:
    """A port enforcement case in the complaint's district, warned with evidence that
    quotes the customer who reported it: masked like a complaint's text."""
    from careloop.domain.spam.reports import PortDayCounts
    from careloop.services.spam import enforcement
    from careloop.services.unit_of_work import UnitOfWork
    from careloop.store.database import make_engine, make_session_factory

    engine = make_engine(stack.database_url)
    counts = [PortDayCounts("10657009876", stack.clock.now.date(), 40, 20, None, 0)]
    with UnitOfWork(make_session_factory(engine)) as uow:
        enforcement.open_cases_from_counts(
            uow, counts, stack.clock.now, region_of={"10657009876": "C1-K1"}.get
        )
    engine.dispose()
    boss = stack.api.as_("super1")
    case = boss.get("/api/v1/spam-enforcement/cases").json()["items"][0]
    act(boss, f"/api/v1/spam-enforcement/cases/{case['id']}/sanctions",
        version=case["version"], action="warn", evidence=text)  # fmt: skip
    return int(case["id"])


def _inspection_quoting(stack: Stack, text: str) -> int:
    """A submitted store visit whose evidence quotes the customer (an inspector's notes
    may hold what a customer said): its page must mask the number like any other."""
    boss, net1 = stack.api.as_("super1"), stack.api.as_("net1")
    act(boss, "/api/v1/inspections/subjects", kind="store", code="C1-K1-S9",
        name_zh="东区解放路营业厅", unit="C1-K1")  # fmt: skip
    day = stack.clock.now.date()
    act(boss, "/api/v1/inspections/plans", name="九月营业厅明察暗访", kind="store_visit",
        cadence="quarterly", starts_on=(day - timedelta(days=20)).isoformat(),
        ends_on=day.isoformat(), inspectors=["net1"])  # fmt: skip
    visit = net1.get("/api/v1/inspections?mine=true").json()["items"][0]
    checklist = net1.get("/api/v1/checklists/store_visit").json()
    items = [
        {"code": i["code"], "awarded": i["weight"], **{k: text for k in i["evidence"]}}
        for i in checklist["items"]
    ]
    act(net1, f"/api/v1/inspections/{visit['id']}/submit", version=visit["version"], items=items)
    return int(visit["id"])


def _version(client: Any, complaint_id: int) -> int:
    return int(client.get(f"/api/v1/complaints/{complaint_id}").json()["version"])


@pytest.fixture(scope="module")
def pii(stack: Stack) -> PiiWorld:
    agent, net = stack.api.as_("agent1"), stack.api.as_("net1")
    # An outage in the complaint's district: its linked-complaint list shows the customer.
    incident = stack.api.as_("admin").post(
        "/api/v1/incidents",
        json={
            "kind": "network_outage",
            "title": "东区断网",
            "prepared_answer": "抢修中，预计今晚恢复",
            "regions": ["C1-K1"],
            "starts_at": stack.clock.now.isoformat(),
        },
    )
    assert incident.status_code == 201, incident.text
    c = create(
        agent,
        customer={
            "phone": "+86 139 1234 8765",
            "name": "孙女士",
            "account": "6222020200112233",
            "tier": "gold",
        },
        description=PII_TEXT,
        escalated=True,
    )
    cid = c["id"]
    path = f"/api/v1/complaints/{cid}"
    returned = act(
        agent,
        f"{path}/dispatch",
        version=c["version"],
        unit="C1-K1-NET",
        instructions=PII_TEXT,
    )
    act(net, f"/api/v1/work-orders/{returned['id']}/return", version=returned["version"],
        reason=PII_TEXT)  # fmt: skip
    done = act(
        agent,
        f"{path}/dispatch",
        version=_version(agent, cid),
        unit="C1-K1-NET",
        instructions=PII_TEXT,
    )
    done = act(net, f"/api/v1/work-orders/{done['id']}/accept", version=done["version"])
    act(net, f"/api/v1/work-orders/{done['id']}/complete", version=done["version"],
        result=PII_TEXT)  # fmt: skip
    act(agent, f"{path}/notes", text=PII_TEXT)
    act(agent, f"{path}/reply", version=_version(agent, cid), text=PII_TEXT)
    for i in range(5):  # the same cell, the same day: the daily report flags it
        create(agent, customer={"phone": f"1370000{i:04d}"}, description=f"宽带断网 第 {i} 户")
    assert c["incident"]["id"] == incident.json()["id"]
    # A social supervisor with the same number, whose failed observation quotes it and
    # opens a rectification task whose finding quotes it again.
    watcher = stack.api.as_("admin").post(
        "/api/v1/social-supervisors",
        json={"name": "郑监督", "contact_phone": "+86 139 1234 8765", "area_unit": "C1-K1",
              "term_start": "2026-01-01", "term_end": "2027-12-31"},
    )  # fmt: skip
    assert watcher.status_code == 201, watcher.text
    said = stack.api.as_("admin").post(
        "/api/v1/social-supervisors/submissions",
        json={"supervisor_id": watcher.json()["id"], "submission_kind": "observation",
              "target_kind": "unit", "target_unit": "C1-K1-NET", "score": 40,
              "observation": PII_TEXT, "observed_at": stack.clock.now.isoformat(),
              "open_rectification": True},
    )  # fmt: skip
    assert said.status_code == 201, said.text
    # A responsibility case over the complaint, its summary quoting the customer.
    case = act(stack.api.as_("super1"), "/api/v1/accountability/cases",
               source={"kind": "complaint", "id": cid}, unit="C1-HOT", staff="agent1",
               rule="first_question", summary=PII_TEXT)  # fmt: skip
    return PiiWorld(
        cid, c["number"], [returned["id"], done["id"]], incident.json()["id"],
        said.json()["rectification_id"], watcher.json()["id"], said.json()["id"],
        case["id"], _inspection_quoting(stack, PII_TEXT), _spam_case_quoting(stack, PII_TEXT),
        _spam_report_quoting(stack, PII_TEXT),
    )  # fmt: skip


def _every_get(stack: Stack, world: PiiWorld) -> list[tuple[bool, str, dict[str, Any]]]:
    """(is API, path, query) for every GET route and page with the complaint's ids and every
    value of their enumerated parameters (formats)."""
    probes = []
    for route in routes_of(stack.app):
        if route.method != "GET" or route.mount:
            continue
        options = reference_values(stack.app, stack.api, route)
        if "complaint_id" in route.path_params:
            options = [{**o, "complaint_id": world.complaint_id} for o in options]
        if "work_order_id" in route.path_params:
            options = [{**o, "work_order_id": w} for o in options for w in world.work_orders]
        if "incident_id" in route.path_params:
            options = [{**o, "incident_id": world.incident_id} for o in options]
        for param, value in (
            ("task_id", world.task_id),
            ("supervisor_id", world.supervisor_id),
            ("submission_id", world.submission_id),
            ("case_id", world.case_id),
            ("inspection_id", world.inspection_id),
            ("spam_case_id", world.spam_case_id),
            ("report_id", world.spam_report[0]),
            ("campaign_id", world.spam_report[1]),
            # No evidence file is seeded here: a file holds no customer's text, and its
            # routes answer for the task's or inspection's scope before the file's.
            ("file_id", 1),
        ):
            if param in route.path_params:
                options = [{**o, param: value} for o in options]
        if "customer_ref" in route.path_params:  # a customer is named by one of their complaints
            options = [{**o, "customer_ref": world.number} for o in options]
        unknown = [p for p in route.path_params if p not in options[0]]
        assert not unknown, f"GET {route.path}: path parameters {unknown} not classified"
        known = {"date": DAY, "month": DAY[:7]}  # the monthly spam report needs its month
        queries: list[dict[str, Any]] = [known]
        for name, spec in route.query.items():
            values = enum_of(spec)
            queries += [{**known, name: v} for v in values[1:]]
        for values in options:
            for query in queries:
                probes.append((route.api, fill(route.path, values), query))
    return probes


@pytest.mark.parametrize("username", MASKED_VIEWS)
def test_roles_without_the_right_never_read_personal_data_in_any_output(
    stack: Stack, pii: PiiWorld, username: str
):
    api_client, browser = stack.api.as_(username), web_client(stack.api, username)
    failures: list[str] = []
    read = 0
    number_seen = 0
    daily_listing = 0
    for is_api, path, query in _every_get(stack, pii):
        response = (api_client if is_api else browser).get(path, params=query)
        if response.status_code >= 500:
            failures.append(f"{where(response)}: {response.text[:300]}")
            continue
        text = text_of(response) if response.status_code == 200 else response.text
        read += response.status_code == 200
        number_seen += pii.number in text
        # The daily report lists the complaints behind each flag: this one, by its number.
        daily_listing += path.endswith("/daily") and pii.number in text
        leaked = [raw for raw in RAW if raw in text]
        if leaked:
            failures.append(f"{username}: {where(response)} shows {leaked}")
    assert not failures, "\n".join(failures)
    # Not vacuous: the complaint was in what was read (JSON, list, export, page ...), and
    # in each of the daily report's three formats for a role that reads reports.
    assert read >= 10 and number_seen >= 5, (read, number_seen)
    if username == "inspector":
        assert daily_listing >= 3, "the daily report does not list the flagged complaint"


@pytest.mark.parametrize("username", MASKED_VIEWS)
def test_masked_answers_still_show_the_masked_form(stack: Stack, pii: PiiWorld, username: str):
    client = stack.api.as_(username)
    found = client.get(f"/api/v1/complaints/{pii.complaint_id}").json()
    assert found["customer"]["phone"] == MASKED_PHONE
    assert found["customer"]["name"] == "孙**"
    assert MASKED_PHONE in found["description"]
    assert "110101********1234" in found["description"]
    assert found["description"].count(MASKED_PHONE) == 4, found["description"]
    for order in found["work_orders"]:
        for text in (order["instructions"], order["result"], order["reason"]):
            assert text is None or MASKED_PHONE in text, order


@pytest.mark.parametrize("username", UNMASKED_VIEWS)
def test_roles_with_the_right_see_the_number_in_answers_and_pages(
    stack: Stack, pii: PiiWorld, username: str
):
    found = stack.api.as_(username).get(f"/api/v1/complaints/{pii.complaint_id}")
    assert found.status_code == 200, where(found)
    assert found.json()["customer"]["phone"] == "13912348765"
    assert "13912348765" in found.json()["description"]
    page = web_client(stack.api, username).get(f"/complaints/{pii.complaint_id}")
    assert page.status_code == 200, where(page)
    assert "13912348765" in page.text


@pytest.mark.parametrize("username", MASKED_EXPORTS + sorted(EXPORT_UNMASKED))
def test_exports_are_masked_unless_the_role_exports_personal_data(
    stack: Stack, pii: PiiWorld, username: str
):
    client = stack.api.as_(username)
    for fmt in ("csv", "xlsx"):
        response = client.get("/api/v1/complaints/export", params={"format": fmt})
        assert response.status_code == 200, where(response)
        text = text_of(response)
        assert pii.number in text
        if username in EXPORT_UNMASKED:
            assert response.headers["X-Personal-Data"] == "unmasked"
            assert "13912348765" in text
        else:
            assert response.headers["X-Personal-Data"] == "masked"
            leaked = [raw for raw in RAW if raw in text]
            assert not leaked, f"{username} {fmt} export shows {leaked}"
            assert MASKED_PHONE in text


class _Lines(logging.Handler):
    """Every access line, formatted as uvicorn's own access formatter does, and any record
    that formatter cannot print (a lost line)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
        self.lines: list[str] = []
        self.broken: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception as exc:  # a record its own formatter cannot print is a lost line
            self.broken.append(f"{record.name}: {type(exc).__name__}: {exc}")


def test_the_servers_log_lines_hold_no_personal_data(stack: Stack, pii: PiiWorld):
    """Access lines print query strings: personal-data filters typed in any spelling."""
    access = logging.getLogger("uvicorn.access")
    lines = _Lines()
    level = access.level
    access.setLevel(logging.INFO)
    access.addHandler(lines)
    try:
        client = stack.api.as_("super1")
        for value in ("13912348765", "139 1234 8765", "+86 139-1234-8765", "110101199003071234"):
            client.get("/api/v1/complaints", params={"phone": value})
            client.get("/api/v1/complaints", params={"q": value})
            web_client(stack.api, "super1").get("/complaints", params={"q": value})
    finally:
        access.removeHandler(lines)
        access.setLevel(level)
    assert not lines.broken, lines.broken
    assert len(lines.lines) >= 12, lines.lines  # the requests were logged at all
    leaked = [line for line in lines.lines if any(raw in unquote_plus(line) for raw in RAW)]
    assert not leaked, leaked
