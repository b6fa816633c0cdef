"""Load the demo province and replay its complaint plans through the real services.

Replaying through the services (not bulk INSERTs) means the demo data obeys every rule the
product enforces and carries a complete audit trail, so what a person explores is real.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from careloop.demo.commitments import seed_commitments
from careloop.demo.inspections import load_inspection_quarter
from careloop.demo.province import Province, build_province
from careloop.demo.reply_templates import seed_reply_templates
from careloop.demo.scenario import ComplaintPlan, Step, generate_demo
from careloop.demo.spam import load_spam_month
from careloop.demo.storyline import IncidentPlan
from careloop.demo.supervision_cases import load_supervision_cases
from careloop.demo.surveys import hold_demo_surveys, seed_demo_surveys
from careloop.services.access.actors import Actor, actor_for
from careloop.services.access.auth import hash_password
from careloop.services.complaints import intake, lifecycle, work_orders, work_steps
from careloop.services.incidents import bulk_reply
from careloop.services.incidents import lifecycle as incidents
from careloop.services.indicators import subscribers
from careloop.services.monitoring import daily_counts
from careloop.services.org import setup as org
from careloop.services.sla import refresh, sweep
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Incident, OrgUnit, WorkOrder

DEMO_PASSWORD = "careloop-demo"
"""Every demo account's password (README, docs/security.md): demo data only, never production."""


def load_province(uow: UnitOfWork, province: Province) -> None:
    for node in province.nodes:
        org.add_unit(
            uow,
            org.UnitSpec(
                node.code,
                node.name_zh,
                node.name_en,
                node.kind,
                node.parent_code,
                node.dept_type,
                node.area,
            ),
        )
    # One Argon2 hash for the shared demo password: hashing it per account costs seconds.
    shared_hash = hash_password(DEMO_PASSWORD)
    for member in province.staff:
        org.add_staff(
            uow,
            member.username,
            member.display_name,
            member.role,
            member.org_code,
            password_hash=shared_hash,
        )
    uow.commit()


DEMO_USER_DEFINITION = "mobile + fixed-line phone + broadband users (demo)"


def load_subscribers(uow: UnitOfWork, province: Province, end: datetime, days: int) -> None:
    """Users per city for every month of the demo and the year before (for 同比), as imported
    data with its denominator definition (the same path as `careloop import subscribers`)."""
    first = (end - timedelta(days=days + 400)).date().replace(day=1)
    months = []
    while first <= end.date():
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    rows = [
        subscribers.SubscriberRow(code, month, users, DEMO_USER_DEFINITION)
        for code, users in province.subscribers.items()
        for month in months
    ]
    subscribers.import_subscribers(uow, rows, source="demo", by="demo", now=end)


PLANS_PER_COMMIT = 100


class _ReplayUnitOfWork(UnitOfWork):
    """The demo's replay commits every ``PLANS_PER_COMMIT`` complaints, not every step.

    Each step is still one use case of the services, with its checks, its audit row and its
    domain events (published at the commit); only the transaction spans many of them, and
    the stored clocks are refreshed once per complaint, at its latest event
    (``refresh.DEFER_KEY``), which is what the last per-step refresh would have stored.
    Committing and refreshing at every step cost half of the load's time.
    """

    def __enter__(self) -> _ReplayUnitOfWork:
        super().__enter__()
        self.session.info[refresh.DEFER_KEY] = True
        return self

    def commit(self) -> None:
        if self.session.info.get(refresh.DEFER_KEY):
            self.session.flush()  # a service's commit: written, committed with the batch
            return
        super().commit()

    def settle(self, *, commit: bool = True) -> None:
        """Refresh the stored clocks of the complaints changed so far (and commit)."""
        self.session.info.pop(refresh.DEFER_KEY, None)
        try:
            refresh.refresh_changed(self)
            if commit:
                super().commit()
        finally:
            self.session.info[refresh.DEFER_KEY] = True


