"""Stateful fuzzing: schemathesis walks the OpenAPI links, create → act → read, on a live server.

The per-operation fuzz (test_schemathesis.py) sends each request alone, so an action on an
existing complaint only ever meets a made-up id (404). Here schemathesis' state machine
follows the `links` our document declares: a complaint created by POST /api/v1/complaints
hands its id and version to its reads and lifecycle actions, a dispatched work order its
own to the unit's actions, and every answer to the next step, so requests reach complaints
and work orders in every state the lifecycle allows.

Generated complaints use the reference data of the test province (categories, regions,
channels, units: codes are data, not part of the document), otherwise nearly every creation
would be a 422 and no link would be followed; free text, versions, times and everything
else stay generated. Bounded and derandomised so that CI is quick and repeatable; any 5xx or
stack trace fails, naming the request, and the number of links followed is reported.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.generation.stateful.state_machine import normalize_name

from tests.conftest import Api, LiveServer

SCENARIOS = 50
STEPS_PER_SCENARIO = 15
REQUEST_TIMEOUT = 300
MAX_ROUNDS = 10
ENTRY_POINTS = ("POST /api/v1/complaints", "GET /api/v1/complaints")
"""Where a scenario may start. schemathesis would also start at every other POST with a
random id (a 404 that spends the step budget): those are reached through links only."""


def _enum(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(values)}


def _narrowed_to_reference_data(raw: dict[str, Any], client: httpx.Client) -> dict[str, Any]:
    """The document with the codes that are data (taxonomy, org tree) as enums."""
    categories = [c["code"] for c in client.get("/api/v1/categories").json() if c["level"] == 2]
    vocabularies = client.get("/api/v1/vocabularies").json()
    units = client.get("/api/v1/org-units").json()
    regions = [u["code"] for u in units if u["kind"] in {"city", "county"}]
    departments = [u["code"] for u in units if u["kind"] == "department"]

    def codes(name: str) -> list[str]:
        return [v["code"] for v in vocabularies[name]]

    models = raw["components"]["schemas"]
    complaint = models["ComplaintIn"]["properties"]
    complaint["category"] = _enum(categories)
    complaint["region"] = _enum(regions)
    complaint["channel"] = _enum(codes("channels"))
    complaint["product"] = _enum(codes("products"))
    complaint["priority"] = _enum(codes("priorities"))
    customer = models["CustomerIn"]["properties"]
    customer["phone"] = {"type": "string", "pattern": r"^1[3-9][0-9]{9}\Z"}
    customer["tier"] = _enum(codes("customer_tiers"))
    for model in ("DispatchIn", "TransferIn"):
        models[model]["properties"]["unit"] = _enum(departments)
    return raw


def test_create_act_read_through_links_without_server_error(  # type: ignore[no-untyped-def]
    server: LiveServer, api: Api, report_figure
):
    token = api.token("admin")
    assert token
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        raw = client.get("/openapi.json").json()
        raw = _narrowed_to_reference_data(raw, client)
    schema = schemathesis.openapi.from_dict(raw)

    followed: Counter[str] = Counter()
    declared: Counter[str] = Counter()
    """Links our document declares (the rest schemathesis infers from the schemas)."""
    answered: Counter[str] = Counter()
    failures: list[str] = []
    scenarios = [0]

    workflow = schema.as_state_machine()
    entry = {normalize_name(f"RANDOM -> {label}") for label in ENTRY_POINTS}
    assert entry <= workflow.root_rules, sorted(workflow.root_rules)

    class CreateActRead(workflow):  # type: ignore[misc, valid-type]
        root_rules = entry

        def get_call_kwargs(self, case) -> dict[str, Any]:  # type: ignore[no-untyped-def]
            return {"base_url": server.url, "headers": headers, "timeout": REQUEST_TIMEOUT}

        def teardown(self) -> None:
            scenarios[0] += 1
            super().teardown()

        def step(self, input):  # type: ignore[no-untyped-def]
            if input.transition is not None and input.is_applied:
                followed[input.transition.id] += 1
                if not input.transition.is_inferred:
                    declared[input.transition.id] += 1
            return super().step(input)

        def validate_response(self, response, case, **kwargs) -> None:  # type: ignore[no-untyped-def]
            answered[f"{case.operation.label} -> {response.status_code}"] += 1
            body = response.content.decode("utf-8", errors="replace")
            if response.status_code >= 500 or "Traceback" in body or 'File "' in body:
                failures.append(
                    f"{case.method} {case.formatted_path} body={case.body!r:.300} -> "
                    f"{response.status_code}: {body[:300]}"
                )

    for other_entry in workflow.root_rules - entry:
        setattr(CreateActRead, other_entry, None)  # no longer a rule: reached by links only

    # The server's state is part of what a scenario draws (an empty answer leaves a bundle
    # empty), so Hypothesis may find a replayed prefix going another way and stop with
    # Flaky; schemathesis' own runner then starts the suite again, and so does this loop.
    rounds = 0
    while scenarios[0] < SCENARIOS and rounds < MAX_ROUNDS:
        rounds += 1
        try:
            run_state_machine_as_test(
                CreateActRead,
                settings=settings(
                    max_examples=SCENARIOS - scenarios[0],
                    stateful_step_count=STEPS_PER_SCENARIO,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                ),
            )
        except Flaky:
            continue

    created = answered["POST /api/v1/complaints -> 201"]
    acted = sum(n for key, n in answered.items() if "{complaint_id}/" in key and "-> 20" in key)
    report_figure(
        f"schemathesis stateful: {scenarios[0]} scenarios of up to {STEPS_PER_SCENARIO} steps "
        f"in {rounds} round(s), "
        f"{sum(answered.values())} requests, {created} complaints created, "
        f"{sum(followed.values())} links followed ({len(followed)} distinct; "
        f"{sum(declared.values())} of them declared, {len(declared)} distinct), {acted} "
        f"successful actions on a complaint, {len(failures)} server errors"
    )
    assert not failures, "\n".join(failures)
    assert created > 0 and acted > 0, answered
    assert len(declared) >= 10, declared  # create → act → read really happened
