"""Spam reports (垃圾短信举报) from every source, read back within scope, labelled by staff,
and counted per port and day for enforcement.

Sources: a complaint in a ``spam.*`` category (``SpamComplaintRecorder``, the queued handler
of ``careloop.complaint.accepted`` registered in bootstrap.py), an SMS a customer forwarded
to the reporting number, a row of a 12321 transfer file (``transfer_import``) and the SMS
centre's interception system (a batch of intercepted messages with counts). Every report
goes through ``record_reports``: one row key per source item (a report arriving twice is
stored once), attributed to a registered port (exact number, else longest prefix), judged
by the classifier when one is trained, and grouped into its campaign (``campaigns``).

The reporter's number is personal data: stored, and shown masked to roles that may not see
it (domain.privacy, exactly as a complaint's phone number). Shown unmasked, it is a read to
audit: each report whose reporter (or whose text's quoted number) a view shows in full is
noted in the request's read log (services.privacy.personal_data), which the API and the
pages write as one ``personal_data_read`` security event per request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain import permissions, privacy
from careloop.domain.events import DomainEvent
from careloop.domain.permissions import in_scope
from careloop.domain.spam import ports as port_rules
from careloop.domain.spam import reports as rules
from careloop.domain.spam.reports import PortDayCounts, SpamError
from careloop.domain.text import clean_text, required_text
from careloop.domain.time_bounds import instant
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.events import Publisher
from careloop.services.privacy.personal_data import note_spam_report_read, quotes_personal_data
from careloop.services.sla.clocks import LOCAL_TIME
from careloop.services.spam import campaigns
from careloop.services.spam import ports as port_service
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit
from careloop.store.models.spam import (
    SpamCampaign,
    SpamEvent,
    SpamPort,
    SpamReport,
    SpamReportLabel,
)

log = logging.getLogger("careloop.spam")

_REPORTS = SpamReport.__table__
"""Core inserts (no ORM bookkeeping per row): a batch is stored in a few statements."""
KEY_MAX = 100
CHUNK = 500
"""Row keys looked up per query (well below either engine's parameter limit)."""


# --- what the channels hand in and get back -------------------------------------------------


@dataclass(frozen=True)
class NewReport:
    source: str
    key: str
    """The item's identity within its source: the same key again is the same report."""
    sender: str
    text: str
    received_at: datetime
    region_id: int
    reporter_phone: str | None = None
    message_count: int = 1
    serious_reason: str | None = None
    source_ref: str | None = None
    complaint_id: int | None = None


@dataclass(frozen=True)
class RecordResult:
    created: list[int]
    """Ids of the reports stored now, in the order handed in (duplicates left out)."""
    duplicates: int
    campaigns: list[int]


@dataclass(frozen=True)
class Verdict:
    spam: bool | None
    kind: str | None
    score: float | None


@dataclass(frozen=True)
class ReportView:
    id: int
    source: str
    source_label: str
    reporter_phone: str | None
    """Masked (138****5678) unless the reader may see personal data."""
    sender_number: str
    port_id: int | None
    port_number: str | None
    text: str
    received_at: datetime
    received_local: str
    region: str
    region_code: str
    campaign_id: int | None
    message_count: int
    serious: bool
    serious_label: str
    spam: bool | None
    kind: str | None
    kind_label: str
    score: float | None
    label_spam: bool | None
    label_kind: str | None
    complaint_id: int | None


@dataclass(frozen=True)
class ReportPage:
    total: int
    items: list[ReportView]


@dataclass(frozen=True)
class CampaignView:
    id: int
    sample_text: str
    port_id: int | None
    port_number: str | None
    port_owner: str | None
    kind: str | None
    kind_label: str
    reports: int
    """Reports within the reader's scope."""
    reporters: int
    """Distinct reporters within the reader's scope."""
    messages: int
    serious: int
    first_local: str
    last_local: str
    last_at: datetime


@dataclass(frozen=True)
class CampaignPage:
    total: int
    items: list[CampaignView]


# --- the classifier ---------------------------------------------------------------------------

_classifier_cache: dict[str, Any] = {}


def _classify(texts: Sequence[str]) -> list[Verdict]:
    """The trained classifier's verdicts (analytics.spam.classifier), or empty verdicts
    when no model has been trained yet: a report is never refused for want of one."""
    empty = [Verdict(None, None, None) for _ in texts]
    if not texts:
        return empty
    model = _classifier_cache.get("model")
    if "model" not in _classifier_cache:
        try:
            from careloop.analytics.spam import classifier
            from careloop.config import data_dir

            model = classifier.load_latest(data_dir())
        except Exception:  # no module, no model file, an unreadable one: no verdicts
            log.info("no spam classifier available; reports stay unclassified", exc_info=True)
            model = None
        _classifier_cache["model"] = model
    if model is None:
        return empty
    try:
        verdicts = model.classify(list(texts))
    except Exception:
        log.exception("the spam classifier failed; reports stay unclassified")
        return empty
    return [Verdict(bool(v.spam), v.kind, float(v.score)) for v in verdicts]


def forget_classifier() -> None:
    """Load the newest model on the next report (after a training run)."""
    _classifier_cache.clear()


# --- recording ----------------------------------------------------------------------------


def _kind_label(kind: str | None, lang: str) -> str:
    if kind is None:
        return ""
    from careloop.analytics.spam import kinds

    if not kinds.is_kind(kind):
        return kind
    return kinds.kind(kind).name("en" if lang.startswith("en") else "zh")


def region_for(uow: UnitOfWork, code: str, actor: Actor) -> OrgUnit:
    """The org unit a report is filed under, by its code, within the recorder's scope."""
    text = (code or "").strip()
    unit = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == text))
        if text and text.isprintable()
        else None
    )
    if unit is None or not in_scope(unit.path, actor.scope):
        raise SpamError("region", ident=code)
    return unit


