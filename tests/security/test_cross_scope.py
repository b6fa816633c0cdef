"""Cross-scope reads through every endpoint and page, and anonymous access to every route.

The routes come from the app itself (``app.openapi()`` and its route table), never from a
list kept here: a new route is probed the day it appears, and one whose parameters the
prober cannot classify fails the suite until someone says what it serves.

Seeded: a complaint in each of two counties of city C1 (east, west), one in city C2 and one
in another province P2, each with a work order, a note, an attachment and an incident of
its region that the complaint is linked to. For every member
of staff, the objects outside their scope must not exist (404 on every GET with an id, never
a 200 or a 403 that tells they exist, never a 5xx) and must not appear in any list, export,
report or page, whatever filter is tried; the objects inside must answer 200 (so a prober
that only ever gets 404 would fail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.api.helpers import act, create
from tests.security.conftest import Stack
from tests.security.probes import (
    RouteInfo,
    csrf_token,
    enum_of,
    fill,
    reference_values,
    routes_of,
    text_of,
    web_client,
    where,
)

DAY = "2026-09-28"
"""The seeded complaints' day (the suite's clock starts on it), for reports."""


@dataclass
class Seeded:
    name: str
    complaint_id: int
    number: str
    work_order_id: int
    phone: str
    marker: str
    region: str
    unit: str
    incident_id: int = 0
    case_id: int = 0
    inspection_id: int = 0
    rectification_id: int = 0
    supervisor_id: int = 0
    submission_id: int = 0
    spam_report_id: int = 0
    spam_campaign_id: int = 0
    spam_case_id: int = 0
    task_file_id: int = 0
    inspection_file_id: int = 0

    def file_id(self, route: RouteInfo) -> int:
        """An evidence file of the task or the inspection the route names."""
        return self.task_file_id if "task_id" in route.path_params else self.inspection_file_id


SEEDS = [
    # name, creator, region, unit dispatched to, phone
    ("east", "agent1", "C1-K1", "C1-K1-NET", "13911110001"),
    ("west", "agent1", "C1-K2", "C1-K2-NET", "13911110002"),
    ("c2", "agentc2", "C2-K1", "C2-K1-NET", "13922220003"),
    ("p2", "agentp2", "P2-C1", "P2-C1-HOT", "13933330004"),
]

VISIBLE: dict[str, set[str]] = {
    "agent1": {"east", "west"},
    "net1": {"east"},
    "net2": {"west"},
    "bill1": {"east", "west"},
    "lead1": {"east", "west"},
    "super1": {"east", "west", "c2"},
    "admin": {"east", "west", "c2"},
    "inspector": {"east", "west", "c2"},
    "agentc2": {"c2"},
    "agentp2": {"p2"},
}
"""Who sees what (docs/security.md, Organisation scope): the specification of this module.
One member of staff of each role and scope (agent2 would repeat agent1)."""

CASE_VISIBLE: dict[str, set[str]] = {
    "agent1": set(),
    "net1": {"east"},
    "net2": {"west"},
    "bill1": set(),
    "lead1": {"east", "west"},
    "super1": {"east", "west", "c2"},
    "admin": {"east", "west", "c2"},
    "inspector": {"east", "west", "c2"},
    "agentc2": set(),
    "agentp2": set(),
}
"""Responsibility cases (责任认定) are narrower than complaints: staff see the cases naming
them, a unit lead their unit's, supervisors their province (docs/accountability.md). Each
seed region's case names its network technician (none in C2; none opened in P2)."""
CASE_OF = {"east": ("C1-K1-NET", "net1"), "west": ("C1-K2-NET", "net2"), "c2": ("C2-K1-NET", None)}
"""Each seed region's responsibility case: the unit and the person it names."""
SCOPED_PARAMS = {
    "complaint_id": "complaint_id",
    "work_order_id": "work_order_id",
    "incident_id": "incident_id",
    "case_id": "case_id",  # a responsibility case: see CASE_VISIBLE
    "inspection_id": "inspection_id",  # an inspection visit (明察暗访)
    "task_id": "rectification_id",  # a rectification task (督促整改)
    "supervisor_id": "supervisor_id",  # a social supervisor (社会监督员), by their area
    "submission_id": "submission_id",  # what one reported, by the unit answering
    "report_id": "spam_report_id",  # a spam report, by the region it was filed under
    "campaign_id": "spam_campaign_id",  # a spam campaign, by its reports' regions
    "spam_case_id": "spam_case_id",  # a port enforcement case, by its owner unit
    "customer_ref": "complaint_id",  # a customer is named by one of their complaints
}
INCIDENT_OPENER = {"east": "lead1", "west": "lead1", "c2": "admin", "p2": "leadp2"}
"""Who opens each seed region's incident (a unit lead in their region, the administrator
in the province; P2 has its own unit lead)."""
INSPECTOR_OF = {"east": "net1", "west": "net2", "c2": "agentc2", "p2": "agentp2"}
"""Who is sent to inspect each seed region's store (someone who sees it anyway: the
inspector sent sees the visit wherever it is)."""
CHILD_PARAMS = {"file_id"}
"""Path parameters naming something inside a scoped object (an evidence file of a task or an
inspection): probed with the seed's own, so the parent's scope decides."""
REFERENCE_PARAMS = {"policy_id", "code", "kind", "year", "study_id", "token", "fmt",
                    "port_id"}  # fmt: skip
