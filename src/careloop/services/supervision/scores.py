"""Scores per store, hotline, unit and region: rankings, 达标率 and trends, and the counts
the indicator catalogue takes (暗访达标率, 检查平均得分, 拨测接通率).

The formulas are ``domain.indicators.formulas`` (the only copy): this module counts.
Inspections count by the time they were submitted and the region of what was inspected;
dial tests by the time of the call and the hotline's region.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from careloop.domain.indicators import formulas
from careloop.domain.indicators.formulas import IndicatorCounts
from careloop.domain.supervision import dial_tests as dial_rules
from careloop.domain.supervision.plans import quarter_label
from careloop.services.access.actors import Actor
from careloop.services.indicators.sql import count_if
from careloop.services.supervision import inspection_audit as audit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import DialTest, Inspection, InspectionSubject, OrgUnit

LOCAL = ZoneInfo("Asia/Shanghai")
Bucket = Literal["month", "quarter"]


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days ``start`` … ``end`` (inclusive) as a UTC half-open interval."""
    first = datetime.combine(start, time(), LOCAL)
    after = datetime.combine(end + timedelta(days=1), time(), LOCAL)
    return first, after


def _answered_within() -> object:
    return and_(
        DialTest.outcome == "answered",
        DialTest.answer_seconds <= dial_rules.ANSWER_WITHIN_SECONDS,
    )


def add_counts(
    uow: UnitOfWork,
    result: dict[int, IndicatorCounts],
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
) -> None:
    """Inspection and dial-test counts per region id, added to the indicator tallies."""
    where = [Inspection.submitted_at >= start, Inspection.submitted_at < end]
    if unit_ids is not None:
        where.append(InspectionSubject.region_id.in_(list(unit_ids)))
    visits = uow.session.execute(
        select(
            InspectionSubject.region_id,
            func.count(),
            count_if(Inspection.compliant.is_(True)),
            func.coalesce(func.sum(Inspection.score), 0),
        )
        .join(InspectionSubject, InspectionSubject.id == Inspection.subject_id)
        .where(Inspection.status == "submitted", *where)
        .group_by(InspectionSubject.region_id)
    ).all()
    for region_id, n, compliant, total in visits:
        counts = result.setdefault(region_id, IndicatorCounts())
        counts.inspections += n
        counts.inspections_compliant += compliant
        counts.inspection_score_total += float(total or 0)
    dial_where = [DialTest.started_at >= start, DialTest.started_at < end]
    if unit_ids is not None:
        dial_where.append(InspectionSubject.region_id.in_(list(unit_ids)))
    calls = uow.session.execute(
        select(InspectionSubject.region_id, func.count(), count_if(_answered_within()))  # type: ignore[arg-type]
        .join(InspectionSubject, InspectionSubject.id == DialTest.subject_id)
        .where(*dial_where)
        .group_by(InspectionSubject.region_id)
    ).all()
    for region_id, n, answered in calls:
        counts = result.setdefault(region_id, IndicatorCounts())
        counts.dial_tests += n
        counts.dial_tests_answered += answered


# --- rankings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """One store (or unit, region) over a period: its visits, 达标率 and mean score."""

    code: str
    name: str
    region: str
    visits: int
    compliant: int
    compliance_rate: float | None
    mean_score: float | None
    rank: int = 0


@dataclass(frozen=True)
class HotlineScore:
    code: str
    number: str
    name: str
    region: str
    dial_tests: int
    answered_within: int
    answer_rate: float | None
    mean_answer_seconds: float | None
    mean_wait_seconds: float | None
    rank: int = 0


def score_of(code: str, name: str, region: str, n: int, ok: int, total: float) -> Score:
    """A subject's score from its visits (n), compliant visits (ok) and summed scores, by the
    catalogue's formulas: the one place the report and the pages take it from."""
    rate = formulas.inspection_compliance_rate(ok, n).value
    mean = formulas.mean_inspection_score(total, n).value
    return Score(
        code, name, region, n, ok,
        None if rate is None else round(rate, 1),
        None if mean is None else round(mean, 1),
    )  # fmt: skip