def existing_keys(uow: UnitOfWork, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), CHUNK):
        part = unique[start : start + CHUNK]
        found.update(
            uow.session.scalars(select(SpamReport.row_key).where(SpamReport.row_key.in_(part)))
        )
    return found


def sender_number(raw: str) -> str:
    """The sender as stored: normalised digits when it reads as a number, else as given."""
    return port_rules.normalise_number(raw)[:40]


def record_reports(
    uow: UnitOfWork,
    drafts: Sequence[NewReport],
    actor: Actor,
    now: datetime,
    *,
    action: str,
    note: str | None = None,
    commit: bool = True,
) -> RecordResult:
    """Store the reports not stored before (by row key), attributed, classified and grouped
    into campaigns, with one audit row for the batch. Commits unless told not to."""
    keys = [rules.row_key(d.source, d.key) for d in drafts]
    known = existing_keys(uow, keys)
    fresh: list[tuple[str, NewReport]] = []
    for key, draft in zip(keys, drafts, strict=True):
        if key in known:
            continue
        known.add(key)
        fresh.append((key, draft))
    duplicates = len(drafts) - len(fresh)
    if not fresh:
        return RecordResult([], duplicates, [])
    registered = port_service.registered_numbers(uow)
    verdicts = _classify([d.text for _, d in fresh])
    paths = dict(
        uow.session.execute(
            select(OrgUnit.id, OrgUnit.path).where(
                OrgUnit.id.in_(sorted({d.region_id for _, d in fresh}))
            )
        ).all()
    )
    rows: list[dict[str, Any]] = []
    for (key, draft), verdict in zip(fresh, verdicts, strict=True):
        sender = sender_number(draft.sender)
        port_id, port_number = (
            port_service.attribute_in(registered, sender) if sender else (None, None)
        )
        reason = rules.serious_reason(draft.text, draft.serious_reason)
        rows.append(
            {
                "source": draft.source,
                "row_key": key,
                "source_ref": draft.source_ref,
                "complaint_id": draft.complaint_id,
                "reporter_phone": draft.reporter_phone,
                "reporter_hash": (
                    rules.reporter_hash(draft.reporter_phone) if draft.reporter_phone else None
                ),
                "sender_number": sender,
                "port_id": port_id,
                "port_number": port_number,
                "text": draft.text,
                "received_at": draft.received_at,
                "region_id": draft.region_id,
                "region_path": paths[draft.region_id],
                "campaign_id": None,
                "message_count": draft.message_count,
                "serious": reason is not None,
                "serious_reason": reason,
                "spam": verdict.spam,
                "kind": verdict.kind,
                "score": verdict.score,
                "created_at": now,
                "created_by": actor.username,
            }
        )
    # Campaigns first, so the reports go in with batched INSERTs (a file of 10 000 rows is
    # a few statements, not 10 000 ORM objects) and no UPDATE after.
    touched = campaigns.group(uow, rows)
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        ids.extend(
            uow.session.connection().scalars(
                insert(_REPORTS).returning(_REPORTS.c.id, sort_by_parameter_order=True),
                rows[start : start + CHUNK],
            )
        )
    campaigns.refresh(uow, touched)
    uow.session.add(
        SpamEvent(
            report_id=ids[0] if len(ids) == 1 else None,
            at=now,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            after={
                "reports": len(rows),
                "duplicates": duplicates,
                "campaigns": sorted(touched),
                "first_report": ids[0],
                "last_report": ids[-1],
            },
            note=note,
        )
    )
    if commit:
        uow.commit()
    return RecordResult(ids, duplicates, sorted(touched))