"""Path parameters naming something every caller may read (a policy, a language, a report
kind, a calendar year, a port of the spam registry): the route is then probed as a list."""
KNOWN_QUERY = {"date": DAY, "month": DAY[:7]}
"""Values for required query parameters; an unknown required one fails the suite."""
FILTER_PARAMS = ("q", "phone", "region", "unit")
"""Filters tried with the values of an object outside the caller's scope."""


@pytest.fixture(scope="module")
def world(stack: Stack) -> dict[str, Seeded]:
    api = stack.api
    seeded = {}
    for name, creator, region, unit, phone in SEEDS:
        client = api.as_(creator)
        marker = f"SCOPEMARK{name.upper()}Q"
        c = create(
            client,
            region=region,
            customer={"phone": phone, "name": "范先生"},
            description=f"{marker} 宽带断网，请尽快处理",
        )
        order = act(
            client,
            f"/api/v1/complaints/{c['id']}/dispatch",
            version=c["version"],
            unit=unit,
            instructions=f"{marker} 上门",
        )
        act(client, f"/api/v1/complaints/{c['id']}/notes", text=f"{marker} 备注")
        act(
            client,
            f"/api/v1/complaints/{c['id']}/attachments",
            filename=f"{marker}.jpg",
            content_type="image/jpeg",
            size_bytes=10,
        )
        incident = api.as_(INCIDENT_OPENER[name]).post(
            "/api/v1/incidents",
            json={
                "kind": "network_outage",
                "title": f"{marker} 断网",
                "prepared_answer": f"{marker} 抢修中",
                "regions": [region],
                "starts_at": (stack.clock.now - timedelta(hours=1)).isoformat(),
            },
        )
        assert incident.status_code == 201, incident.text
        assert incident.json()["counts"]["linked"] == 1, incident.text
        seeded[name] = Seeded(
            name, c["id"], c["number"], order["id"], phone, marker, region, unit,
            incident.json()["id"],
        )  # fmt: skip
        task = api.as_(INCIDENT_OPENER[name]).post(
            "/api/v1/rectifications",
            json={
                "source": {"kind": "complaint", "id": c["id"]},
                "unit": unit,
                "title": f"{marker} 整改",
                "detail": f"{marker} 宽带断网整改",
            },
        )
        assert task.status_code == 201, task.text
        seeded[name].rectification_id = task.json()["id"]
        watcher = api.as_(INCIDENT_OPENER[name]).post(
            "/api/v1/social-supervisors",
            json={
                "name": f"{marker}监督员",
                "contact_phone": f"1390000{len(seeded):04d}",
                "area_unit": region,
                "term_start": "2026-01-01",
                "term_end": "2027-12-31",
            },
        )
        assert watcher.status_code == 201, watcher.text
        said = api.as_(INCIDENT_OPENER[name]).post(
            "/api/v1/social-supervisors/submissions",
            json={
                "supervisor_id": watcher.json()["id"],
                "submission_kind": "feedback",
                "target_kind": "unit",
                "target_unit": unit,
                "observation": f"{marker} 装维人员未按约上门",
                "observed_at": stack.clock.now.isoformat(),
            },
        )
        assert said.status_code == 201, said.text
        seeded[name].supervisor_id = watcher.json()["id"]
        seeded[name].submission_id = said.json()["id"]
        subject = api.as_(INCIDENT_OPENER[name]).post(
            "/api/v1/inspections/subjects",
            json={"kind": "store", "code": f"STORE-{name}", "name_zh": f"{marker} 营业厅",
                  "unit": unit},
        )  # fmt: skip
        assert subject.status_code == 201, subject.text
        plan = api.as_(INCIDENT_OPENER[name]).post(
            "/api/v1/inspections/plans",
            json={"name": "九月明察暗访", "kind": "store_visit", "cadence": "once",
                  "starts_on": "2026-09-01", "ends_on": "2026-09-30",
                  "inspectors": [INSPECTOR_OF[name]], "subjects": [f"STORE-{name}"]},
        )  # fmt: skip
        assert plan.status_code == 201, plan.text
        visits = api.as_(INSPECTOR_OF[name]).get("/api/v1/inspections", params={"mine": "true"})
        seeded[name].inspection_id = visits.json()["items"][0]["id"]
        jpeg = {"file": (f"{marker}.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)}
        sent = api.as_(INCIDENT_OPENER[name]).post(
            f"/api/v1/rectifications/{task.json()['id']}/evidence", files=jpeg
        )
        assert sent.status_code == 201, sent.text
        seeded[name].task_file_id = sent.json()["id"]
        sent = api.as_(INSPECTOR_OF[name]).post(
            f"/api/v1/inspections/{seeded[name].inspection_id}/evidence",
            data={"item": "environment"},
            files=jpeg,
        )
        assert sent.status_code == 201, sent.text
        seeded[name].inspection_file_id = sent.json()["id"]
    for name, (unit, person) in CASE_OF.items():
        case = api.as_("admin").post(
            "/api/v1/accountability/cases",
            json={
                "source": {"kind": "complaint", "id": seeded[name].complaint_id},
                "unit": unit,
                "staff": person,
                "rule": "first_question",
                "summary": f"{seeded[name].marker} 首问负责制未落实",
            },
        )
        assert case.status_code == 201, case.text
        seeded[name].case_id = case.json()["id"]
    _seed_spam_cases(stack, seeded)
    _seed_spam_reports(stack, seeded)
    # Past every deadline, one sweep: the outbox then holds reminders and escalations that
    # name each complaint, for the scope probes of the notification list.
    stack.clock.advance(days=3)
    swept = api.as_("admin").post("/api/v1/sla/sweep")
    assert swept.status_code == 200, swept.text
    for username in {*VISIBLE, *OWNER_OF.values()}:
        api.token(username, refresh=True)  # sessions ended while the clock moved
    outbox = api.as_("admin").get("/api/v1/sla/notifications", params={"limit": 500})
    assert outbox.json()["total"] >= 3, outbox.text
    return seeded


SPAM_PORTS = {"east": "10657000001", "west": "10657000002", "c2": "10657000003",
              "p2": "10657000004"}  # fmt: skip
"""Each seed region's spamming port: its enforcement case is owned where its complaint is."""


def _seed_spam_cases(stack: Stack, seeded: dict[str, Seeded]) -> None:
    """One port enforcement case per seed region, opened as the daily job does, and warned
    with evidence quoting the region's marker and phone (so a leak shows in any answer)."""
    from datetime import date

    from careloop.domain.spam.reports import PortDayCounts
    from careloop.services.spam import enforcement
    from careloop.services.unit_of_work import UnitOfWork
    from careloop.store.database import make_engine, make_session_factory

    engine = make_engine(stack.database_url)
    regions = {SPAM_PORTS[s.name]: s.region for s in seeded.values()}
    day = date.fromisoformat(DAY)
    counts = [PortDayCounts(port, day, 40, 20, 0.9, 0) for port in regions]
    with UnitOfWork(make_session_factory(engine)) as uow:
        enforcement.open_cases_from_counts(uow, counts, stack.clock.now, region_of=regions.get)
    engine.dispose()
    for seed in seeded.values():
        client = stack.api.as_("leadp2" if seed.name == "p2" else "super1")
        port = SPAM_PORTS[seed.name]
        case = client.get("/api/v1/spam-enforcement/cases", params={"port": port}).json()
        warned = client.post(
            f"/api/v1/spam-enforcement/cases/{case['items'][0]['id']}/sanctions",
            json={"version": case["items"][0]["version"], "action": "warn",
                  "evidence": f"{seed.marker} 用户 {seed.phone} 举报营销短信"},
        )  # fmt: skip
        assert warned.status_code == 200, warned.text
        seed.spam_case_id = warned.json()["id"]


SPAM_TEXTS = {
    "east": "【XX地产】城东精装学区房首付5万起，看房热线4008001234",
    "west": "澳门线上娱乐城上线，注册即送888元彩金，点击 www.bet88.cc 立即体验",
    "c2": "【招聘】日结工资300元，在家兼职刷单，加微信了解",
    "p2": "Your parcel is held at customs: pay the fee at parcel-fee.top/pay today",
}
"""One unrelated spam message per seed region, so each region's report is its own campaign."""


def _seed_spam_reports(stack: Stack, seeded: dict[str, Seeded]) -> None:
    """A forwarded spam SMS per seed region, filed under the region, reported by the
    region's customer with its marker: a report and a campaign visible only within it."""
    admin = stack.api.as_("admin")
    port = admin.post(
        "/api/v1/spam/ports",
        json={"number": "106575550001", "owner_kind": "enterprise", "owner_name": "探针端口"},
    )
    assert port.status_code == 201, port.text
    for name, seed in seeded.items():
        client = stack.api.as_("leadp2" if name == "p2" else "admin")
        stored = client.post(
            "/api/v1/spam/forwarded",
            json={
                "message_id": f"probe-{name}",
                "reporter_phone": seed.phone,
                "sender": "10657555000101",
                "text": f"{SPAM_TEXTS[name]} {seed.marker}",
                "received_at": "2026-09-28T09:00:00+08:00",
                "region": seed.region,
            },
        )
        assert stored.status_code == 201, stored.text
        seed.spam_report_id = stored.json()["id"]
        report = client.get(f"/api/v1/spam/reports/{seed.spam_report_id}").json()
        seed.spam_campaign_id = report["campaign_id"]


def _classify(route: RouteInfo) -> str:
    """'scoped' (an id of a complaint or work order), 'list' (anything else a caller may
    read), or an AssertionError naming what the prober does not know."""
    known = SCOPED_PARAMS.keys() | REFERENCE_PARAMS | CHILD_PARAMS
    unknown = [p for p in route.path_params if p not in known]
    assert not unknown, f"GET {route.path}: path parameters {unknown} not classified"
    required = [n for n, p in route.query.items() if p.get("required") and n not in KNOWN_QUERY]
    assert not required, f"GET {route.path}: required query parameters {required} unknown"
    return "scoped" if any(p in SCOPED_PARAMS for p in route.path_params) else "list"


def _get_routes(stack: Stack) -> list[RouteInfo]:
    return [r for r in routes_of(stack.app) if r.method == "GET" and not r.mount]


def _client(stack: Stack, route: RouteInfo, username: str):  # type: ignore[no-untyped-def]
    return stack.api.as_(username) if route.api else web_client(stack.api, username)


def test_every_get_with_an_id_outside_the_callers_scope_answers_404(
    stack: Stack, world: dict[str, Seeded]
):
    routes = [r for r in _get_routes(stack) if _classify(r) == "scoped"]
    assert len(routes) >= 6, [r.path for r in routes]  # complaint, events, notes, ..., page
    failures: list[str] = []
    probes = 0
    for username, visible in VISIBLE.items():
        for route in routes:
            client = _client(stack, route, username)
            for seed in world.values():
                values = {
                    "complaint_id": seed.complaint_id,
                    "work_order_id": seed.work_order_id,
                    "incident_id": seed.incident_id,
                    "case_id": seed.case_id,
                    "inspection_id": seed.inspection_id,
                    "customer_ref": seed.complaint_id,
                    "task_id": seed.rectification_id,
                    "supervisor_id": seed.supervisor_id,
                    "submission_id": seed.submission_id,
                    "report_id": seed.spam_report_id,
                    "campaign_id": seed.spam_campaign_id,
                    "spam_case_id": seed.spam_case_id,
                    "file_id": seed.file_id(route),
                }
                response = client.get(fill(route.path, values), params=KNOWN_QUERY)
                probes += 1
                body = response.text
                seen = CASE_VISIBLE[username] if "case_id" in route.path_params else visible
                if seed.name in seen:
                    if response.status_code != 200:
                        failures.append(f"{username} in scope: {where(response)} {body[:200]}")
                    continue
                if response.status_code != 404:
                    failures.append(f"{username} out of scope: {where(response)} {body[:200]}")
                elif seed.marker in body or seed.number in body or seed.phone in body:
                    failures.append(f"{username}: 404 that shows the record: {where(response)}")
                elif route.api and response.json().get("code") != "not_found":
                    failures.append(f"{username}: {where(response)} code is not not_found")
    assert probes >= len(VISIBLE) * len(routes) * len(world)
    assert not failures, "\n".join(failures)


def _scope_groups() -> dict[str, str]:
    """Callers with the same visible set form one group (named by its first member)."""
    groups: dict[frozenset[str], str] = {}
    return {user: groups.setdefault(frozenset(seen), user) for user, seen in VISIBLE.items()}


SLOW_RENDERINGS = {"pdf"}
"""Read by test_masking and test_hostile_text instead: a PDF is the same report as its HTML
(the rows are chosen before the renderer runs) and costs seconds per file."""


def test_no_list_export_report_or_page_shows_an_object_outside_the_callers_scope(
    stack: Stack, world: dict[str, Seeded]
):
    """Every caller reads every list in its default form; one caller of each scope (the
    first that may read it) also tries each filter set to an object outside the scope and
    the other renderings of the same rows (an export's XLSX, a report's XLSX)."""
    routes = [r for r in _get_routes(stack) if _classify(r) == "list"]
    group_of = _scope_groups()
    failures: list[str] = []
    shown_in_scope = 0
    explored: set[tuple[str, str]] = set()
    for username, visible in VISIBLE.items():
        hidden = [s for s in world.values() if s.name not in visible]
        nearest = hidden[0]
        filters = {
            "q": nearest.marker,
            "phone": nearest.phone,
            "region": nearest.region,
            "unit": nearest.unit,
        }
        for route in routes:
            client = _client(stack, route, username)
            for path_values in reference_values(stack.app, stack.api, route):
                path = fill(route.path, path_values)
                variants: list[dict[str, Any]] = [dict(KNOWN_QUERY)]
                for params in variants:
                    response = client.get(path, params=params)
                    if response.status_code >= 500:
                        failures.append(f"{username}: {where(response)} {response.text[:300]}")
                        continue
                    key = (group_of[username], path)
                    first_read = params is variants[0] and response.status_code == 200
                    if first_read and key not in explored:
                        explored.add(key)
                        variants += [
                            {**KNOWN_QUERY, name: filters[name]}
                            for name in FILTER_PARAMS
                            if name in route.query
                        ]
                        variants += [
                            {**KNOWN_QUERY, name: value}
                            for name, spec in route.query.items()
                            for value in enum_of(spec)[1:]
                            if value not in SLOW_RENDERINGS
                        ]
                    text = text_of(response) if response.status_code == 200 else response.text
                    for seed in hidden:
                        leaked = [m for m in (seed.marker, seed.number, seed.phone) if m in text]
                        if leaked:
                            failures.append(
                                f"{username}: {where(response)} shows {seed.name} ({leaked})"
                            )
                    shown_in_scope += any(world[n].marker in text for n in visible)
    # The probes read real data: the callers' own complaints do show up in their lists.
    assert shown_in_scope >= len(VISIBLE)
    assert not failures, "\n".join(failures)


# --- anonymous ---------------------------------------------------------------------------

PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/login"): "the login form",
    ("POST", "/login"): "logging in",
    ("POST", "/logout"): "ending a session (none: nothing happens)",
    ("POST", "/api/v1/auth/login"): "logging in",
    ("POST", "/api/v1/auth/logout"): "ending a session (none: nothing happens)",
    ("GET", "/lang/{code}"): "the language switch (a cookie, then back)",
    ("GET", "/self-service"): "customer self-service entry",
    ("POST", "/self-service/code"): "customer self-service: ask for a code",
    ("POST", "/self-service/verify"): "customer self-service: give the code",
    ("POST", "/self-service/logout"): "customer self-service: leave",
    ("POST", "/self-service/complaints/{complaint_id}/rate"): "customer self-service: rate "
    "(needs the customer's verified session, else back to the entry)",
    ("GET", "/healthz"): "liveness for the load balancer",
    ("GET", "/livez"): "liveness for the orchestrator (the process alone)",
    ("GET", "/readyz"): "readiness for the load balancer (database, schema, queue)",
    ("GET", "/metrics"): "Prometheus figures: loopback or CARELOOP_METRICS_TOKEN, counts only",
    ("GET", "/s/{token}"): "a customer's survey (the one-time link is the key)",
    ("POST", "/s/{token}"): "a customer answers their survey",
    ("POST", "/s/{token}/opt-out"): "a customer stops surveys",
    ("GET", "/auth/oidc/login"): "single sign-on: off to the identity provider",
    ("GET", "/auth/oidc/callback"): "single sign-on: back from the identity provider",
}
"""The only routes a caller without a login may use; every other answers 401 (API) or
sends the browser to the login page. Static file mounts are public too."""
PUBLIC_MOUNTS = {"/static": "the pages' own CSS and JavaScript", "/docs/assets": "explorer files"}
PATH_VALUES_FOR_ANONYMOUS = {
    "name": "handle",
    "code": "default",
    "day": "2026-10-01",
    "year": 2026,
    "kind": "daily",
    "policy_id": 1,
    "study_id": 1,
    "template_id": 1,
    "view_id": 1,
    "source_kind": "inspection",
    "token": "not-a-survey-link",
    "purpose": "complaint_closed",
    "fmt": "csv",
    "action": "submit",
    "port_id": 1,
}


def test_every_route_but_the_public_ones_needs_a_login(stack: Stack, world: dict[str, Seeded]):
    east = world["east"]
    values = {
        **PATH_VALUES_FOR_ANONYMOUS,
        "complaint_id": east.complaint_id,
        "work_order_id": east.work_order_id,
        "incident_id": east.incident_id,
        "case_id": east.case_id,
        "inspection_id": east.inspection_id,
        "customer_ref": east.complaint_id,
        "task_id": east.rectification_id,
        "supervisor_id": east.supervisor_id,
        "submission_id": east.submission_id,
        "report_id": east.spam_report_id,
        "campaign_id": east.spam_campaign_id,
        "spam_case_id": east.spam_case_id,
        "file_id": east.task_file_id,
    }
    anonymous = web_client(stack.api, None)
    token = csrf_token(anonymous, "/login")  # a browser's anonymous form token, if any
    failures: list[str] = []
    checked = 0
    for route in routes_of(stack.app):
        if route.mount:
            assert route.path in PUBLIC_MOUNTS, f"mount {route.path} not classified"
            continue
        unknown = [p for p in route.path_params if p not in values]
        assert not unknown, f"{route.method} {route.path}: path parameters {unknown} unknown"
        if (route.method, route.path) in PUBLIC:
            continue
        url = fill(route.path, values)
        is_api = route.api or route.path.startswith(("/api/", "/openapi"))
        if route.method == "GET":
            response = anonymous.get(url, params=KNOWN_QUERY)
        elif is_api:
            response = anonymous.request(route.method, url, json={})
        else:
            data = {"csrf_token": token} if token else {}
            response = anonymous.request(route.method, url, data=data)
        checked += 1
        text = response.text
        if is_api:
            ok = response.status_code == 401
        else:
            location = response.headers.get("location", "") + response.headers.get(
                "hx-redirect", ""
            )
            ok = response.status_code in (302, 303, 307, 401) and location.startswith("/login")
        if not ok:
            location = response.headers.get("location", "")
            failures.append(f"{where(response)} {location} {text[:200]}")
        if east.marker in text or east.phone in text:
            failures.append(f"{where(response)} shows a complaint to an anonymous caller")
    assert checked >= 40
    assert not failures, "\n".join(failures)


# --- writes --------------------------------------------------------------------------------

WRITERS = ["lead1", "net1", "net2", "admin", "agentc2", "agentp2"]
"""One caller of each scope, the one with the most rights in it (a unit lead acts in front
and back office; the administrator may fire every transition)."""
OWNER_OF = {"east": "agent1", "west": "agent1", "c2": "agentc2", "p2": "agentp2"}


def _body_for(stack: Stack, route: RouteInfo, version: int, into: int) -> dict[str, Any]:
    """A body the operation would accept for an object in scope, from its request schema."""
    document = stack.app.openapi()  # type: ignore[attr-defined]
    operation = document["paths"][route.path][route.method.lower()]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return {}
    schema = content["schema"]
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    by_name: dict[str, Any] = {
        "version": version,
        "into": into,
        "unit": "C1-K1-NET",
        "satisfied": True,
        "size_bytes": 10,
        "content_type": "image/jpeg",
    }
    by_type = {"integer": 1, "number": 1.0, "boolean": True, "string": "越权测试"}
    body = {}
    for name in schema.get("required", []):
        prop = schema["properties"][name]
        kind = prop.get("type") or next(
            (o.get("type") for o in prop.get("anyOf", []) if o.get("type") != "null"), "string"
        )
        # A choice (an enum, e.g. an appeal outcome) takes its first value.
        default = prop["enum"][0] if "enum" in prop else by_type.get(kind, "越权测试")
        body[name] = by_name.get(name, default)
    return body


def _state(stack: Stack, seed: Seeded) -> tuple[int, int, str]:
    owner = stack.api.as_(OWNER_OF[seed.name])
    found = owner.get(f"/api/v1/complaints/{seed.complaint_id}").json()
    events = owner.get(f"/api/v1/complaints/{seed.complaint_id}/events").json()
    order = owner.get(f"/api/v1/work-orders/{seed.work_order_id}").json()
    return found["version"], len(events), f"{order['status']}/{order['version']}"


def test_no_write_reaches_an_object_outside_the_callers_scope(
    stack: Stack, world: dict[str, Seeded]
):
    """Every write route with a complaint or work-order id, with a body it would accept, as a
    caller of each scope on each object outside it: 404 (or 403 for a role that may never do
    it, decided before the record is looked at), and nothing about the object changes."""
    from careloop.domain.lifecycle import tickets

    writes = [
        r
        for r in routes_of(stack.app)
        if r.method != "GET" and not r.mount and set(r.path_params) & set(SCOPED_PARAMS)
    ]
    assert len(writes) >= 15, [r.path for r in writes]
    before = {name: _state(stack, seed) for name, seed in world.items()}
    failures: list[str] = []
    for username in WRITERS:
        hidden = [s for s in world.values() if s.name not in VISIBLE[username]]
        visible_ids = [world[n].complaint_id for n in sorted(VISIBLE[username])]
        api, browser = stack.api.as_(username), web_client(stack.api, username)
        token = csrf_token(browser, "/complaints")
        for route in writes:
            names: list[str | None] = [None]
            if "name" in route.path_params:
                table = (
                    tickets.WORK_ORDER_TRANSITIONS
                    if "work_order_id" in route.path_params
                    else tickets.TRANSITIONS
                )
                names = list(table)
            if "action" in route.path_params:  # a rectification task's steps on its page
                names = ["start", "submit", "confirm", "fail"]
            unknown = set(route.path_params) - set(SCOPED_PARAMS) - {"name", "action"}
            assert not unknown, f"{route.method} {route.path}: {unknown} not classified"
            for seed in hidden:
                version = before[seed.name][0]
                for name in names:
                    values = {
                        "complaint_id": seed.complaint_id,
                        "work_order_id": seed.work_order_id,
                        "incident_id": seed.incident_id,
                        "case_id": seed.case_id,
                        "inspection_id": seed.inspection_id,
                        "task_id": seed.rectification_id,
                        "supervisor_id": seed.supervisor_id,
                        "submission_id": seed.submission_id,
                        "report_id": seed.spam_report_id,
                        "campaign_id": seed.spam_campaign_id,
                        "spam_case_id": seed.spam_case_id,
                        "name": name,
                        "action": name,
                    }
                    url = fill(route.path, values)
                    if route.api:
                        body = _body_for(stack, route, version, visible_ids[0])
                        response = api.request(route.method, url, json=body)
                        code = response.json().get("code") if response.content else None
                        ok = (response.status_code, code) in (
                            (404, "not_found"),
                            (403, "role_not_allowed"),
                        )
                    else:
                        form = {"version": version, "text": "越权测试", "into": visible_ids[0],
                                "unit": "C1-K1-NET", "satisfied": "1"}  # fmt: skip
                        if token:
                            form["csrf_token"] = token
                        response = browser.request(route.method, url, data=form)
                        ok = response.status_code in (403, 404) or (
                            response.status_code == 303
                            and response.headers.get("location", "").startswith("/self-service")
                        )
                    if not ok:
                        failures.append(f"{username} on {seed.name}: {where(response)} "
                                        f"{response.text[:200]}")  # fmt: skip
    after = {name: _state(stack, seed) for name, seed in world.items()}
    changed = {n: (before[n], after[n]) for n in world if before[n] != after[n]}
    assert not failures, "\n".join(failures)
    assert not changed, f"objects changed by callers who cannot see them: {changed}"
