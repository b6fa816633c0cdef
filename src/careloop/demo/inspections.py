"""A quarter of mystery-shopper visits (季度明察暗访) and daily hotline dial tests (拨测)
across the demo province, generated from the seed and loaded through the services.

Every county has two or three stores (营业厅) and every city a flagship hall and its
hotline. The province's quality centre plans one visit per store in the quarter, sent
across cities (交叉检查: each city's quality staff inspect other cities' stores); most
stores score in the high 80s and 90s, a few are weak (they fail mandatory items such as
告知资费, which opens rectification tasks), and every city's hotline is dialled a few times
a day, one of them through a bad month. Everything goes through the services (plans,
results, dial runs), so scores, rankings, 达标率 and rectification tasks are the same
figures the pages show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from careloop.demo.province import DEPT_SUFFIX, Province
from careloop.domain.supervision.checklists import SEED_CHECKLISTS, Checklist
from careloop.domain.supervision.scoring import ItemResult
from careloop.services.access.actors import Actor, actor_for
from careloop.services.supervision import dial_tests, inspections, plans
from careloop.services.unit_of_work import UnitOfWork

LOCAL = ZoneInfo("Asia/Shanghai")
STREETS = (
    "人民路",
    "解放路",
    "中山路",
    "文化路",
    "新华路",
    "建设路",
    "青年路",
    "和平路",
    "银泰",
    "万达",
)
WEAK_STORES = 5
"""Stores that fail their visit (a mandatory item missed): the rectification loop's work."""
CALLS_PER_DAY = 4


@dataclass(frozen=True)
class StorePlan:
    code: str
    name_zh: str
    name_en: str
    unit: str
    quality: float
    """The store's chance of full marks on each item (weak stores much lower)."""


def store_plans(province: Province, seed: int) -> list[StorePlan]:
    """Two or three halls per county, a flagship per city; a few weak stores."""
    rng = random.Random(seed * 7 + 16)
    stores: list[StorePlan] = []
    for city in province.cities():
        short = city.name_zh.removesuffix("分公司")
        unit = f"{city.code}-{DEPT_SUFFIX['store']}"
        stores.append(
            StorePlan(f"{city.code}-S0", f"{short}旗舰营业厅", f"{city.name_en} flagship store",
                      unit, rng.uniform(0.9, 0.98))
        )  # fmt: skip
        for county in province.counties(city.code):
            unit = f"{county.code}-{DEPT_SUFFIX['store']}"
            for n, street in enumerate(rng.sample(STREETS, rng.choice((2, 2, 3))), start=1):
                stores.append(
                    StorePlan(f"{county.code}-S{n}", f"{county.name_zh}{street}营业厅",
                              f"{county.name_en} {n}", unit, rng.uniform(0.84, 0.96))
                )  # fmt: skip
    for weak in rng.sample(range(len(stores)), WEAK_STORES):
        s = stores[weak]
        stores[weak] = StorePlan(s.code, s.name_zh, s.name_en, s.unit, rng.uniform(0.45, 0.6))
    return stores


def visit_results(checklist: Checklist, quality: float, rng: random.Random) -> list[ItemResult]:
    results = []
    for item in checklist.items:
        roll = rng.random()
        if roll < quality:
            awarded = item.weight
        elif roll < quality + (1 - quality) * 0.6:
            awarded = round(item.weight * rng.choice((0.6, 0.7, 0.8)), 1)
        else:
            awarded = round(item.weight * rng.choice((0.0, 0.3, 0.4)), 1)
        evidence = {
            "photo": f"IMG_{rng.randrange(1000, 9999)}.jpg",
            "recording": f"REC-{rng.randrange(100000, 999999)}",
            "timestamp": f"{rng.randrange(9, 17):02d}:{rng.randrange(0, 60):02d}",
        }
        results.append(
            ItemResult(item.code, awarded, {k: evidence[k] for k in item.evidence},
                       "" if awarded == item.weight else "神秘顾客记录：未达标准")
        )  # fmt: skip
    return results