def ranked(scores: Iterable[Score]) -> list[Score]:
    """Best mean score first; equal scores share a rank (competition ranking: 1, 2, 2, 4)."""
    ordered = sorted(
        scores,
        key=lambda s: (
            s.mean_score is None,
            -(s.mean_score or 0),
            -(s.compliance_rate or 0),
            s.code,
        ),
    )
    out: list[Score] = []
    for i, s in enumerate(ordered):
        same = out and out[-1].mean_score == s.mean_score and s.mean_score is not None
        out.append(Score(**{**s.__dict__, "rank": out[-1].rank if same else i + 1}))
    return out


def _region_names(uow: UnitOfWork, lang: str) -> dict[int, str]:
    rows = uow.session.execute(select(OrgUnit.id, OrgUnit.name_zh, OrgUnit.name_en)).all()
    return {i: (en if lang.startswith("en") else zh) for i, zh, en in rows}


def store_ranking(
    uow: UnitOfWork, actor: Actor, start: date, end: date, lang: str = "zh",
    kind: str = "store_visit", region_path: str | None = None,
) -> list[Score]:  # fmt: skip
    """Every subject inspected in the period (local days, inclusive), ranked."""
    audit.require(actor, "inspection.read")
    first, after = bounds(start, end)
    query = (
        select(
            InspectionSubject.code,
            InspectionSubject.name_en if lang.startswith("en") else InspectionSubject.name_zh,
            InspectionSubject.region_id,
            func.count(),
            count_if(Inspection.compliant.is_(True)),
            func.coalesce(func.sum(Inspection.score), 0),
        )
        .join(InspectionSubject, InspectionSubject.id == Inspection.subject_id)
        .where(
            Inspection.status == "submitted",
            Inspection.kind == kind,
            Inspection.submitted_at >= first,
            Inspection.submitted_at < after,
            audit.subject_visible_to(actor),
        )
        .group_by(
            InspectionSubject.code,
            InspectionSubject.name_zh,
            InspectionSubject.name_en,
            InspectionSubject.region_id,
        )
    )
    if region_path:
        query = query.where(InspectionSubject.region_path.startswith(region_path, autoescape=True))
    names = _region_names(uow, lang)
    return ranked(
        score_of(code, name, names.get(region_id, ""), n, ok, float(total or 0))
        for code, name, region_id, n, ok, total in uow.session.execute(query).all()
    )


def region_ranking(
    uow: UnitOfWork, actor: Actor, start: date, end: date, lang: str = "zh",
    kind: str = "store_visit", level: Literal["city", "county"] = "city",
) -> list[Score]:  # fmt: skip
    """Cities (or counties) within the reader's scope, pooled from their stores (Σ ÷ Σ)."""
    audit.require(actor, "inspection.read")
    first, after = bounds(start, end)
    rows = uow.session.execute(
        select(
            InspectionSubject.region_path,
            func.count(),
            count_if(Inspection.compliant.is_(True)),
            func.coalesce(func.sum(Inspection.score), 0),
        )
        .join(InspectionSubject, InspectionSubject.id == Inspection.subject_id)
        .where(
            Inspection.status == "submitted",
            Inspection.kind == kind,
            Inspection.submitted_at >= first,
            Inspection.submitted_at < after,
            audit.subject_visible_to(actor),
        )
        .group_by(InspectionSubject.region_path)
    ).all()
    regions = list(
        uow.session.execute(
            select(OrgUnit.path, OrgUnit.code, OrgUnit.name_zh, OrgUnit.name_en).where(
                OrgUnit.kind == level
            )
        ).all()
    )
    out = []
    for path, code, zh, en in regions:
        if not (path.startswith(actor.scope) or actor.scope.startswith(path)):
            continue
        n = ok = 0
        total = 0.0
        for sub_path, count, compliant, score_sum in rows:
            if sub_path.startswith(path):
                n, ok, total = n + count, ok + compliant, total + float(score_sum or 0)
        if n:
            name = en if lang.startswith("en") else zh
            out.append(score_of(code, name, name, n, ok, total))
    return ranked(out)


