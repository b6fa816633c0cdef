"""Callbacks as a call centre makes them, and the regulator appeal's outcomes, through the
real HTTP API on SQLite and PostgreSQL.

The clock starts Monday 2026-09-28 10:00 Beijing time (02:00 UTC); the retry schedule is
domain/callbacks.py's: 4 calling hours (09:00–20:00) after the first unreachable attempt,
the next day after the second, and the third closes the complaint as unreachable.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from careloop.domain.indicators.periods import period_of
from careloop.services.indicators import figures
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, assert_problem, create


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _replied(agent, clock: MovableClock, **overrides) -> dict:  # type: ignore[no-untyped-def]
    c = create(agent, **overrides)
    clock.advance(minutes=30)
    return act(agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已处理")


def _actions(client, cid: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["action"] for e in client.get(f"/api/v1/complaints/{cid}/events").json()]


def _indicators(app, day: date):  # type: ignore[no-untyped-def]
    """The month's indicator values and counts for the whole tree, as the reports read them."""
    with app.state.platform.unit_of_work() as uow:
        report = figures.indicator_report(uow, period_of("month", day))
        return {k: r.value.value for k, r in report.root.rows.items()}, report.root.tally


def test_an_unreachable_customer_is_tried_on_schedule_then_closed_as_unreachable(
    api: Api, clock: MovableClock, app
):  # type: ignore[no-untyped-def]
    agent = api.as_("agent1")
    c = _replied(agent, clock)  # replied 10:30 Beijing time
    cid = c["id"]
    assert c["status"] == "replied" and c["callback_attempts"] == 0
    assert "callback_unreachable" in c["allowed_actions"]
    assert "close_unreachable" not in c["allowed_actions"]

    # 1st attempt 11:30: stays replied, next try 4 calling hours later (15:30 = 07:30 UTC).
    clock.advance(hours=1)
    c = act(agent, f"/api/v1/complaints/{cid}/callback-unreachable", version=c["version"])
    assert c["status"] == "replied" and c["callback_attempts"] == 1
    assert _at(c["callback_next_at"]) == _at("2026-09-28T07:30:00Z")
    assert c["callback_outcome"] is None and c["callback_satisfied"] is None

    # A redial ten minutes later is not a second attempt: refused, saying when to call.
    clock.advance(minutes=10)
    early = agent.post(
        f"/api/v1/complaints/{cid}/callback-unreachable", json={"version": c["version"]}
    )
    problem = assert_problem(early, 409, "callback_not_due")
    assert "2026-09-28 15:30" in problem["detail"] and "北京时间" in problem["detail"]
    assert agent.get(f"/api/v1/complaints/{cid}").json()["callback_attempts"] == 1

    # 2nd attempt at the scheduled time: next try the next day at the same time.
    clock.now = _at(c["callback_next_at"])
    c = act(
        agent,
        f"/api/v1/complaints/{cid}/callback-unreachable",
        version=c["version"],
        comment="关机",
    )
    assert c["status"] == "replied" and c["callback_attempts"] == 2
    assert _at(c["callback_next_at"]) == _at("2026-09-29T07:30:00Z")
    clock.advance(hours=23)
    early = agent.post(
        f"/api/v1/complaints/{cid}/callback-unreachable", json={"version": c["version"]}
    )
    assert_problem(early, 409, "callback_not_due")

    # 3rd attempt: the last allowed, closed as unreachable, counted apart.
    clock.now = _at(c["callback_next_at"]) + timedelta(minutes=5)
    c = act(agent, f"/api/v1/complaints/{cid}/callback-unreachable", version=c["version"])
    assert c["status"] == "closed" and c["closed_at"]
    assert c["callback_outcome"] == "unreachable" and c["callback_attempts"] == 3
    assert c["callback_satisfied"] is None and c["callback_next_at"] is None
    assert _actions(agent, cid)[-4:] == [
        "reply",
        "callback_unreachable",
        "callback_unreachable",
        "close_unreachable",
    ]
    closing = agent.get(f"/api/v1/complaints/{cid}/events").json()[-1]
    assert closing["actor"] == "agent1"
    assert closing["after"]["callback_outcome"] == "unreachable"

    again = agent.post(
        f"/api/v1/complaints/{cid}/callback-unreachable", json={"version": c["version"]}
    )
    assert_problem(again, 409, "illegal_transition")

    # A satisfied callback in the same month: the satisfaction rate counts it alone, the
    # unreachable complaint is neither a satisfied nor a dissatisfied callback.
    other = _replied(agent, clock)
    act(
        agent,
        f"/api/v1/complaints/{other['id']}/callback",
        version=other["version"],
        satisfied=True,
    )
    values, counts = _indicators(app, date(2026, 9, 29))
    assert values["callback_satisfaction"] == pytest.approx(100.0)
    assert (counts.callbacks, counts.callbacks_satisfied, counts.callbacks_unreachable) == (1, 1, 1)
    assert values["callback_unreachable_rate"] == pytest.approx(50.0)


