"""The retention rule: archived complaints lose their personal data after the period,
on both engines, and nothing else changes: not the figures, not the trail's structure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from careloop.domain.errors import DomainError
from careloop.domain.indicators.periods import period_of
from careloop.services.access import self_service
from careloop.services.indicators import figures as si
from careloop.store.models import Complaint
from tests.integration.retention.helpers import (
    ACCOUNT,
    ADDRESS,
    DAYS,
    EMAIL,
    ID_NUMBER,
    T0,
    Data,
    name_of,
    phone_of,
)


@pytest.fixture
def data(database_url: str) -> Iterator[Data]:
    d = Data(database_url)
    yield d
    d.engine.dispose()


def _assert_no_personal_data(dump: str, n: int) -> None:
    phone = phone_of(n)
    for secret in (phone, f"{phone[:3]} {phone[3:7]}", name_of(n), ID_NUMBER, EMAIL, ADDRESS):
        assert secret not in dump, secret
    for leftover in (phone[-4:], ID_NUMBER[-4:], "wangfang88", ACCOUNT[-4:]):
        assert leftover not in dump, leftover  # masking keeps these; anonymising does not


def test_complaint_archived_one_day_longer_than_the_period_is_anonymised(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    old = data.archived(1, now - timedelta(days=DAYS + 1))
    at_cutoff = data.archived(2, now - timedelta(days=DAYS))
    recent = data.archived(3, now - timedelta(days=DAYS - 1))
    before_recent, before_cutoff = data.dump(recent), data.dump(at_cutoff)

    run = data.purge(now)

    assert [c.id for c in run.complaints] == [old]
    assert data.dump(recent) == before_recent  # one day short of the period: untouched
    assert data.dump(at_cutoff) == before_cutoff  # exactly the period: not yet "longer"
    _assert_no_personal_data(data.dump(old), 1)
    with data.uow() as uow:
        c = uow.session.get(Complaint, old)
        assert c is not None
        assert c.anonymised_at == now and c.customer_phone == "***********"
        assert c.customer_name is None and c.customer_account is None
        assert c.description.startswith("宽带断网两天。")  # the grievance itself stays
        kept = (c.status, c.category, c.region.code, c.accepted_at, c.archived_at)
        assert kept == ("archived", "broadband.outage", "C1-K1", T0, now - timedelta(days=DAYS + 1))
        assert c.callback_satisfied is True and c.closed_at is not None


def test_the_audit_trail_keeps_its_structure_and_records_the_anonymisation(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    cid = data.archived(1, T0 + timedelta(days=1))
    shape = (
        "SELECT id, at, actor_id, role, action, work_order_id FROM events WHERE complaint_id = :c"
    )
    with data.engine.connect() as conn:
        before = conn.execute(text(shape + " ORDER BY id"), {"c": cid}).all()

    data.purge(now)

    with data.engine.connect() as conn:
        after = conn.execute(text(shape + " ORDER BY id"), {"c": cid}).all()
        actors = set(
            conn.execute(
                text("SELECT actor FROM events WHERE complaint_id = :c"), {"c": cid}
            ).scalars()
        )
    assert after[: len(before)] == before
    assert [row.action for row in after[len(before) :]] == ["anonymise"]
    assert after[-1].actor_id is not None and after[-1].role == "admin"
    assert "customer" in actors and not any(a.startswith("customer:") for a in actors)


def test_the_database_still_refuses_to_rewrite_the_trail_except_an_anonymised_content(
    data: Data,
):
    now = T0 + timedelta(days=DAYS + 10)
    gone = data.archived(1, T0 + timedelta(days=1))
    kept = data.archived(2, now - timedelta(days=1))
    data.purge(now)
    for statement, cid in (
        ("UPDATE events SET note = 'forged' WHERE complaint_id = :c", kept),  # not anonymised
        ("UPDATE events SET action = 'forged' WHERE complaint_id = :c", gone),  # structure
        ("UPDATE events SET at = :t WHERE complaint_id = :c", gone),
        ("DELETE FROM events WHERE complaint_id = :c", gone),
    ):
        with pytest.raises(DBAPIError, match="append-only"), data.engine.begin() as conn:
            conn.execute(text(statement), {"c": cid, "t": now})


def test_a_dry_run_lists_what_is_due_and_writes_nothing(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    cid = data.archived(1, T0 + timedelta(days=1))
    before = data.dump(cid)

    run = data.purge(now, dry_run=True)

    assert run.dry_run and [(c.id, c.archived_at) for c in run.complaints] == [
        (cid, T0 + timedelta(days=1))
    ]
    assert data.dump(cid) == before
    assert data.security_events() == []


def test_a_second_run_changes_nothing(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    cids = [data.archived(n, T0 + timedelta(days=1)) for n in (1, 2)]
    assert data.purge(now).count == 2
    after_first = [data.dump(c) for c in cids]

    again = data.purge(now + timedelta(days=1))

    assert again.count == 0 and again.batches == 0
    assert [data.dump(c) for c in cids] == after_first


def test_a_backlog_is_anonymised_in_batches_of_its_own_transactions(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    cids = [data.archived(n, T0 + timedelta(days=1)) for n in range(1, 6)]

    run = data.purge(now, batch_size=2)

    assert run.batches == 3 and [c.id for c in run.complaints] == cids
    with data.uow() as uow:
        marked = uow.session.scalars(
            select(Complaint.id).where(Complaint.anonymised_at.is_not(None))
        ).all()
    assert sorted(marked) == cids


def test_every_run_is_a_security_event_with_who_when_cutoff_and_how_many(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    data.archived(1, T0 + timedelta(days=1))
    data.purge(now)
    data.purge(now + timedelta(hours=1))

    first, second = data.security_events()
    assert (first.username, first.at) == ("admin", now) and first.staff_id is not None
    assert first.detail is not None and first.detail["anonymised"] == 1
    assert first.detail["cutoff"] == (now - timedelta(days=DAYS)).isoformat()
    assert first.detail["retention_days"] == DAYS
    assert second.detail is not None and second.detail["anonymised"] == 0


@pytest.mark.parametrize("username", ["super1", "agent1", "inspector"])
def test_only_an_administrator_may_purge(data: Data, username: str):
    now = T0 + timedelta(days=DAYS + 10)
    cid = data.archived(1, T0 + timedelta(days=1))
    before = data.dump(cid)
    with pytest.raises(DomainError) as refused:
        data.purge(now, username=username)
    assert refused.value.code == "role_not_allowed" and refused.value.status == 403
    assert data.dump(cid) == before and data.security_events() == []


def test_a_period_below_one_day_is_refused(data: Data):
    with pytest.raises(DomainError) as refused:
        data.purge(T0, days=0)
    assert refused.value.code == "invalid_input"


def test_complaints_not_archived_keep_their_personal_data(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    open_one = data.accepted(7, T0)
    before = data.dump(open_one)
    data.purge(now)
    assert data.dump(open_one) == before


def test_self_service_no_longer_finds_an_anonymised_complaint_by_phone(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    cid = data.archived(1, T0 + timedelta(days=1))
    with data.uow() as uow:
        assert [c.id for c in self_service.customer_complaints(uow, phone_of(1))] == [cid]
    data.purge(now)
    with data.uow() as uow:
        assert self_service.customer_complaints(uow, phone_of(1)) == []


def _monthly_figures(data: Data) -> dict[str, Any]:
    period = period_of("month", date(2026, 9, 28))
    with data.uow() as uow:
        report = si.indicator_report(uow, period)
    nodes = [report.root, *report.children]
    return {
        f"{node.node.code}:{key}": (row.value.value, row.value.numerator, row.value.denominator)
        for node in nodes
        for key, row in node.rows.items()
    }


def test_monthly_indicators_are_the_same_after_the_purge(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    for n in (1, 2, 3):
        data.archived(n, T0 + timedelta(days=1))
    data.accepted(4, T0 + timedelta(hours=1))
    before = _monthly_figures(data)
    assert any(value for value, *_ in before.values())

    assert data.purge(now).count == 3

    assert _monthly_figures(data) == before


def test_an_anonymised_complaint_reads_everywhere_without_its_personal_data(
    data: Data, api: Any, clock: Any
):
    """Even to the administrator, who sees everything unmasked: the API answer, the trail,
    the export, the unmask action and the page answer 200 with placeholders."""
    cid = data.archived(1, T0 + timedelta(days=1))
    data.purge(T0 + timedelta(days=DAYS + 10))
    clock.advance(days=DAYS + 10)
    admin = api.as_("admin")
    answers = [
        admin.get(f"/api/v1/complaints/{cid}"),
        admin.get(f"/api/v1/complaints/{cid}/events"),
        admin.get(f"/api/v1/complaints/{cid}/notes"),
        admin.get(f"/api/v1/complaints/{cid}/attachments"),
        admin.get("/api/v1/complaints/export", params={"format": "csv"}),
        admin.post(f"/api/v1/complaints/{cid}/unmask", json={"reason": "retention check"}),
    ]
    page = httpx.get(
        f"{api.base_url}/complaints/{cid}",
        cookies={"careloop_session": api.token("admin")},
        timeout=30,
    )
    for answer in [*answers, page]:
        assert answer.status_code == 200, (answer.request.url, answer.text[:300])
        _assert_no_personal_data(answer.content.decode("utf-8-sig"), 1)
    assert answers[0].json()["customer"]["phone"] == "***********"
    assert answers[-1].json()["phone"] == "***********"
