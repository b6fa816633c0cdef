"""Dial tests posted by a dialling machine through the real HTTP API, on SQLite and
PostgreSQL: counted once per idempotency key, refused in words when wrong, kept within the
poster's scope, and shown in the hotline region's 拨测接通率 (indicator catalogue) and in
the hotline ranking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from careloop.domain.indicators.periods import period_of
from careloop.services.indicators import figures
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem

HOTLINE = "10000"


def register_hotline(api: Api) -> None:
    response = api.as_("super1").post(
        "/api/v1/inspections/subjects",
        json={
            "kind": "hotline",
            "code": "C1-10000",
            "name_zh": "甲市10000号客服热线",
            "unit": "C1-HOT",
            "hotline_number": HOTLINE,
        },
    )
    assert response.status_code == 201, response.text


def dial(client: httpx.Client, clock: MovableClock, key: str, **overrides: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "hotline": HOTLINE,
        "started_at": (clock.now - timedelta(minutes=5)).isoformat(),
        "outcome": "answered",
        "answer_seconds": 12.0,
        "wait_seconds": 4.0,
        **overrides,
    }
    return client.post("/api/v1/dial-tests", json=body, headers={"Idempotency-Key": key})


def test_a_dial_test_run_shows_up_in_the_hotlines_answer_rate(app, api: Api, clock: MovableClock):
    register_hotline(api)
    machine = api.as_("bill1")  # the dialling machine's account: back office of 甲市
    runs = [
        {"answer_seconds": 8.0},
        {"answer_seconds": 20.0},  # exactly at the service level counts
        {"answer_seconds": 31.0},  # answered, but too late
        {"outcome": "busy", "answer_seconds": None, "wait_seconds": None},
        {"outcome": "no_answer", "answer_seconds": None, "wait_seconds": None},
    ]
    for i, overrides in enumerate(runs):
        response = dial(machine, clock, f"probe-{i}", **overrides)
        assert response.status_code == 201, response.text
    replay = dial(machine, clock, "probe-0", answer_seconds=8.0)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"

    with app.state.platform.unit_of_work() as uow:
        period = period_of("month", clock.now.date())
        report = figures.indicator_report(uow, period, "C1")
    row = report.root.rows["dial_test_answer_rate"]
    assert row.value.numerator == 2 and row.value.denominator == 5
    assert row.value.value == 40.0
    assert row.indicator.name_zh == "拨测接通率"

    scores = api.as_("super1").get("/api/v1/inspections/scores").json()
    (hotline,) = scores["hotlines"]
    assert hotline["number"] == HOTLINE and hotline["dial_tests"] == 5
    assert hotline["answer_rate"] == 40.0 and hotline["answered_within"] == 2


def test_the_same_key_with_another_measurement_is_a_conflict(api: Api, clock: MovableClock):
    register_hotline(api)
    machine = api.as_("bill1")
    assert dial(machine, clock, "k-1").status_code == 201
    problem = assert_problem(
        dial(machine, clock, "k-1", answer_seconds=50.0), 409, "idempotency_mismatch"
    )
    assert "拨测" in problem["detail"]


def test_wrong_measurements_are_refused_in_words(api: Api, clock: MovableClock):
    register_hotline(api)
    machine = api.as_("bill1")
    problem = assert_problem(dial(machine, clock, "k-2", answer_seconds=None), 422, "invalid_input")
    assert "接通用时" in problem["detail"]
    future = (clock.now + timedelta(hours=2)).isoformat()
    assert_problem(dial(machine, clock, "k-3", started_at=future), 422, "invalid_input")
    unknown = assert_problem(dial(machine, clock, "k-4", hotline="12345"), 422, "invalid_input")
    assert "未知热线号码" in unknown["detail"]
    no_key = machine.post(
        "/api/v1/dial-tests",
        json={"hotline": HOTLINE, "started_at": clock.now.isoformat(), "outcome": "busy"},
    )
    assert_problem(no_key, 422, "invalid_input")


def test_a_hotline_outside_the_posters_scope_does_not_exist_for_it(api: Api, clock: MovableClock):
    register_hotline(api)
    county = api.as_("net1")  # 东区 network back office: 甲市's hotline is not in its scope
    assert_problem(dial(county, clock, "k-5"), 422, "invalid_input")
    agent = api.as_("agent1")  # a hotline agent may not post machine measurements
    assert_problem(dial(agent, clock, "k-6"), 403, "role_not_allowed")
    assert api.as_("net1").get("/api/v1/dial-tests").json()["total"] == 0