def test_a_site_may_allow_fewer_attempts(api: Api, clock: MovableClock, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CARELOOP_CALLBACK_ATTEMPTS", "2")
    agent = api.as_("agent1")
    c = _replied(agent, clock)
    c = act(agent, f"/api/v1/complaints/{c['id']}/callback-unreachable", version=c["version"])
    assert c["status"] == "replied"
    clock.now = _at(c["callback_next_at"])
    c = act(agent, f"/api/v1/complaints/{c['id']}/callback-unreachable", version=c["version"])
    assert c["status"] == "closed" and c["callback_outcome"] == "unreachable"


def test_a_new_reply_starts_a_new_callback_loop(api: Api, clock: MovableClock):
    agent = api.as_("agent1")
    c = _replied(agent, clock)
    cid = c["id"]
    c = act(agent, f"/api/v1/complaints/{cid}/callback-unreachable", version=c["version"])
    clock.now = _at(c["callback_next_at"])
    c = act(agent, f"/api/v1/complaints/{cid}/callback", version=c["version"], satisfied=False)
    assert c["status"] == "in_progress" and c["callback_outcome"] == "dissatisfied"
    assert c["callback_satisfied"] is False and c["callback_next_at"] is None
    c = act(agent, f"/api/v1/complaints/{cid}/reply", version=c["version"], text="再次处理")
    assert c["callback_attempts"] == 0 and c["callback_next_at"] is None
    # The last outcome stays until a later one replaces it.
    assert c["callback_outcome"] == "dissatisfied"
    c = act(agent, f"/api/v1/complaints/{cid}/callback", version=c["version"], satisfied=True)
    assert c["callback_outcome"] == "satisfied" and c["callback_satisfied"] is True


def test_a_declined_callback_closes_the_complaint_counted_apart(api: Api, clock: MovableClock, app):  # type: ignore[no-untyped-def]
    agent = api.as_("agent1")
    fresh = create(agent)
    refused = agent.post(
        f"/api/v1/complaints/{fresh['id']}/callback-declined", json={"version": fresh["version"]}
    )
    assert_problem(refused, 409, "illegal_transition")

    c = _replied(agent, clock)
    c = act(
        agent,
        f"/api/v1/complaints/{c['id']}/callback-declined",
        version=c["version"],
        comment="客户表示不需要回访",
    )
    assert c["status"] == "closed" and c["closed_at"]
    assert c["callback_outcome"] == "declined" and c["callback_satisfied"] is None
    event = agent.get(f"/api/v1/complaints/{c['id']}/events").json()[-1]
    assert event["action"] == "callback_declined" and event["note"] == "客户表示不需要回访"
    _, counts = _indicators(app, date(2026, 9, 28))
    assert (counts.callbacks, counts.callbacks_declined) == (0, 1)


def test_a_regulator_appeal_records_its_outcome_once_replied(api: Api, clock: MovableClock, app):  # type: ignore[no-untyped-def]
    agent = api.as_("agent1")
    c = create(agent, regulator_transfer=True)
    cid = c["id"]
    early = agent.post(
        f"/api/v1/complaints/{cid}/appeal-outcome",
        json={"version": c["version"], "outcome": "settled"},
    )
    assert_problem(early, 409, "illegal_transition")

    clock.advance(minutes=30)
    c = act(agent, f"/api/v1/complaints/{cid}/reply", version=c["version"], text="已处理")
    assert "appeal_outcome" in c["allowed_actions"]
    c = act(
        agent, f"/api/v1/complaints/{cid}/appeal-outcome", version=c["version"], outcome="settled"
    )
    assert c["appeal_outcome"] == "settled" and c["status"] == "replied"

    # After the callback closed it, a later word from the regulator replaces the outcome;
    # the audit trail keeps both.
    c = act(agent, f"/api/v1/complaints/{cid}/callback", version=c["version"], satisfied=True)
    c = act(
        agent,
        f"/api/v1/complaints/{cid}/appeal-outcome",
        version=c["version"],
        outcome="not_accepted",
        comment="用户向管局表示不认可",
    )
    assert c["appeal_outcome"] == "not_accepted" and c["status"] == "closed"
    events = agent.get(f"/api/v1/complaints/{cid}/events").json()
    recorded = [e for e in events if e["action"] == "appeal_outcome"]
    assert [e["after"]["appeal_outcome"] for e in recorded] == ["settled", "not_accepted"]
    assert recorded[1]["before"] == {"appeal_outcome": "settled"}
    _, counts = _indicators(app, date(2026, 9, 28))
    assert (counts.appeals_settled, counts.appeals_not_accepted, counts.appeals_informed) == (
        0,
        1,
        0,
    )


def test_an_appeal_outcome_is_refused_on_an_ordinary_complaint_and_a_bad_one_in_words(
    api: Api, clock: MovableClock
):
    agent = api.as_("agent1")
    c = _replied(agent, clock)
    assert "appeal_outcome" not in c["allowed_actions"]
    refused = agent.post(
        f"/api/v1/complaints/{c['id']}/appeal-outcome",
        json={"version": c["version"], "outcome": "informed"},
    )
    problem = assert_problem(refused, 409, "not_regulator_transfer")
    assert "管局转办" in problem["detail"]

    appeal = _replied(agent, clock, regulator_transfer=True)
    bad = agent.post(
        f"/api/v1/complaints/{appeal['id']}/appeal-outcome",
        json={"version": appeal["version"], "outcome": "resolved"},
    )
    assert bad.status_code == 422, bad.text
    assert "申诉处理结果" in bad.text and "outcome" not in bad.json()["detail"]


def test_the_api_document_lists_the_new_actions_with_their_choices(api: Api):
    schema = api.as_("agent1").get("/openapi.json").json()
    paths = schema["paths"]
    for action in ("callback-unreachable", "callback-declined", "appeal-outcome"):
        operation = paths[f"/api/v1/complaints/{{complaint_id}}/{action}"]["post"]
        assert operation["summary"]
    body = schema["components"]["schemas"]["AppealOutcomeIn"]["properties"]["outcome"]
    assert body["enum"] == ["settled", "not_accepted", "informed"]
    assert "和解" in body["description"]
    out = schema["components"]["schemas"]["ComplaintOut"]["properties"]
    assert {"callback_outcome", "callback_attempts", "callback_next_at", "appeal_outcome"} <= set(
        out
    )