def load_inspection_quarter(
    session_factory: sessionmaker[Session], province: Province, end: datetime, seed: int
) -> str:
    """Subjects, the quarter's plan and visits, and 90 days of dial tests; one call."""
    rng = random.Random(seed * 31 + 16)
    last_day = (end.astimezone(LOCAL) - timedelta(days=1)).date()
    first_day = last_day - timedelta(days=89)
    planned_at = datetime.combine(first_day, time(9), LOCAL)
    with UnitOfWork(session_factory) as uow:
        admin = actor_for(uow, "supervisor1")
        stores = store_plans(province, seed)
        for s in stores:
            plans.add_subject(
                uow,
                plans.NewSubject("store", s.code, s.name_zh, s.unit, s.name_en),
                admin,
                planned_at,
            )
        hotlines = []
        for city in province.cities():
            number = f"{province.area_codes.get(city.code, '0570')}10000"
            hotlines.append(number)
            plans.add_subject(
                uow,
                plans.NewSubject(
                    "hotline", f"{city.code}-10000",
                    f"{city.name_zh.removesuffix('分公司')}10000号客服热线",
                    f"{city.code}-{DEPT_SUFFIX['hotline']}", f"{city.name_en} 10000",
                    number,
                ),
                admin,
                planned_at,
            )  # fmt: skip
        inspectors = [f"{c.code.split('-')[1].lower()}_qua" for c in province.cities()]
        plans.create_plan(
            uow,
            plans.NewPlan(
                f"{first_day.year}年营业厅明察暗访（{first_day:%m月%d日}至{last_day:%m月%d日}）",
                "store_visit", "quarterly", first_day, last_day, tuple(inspectors),
            ),
            admin,
            planned_at,
        )  # fmt: skip
        quality = {s.code: s.quality for s in stores}
        checklist = SEED_CHECKLISTS["store_visit"]
        actors: dict[str, Actor] = {}
        subjects = {s.code: s for s in plans.subjects(uow, admin, "store")}
        _, slots = inspections.list_inspections(
            uow, admin, "zh", end, status="planned", kind="store_visit", limit=200
        )
        opened = compliant = 0
        for slot in slots:
            visit_day = slot.due_on - timedelta(days=rng.randrange(0, 10))
            visited = datetime.combine(max(visit_day, first_day), time(rng.randrange(9, 17)), LOCAL)
            who = slot.inspector or inspectors[0]
            actor = actors.setdefault(who, actor_for(uow, who))
            row = inspections.record_visit(
                uow,
                subject=subjects[slot.subject_code],
                kind="store_visit",
                results=visit_results(checklist, quality[slot.subject_code], rng),
                inspector=None,
                visited_at=visited,
                actor=actor,
                now=visited + timedelta(hours=2),
                source="demo",
            )
            compliant += bool(row.compliant)
            opened += len(row.failed_items or ())
        machine = actor_for(uow, "zj_qua")
        calls = []
        bad_city = rng.randrange(len(hotlines))
        for day in range(90):
            date_ = first_day + timedelta(days=day)
            for h, number in enumerate(hotlines):
                strained = h == bad_city and day >= 60
                for call in range(CALLS_PER_DAY):
                    started = datetime.combine(date_, time(9 + call * 3, rng.randrange(60)), LOCAL)
                    roll = rng.random()
                    if roll < (0.12 if strained else 0.03):
                        body = dial_tests.DialTestIn(
                            number, started, rng.choice(("busy", "no_answer"))
                        )
                    else:
                        answer = min(3 + rng.expovariate(1 / (15 if strained else 6)), 90)
                        body = dial_tests.DialTestIn(
                            number,
                            started,
                            "answered",
                            round(answer, 1),
                            round(rng.uniform(2, 30), 1),
                        )
                    calls.append((body, f"demo-dial-{number}-{date_:%Y%m%d}-{call}"))
        recorded = dial_tests.record_dial_run(uow, calls, machine, end)
        uow.commit()
    return (
        f"inspections: {len(stores)} stores, {len(slots)} visits ({compliant} compliant, "
        f"{opened} failed items to rectify), {recorded} dial tests of {len(hotlines)} hotlines"
    )
