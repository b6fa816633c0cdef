"""Complaints that went the whole way and were archived, with personal data everywhere.

Each complaint is accepted, dispatched, its work order done, replied to, rated by the
customer themself, given a note, an attachment and an escalation message, and archived,
with the customer's phone, name, ID number, account, e-mail and address typed into every
free-text field: "nothing personal is left" is then checked against every copy the system
makes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from careloop.services.access import self_service
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake, lifecycle, work_orders
from careloop.services.privacy import retention
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import (
    Attachment,
    Complaint,
    Event,
    Note,
    Notification,
    SecurityEvent,
    WorkOrder,
)

T0 = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DAYS = 1095
ID_NUMBER = "11010119900101987X"
EMAIL = "wangfang88@example.com"
ADDRESS = "翠苑小区3栋2单元501室"
ACCOUNT = "ACC77004321"


def phone_of(n: int) -> str:
    return f"1391234{n + 8800}"  # last four 8801, 8802 …: found nowhere else


def name_of(n: int) -> str:
    return "王芳" if n % 2 else "李建国"


class Data:
    """A database with the test org; `archived(n, at)` makes a complaint archived at `at`."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.factory = make_session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.factory)

    def accepted(self, n: int, at: datetime) -> int:
        phone = phone_of(n)
        personal = (
            f"{name_of(n)}，住{ADDRESS}，电话 {phone[:3]} {phone[3:7]} {phone[7:]}，"
            f"身份证 {ID_NUMBER}，邮箱 {EMAIL}，账号 {ACCOUNT}"
        )
        with self.uow() as uow:
            draft = intake.NewComplaint(
                channel="hotline",
                customer_phone=phone_of(n),
                category="broadband.outage",
                description=f"宽带断网两天。{personal}",
                region_code="C1-K1",
                product="broadband",
                customer_name=name_of(n),
                customer_account=ACCOUNT,
            )
            return intake.accept_complaint(
                uow, draft, actor_for(uow, "agent1"), at, f"ret-{n}"
            ).complaint.id

    def archived(self, n: int, archived_at: datetime, accepted_at: datetime = T0) -> int:
        cid = self.accepted(n, accepted_at)
        t = accepted_at
        phone, name = phone_of(n), name_of(n)
        with self.uow() as uow:
            agent = actor_for(uow, "agent1")
            c = uow.session.get(Complaint, cid)
            assert c is not None
            order = work_orders.dispatch(
                uow,
                cid,
                agent,
                c.version,
                t + timedelta(minutes=5),
                "C1-K1-NET",
                f"请上门，联系 {phone}（{name}），地址 {ADDRESS}",
            )
            order_id, version = order.id, order.version
        with self.uow() as uow:
            net = actor_for(uow, "net1")
            order = work_orders.accept(uow, order_id, net, version, t + timedelta(minutes=30))
            work_orders.complete(
                uow,
                order_id,
                net,
                order.version,
                t + timedelta(hours=2),
                f"已到{ADDRESS}修复，{name}确认",
            )
        with self.uow() as uow:
            agent = actor_for(uow, "agent1")
            c = uow.session.get(Complaint, cid)
            assert c is not None
            c = lifecycle.reply(
                uow,
                cid,
                agent,
                c.version,
                t + timedelta(hours=3),
                f"{name}您好，已修复，回电 {phone}",
            )
            lifecycle.add_note(
                uow,
                cid,
                agent,
                t + timedelta(hours=3, minutes=1),
                f"客户邮箱 {EMAIL}，证件 {ID_NUMBER}",
            )
            lifecycle.add_attachment(
                uow,
                cid,
                agent,
                t + timedelta(hours=3, minutes=2),
                f"{name}-{phone}.jpg",
                "image/jpeg",
                1000,
            )
            c = uow.session.get(Complaint, cid)
            assert c is not None
            lifecycle.callback(
                uow,
                cid,
                self_service.customer_actor(phone),
                c.version,
                t + timedelta(hours=4),
                True,
                f"满意，我是{name}",
            )
            uow.session.add(
                Notification(
                    dedup_key=f"esc:{cid}",
                    kind="escalation",
                    channel="sms",
                    recipient=f"tel:{phone}",
                    subject=f"投诉 {name}",
                    body=f"客户 {name} {phone} 地址 {ADDRESS}",
                    complaint_id=cid,
                    status="sent",
                    created_at=t,
                    send_after=t,
                )
            )
            uow.commit()
        with self.uow() as uow:
            c = uow.session.get(Complaint, cid)
            assert c is not None and c.status == "closed"
            lifecycle.archive(uow, cid, actor_for(uow, "super1"), c.version, archived_at)
        return cid

    def purge(self, now: datetime, username: str = "admin", **kw: Any) -> retention.RetentionRun:
        with self.uow() as uow:
            actor = actor_for(uow, username)
        return retention.purge(self.uow, actor, now, kw.pop("days", DAYS), **kw)

    def dump(self, complaint_id: int) -> str:
        """Every stored value of a complaint and of the rows that copy from it, as text."""
        with self.uow() as uow:
            s = uow.session
            rows: list[Any] = [s.get(Complaint, complaint_id)]
            for model in (WorkOrder, Note, Attachment, Event, Notification):
                rows += s.scalars(
                    select(model).where(model.complaint_id == complaint_id).order_by(model.id)
                ).all()
            values = [
                {col.key: getattr(row, col.key) for col in row.__table__.columns} for row in rows
            ]
        return json.dumps(values, ensure_ascii=False, default=str, sort_keys=True)

    def security_events(self) -> list[SecurityEvent]:
        with self.uow() as uow:
            return list(
                uow.session.scalars(
                    select(SecurityEvent).where(SecurityEvent.kind == "retention_purge")
                )
            )
