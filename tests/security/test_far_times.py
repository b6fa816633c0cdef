"""Far-future, far-past and naive times on every time field, generated from the OpenAPI document.

Every query, path and body field whose schema says ``format: date-time`` or ``date`` gets
9999-12-31, 0001-01-01, 1970-01-01, 2200-01-01 and a time without an offset. No answer may
be a 5xx; and whatever was accepted must not break what is read later: the complaint's page
and its API answer, the agent's and the units' queues, the lists (``?sla=running`` among
them), the supervisor board, and the SLA sweep, run after through the API and as the job's
service, before and after the clock has moved on.
"""

from __future__ import annotations

from typing import Any

from careloop.services.sla import sweep as sla_sweep
from careloop.store.database import make_engine, make_session_factory
from tests.integration.api.helpers import act, create
from tests.security.conftest import Stack
from tests.security.probes import csrf_token, enum_of, fill, format_of, web_client, where

DATE_TIMES = [
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00-12:00",
    "1970-01-01T00:00:00Z",
    "2200-01-01T00:00:00Z",
    "2026-10-01T12:00:00",
]
DATES = ["9999-12-31", "0001-01-01", "1970-01-01", "2200-01-01"]
TEXT_FIELDS = {
    "reason", "text", "result", "name", "instructions", "comment", "title", "prepared_answer",
}  # fmt: skip


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _nested_times(schema: dict[str, Any], document: dict[str, Any], trail: str,
                  seen: set[str]) -> list[str]:  # fmt: skip
    """Time fields below the top level of a body (in objects, arrays, unions)."""
    found = []
    ref = schema.get("$ref")
    if ref in seen:
        return found
    if ref:
        seen = seen | {ref}
    schema = _resolve(schema, document)
    for option in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        found += _nested_times(option, document, trail, seen)
    if "items" in schema:
        found += _nested_times(schema["items"], document, f"{trail}[]", seen)
    for name, prop in schema.get("properties", {}).items():
        if format_of(_resolve(prop, document)) in ("date-time", "date"):
            found.append(f"{trail}.{name}")
        found += _nested_times(prop, document, f"{trail}.{name}", seen)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found += _nested_times(extra, document, f"{trail}.*", seen)
    return found


