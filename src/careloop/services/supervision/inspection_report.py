"""The monthly analysis report's supervision tables (监督检查 in 月度服务质量分析): the month's
store visits (营业厅明察暗访) per region with the store ranking, hotline dial tests (热线拨测)
and what social supervisors (社会监督员) reported and how it was answered.

Only counting happens here. Rates are ``domain.indicators.formulas`` (暗访达标率, 检查平均得分,
拨测接通率: the catalogue's formulas), a dial test counts when ``domain.supervision.dial_tests``
says it was answered within the service level, and a store's score and rank are made by
``services.supervision.scores`` (the ranking pages' own rule). The queries are this module's
because the ranking services read on behalf of a person and the report is also made without
one (the scheduled job, the CLI): the report's region was checked against its reader already
(``OrgTree.root``), so everything at or below it is counted.

A visit counts in the month it was submitted, a dial test in the month it was made, a
submission in the month it was recorded and its answer in the month it was given, all by
Beijing local days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select

from careloop.domain.indicators import formulas
from careloop.domain.indicators.periods import Period
from careloop.domain.org import ancestor_ids
from careloop.domain.supervision import dial_tests as dial_rules
from careloop.reports.model import Column, Table, both, note_of
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.indicators.sql import count_if
from careloop.services.supervision import scores
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import DialTest, Inspection, InspectionSubject
from careloop.store.models.social_supervisors import SupervisionSubmission

STORE_VISIT: Final = "store_visit"
RANKED: Final = 5
"""The ranking table shows the best and the worst five stores (all of them up to ten)."""
TOTAL_ZH: Final = "合计"


# --- counting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreVisits:
    """One store's submitted visits in the month, as sums (pooled Σ ÷ Σ, never averaged)."""

    code: str
    name: str
    region_id: int
    visits: int
    compliant: int
    score_total: float


@dataclass(frozen=True)
class HotlineCalls:
    code: str
    number: str
    name: str
    region_id: int
    calls: int
    answered_within: int
    wait_total: float
    waits: int
    """Calls with a wait time measured (answered ones): the mean wait's denominator."""


@dataclass(frozen=True)
class UnitSubmissions:
    unit_id: int
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0


def store_visits(uow: UnitOfWork, period: Period, root: Node) -> list[StoreVisits]:
    first, after = period.bounds()
    rows = uow.session.execute(
        select(
            InspectionSubject.code,
            InspectionSubject.name_zh,
            InspectionSubject.region_id,
            func.count(),
            count_if(Inspection.compliant.is_(True)),
            func.coalesce(func.sum(Inspection.score), 0),
        )
        .join(InspectionSubject, InspectionSubject.id == Inspection.subject_id)
        .where(
            Inspection.status == "submitted",
            Inspection.kind == STORE_VISIT,
            Inspection.submitted_at >= first,
            Inspection.submitted_at < after,
            InspectionSubject.region_path.startswith(root.path, autoescape=True),
        )
        .group_by(InspectionSubject.code, InspectionSubject.name_zh, InspectionSubject.region_id)
    ).all()
    return [StoreVisits(c, n, r, int(v), int(ok), float(t or 0)) for c, n, r, v, ok, t in rows]


def hotline_calls(uow: UnitOfWork, period: Period, root: Node) -> list[HotlineCalls]:
    """Each hotline's dial tests; answered within the service level by the domain's rule."""
    first, after = period.bounds()
    rows = uow.session.execute(
        select(
            InspectionSubject.id,
            InspectionSubject.code,
            InspectionSubject.hotline_number,
            InspectionSubject.name_zh,
            InspectionSubject.region_id,
            DialTest.outcome,
            DialTest.answer_seconds,
            DialTest.wait_seconds,
        )
        .join(InspectionSubject, InspectionSubject.id == DialTest.subject_id)
        .where(
            DialTest.started_at >= first,
            DialTest.started_at < after,
            InspectionSubject.region_path.startswith(root.path, autoescape=True),
        )
    ).all()
    tallies: dict[int, list[float]] = {}
    about: dict[int, tuple[str, str, str, int]] = {}
    for subject_id, code, number, name, region_id, outcome, answer, wait in rows:
        t = tallies.setdefault(subject_id, [0, 0, 0.0, 0])
        about[subject_id] = (code, number or "", name, region_id)
        t[0] += 1
        t[1] += 1 if dial_rules.answered_within(outcome, answer) else 0
        if wait is not None:
            t[2] += float(wait)
            t[3] += 1
    return [
        HotlineCalls(*about[i], int(t[0]), int(t[1]), t[2], int(t[3])) for i, t in tallies.items()
    ]