class _Replayer:
    """Runs one plan's steps, keeping the versions the services hand back."""

    def __init__(self, uow: _ReplayUnitOfWork, actors: dict[str, Actor]) -> None:
        self.uow = uow
        self.actors = actors

    def accept(self, plan: ComplaintPlan) -> Complaint:
        draft = intake.NewComplaint(
            channel=plan.channel,
            customer_phone=plan.customer_phone,
            category=plan.category,
            description=plan.description,
            region_code=plan.region_code,
            product=plan.product,
            customer_name=plan.customer_name,
            customer_account=plan.customer_account,
            customer_tier=plan.customer_tier,
            priority=plan.priority,
            source_ref=plan.source_ref,
            escalated=plan.escalated,
            regulator_transfer=plan.regulator_transfer,
        )
        actor = self.actors[plan.accepted_by]
        return intake.accept_complaint(self.uow, draft, actor, plan.accepted_at, plan.key).complaint

    def run(self, complaint: Complaint, step: Step, orders: list[WorkOrder]) -> None:
        a, at, p, cid = self.actors[step.actor], step.at, step.params, complaint.id
        uow = self.uow
        v = complaint.version

        def order(index: Any) -> WorkOrder:
            return orders[int(index)]

        match step.action:
            case "handle":
                lifecycle.handle(uow, cid, a, v, at)
            case "dispatch":
                orders.append(
                    work_orders.dispatch(
                        uow,
                        cid,
                        a,
                        v,
                        at,
                        str(p["unit"]),
                        str(p.get("instructions") or ""),
                        due_hours=float(str(p.get("due_hours", 48))),
                    )
                )
            case "accept_work_order":
                o = order(p["work_order"])
                work_orders.accept(uow, o.id, a, o.version, at)
                if any(s.kind == "feasibility" and s.state == "open" for s in o.steps):
                    # The unit answers whether an installation is possible as it accepts.
                    work_steps.reply_feasibility(uow, o.id, a, o.version, at, True)
            case "transfer_work_order":
                # A transfer keeps the order's stored due time: it must be refreshed first.
                uow.settle(commit=False)
                o = order(p["work_order"])
                orders.append(
                    work_orders.transfer(
                        uow, o.id, a, o.version, at, str(p["unit"]), str(p["reason"])
                    )
                )
            case "return_work_order":
                o = order(p["work_order"])
                work_orders.return_to_owner(uow, o.id, a, o.version, at, str(p["reason"]))
            case "complete_work_order":
                o = order(p["work_order"])
                work_orders.complete(uow, o.id, a, o.version, at, str(p["result"]))
            case "pause":
                lifecycle.pause(uow, cid, a, v, at, str(p["reason"]))
            case "resume":
                lifecycle.resume(uow, cid, a, v, at)
            case "reply":
                lifecycle.reply(uow, cid, a, v, at, str(p["text"]))
            case "callback":
                lifecycle.callback(
                    uow, cid, a, v, at, bool(p["satisfied"]), str(p.get("comment") or "") or None
                )
            case "archive":
                lifecycle.archive(uow, cid, a, v, at)
            case "cancel":
                lifecycle.cancel(uow, cid, a, v, at, str(p["reason"]))
            case "reject":
                lifecycle.reject(uow, cid, a, v, at, str(p["reason"]))
            case "note":
                lifecycle.add_note(uow, cid, a, at, str(p["text"]))
            case other:
                raise ValueError(f"unknown demo step {other!r}")


class _Incident:
    """The storyline's incident, declared, answered and resolved at its own times."""

    def __init__(self, uow: UnitOfWork, plan: IncidentPlan, actors: dict[str, Actor]) -> None:
        self.uow = uow
        self.plan = plan
        self.actors = actors
        self.id = 0
        self.version = 0

    def actions(self) -> list[tuple[datetime, Callable[[], None]]]:
        p = self.plan
        return [
            (p.opened_at, self.open),
            (p.answered_at, self.restored),
            (p.resolved_at, self.resolve),
            (p.bulk_reply_at, self.bulk_reply),
        ]

    def _keep(self, incident: Incident) -> None:
        self.id, self.version = incident.id, incident.version

    def open(self) -> None:
        p = self.plan
        draft = incidents.NewIncident(
            kind=p.kind,
            title=p.title,
            prepared_answer=p.prepared_answer,
            regions=(p.region_code,),
            starts_at=p.starts_at,
            description=p.description,
            categories=p.categories,
            expected_end_at=p.expected_end_at,
        )
        self._keep(incidents.open_incident(self.uow, draft, self.actors[p.opened_by], p.opened_at))

    def restored(self) -> None:
        p = self.plan
        changes = incidents.IncidentChanges(self.version, prepared_answer=p.restored_answer)
        self._keep(
            incidents.update_incident(
                self.uow, self.id, changes, self.actors[p.opened_by], p.answered_at
            )
        )

    def resolve(self) -> None:
        p = self.plan
        self._keep(
            incidents.resolve_incident(
                self.uow,
                self.id,
                self.actors[p.opened_by],
                self.version,
                p.resolved_at,
                ended_at=p.ended_at,
                note=p.resolve_note,
            )
        )

    def bulk_reply(self) -> None:
        p = self.plan
        done = bulk_reply.bulk_reply(
            self.uow, self.id, self.actors[p.bulk_reply_by], self.version, p.bulk_reply_at
        )
        self.version = done.incident_version