def _received(value: datetime, now: datetime) -> datetime:
    moment = instant("received_at", value)
    return min(moment, now)


def record_forwarded(
    uow: UnitOfWork,
    *,
    reporter_phone: str,
    sender: str,
    text: str,
    received_at: datetime,
    region: str,
    key: str,
    actor: Actor,
    now: datetime,
    serious_reason: str | None = None,
) -> tuple[int, bool]:
    """An SMS a customer forwarded to the reporting number (the SMS gateway posts it);
    (report id, created). The gateway's message id is the key: a retry stores nothing.
    ``serious_reason``: what the customer said with it (sent after an unsubscribe, or
    without consent), since the forwarded message itself seldom says so."""
    permissions.check_permission("spam.report", actor.role)
    phone = required_text(reporter_phone, "reporter_phone", 30, multiline=False)
    body = required_text(text, "text", rules.TEXT_MAX_CHARS)
    unit = region_for(uow, region, actor)
    draft = NewReport(
        source="forwarded",
        key=required_text(key, "key", KEY_MAX, multiline=False),
        sender=required_text(sender, "sender", 40, multiline=False),
        text=body,
        received_at=_received(received_at, now),
        region_id=unit.id,
        reporter_phone=phone,
        serious_reason=_stated(serious_reason),
        source_ref=key,
    )
    result = record_reports(uow, [draft], actor, now, action="report_forwarded")
    if result.created:
        return result.created[0], True
    existing = uow.session.scalar(
        select(SpamReport.id).where(SpamReport.row_key == rules.row_key("forwarded", draft.key))
    )
    assert existing is not None
    return existing, False


@dataclass(frozen=True)
class Interception:
    key: str
    sender: str
    text: str
    count: int
    intercepted_at: datetime
    serious_reason: str | None = None
    """The SMS centre's finding that the recipient had unsubscribed (0000) or never
    consented, from the unified unsubscribe and consent records it checks against."""


def _stated(reason: str | None) -> str | None:
    """A violation a channel states: one of ``SERIOUS_REASONS`` (422 in words otherwise)."""
    if reason is None or reason == "":
        return None
    return rules.choose(rules.SERIOUS_REASONS, reason, ("违规情形", "The violation"))