@dataclass(frozen=True)
class TrendPoint:
    period: str
    visits: int
    compliant: int
    compliance_rate: float | None
    mean_score: float | None


def _bucket(moment: datetime, by: Bucket) -> str:
    day = moment.astimezone(LOCAL).date()
    return quarter_label(day) if by == "quarter" else f"{day:%Y-%m}"


def trend(
    uow: UnitOfWork, actor: Actor, start: date, end: date, by: Bucket = "month",
    kind: str = "store_visit", subject: str | None = None, region_path: str | None = None,
) -> list[TrendPoint]:  # fmt: skip
    """达标率 and mean score per month (or quarter), oldest first."""
    audit.require(actor, "inspection.read")
    first, after = bounds(start, end)
    query = (
        select(Inspection.submitted_at, Inspection.compliant, Inspection.score)
        .join(InspectionSubject, InspectionSubject.id == Inspection.subject_id)
        .where(
            Inspection.status == "submitted",
            Inspection.kind == kind,
            Inspection.submitted_at >= first,
            Inspection.submitted_at < after,
            audit.subject_visible_to(actor),
        )
    )
    if subject:
        query = query.where(InspectionSubject.code == subject)
    if region_path:
        query = query.where(InspectionSubject.region_path.startswith(region_path, autoescape=True))
    buckets: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for at, compliant, score in uow.session.execute(query).all():
        b = buckets[_bucket(at, by)]
        b[0] += 1
        b[1] += 1 if compliant else 0
        b[2] += float(score or 0)
    out = []
    for label in sorted(buckets):
        n, ok, total = buckets[label]
        s = score_of(label, label, "", int(n), int(ok), total)
        out.append(TrendPoint(label, s.visits, s.compliant, s.compliance_rate, s.mean_score))
    return out


def hotline_ranking(
    uow: UnitOfWork, actor: Actor, start: date, end: date, lang: str = "zh"
) -> list[HotlineScore]:
    """Each hotline's dial tests in the period: 拨测接通率 (answered within the service
    level), mean answer and wait times; best rate first."""
    audit.require(actor, "inspection.read")
    first, after = bounds(start, end)
    rows = uow.session.execute(
        select(
            InspectionSubject.code,
            InspectionSubject.hotline_number,
            InspectionSubject.name_en if lang.startswith("en") else InspectionSubject.name_zh,
            InspectionSubject.region_id,
            func.count(DialTest.id),
            count_if(_answered_within()),  # type: ignore[arg-type]
            func.avg(DialTest.answer_seconds),
            func.avg(DialTest.wait_seconds),
        )
        .join(DialTest, DialTest.subject_id == InspectionSubject.id)
        .where(
            DialTest.started_at >= first,
            DialTest.started_at < after,
            audit.subject_visible_to(actor),
        )
        .group_by(
            InspectionSubject.code,
            InspectionSubject.hotline_number,
            InspectionSubject.name_zh,
            InspectionSubject.name_en,
            InspectionSubject.region_id,
        )
    ).all()
    names = _region_names(uow, lang)
    scores = []
    for code, number, name, region_id, n, ok, answer, wait in rows:
        rate = formulas.dial_test_answer_rate(ok, n).value
        scores.append(
            HotlineScore(
                code,
                number or "",
                name,
                names.get(region_id, ""),
                n,
                ok,
                None if rate is None else round(rate, 1),
                None if answer is None else round(float(answer), 1),
                None if wait is None else round(float(wait), 1),
            )
        )
    scores.sort(key=lambda h: (h.answer_rate is None, -(h.answer_rate or 0), h.code))
    return [HotlineScore(**{**h.__dict__, "rank": i + 1}) for i, h in enumerate(scores)]
