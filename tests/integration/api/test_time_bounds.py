"""Times from outside are bounded, and one bad stored time stops nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from careloop.services.sla import sweep as sla_sweep
from careloop.store.models import Complaint, WorkOrder
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, assert_problem, create
from tests.integration.web.helpers import web_client


def _dispatch(agent, c, **body):  # type: ignore[no-untyped-def]
    return agent.post(
        f"/api/v1/complaints/{c['id']}/dispatch",
        json={"version": c["version"], "unit": "C1-K1-NET", **body},
    )


def test_a_due_time_in_year_9999_is_refused_with_a_clear_422(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    for due_at in ("9999-12-31T00:00:00Z", "9999-12-31T23:59:59-01:00", "1999-01-01T00:00:00Z"):
        problem = assert_problem(_dispatch(agent, c, due_at=due_at), 422, "invalid_input")
        assert "工单期限" in problem["detail"]
    problem = assert_problem(
        _dispatch(agent, c, due_at="2026-09-28T01:00:00Z"), 422, "invalid_input"
    )
    english = api.as_("agent1", lang="en")
    problem = assert_problem(
        _dispatch(english, c, due_at="2028-01-01T00:00:00Z"), 422, "invalid_input"
    )
    assert problem["detail"] == "The due time must lie after now and at most 366 days ahead"
    assert problem["errors"][0]["field"] == "due_at"
    # Nothing was dispatched, and a due time within a year still is.
    assert agent.get(f"/api/v1/complaints/{c['id']}").json()["work_orders"] == []
    order = _dispatch(agent, c, due_at="2027-03-01T00:00:00+08:00")
    assert order.status_code == 201, order.text


def test_a_transfer_to_a_far_future_due_time_is_refused(api: Api):
    agent, net1 = api.as_("agent1"), api.as_("net1")
    c = create(agent)
    order = act(
        agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit="C1-K1-NET"
    )
    response = net1.post(
        f"/api/v1/work-orders/{order['id']}/transfer",
        json={
            "version": order["version"],
            "unit": "C1-K2-NET",
            "reason": "不属本区",
            "due_at": "2030-01-01T00:00:00Z",
        },
    )
    assert_problem(response, 422, "invalid_input")


def test_list_filters_with_times_out_of_range_are_refused_not_failed(api: Api):
    agent = api.as_("agent1", lang="en")
    create(agent)
    for name, value, words in (
        ("created_from", "9999-12-31T00:00:00Z", "outside the accepted range"),
        ("created_to", "0001-01-01T00:30:00+01:00", "outside the accepted range"),
        ("due_from", "1900-01-01T00:00:00Z", "outside the accepted range"),
        ("due_to", "2026-10-01T00:00:00", "needs a time-zone offset"),
    ):
        response = agent.get("/api/v1/complaints", params={name: value})
        problem = assert_problem(response, 422, "invalid_input")
        assert words in problem["detail"]
        assert problem["errors"][0]["field"] == name
        assert name not in problem["detail"]
    fine = agent.get("/api/v1/complaints", params={"created_from": "2026-01-01T00:00:00+08:00"})
    assert fine.status_code == 200 and fine.json()["total"] == 1


def test_one_bad_stored_due_time_does_not_stop_pages_lists_or_the_sweep(
    api: Api,
    app,
    clock: MovableClock,  # type: ignore[no-untyped-def]
):
    """A row written before the bound (or by hand) must not take the province down with it:
    the readers skip that complaint's clocks and go on."""
    agent = api.as_("agent1")
    bad, good = create(agent), create(agent, customer={"phone": "13900001111"})
    orders = [
        act(agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit="C1-K1-NET")
        for c in (bad, good)
    ]
    with app.state.session_factory() as session:
        session.execute(
            update(WorkOrder)
            .where(WorkOrder.id == orders[0]["id"])
            .values(
                due_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
                sla_limit_minutes=None,
                sla_basis=None,
            )
        )
        session.commit()
    clock.advance(hours=1)
    assert agent.get(f"/api/v1/complaints/{bad['id']}").status_code == 200
    assert agent.get(f"/api/v1/complaints/{good['id']}").json()["sla"]["clocks"]
    for params in ({}, {"sla": "running"}, {"region": "C1"}):
        response = agent.get("/api/v1/complaints", params=params)
        assert response.status_code == 200, (params, response.text)

    export = api.as_("admin").get("/api/v1/complaints/export", params={"format": "xlsx"})
    assert export.status_code == 200, export.text
    for kind in ("daily", "monthly"):
        report = api.as_("lead1").get(f"/api/v1/reports/{kind}", params={"date": "2026-09-28"})
        assert report.status_code == 200, (kind, report.text[:300])
    # The pages read the same row: the complaint's page and the unit's queue still show.
    for user, path in (("agent1", f"/complaints/{bad['id']}"), ("net1", "/unit/queue")):
        page = web_client(api.base_url, user).get(path)
        assert page.status_code == 200, (path, page.status_code)

    report = sla_sweep.sweep(app.state.session_factory, clock.now)
    assert report.examined == 2
    with app.state.session_factory() as session:
        evaluated = session.get(Complaint, good["id"])
        assert evaluated is not None and evaluated.sla_evaluated_at is not None


def test_report_dates_calendar_days_and_export_filters_are_bounded(api: Api):
    lead, admin = api.as_("lead1", lang="en"), api.as_("admin", lang="en")
    refused: list[dict] = []  # type: ignore[type-arg]
    for day in ("9999-12-31", "0001-01-01"):
        response = lead.get("/api/v1/reports/daily", params={"date": day})
        refused.append(assert_problem(response, 422, "invalid_input"))
        response = admin.put(
            f"/api/v1/sla/calendar/days/{day}", json={"kind": "holiday", "name": "假日"}
        )
        refused.append(assert_problem(response, 422, "invalid_input"))
    response = admin.get(
        "/api/v1/complaints/export",
        params={"format": "csv", "created_from": "9999-12-31T00:00:00Z"},
    )
    refused.append(assert_problem(response, 422, "invalid_input"))
    for problem in refused:
        assert "outside the accepted range (2000-01-01 to 2100-01-01)" in problem["detail"]


def test_cli_time_options_are_bounded_in_one_line(database_url: str):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CARELOOP_DATABASE_URL": database_url, "CARELOOP_LANG": "en"}
    for args in (
        ["sla", "sweep", "--now", "9999-12-31T00:00:00+00:00"],
        ["sla", "sweep", "--now", "yesterday"],
        ["counts", "rebuild", "--from", "9999-12-31"],
        ["report", "daily", "--date", "0001-01-01", "--out", "/tmp"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "careloop.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