def record_interceptions(
    uow: UnitOfWork,
    *,
    batch_id: str,
    region: str,
    items: Sequence[Interception],
    actor: Actor,
    now: datetime,
) -> RecordResult:
    """A batch from the SMS centre's interception system: each item a message it stopped,
    with how many copies; the batch id and item key make a resent batch store nothing."""
    permissions.check_permission("spam.report", actor.role)
    if not items:
        raise SpamError("batch_empty")
    batch = required_text(batch_id, "batch_id", KEY_MAX, multiline=False)
    unit = region_for(uow, region, actor)
    drafts = [
        NewReport(
            source="interception",
            key=f"{batch}:{required_text(item.key, 'key', KEY_MAX, multiline=False)}",
            sender=required_text(item.sender, "sender", 40, multiline=False),
            text=required_text(item.text, "text", rules.TEXT_MAX_CHARS),
            received_at=_received(item.intercepted_at, now),
            region_id=unit.id,
            message_count=item.count,
            serious_reason=_stated(item.serious_reason),
            source_ref=batch,
        )
        for item in items
    ]
    return record_reports(uow, drafts, actor, now, action="interceptions_received", note=batch)


def report_from_complaint(uow: UnitOfWork, complaint_id: int) -> int | None:
    """A complaint in a ``spam.*`` category is also a spam report: its customer the
    reporter, the sender and the quoted message read from its text. None for any other
    complaint, or one reported already (the handler may run twice)."""
    complaint = uow.session.get(Complaint, complaint_id)
    if complaint is None or not complaint.category.startswith("spam."):
        return None
    text = complaint.description or ""
    draft = NewReport(
        source="complaint",
        key=str(complaint.id),
        sender=rules.sender_in_text(text) or "",
        text=rules.message_in_text(text)[: rules.TEXT_MAX_CHARS],
        received_at=complaint.accepted_at,
        region_id=complaint.region_id,
        reporter_phone=complaint.customer_phone,
        # The customer says "TD退订无效" in the complaint, not in the message they quote.
        serious_reason=rules.serious_reason(text),
        source_ref=complaint.number,
        complaint_id=complaint.id,
    )
    result = record_reports(uow, [draft], SYSTEM, complaint.accepted_at, action="report_complaint")
    return result.created[0] if result.created else None


SPAM_COMPLAINT = "careloop.spam.complaint_reported"
"""A complaint in a ``spam.*`` category was accepted (``careloop.complaint.accepted`` passed
on by ``spam_only``); its queued handler records the complaint as a spam report. Payload:
the accepted complaint's."""


def spam_only(events: Publisher) -> Callable[[DomainEvent], None]:
    """The inline filter on every accepted complaint: passes the spam ones on as
    ``SPAM_COMPLAINT``, so only they reach the queue."""

    def pass_spam_on(event: DomainEvent) -> None:
        if str(event.payload.get("category") or "").startswith("spam."):
            events.publish([replace(event, name=SPAM_COMPLAINT)])

    return pass_spam_on


class SpamComplaintRecorder:
    """The queued handler of ``SPAM_COMPLAINT``: one instance per platform, bound to its
    database (a queue worker finds it by its class's name)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self, event: DomainEvent) -> None:
        if event.complaint_id is None:
            return
        with UnitOfWork(self.session_factory) as uow:
            report_from_complaint(uow, event.complaint_id)


# --- reading ------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def _views(
    uow: UnitOfWork, rows: Sequence[SpamReport], actor: Actor, lang: str
) -> list[ReportView]:
    unmasked = privacy.may_see_personal_data(actor.role)
    units = {
        u.id: u
        for u in uow.session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_(sorted({r.region_id for r in rows})))
        )
    }
    labels = _latest_labels(uow, [r.id for r in rows])
    en = lang.startswith("en")
    out = []
    for row in rows:
        unit = units[row.region_id]
        label = labels.get(row.id)
        if unmasked and _personal(row.reporter_phone, row.text):
            note_spam_report_read(actor, row.id)
        out.append(
            ReportView(
                id=row.id,
                source=row.source,
                source_label=rules.label(rules.SOURCES, row.source, lang),
                reporter_phone=privacy.shown(row.reporter_phone, "phone", unmasked=unmasked),
                sender_number=row.sender_number,
                port_id=row.port_id,
                port_number=row.port_number,
                # A forwarded message can quote the customer (their number, their ID),
                # as a complaint's text can: masked by the same rule.
                text=privacy.shown(row.text, "text", unmasked=unmasked) or "",
                received_at=row.received_at,
                received_local=_local(row.received_at),
                region=unit.name_en if en else unit.name_zh,
                region_code=unit.code,
                campaign_id=row.campaign_id,
                message_count=row.message_count,
                serious=row.serious,
                serious_label=rules.label(rules.SERIOUS_REASONS, row.serious_reason, lang),
                spam=row.spam,
                kind=row.kind,
                kind_label=_kind_label(row.kind, lang),
                score=row.score,
                label_spam=label.spam if label else None,
                label_kind=label.kind if label else None,
                complaint_id=row.complaint_id,
            )
        )
    return out


def _personal(phone: str | None, text: str | None) -> bool:
    """Whether showing these unmasked shows personal data: a reporter's number, or a text
    that masking would change (a forwarded message quoting a number or an ID). An
    interception's report has neither, and reading it is no personal-data read."""
    return bool(phone) or quotes_personal_data(text)