def load_demo(
    session_factory: sessionmaker[Session],
    count: int,
    days: int,
    seed: int,
    end: datetime,
    only_if_empty: bool = False,
    progress: Callable[[str], None] = lambda _msg: None,
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> str:
    """Load the demo province through the services; `progress` hears each stage's summary,
    `advance` how many of the generated complaints are in (done, total) as they go."""
    with _ReplayUnitOfWork(session_factory) as uow:
        existing = uow.session.scalar(select(func.count()).select_from(Complaint)) or 0
        if existing:
            # Plans are keyed by seed and sequence: replaying them onto existing data would
            # collide with the first load's idempotency keys, so the demo loads once.
            verdict = "nothing loaded" if only_if_empty else "use an empty database"
            return f"demo data already present ({existing} complaints); {verdict}"
        province = build_province()
        if not uow.session.scalar(select(func.count()).select_from(OrgUnit)):
            load_province(uow, province)
            progress(f"organisation: {len(province.nodes)} units, {len(province.staff)} staff")
            load_subscribers(uow, province, end, days)
        actors = {m.username: actor_for(uow, m.username) for m in province.staff}
        seeded = seed_commitments(uow, actors["admin"], end - timedelta(days=days + 1))
        progress(f"service commitments: {len(seeded)} policies")
        seed_reply_templates(uow, actors["supervisor1"], end - timedelta(days=days + 1))
        hold_demo_surveys(session_factory)
        demo = generate_demo(province, count=count, end=end, days=days, seed=seed)
        plans = demo.plans
        # The incident's moves happen between the complaints accepted before and after them
        # (a complaint accepted while it is live links to it at intake).
        pending = _Incident(uow, demo.incident, actors).actions() if demo.incident else []
        replayer = _Replayer(uow, actors)
        for n, plan in enumerate(plans, 1):
            while pending and pending[0][0] <= plan.accepted_at:
                pending.pop(0)[1]()
            complaint = replayer.accept(plan)
            orders: list[WorkOrder] = []
            for step in plan.steps:
                replayer.run(complaint, step, orders)
            if n % PLANS_PER_COMMIT == 0:
                uow.settle()
            if n % 50 == 0 or n == len(plans):
                advance(n, len(plans))
            if n % 500 == 0:
                uow.session.expunge_all()
        for _at, action in pending:
            action()
        # History was written with past clocks: counts a report stored before are stale.
        daily_counts.forget(uow.session)
        uow.settle()
        total = uow.session.scalar(select(func.count()).select_from(Complaint)) or 0
    # Limits that ran out since the last step are breached now: the sweep records them (and
    # escalates them along the org tree) as the worker would have.
    swept = sweep.sweep(session_factory, end, worker="demo")
    with UnitOfWork(session_factory) as uow:
        steps = work_steps.sweep_steps(uow, end)
    progress(f"SLA sweep: {sum(swept.alerts.values())} alerts, {steps} work steps overdue")
    progress(seed_demo_surveys(session_factory, end, seed))
    progress(load_inspection_quarter(session_factory, province, end, seed))
    progress(load_supervision_cases(session_factory, end, seed).summary())
    progress(load_spam_month(session_factory, province, end, seed).summary())
    return f"demo data loaded: {total} complaints over {days} days (seed {seed})"