def unit_submissions(uow: UnitOfWork, period: Period, root: Node) -> list[UnitSubmissions]:
    """Per answering unit: recorded in the month; answered in the month, and of those the
    ones answered by their deadline (the service's rule: late is after ``reply_due_at``)."""
    first, after = period.bounds()
    S = SupervisionSubmission
    within = S.owner_path.startswith(root.path, autoescape=True)
    out: dict[int, UnitSubmissions] = {}
    for unit_id, n in uow.session.execute(
        select(S.owner_unit_id, func.count())
        .where(within, S.created_at >= first, S.created_at < after)
        .group_by(S.owner_unit_id)
    ).all():
        out[unit_id] = UnitSubmissions(unit_id, received=int(n))
    for unit_id, n, on_time in uow.session.execute(
        select(S.owner_unit_id, func.count(), count_if(S.replied_at <= S.reply_due_at))
        .where(within, S.replied_at >= first, S.replied_at < after)
        .group_by(S.owner_unit_id)
    ).all():
        received = out.get(unit_id, UnitSubmissions(unit_id)).received
        out[unit_id] = UnitSubmissions(unit_id, received, int(n), int(on_time))
    return list(out.values())


# --- the tables ----------------------------------------------------------------------------


def _pooled(code: str, name: str, region: str, visits: Sequence[StoreVisits]) -> scores.Score:
    # scores' own Score: the catalogue's 达标率 and mean score, rounded as the ranking pages show
    return scores.score_of(
        code,
        name,
        region,
        sum(v.visits for v in visits),
        sum(v.compliant for v in visits),
        sum(v.score_total for v in visits),
    )


def best_and_worst(ranked: Sequence[scores.Score], n: int = RANKED) -> list[scores.Score]:
    """The first and the last `n` of a ranking, in ranking order, each store once."""
    if len(ranked) <= 2 * n:
        return list(ranked)
    return [*ranked[:n], *ranked[-n:]]


VISIT_COLUMNS: Final = [
    Column("region", *both.t("inspection_report.col.region"), code=True),
    Column("name", *both.t("inspection_report.col.name")),
    Column("visits", *both.t("inspection_report.col.visits"), "int"),
    Column("compliant", *both.t("inspection_report.col.compliant"), "int"),
    Column("mean_score", *both.t("inspection_report.col.mean_score"), "float"),
    Column("compliance_rate", *both.t("inspection_report.col.compliance_rate"), "pct"),
]


def region_visits_table(visits: Sequence[StoreVisits], tree: OrgTree, root: Node) -> Table:
    """The report's region first (pooled), then each region below it, visited or not."""
    children = tree.children(root)
    by_child: dict[int, list[StoreVisits]] = {c.id: [] for c in children}
    for v in visits:
        child = tree.child_containing(root, v.region_id)
        if child is not None:
            by_child[child.id].append(v)
    table = Table(
        "inspection_regions",
        *both.t("inspection_report.table.inspection_regions"),
        VISIT_COLUMNS,
        **note_of(both.t("inspection_report.note.visits")),
    )
    for node, group in [(root, list(visits)), *((c, by_child[c.id]) for c in children)]:
        s = _pooled(node.code, node.name_zh, node.name_zh, group)
        table.rows.append(
            [node.code, node.name_zh, s.visits, s.compliant, s.mean_score, s.compliance_rate]
        )
    return table


def ranking_table(visits: Sequence[StoreVisits], tree: OrgTree) -> Table:
    ranked = scores.ranked(
        _pooled(v.code, v.name, tree.nodes[v.region_id].name_zh, [v]) for v in visits
    )
    shown = best_and_worst(ranked)
    return Table(
        "store_ranking",
        *both.t("inspection_report.table.store_ranking"),
        [
            Column("rank", *both.t("inspection_report.col.rank"), "int"),
            Column("store", *both.t("inspection_report.col.store"), code=True),
            Column("name", *both.t("inspection_report.col.store_name")),
            Column("region", *both.t("inspection_report.col.region_region")),
            Column("visits", *both.t("inspection_report.col.visits"), "int"),
            Column("mean_score", *both.t("inspection_report.col.mean_score"), "float"),
            Column("compliance_rate", *both.t("inspection_report.col.compliance_rate"), "pct"),
        ],
        [
            [s.rank, s.code, s.name, s.region, s.visits, s.mean_score, s.compliance_rate]
            for s in shown
        ],
        **note_of(
            both.t(
                "inspection_report.note.ranking", stores=len(ranked), over=2 * RANKED, ranked=RANKED
            )
        ),
    )


def _mean(total: float, n: int) -> float | None:
    value = formulas.make_value("mean", total, n, "").value
    return None if value is None else round(value, 1)