def time_fields(document: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(method, path, where: query|path|body, field, format) for every time field; a time
    field the builder cannot reach (nested in a body) fails, so that none goes untested."""
    found = []
    unreachable = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []):
                fmt = format_of(param.get("schema", {}))
                if fmt in ("date-time", "date"):
                    found.append((method.upper(), path, param["in"], param["name"], fmt))
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                continue
            body = _resolve(schema, document)
            for name, prop in body.get("properties", {}).items():
                fmt = format_of(_resolve(prop, document))
                if fmt in ("date-time", "date"):
                    found.append((method.upper(), path, "body", name, fmt))
                else:
                    unreachable += [
                        f"{method.upper()} {path} body{t}"
                        for t in _nested_times(prop, document, f".{name}", set())
                    ]
    assert not unreachable, f"time fields the prober does not reach: {unreachable}"
    return found


class Builder:
    """Valid requests around the field under test: fresh objects for ids, the rest by name."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.agent = stack.api.as_("agent1")
        self.admin = stack.api.as_("admin")
        self.touched: set[int] = set()

    def complaint(self) -> dict[str, Any]:
        c = create(self.agent, description="时间边界测试")
        self.touched.add(c["id"])
        return c

    def incident(self) -> dict[str, Any]:
        """An open incident of the agent's district (complaints made here link to it)."""
        response = self.admin.post(
            "/api/v1/incidents",
            json={
                "kind": "network_outage",
                "title": "时间边界",
                "prepared_answer": "时间边界",
                "regions": ["C1-K1"],
                "starts_at": self.stack.clock.now.isoformat(),
            },
        )
        assert response.status_code == 201, response.text
        return response.json()

    def work_order(self) -> dict[str, Any]:
        c = self.complaint()
        return act(self.admin, f"/api/v1/complaints/{c['id']}/dispatch",
                   version=c["version"], unit="C1-K1-NET")  # fmt: skip

    def _plain(self, method: str, path: str, name: str, spec: dict[str, Any]) -> Any:
        """A valid everyday value for a required field the prober has no rule for, so that
        the time field under test is what the operation judges (its own type decides)."""
        options = [spec, *spec.get("anyOf", [])]
        choices = enum_of(spec)
        if choices:
            return choices[0]
        if any(o.get("format") == "date-time" for o in options):
            return self.stack.clock.now.isoformat()
        if any(o.get("format") == "date" for o in options):
            return self.stack.clock.now.date().isoformat()
        kinds = {o.get("type") for o in options}
        if "string" in kinds:
            return "时间边界"
        if "integer" in kinds or "number" in kinds:
            return 1
        if "boolean" in kinds:
            return False
        if "array" in kinds:
            return []
        raise AssertionError(f"{method} {path}: cannot build body field {name}")

    def request(
        self, method: str, path: str, operation: dict[str, Any], document: dict[str, Any],
        place: str, field: str, value: str,
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:  # fmt: skip
        values: dict[str, Any] = {}
        version = None
        if "{complaint_id}" in path:
            c = self.complaint()
            values["complaint_id"], version = c["id"], c["version"]
        if "{work_order_id}" in path:
            w = self.work_order()
            values["work_order_id"], version = w["id"], w["version"]
        if "{incident_id}" in path:
            i = self.incident()
            values["incident_id"], version = i["id"], i["version"]
        query: dict[str, Any] = {}
        for param in operation.get("parameters", []):
            name = param["name"]
            if param["in"] == "path" and name == "kind":
                values[name] = "{kind}"  # each report kind, filled in by the caller
            elif param["in"] == "path" and name not in values and name.endswith("_id"):
                values[name] = 1  # the first record of its kind (newer systems' records)
            elif param["in"] == "path" and name not in values:
                assert name == field, f"{method} {path}: cannot fill path parameter {name}"
                values[name] = value
            elif param["in"] == "query" and param.get("required") and name != field:
                choices = enum_of(param)
                assert choices, f"{method} {path}: cannot fill required query parameter {name}"
                query[name] = choices[0]
        if place == "query":
            query[field] = value
        body = None
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            schema = _resolve(content["application/json"]["schema"], document)
            body = {}
            for name in schema.get("required", []):
                if name == "version":
                    body[name] = version
                elif name == "unit":
                    body[name] = "C1-K2-NET" if "{work_order_id}" in path else "C1-K1-NET"
                elif name in TEXT_FIELDS:
                    body[name] = "时间边界"
                elif name == "kind":
                    body[name] = "network_outage" if "/incidents" in path else "holiday"
                elif name == "regions":
                    body[name] = ["C1-K1"]
                elif name == "starts_at":
                    body[name] = self.stack.clock.now.isoformat()
                elif name in ("phone", "contact_phone"):
                    body[name] = "13800138000"
                elif name in ("area_unit", "target_unit"):
                    body[name] = "C1-K1"
                elif name == "inspectors":
                    body[name] = ["net1"]
                elif name != field:
                    body[name] = self._plain(method, path, name, schema["properties"][name])
            if place == "body":
                body[field] = value
        return fill(path, values), query, body


def _caller(stack: Stack, method: str, path: str) -> Any:
    if path.startswith("/api/v1/work-orders/"):
        return stack.api.as_("net1")  # the unit that holds the work order transfers it
    return stack.api.as_("admin")


def _later_reads(stack: Stack, touched: set[int]) -> list[str]:
    failures = []
    reads: list[tuple[Any, str]] = []
    browsers = {u: web_client(stack.api, u, fresh=True) for u in ("agent1", "admin", "net1",
                                                                  "net2", "super1")}  # fmt: skip
    for username in ("agent1", "admin"):
        api, browser = stack.api.as_(username), browsers[username]
        for cid in sorted(touched):
            reads += [(api, f"/api/v1/complaints/{cid}"), (browser, f"/complaints/{cid}")]
        reads += [
            (api, "/api/v1/complaints?sla=running&limit=200"),
            (api, "/api/v1/complaints?limit=200"),
            (api, "/api/v1/complaints?sort=reply_due_at&limit=200"),
            (browser, "/complaints?sla=running"),
            (browser, "/complaints?open=1"),
        ]
    reads += [(browsers["agent1"], "/agent/queue"), (browsers["super1"], "/supervisor")]
    reads += [(browsers[u], "/unit/queue") for u in ("net1", "net2")]
    for client, path in reads:
        response = client.get(path)
        if response.status_code != 200:
            failures.append(f"later read {where(response)}: {response.text[:300]}")
    return failures


def _sweep(stack: Stack) -> list[str]:
    failures = []
    answer = stack.api.as_("admin").post("/api/v1/sla/sweep")
    if answer.status_code != 200:
        failures.append(f"sweep through the API: {where(answer)}: {answer.text[:300]}")
    engine = make_engine(stack.database_url)
    try:
        sla_sweep.sweep(make_session_factory(engine), stack.clock(), worker="far-times")
    except Exception as exc:  # the job must complete, whatever a complaint holds
        failures.append(f"sweep service: {type(exc).__name__}: {exc}")
    finally:
        engine.dispose()
    return failures


def test_far_and_naive_times_on_every_time_field_never_break_anything(stack: Stack):
    document = stack.app.openapi()  # type: ignore[attr-defined]
    fields = time_fields(document)
    # The generator found the fields a reader of the API knows of (lists, export, reports,
    # dispatch and transfer due times, calendar days): a smaller count means it went blind.
    assert len(fields) >= 10, fields
    builder = Builder(stack)
    failures: list[str] = []
    accepted: list[str] = []
    for method, path, place, field, fmt in fields:
        operation = document["paths"][path][method.lower()]
        for value in DATE_TIMES if fmt == "date-time" else DATES:
            url, query, body = builder.request(
                method, path, operation, document, place, field, value
            )
            client = _caller(stack, method, path)
            kinds = [{}]
            if "{kind}" in url:
                spec = next(p for p in operation["parameters"] if p["name"] == "kind")
                kinds = [{"kind": k} for k in enum_of(spec)]
            for kind in kinds:
                target = url.replace("{kind}", kind["kind"]) if kind else url
                response = client.request(method, target, params=query, json=body)
                label = f"{field}={value}: {where(response)}"
                if response.status_code >= 500 or "Traceback" in response.text:
                    failures.append(f"{label} {response.text[:300]}")
                elif response.status_code < 300:
                    accepted.append(label)
    failures += _later_reads(stack, builder.touched)
    failures += _sweep(stack)
    stack.clock.advance(days=3)
    failures += _later_reads(stack, builder.touched)
    failures += _sweep(stack)
    assert not failures, "\n".join(failures) + "\naccepted:\n" + "\n".join(accepted)


def test_the_complaint_list_page_takes_far_and_naive_filter_times(stack: Stack):
    """The list page reads its time filters from the query string (not in the document)."""
    browser = web_client(stack.api, "agent1")
    failures = []
    for value in DATE_TIMES:
        for name in ("created_from", "created_to"):
            response = browser.get("/complaints", params={name: value})
            if response.status_code >= 500:
                failures.append(f"{where(response)} {response.text[:200]}")
    assert not failures, "\n".join(failures)


def test_the_dispatch_form_takes_far_and_odd_due_hours(stack: Stack):
    """The page's dispatch form gives the due time in hours (a number, not in the document)."""
    agent = stack.api.as_("agent1")
    browser = web_client(stack.api, "agent1", fresh=True)
    failures = []
    touched = set()
    outcomes = {}
    for hours in ("24", "1e308", "inf", "-inf", "nan", "-1", "0", "1e6", "8760000"):
        c = create(agent, description="派单时限测试")
        touched.add(c["id"])
        token = csrf_token(browser, f"/complaints/{c['id']}")
        form = {"version": c["version"], "unit": "C1-K1-NET", "due_hours": hours}
        if token:
            form["csrf_token"] = token
        response = browser.post(f"/complaints/{c['id']}/actions/dispatch", data=form)
        outcomes[hours] = response.status_code
        if response.status_code >= 500:
            failures.append(f"due_hours={hours}: {where(response)} {response.text[:200]}")
    failures += _later_reads(stack, touched)
    failures += _sweep(stack)
    assert not failures, "\n".join(failures)
    assert outcomes["24"] == 303, "the form did not dispatch a plain 24 hours"