def _latest_labels(uow: UnitOfWork, report_ids: Sequence[int]) -> dict[int, SpamReportLabel]:
    if not report_ids:
        return {}
    rows = uow.session.scalars(
        select(SpamReportLabel)
        .where(SpamReportLabel.report_id.in_(list(report_ids)))
        .order_by(SpamReportLabel.id)
    )
    return {row.report_id: row for row in rows}


def _scoped(actor: Actor) -> Any:
    return SpamReport.region_path.startswith(actor.scope, autoescape=True)


def list_reports(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    *,
    campaign_id: int | None = None,
    port: str | None = None,
    source: str | None = None,
    serious: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ReportPage:
    """Reports within the reader's scope (the region they were filed under), newest first."""
    permissions.check_permission("spam.read", actor.role)
    query = select(SpamReport).where(_scoped(actor))
    if campaign_id is not None:
        query = query.where(SpamReport.campaign_id == campaign_id)
    if port:
        query = query.where(SpamReport.port_number == port_rules.normalise_number(port))
    if source:
        query = query.where(SpamReport.source == source)
    if serious is not None:
        query = query.where(SpamReport.serious.is_(serious))
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        uow.session.scalars(
            query.order_by(SpamReport.received_at.desc(), SpamReport.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    return ReportPage(total, _views(uow, rows, actor, lang))


def get_report(uow: UnitOfWork, report_id: int, actor: Actor, lang: str) -> ReportView:
    """One report; outside the reader's scope it does not exist (404)."""
    permissions.check_permission("spam.read", actor.role)
    row = uow.session.get(SpamReport, report_id) if 0 < report_id < 2**63 else None
    if row is None or not in_scope(row.region_path, actor.scope):
        raise SpamError("report_missing", ident=report_id)
    return _views(uow, [row], actor, lang)[0]


def _campaign_rows(uow: UnitOfWork, actor: Actor, campaign_id: int | None = None) -> Any:
    query = (
        select(
            SpamReport.campaign_id,
            func.count().label("reports"),
            func.count(func.distinct(SpamReport.reporter_hash)).label("reporters"),
            func.sum(SpamReport.message_count).label("messages"),
            func.sum(cast(SpamReport.serious, Integer)).label("serious"),
            func.min(SpamReport.received_at).label("first_at"),
            func.max(SpamReport.received_at).label("last_at"),
        )
        .where(_scoped(actor), SpamReport.campaign_id.is_not(None))
        .group_by(SpamReport.campaign_id)
    )
    if campaign_id is not None:
        query = query.where(SpamReport.campaign_id == campaign_id)
    return query


def _campaign_views(
    uow: UnitOfWork, counted: Sequence[Any], actor: Actor, lang: str
) -> list[CampaignView]:
    ids = [row.campaign_id for row in counted]
    stored = {
        c.id: c for c in uow.session.scalars(select(SpamCampaign).where(SpamCampaign.id.in_(ids)))
    }
    # The sample a reader sees is the first report within their scope: a campaign spans
    # regions, and another region's report is not theirs to read.
    first_ids = (
        select(func.min(SpamReport.id))
        .where(_scoped(actor), SpamReport.campaign_id.in_(ids))
        .group_by(SpamReport.campaign_id)
    )
    samples = {
        campaign_id: (report_id, text)
        for campaign_id, report_id, text in uow.session.execute(
            select(SpamReport.campaign_id, SpamReport.id, SpamReport.text).where(
                SpamReport.id.in_(first_ids)
            )
        )
    }
    owners = _port_owners(uow, {c.port_id for c in stored.values() if c.port_id is not None})
    unmasked = privacy.may_see_personal_data(actor.role)
    out = []
    for row in counted:
        campaign = stored[row.campaign_id]
        sample_id, sample = samples.get(campaign.id, (None, campaign.sample_text))
        if unmasked and sample_id is not None and _personal(None, sample):
            note_spam_report_read(actor, sample_id)
        out.append(
            CampaignView(
                id=campaign.id,
                sample_text=privacy.shown(sample, "text", unmasked=unmasked) or "",
                port_id=campaign.port_id,
                port_number=campaign.port_number,
                port_owner=owners.get(campaign.port_id) if campaign.port_id else None,
                kind=campaign.kind,
                kind_label=_kind_label(campaign.kind, lang),
                reports=int(row.reports),
                reporters=int(row.reporters),
                messages=int(row.messages or 0),
                serious=int(row.serious or 0),
                first_local=_local(row.first_at),
                last_local=_local(row.last_at),
                last_at=row.last_at,
            )
        )
    return out


def _port_owners(uow: UnitOfWork, port_ids: set[int]) -> dict[int, str]:
    if not port_ids:
        return {}
    return dict(
        uow.session.execute(
            select(SpamPort.id, SpamPort.owner_name).where(SpamPort.id.in_(sorted(port_ids)))
        ).all()
    )


def list_campaigns(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    *,
    port: str | None = None,
    min_reporters: int = 1,
    limit: int = 50,
    offset: int = 0,
) -> CampaignPage:
    """Campaigns as the reader's scope sees them (their reports there), the most reported
    by distinct people first."""
    permissions.check_permission("spam.read", actor.role)
    counted = _campaign_rows(uow, actor)
    if port:
        counted = counted.where(SpamReport.port_number == port_rules.normalise_number(port))
    counted = counted.having(func.count(func.distinct(SpamReport.reporter_hash)) >= min_reporters)
    sub = counted.subquery()
    total = uow.session.scalar(select(func.count()).select_from(sub)) or 0
    rows = list(
        uow.session.execute(
            select(sub)
            .order_by(sub.c.reporters.desc(), sub.c.reports.desc(), sub.c.campaign_id)
            .limit(limit)
            .offset(offset)
        )
    )
    return CampaignPage(total, _campaign_views(uow, rows, actor, lang))


def get_campaign(uow: UnitOfWork, campaign_id: int, actor: Actor, lang: str) -> CampaignView:
    """One campaign as the reader's scope sees it; without a report there it is a 404."""
    permissions.check_permission("spam.read", actor.role)
    if not 0 < campaign_id < 2**63:
        raise SpamError("campaign_missing", ident=campaign_id)
    rows = list(uow.session.execute(_campaign_rows(uow, actor, campaign_id)))
    if not rows:
        raise SpamError("campaign_missing", ident=campaign_id)
    return _campaign_views(uow, rows, actor, lang)[0]


# --- staff labels (the classifier's training data) -------------------------------------------


def label_report(
    uow: UnitOfWork,
    report_id: int,
    *,
    spam: bool,
    kind: str | None,
    note: str | None,
    actor: Actor,
    now: datetime,
    lang: str,
) -> ReportView:
    """A member of staff says whether the report is spam and of which kind; the latest
    label of a report is what the next training run learns from."""
    permissions.check_permission("spam.label", actor.role)
    get_report(uow, report_id, actor, lang)
    from careloop.analytics.spam import kinds

    if spam:
        chosen = kind or "other"
        if chosen not in kinds.SPAM_KIND_CODES:
            table = {
                k.code: (k.name_zh, k.name_en) for k in kinds.KINDS if k.code != kinds.NOT_SPAM
            }
            rules.choose(table, chosen, ("垃圾短信类型", "The kind of spam"))
    else:
        chosen = kinds.NOT_SPAM
    uow.session.add(
        SpamReportLabel(
            report_id=report_id,
            spam=spam,
            kind=chosen,
            note=clean_text(note, "note", 500),
            labelled_at=now,
            labelled_by_id=actor.staff_id,
            labelled_by=actor.username,
        )
    )
    uow.session.add(
        SpamEvent(
            report_id=report_id,
            at=now,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action="report_labelled",
            after={"spam": spam, "kind": chosen},
        )
    )
    uow.commit()
    return get_report(uow, report_id, actor, lang)


@dataclass(frozen=True)
class StaffLabels:
    """What staff have labelled, for the classifier's next training run."""

    rows: list[tuple[str, bool, str | None]]
    """(text, spam, kind) of every labelled report, by its latest label."""
    labels: int
    """Labels given in all, corrections included (``len(rows)`` reports carry them)."""
    latest_at: datetime | None
    """When the newest label used was given: a model older than this missed a correction."""


def staff_labels(uow: UnitOfWork) -> StaffLabels:
    """The latest label of every labelled report: the rows ``careloop spam train`` takes
    from CareLoop (analytics.spam.sources.labelled_reports). A correction is a newer label
    of the same report, so it replaces the older one here. Read as the system: training
    is an operator's command, and the texts never leave the model's folder."""
    latest = (
        select(func.max(SpamReportLabel.id)).group_by(SpamReportLabel.report_id).scalar_subquery()
    )
    rows = uow.session.execute(
        select(
            SpamReport.text,
            SpamReportLabel.spam,
            SpamReportLabel.kind,
            SpamReportLabel.labelled_at,
        )
        .join(SpamReport, SpamReport.id == SpamReportLabel.report_id)
        .where(SpamReportLabel.id.in_(latest))
        .order_by(SpamReportLabel.report_id)
    ).all()
    given = uow.session.scalar(select(func.count()).select_from(SpamReportLabel)) or 0
    return StaffLabels(
        rows=[(text, bool(spam), kind) for text, spam, kind, _ in rows],
        labels=int(given),
        latest_at=max((at for *_, at in rows), default=None),
    )


# --- per port and day (enforcement) ---------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A business day (Asia/Shanghai) as UTC instants [start, end)."""
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TIME)
    return start, start + timedelta(days=1)


def port_day_counts(uow: UnitOfWork, day: date) -> list[PortDayCounts]:
    """Per port (the registered port a report was attributed to, else the sender), what the
    reports received on business day ``day`` say: enforcement's thresholds read this."""
    start, end = day_bounds(day)
    rows = uow.session.execute(
        select(
            SpamReport.port_number,
            func.count(),
            func.count(func.distinct(SpamReport.reporter_hash)),
            func.count(SpamReport.spam),
            func.sum(cast(SpamReport.spam, Integer)),
            func.sum(cast(SpamReport.serious, Integer)),
        )
        .where(
            SpamReport.received_at >= start,
            SpamReport.received_at < end,
            SpamReport.port_number.is_not(None),
            SpamReport.port_number != "",
        )
        .group_by(SpamReport.port_number)
        .order_by(SpamReport.port_number)
    ).all()
    return [
        PortDayCounts(
            port_number=str(number),
            day=day,
            reports=int(reports),
            distinct_reporters=int(reporters),
            spam_share=(int(spam or 0) / int(classified)) if classified else None,
            serious=int(serious or 0),
        )
        for number, reports, reporters, classified, spam, serious in rows
    ]