def _rate(answered: int, calls: int) -> float | None:
    value = formulas.dial_test_answer_rate(answered, calls).value
    return None if value is None else round(value, 1)


def dial_test_table(calls: Sequence[HotlineCalls], tree: OrgTree) -> Table:
    """Best answer rate first, then the total of the report's region."""
    ordered = sorted(
        calls,
        key=lambda h: (h.calls == 0, -(_rate(h.answered_within, h.calls) or 0), h.code),
    )
    table = Table(
        "dial_tests",
        *both.t("inspection_report.table.dial_tests"),
        [
            Column("hotline", *both.t("inspection_report.col.hotline"), code=True),
            Column("number", *both.t("inspection_report.col.number")),
            Column("name", *both.t("inspection_report.col.hotline_name")),
            Column("region", *both.t("inspection_report.col.region_region")),
            Column("calls", *both.t("inspection_report.col.calls"), "int"),
            Column(
                "answered",
                f"{dial_rules.ANSWER_WITHIN_SECONDS} 秒内接通",
                f"Answered within {dial_rules.ANSWER_WITHIN_SECONDS} s",
                "int",
            ),
            Column("answer_rate", *both.t("inspection_report.col.answer_rate"), "pct"),
            Column("mean_wait", *both.t("inspection_report.col.mean_wait"), "float"),
        ],
        **note_of(
            both.t("inspection_report.note.dial_tests", seconds=dial_rules.ANSWER_WITHIN_SECONDS)
        ),
    )
    for h in ordered:
        table.rows.append(
            [h.code, h.number, h.name, tree.nodes[h.region_id].name_zh, h.calls,
             h.answered_within, _rate(h.answered_within, h.calls), _mean(h.wait_total, h.waits)]
        )  # fmt: skip
    n, ok = sum(h.calls for h in calls), sum(h.answered_within for h in calls)
    wait, waits = sum(h.wait_total for h in calls), sum(h.waits for h in calls)
    table.rows.append(["", "", TOTAL_ZH, "", n, ok, _rate(ok, n), _mean(wait, waits)])
    return table


def submissions_table(subs: Sequence[UnitSubmissions], tree: OrgTree) -> Table:
    def share(part: int, of: int) -> float | None:
        value = formulas.make_value("share", part, of, "", formulas.PERCENT).value
        return None if value is None else round(value, 1)

    table = Table(
        "social_supervision",
        *both.t("inspection_report.table.social_supervision"),
        [
            Column("unit", *both.t("inspection_report.col.unit"), code=True),
            Column("name", *both.t("inspection_report.col.answering_unit")),
            Column("received", *both.t("inspection_report.col.received"), "int"),
            Column("answered", *both.t("inspection_report.col.answered"), "int"),
            Column("on_time", *both.t("inspection_report.col.on_time"), "int"),
            Column("on_time_rate", *both.t("inspection_report.col.on_time_rate"), "pct"),
        ],
        **note_of(both.t("inspection_report.note.social")),
    )
    for s in sorted(subs, key=lambda s: ancestor_ids(tree.nodes[s.unit_id].path)):
        unit = tree.nodes[s.unit_id]
        table.rows.append([unit.code, unit.name_zh, s.received, s.answered,
                           s.answered_on_time, share(s.answered_on_time, s.answered)])  # fmt: skip
    got, done = sum(s.received for s in subs), sum(s.answered for s in subs)
    on_time = sum(s.answered_on_time for s in subs)
    table.rows.append(["", TOTAL_ZH, got, done, on_time, share(on_time, done)])
    return table


# --- what the report calls -----------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    tables: list[Table]
    summary: list[str]


def section(uow: UnitOfWork, period: Period, tree: OrgTree, root: Node) -> Section:
    """The month's supervision tables and the lines they add to the report's summary."""
    visits = store_visits(uow, period, root)
    calls = hotline_calls(uow, period, root)
    subs = unit_submissions(uow, period, root)
    regions = region_visits_table(visits, tree, root)
    dials = dial_test_table(calls, tree)
    answers = submissions_table(subs, tree)
    _, _, n, _, mean, rate = regions.rows[0]
    *_, n_calls, _, answer_rate, _ = dials.rows[-1]
    *_, got, done, on_time, _ = answers.rows[-1]
    summary = [
        f"明察暗访 {n} 次 (营业厅 {len(visits)} 家), 平均得分 {_shown(mean)}, "
        f"达标率 {_shown(rate, '%')}",
        f"热线拨测 {n_calls} 次, 拨测接通率 {_shown(answer_rate, '%')}",
        f"社会监督员反映 {got} 件, 答复 {done} 件, 其中按时 {on_time} 件",
    ]
    return Section([regions, ranking_table(visits, tree), dials, answers], summary)


def _shown(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.1f}{unit}"
