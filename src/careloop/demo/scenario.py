"""Seeded complaint plans for the demo: who complained, about what, and what happened next.

Pure data. Each `ComplaintPlan` is one complaint's intake plus the lifecycle steps the loader
replays through the services in order (each step at its own time, all before `end`). A plan
whose steps run past `end` is cut there, so the latest complaints sit open at every stage,
exactly as a live province looks on a Monday morning.

The mix follows DOMAIN.md: hotline-heavy channels, billing and broadband the commonest
issues, daytime and weekday peaks, ~4 % escalated (regulator transfers), ~8 % repeats (same
phone and first-level category within 30 days), some reopened, paused, transferred, returned
and late work, so every indicator and SLA page has something to show.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from itertools import accumulate
from typing import Final

from careloop.demo import texts
from careloop.demo.province import Province, city_short_name
from careloop.demo.storyline import STORY_MIN_COUNT, IncidentPlan, Story
from careloop.domain.categories import first_level, leaf_categories

SHANGHAI: Final = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China has had no daylight saving since 1991: a fixed +08:00 is exact."""

REPEAT_WINDOW: Final = timedelta(days=30)
LEGAL_REPLY_LIMIT: Final = timedelta(days=15)

CHANNEL_WEIGHTS: Final[dict[str, float]] = {
    "hotline": 50,
    "store": 10,
    "online": 5,
    "app": 6,
    "wechat": 4,
    "sms": 3,
    "regulator": 3.0,  # repeats add more: a repeat complaint often goes to the regulator
    "letter_visit": 1.5,
    "radio_hotline": 1.5,
    "social_supervisor": 1.5,
}

CATEGORY_WEIGHTS: Final[dict[str, float]] = {
    "billing.dispute": 8,
    "billing.unknown_deduction": 6,
    "billing.sp_subscription": 5,
    "billing.high_bill": 4,
    "network.coverage": 6,
    "network.dropped_calls": 3,
    "network.mobile_data": 4,
    "broadband.outage": 9,
    "broadband.speed": 6,
    "broadband.repair_delay": 5,
    "installation.new_line": 4,
    "installation.move": 3,
    "service.attitude": 4,
    "service.skill": 2,
    "service.hotline_access": 2,
    "marketing.misleading": 5,
    "marketing.forced_bundle": 4,
    "marketing.tariff_change": 4,
    "portability.obstructed": 2,
    "portability.after_port": 1,
    "spam.sms": 3,
    "spam.calls": 3,
    "privacy.leak": 1.5,
    "privacy.real_name": 1.5,
    "other.general": 3,
}

TIER_WEIGHTS: Final[dict[str, float]] = {
    "standard": 68,
    "silver": 12,
    "gold": 9,
    "diamond": 3,
    "enterprise": 8,
}

_PRODUCT_WEIGHTS: Final[dict[str, dict[str, float]]] = {
    "billing": {"mobile": 55, "bundle": 25, "broadband": 12, "fixed_line": 8},
    "billing.sp_subscription": {"mobile": 85, "bundle": 15},
    "billing.high_bill": {"mobile": 70, "bundle": 15, "fixed_line": 15},
    "network": {"mobile": 80, "bundle": 20},
    "broadband": {"broadband": 55, "bundle": 35, "iptv": 10},
    "installation": {"broadband": 60, "bundle": 25, "fixed_line": 8, "iptv": 7},
    "service": {"mobile": 45, "broadband": 25, "bundle": 30},
    "marketing": {"bundle": 45, "mobile": 45, "broadband": 10},
    "portability": {"mobile": 100},
    "spam": {"mobile": 100},
    "privacy": {"mobile": 90, "bundle": 10},
    "other": {"mobile": 40, "bundle": 30, "iptv": 15, "broadband": 15},
}
_ENTERPRISE_LINE_L1: Final = frozenset({"broadband", "installation"})

DUE_HOURS: Final[dict[str, int]] = {
    "billing": 48,
    "network": 72,
    "broadband": 24,
    "broadband.speed": 48,
    "broadband.repair_delay": 12,
    "installation": 72,
    "service": 48,
    "marketing": 48,
    "portability": 24,
    "spam": 72,
    "privacy": 48,
    "other": 48,
}
"""Internal work-order limits (DOMAIN.md §3: repair within 24 h, internal limits 24–72 h)."""

_HOUR_WEIGHTS: Final = (
    0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.25, 0.6, 1.3, 2.0, 2.2, 1.9,
    1.2, 1.4, 1.9, 2.0, 1.9, 1.5, 1.1, 1.3, 1.3, 1.0, 0.6, 0.3,
)  # fmt: skip
"""Complaints per local hour: morning and afternoon peaks, a lunch dip, quiet nights."""
_DAY_WEIGHTS: Final = (1.1, 1.0, 1.0, 1.0, 1.0, 0.75, 0.65)
_STORE_HOURS: Final = range(9, 21)
_OFFICE_HOURS: Final = (9, 10, 11, 14, 15, 16)
_OFFICE_CHANNELS: Final = frozenset(
    {"regulator", "letter_visit", "radio_hotline", "social_supervisor"}
)
_FRONT_ROLES: Final = frozenset({"agent", "unit_lead", "supervisor", "admin"})

_SOURCE_PREFIX: Final[dict[str, str]] = {
    "online": "WEB",
    "app": "APP",
    "wechat": "WX",
    "sms": "SMS",
}


@dataclass(frozen=True)
class Step:
    at: datetime
    action: str
    actor: str
    params: dict[str, object]


@dataclass(frozen=True)
class ComplaintPlan:
    key: str
    accepted_at: datetime
    accepted_by: str
    channel: str
    source_ref: str | None
    customer_phone: str
    customer_name: str
    customer_account: str
    customer_tier: str
    category: str
    product: str
    region_code: str
    description: str
    priority: str
    escalated: bool
    regulator_transfer: bool
    steps: list[Step]
    repeat_of: str | None = None
    """Key of the earlier plan this one repeats (same phone, same first-level category,
    within 30 days): what the intake service will link it to."""


# --- drafting ---------------------------------------------------------------------------------


@dataclass
class _Customer:
    phone: str
    name: str
    tier: str
    account: str


@dataclass
class _Draft:
    seq: int
    accepted_at: datetime
    channel: str
    category: str
    region_code: str
    customer: _Customer
    product: str
    overrides: dict[str, str] = field(default_factory=dict)
    script: Script | None = None
    """The storyline's own steps (``demo.storyline``) instead of the drawn lifecycle."""
    owner: str | None = None
    """Who accepts it, when the storyline says so (else drawn by channel and city)."""
    templates: tuple[str, ...] | None = None
    """The storyline's own complaint texts for this draft (else the category's)."""


Script = Callable[["_Generator", "_Timeline", "_Draft", "_Cast", texts.TextContext], None]
"""Adds a storyline complaint's steps to its timeline (pin times with ``at=``)."""


class _Weighted:
    """rng.choices with the cumulative weights computed once."""

    def __init__(self, items: Sequence[object], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def pick(self, rng: random.Random) -> object:
        return self.items[bisect_right(self.cum, rng.random() * self.cum[-1])]


def _choose(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Clock:
    """Hour slots in the window, weighted by the local day-of-week and hour-of-day patterns."""

    def __init__(self, end: datetime, days: int) -> None:
        self.end = end
        self.start = end - timedelta(days=days)
        slots: list[datetime] = []
        t = self.start.replace(minute=0, second=0, microsecond=0)
        while t < end:
            slots.append(t)
            t += timedelta(hours=1)
        general, store, office = [], [], []
        for slot in slots:
            local = slot.astimezone(SHANGHAI)
            day = _DAY_WEIGHTS[local.weekday()]
            general.append(day * _HOUR_WEIGHTS[local.hour])
            # Stores are busiest at weekends; regulator letters arrive in office hours.
            store_day = 1.15 if local.weekday() >= 5 else 1.0
            store.append(store_day * (1.0 if local.hour in _STORE_HOURS else 0.0))
            office.append(1.0 if local.weekday() < 5 and local.hour in _OFFICE_HOURS else 0.0)
        self.general = _Weighted(slots, general)
        self.store = _Weighted(slots, store)
        self.office = _Weighted(slots, office)

    def draw(self, rng: random.Random, channel: str) -> datetime:
        table = self.general
        if channel == "store":
            table = self.store
        elif channel in _OFFICE_CHANNELS:
            table = self.office
        slot = table.pick(rng)
        assert isinstance(slot, datetime)
        lo = max(slot, self.start)
        span = int(min((slot + timedelta(hours=1)) - lo, self.end - lo).total_seconds())
        return lo + timedelta(seconds=rng.randrange(max(span, 1)))


def allowed_products(category: str, tier: str = "enterprise") -> frozenset[str]:
    """Products a complaint in `category` can be about (what the generator draws from)."""
    l1 = first_level(category)
    weights = _PRODUCT_WEIGHTS.get(category) or _PRODUCT_WEIGHTS[l1]
    extra = {"enterprise_line"} if tier == "enterprise" and l1 in _ENTERPRISE_LINE_L1 else set()
    return frozenset(weights) | extra


def _product(rng: random.Random, category: str, tier: str) -> str:
    l1 = first_level(category)
    if tier == "enterprise" and l1 in _ENTERPRISE_LINE_L1 and rng.random() < 0.5:
        return "enterprise_line"
    return _choose(rng, _PRODUCT_WEIGHTS.get(category) or _PRODUCT_WEIGHTS[l1])


class _Customers:
    def __init__(self, rng: random.Random, province: Province) -> None:
        self._rng = rng
        self._province = province
        self._phones: set[str] = set()

    def claim(self, phone: str) -> None:
        """Keep a number the storyline gives its own customer from anyone else."""
        self._phones.add(phone)

    def new(
        self, category: str, region_code: str, product: str | None = None
    ) -> tuple[_Customer, str]:
        rng = self._rng
        while True:
            phone = texts.mobile_number(rng)
            if phone not in self._phones:
                self._phones.add(phone)
                break
        tier = _choose(rng, TIER_WEIGHTS)
        product = product or _product(rng, category, tier)
        city = self._province.city_of(region_code)
        assert city is not None
        account = texts.account_number(rng, self._province.area_codes[city.code], product)
        return _Customer(phone, texts.customer_name(rng), tier, account), product


# --- the lifecycle ----------------------------------------------------------------------------


class _Timeline:
    """Steps strictly after each other; times of back-office work fall in working hours."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.t = start
        self.steps: list[Step] = []
        self.work_orders = 0

    def add(
        self,
        action: str,
        actor: str,
        params: dict[str, object] | None = None,
        *,
        minutes: tuple[float, float] = (2, 30),
        office: bool = False,
        at: datetime | None = None,
    ) -> Step:
        proposed = self.t + timedelta(minutes=self.rng.uniform(*minutes))
        if at is not None:
            proposed = max(proposed, at)
        if office:
            proposed = _working_time(self.rng, proposed)
        proposed = proposed.replace(microsecond=0)
        if proposed <= self.t:
            proposed = self.t.replace(microsecond=0) + timedelta(seconds=self.rng.randint(30, 300))
        self.t = proposed
        step = Step(proposed, action, actor, dict(params or {}))
        self.steps.append(step)
        return step

    def dispatch_index(self) -> int:
        index = self.work_orders
        self.work_orders += 1
        return index


def _working_time(rng: random.Random, t: datetime) -> datetime:
    """Back-office units work 08:30–20:30 local time, every day (装维 and billing both do)."""
    local = t.astimezone(SHANGHAI)
    minutes = local.hour * 60 + local.minute
    if 510 <= minutes < 1230:
        return t
    day = local.date() if minutes < 510 else local.date() + timedelta(days=1)
    opening = datetime(day.year, day.month, day.day, 8, 30, tzinfo=SHANGHAI)
    return (opening + timedelta(minutes=rng.uniform(0, 150))).astimezone(UTC)


@dataclass
class _Cast:
    """The people a complaint meets: owner, front-office stand-in, callback agent, units."""

    owner: str
    front: str
    callback: str
    unit: str
    wrong_unit: str
    transfer_unit: str
    handlers: dict[str, str]


class _Generator:
    def __init__(self, province: Province, end: datetime, days: int, seed: int) -> None:
        if end.tzinfo is None:
            raise ValueError("end must be timezone-aware (UTC)")
        self.province = province
        self.end = end.astimezone(UTC)
        self.days = days
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = _Clock(self.end, days)
        self.customers = _Customers(self.rng, province)
        counties = province.counties()
        self.county_picker = _Weighted(
            [c.code for c in counties],
            [
                province.subscribers[c.parent_code or ""] / len(province.counties(c.parent_code))
                for c in counties
            ],
        )
        self.channels = _Weighted(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))
        self.categories = _Weighted(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))
        self.handlers: dict[str, str] = {
            s.org_code: s.username for s in province.staff if s.role == "handler"
        }
        self.supervisors = [s.username for s in province.staff_with_role("supervisor")]
        self._agents: dict[str, list[str]] = {}
        for city in province.cities():
            hotline = province.department(city.code, "hotline")
            self._agents[city.code] = [s.username for s in province.staff_at(hotline.code, "agent")]
        self._leads = {s.org_code: s.username for s in province.staff_with_role("unit_lead")}
        self._seq = 0

    # -- intake --------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def base_draft(
        self,
        *,
        channel: str | None = None,
        category: str | None = None,
        region: str | None = None,
        at: datetime | None = None,
        overrides: dict[str, str] | None = None,
        product: str | None = None,
    ) -> _Draft:
        rng = self.rng
        channel = channel or str(self.channels.pick(rng))
        category = category or str(self.categories.pick(rng))
        region = region or str(self.county_picker.pick(rng))
        accepted_at = (at or self.clock.draw(rng, channel)).replace(microsecond=0)
        customer, product = self.customers.new(category, region, product)
        return _Draft(
            self._next_seq(),
            accepted_at,
            channel,
            category,
            region,
            customer,
            product,
            overrides or {},
        )

    def repeat_draft(self, earlier: _Draft) -> _Draft | None:
        """The same customer again, same first-level issue, 1–29 days later (重复投诉)."""
        rng = self.rng
        at = earlier.accepted_at + timedelta(days=rng.uniform(1, 29), minutes=rng.uniform(0, 600))
        at = _working_time(rng, at)
        if at >= self.end or at - earlier.accepted_at >= REPEAT_WINDOW - timedelta(hours=12):
            return None
        l1 = first_level(earlier.category)
        if rng.random() < 0.7:
            category = earlier.category
        else:
            category = rng.choice([c.code for c in leaf_categories() if c.parent == l1])
        roll = rng.random()
        channel = "hotline" if roll < 0.45 else "regulator" if roll < 0.53 else None
        channel = channel or str(self.channels.pick(rng))
        if channel in _OFFICE_CHANNELS:
            at = _office_time(rng, at)
            if at >= self.end or at - earlier.accepted_at >= REPEAT_WINDOW - timedelta(hours=12):
                return None
        return _Draft(
            self._next_seq(),
            at.replace(microsecond=0),
            channel,
            category,
            earlier.region_code,
            earlier.customer,
            earlier.product
            if earlier.product in allowed_products(category, earlier.customer.tier)
            else _product(rng, category, earlier.customer.tier),
            dict(earlier.overrides),
        )

    def hot_spots(self) -> list[_Draft]:
        """Issues many customers raise at once (热点), for early warning to find."""
        rng = self.rng
        drafts: list[_Draft] = []
        big_cities = sorted(
            self.province.cities(), key=lambda c: -self.province.subscribers[c.code]
        )[:4]
        # A fibre cut takes a residential estate offline for a day, 2–3 weeks ago.
        county = rng.choice(self.province.counties(rng.choice(big_cities).code))
        day = self.end - timedelta(days=rng.randint(15, 22))
        morning = day.astimezone(SHANGHAI).replace(hour=8, minute=0, second=0, microsecond=0)
        estate = texts.place_name(rng, county.name_zh)
        for _ in range(max(6, self.days // 3)):
            at = (morning + timedelta(minutes=rng.uniform(0, 720))).astimezone(UTC)
            drafts.append(
                self.base_draft(
                    channel="hotline" if rng.random() < 0.85 else "app",
                    category="broadband.outage",
                    region=county.code,
                    at=at,
                    overrides={"place": estate},
                )
            )
        # One SP service starts deducting without confirmation all over the province.
        sp = rng.choice(texts.SP_SERVICES)
        first = self.end - timedelta(days=rng.randint(8, 12))
        for _ in range(max(5, self.days // 4)):
            at = first + timedelta(minutes=rng.uniform(0, 3 * 1440))
            drafts.append(
                self.base_draft(
                    category="billing.sp_subscription",
                    channel="hotline",
                    at=_working_time(rng, at),
                    overrides={"sp": sp},
                )
            )
        # Yesterday and today: a base station down in one county (for tomorrow's report).
        county = rng.choice(self.province.counties(rng.choice(big_cities).code))
        place = texts.place_name(rng, county.name_zh)
        for _ in range(max(5, self.days // 5)):
            at = self.end - timedelta(minutes=rng.uniform(30, 40 * 60))
            drafts.append(
                self.base_draft(
                    channel="hotline",
                    category=rng.choice(("network.coverage", "network.mobile_data")),
                    region=county.code,
                    at=at,
                    overrides={"place": place},
                )
            )
        return [d for d in drafts if self.clock.start <= d.accepted_at < self.end]

    # -- cast and units ------------------------------------------------------------------

    def _agent(self, city_code: str) -> str:
        return self.rng.choice(self._agents[city_code])

    def _dept(self, region_code: str, dept_type: str) -> str:
        return self.province.department(region_code, dept_type).code

    def responsible_unit(self, draft: _Draft, city: str, county: str) -> str:
        """派单 target by category (network work is county-level, policy work city-level)."""
        category = draft.category
        l1 = first_level(category)
        rng = self.rng
        if l1 == "billing":
            return self._dept(city, "billing")
        if l1 in ("network", "broadband", "installation"):
            return self._dept(county, "network")
        if l1 == "service":
            if category == "service.hotline_access":
                return self._dept(city, "hotline")
            if draft.channel == "store" or rng.random() < 0.6:
                return self._dept(county, "store")
            return self._dept(city, "hotline")
        if l1 == "marketing":
            if category == "marketing.forced_bundle" and rng.random() < 0.4:
                return self._dept(county, "store")
            return self._dept(city, "marketing")
        if l1 == "portability":
            return self._dept(city, "marketing")
        if l1 == "spam":
            # Ports of province-wide SP platforms belong to the province network department.
            if rng.random() < 0.3:
                return self._dept(self.province.province_node().code, "network")
            return self._dept(city, "network")
        return self._dept(city, "quality")

    def transfer_target(self, unit: str, city: str, county: str) -> str:
        """Where a unit plausibly passes a work order on (转派)."""
        dept_type = self.province.node(unit).dept_type
        region = self.province.region_of(unit)
        upper = "city" if region.kind == "county" else "province"
        options: dict[str | None, tuple[tuple[str, str], ...]] = {
            "billing": (("city", "marketing"), ("county", "store")),
            "network": ((upper, "network"),),
            "marketing": (("county", "store"), ("city", "billing")),
            "hotline": (("county", "store"),),
            "store": (("city", "marketing"), ("city", "billing")),
            "quality": (("city", "network"), ("county", "store")),
        }
        scope, kind = self.rng.choice(options.get(dept_type, (("city", "quality"),)))
        region_code = {
            "city": city,
            "county": county,
            "province": self.province.province_node().code,
        }[scope]
        target = self._dept(region_code, kind)
        return target if target != unit else self._dept(city, "quality")

    def wrong_unit(self, unit: str, city: str, county: str) -> str:
        """A unit a hurried dispatcher might pick instead (what gets returned, 退单)."""
        candidates = [
            d.code
            for region in (city, county)
            for d in self.province.departments(region)
            if d.code != unit
        ]
        return self.rng.choice(candidates)

    def cast(self, draft: _Draft) -> _Cast:
        province = self.province
        county = draft.region_code
        city_node = province.city_of(county)
        assert city_node is not None
        city = city_node.code
        if draft.owner is not None:
            owner = draft.owner
        elif draft.channel == "store":
            owner = self.handlers[self._dept(county, "store")]
        elif draft.channel == "regulator":
            # Regulator transfers land at the province's quality department (申诉受理).
            owner = self.rng.choice(self.supervisors)
        else:
            owner = self._agent(city)
        owner_role = province.staff_member(owner).role
        front = owner if owner_role in _FRONT_ROLES else self._leads[county]
        callback = owner if owner_role in _FRONT_ROLES else self._agent(city)
        unit = self.responsible_unit(draft, city, county)
        return _Cast(
            owner=owner,
            front=front,
            callback=callback,
            unit=unit,
            wrong_unit=self.wrong_unit(unit, city, county),
            transfer_unit=self.transfer_target(unit, city, county),
            handlers=self.handlers,
        )

    # -- steps ---------------------------------------------------------------------------

    def steps(
        self, draft: _Draft, cast: _Cast, escalated: bool, ctx: texts.TextContext
    ) -> list[Step]:
        rng = self.rng
        tl = _Timeline(rng, draft.accepted_at)
        category = draft.category
        roll = rng.random()
        if roll < 0.01:
            tl.add("reject", cast.front, {"reason": texts.reject_reason(rng)}, minutes=(3, 90))
            return self._before_end(tl.steps)
        if roll < 0.035:
            tl.add("handle", cast.owner, minutes=(1, 30))
            if rng.random() < 0.4:
                tl.add("note", cast.owner, {"text": texts.note_text(rng)}, minutes=(30, 600))
            tl.add("cancel", cast.front, {"reason": texts.cancel_reason(rng)}, minutes=(60, 2880))
            return self._before_end(tl.steps)

        late_reply = not escalated and rng.random() < 0.035
        direct = not escalated and not late_reply and rng.random() < 0.15
        paused = rng.random() < 0.11
        if draft.channel in texts.FIRST_PERSON_CHANNELS or draft.channel in _OFFICE_CHANNELS:
            # Written complaints wait in a queue until someone picks them up in office hours.
            tl.add("handle", cast.owner, minutes=(30, 600), office=True)
        elif direct or rng.random() < 0.7:
            tl.add("handle", cast.owner, minutes=(1, 25))
        if direct:
            # 首问解决: the agent explains or fixes it on the spot, no unit involved.
            if paused:
                self._pause(tl, cast.owner)
            tl.add(
                "reply",
                cast.owner,
                {"text": texts.direct_reply(rng, category, ctx)},
                minutes=(10, 240),
            )
        else:
            self._handling_cycle(tl, draft, cast, escalated, late_reply, paused, ctx, first=True)
        reopen = rng.random() < 0.09
        self._callback(tl, cast, category, satisfied=not reopen)
        if reopen:
            self._handling_cycle(tl, draft, cast, escalated, False, False, ctx, first=False)
            self._callback(tl, cast, category, satisfied=True)
        tl.add("archive", rng.choice(self.supervisors), minutes=(1440, 6 * 1440), office=True)
        return self._before_end(tl.steps)

    def _pause(self, tl: _Timeline, actor: str) -> None:
        tl.add("pause", actor, {"reason": texts.pause_reason(self.rng)}, minutes=(20, 600))
        tl.add("resume", actor, minutes=(6 * 60, 4 * 1440))

    def _callback(self, tl: _Timeline, cast: _Cast, category: str, *, satisfied: bool) -> None:
        rng = self.rng
        tl.add(
            "callback",
            cast.callback,
            {"satisfied": satisfied, "comment": texts.callback_comment(rng, satisfied, category)},
            minutes=(120, 3 * 1440),
            office=True,
        )

    def _handling_cycle(
        self,
        tl: _Timeline,
        draft: _Draft,
        cast: _Cast,
        escalated: bool,
        late_reply: bool,
        paused: bool,
        ctx: texts.TextContext,
        *,
        first: bool,
    ) -> None:
        """派单 → 接单 → (转派 | 退单 → 重派) → 挂起/恢复 → 办结 → 答复."""
        rng = self.rng
        category = draft.category
        l1 = first_level(category)
        due = DUE_HOURS.get(category) or DUE_HOURS[l1]
        if escalated:
            due = min(due, 24)
        elif draft.product == "enterprise_line":
            due = min(due, 12)
        if not first:
            due = min(due, 24)
        instructions = (
            texts.dispatch_instructions(rng, category) if first else texts.reopen_instructions(rng)
        )
        returned = first and rng.random() < 0.035
        transferred = first and not returned and rng.random() < 0.06

        def dispatch(unit: str) -> int:
            index = tl.dispatch_index()
            tl.add(
                "dispatch",
                cast.front,
                {"unit": unit, "due_hours": due, "instructions": instructions},
                minutes=(3, 60) if escalated else (5, 180),
            )
            return index

        def accept(index: int, unit: str) -> None:
            tl.add(
                "accept_work_order",
                cast.handlers[unit],
                {"work_order": index},
                minutes=(10, 240),
                office=True,
            )

        if returned:
            index = dispatch(cast.wrong_unit)
            if rng.random() < 0.5:
                accept(index, cast.wrong_unit)
            tl.add(
                "return_work_order",
                cast.handlers[cast.wrong_unit],
                {"work_order": index, "reason": texts.return_reason(rng)},
                minutes=(20, 600),
                office=True,
            )
        unit = cast.unit
        index = dispatch(unit)
        dispatched_at = tl.t
        accept(index, unit)
        if transferred:
            target = cast.transfer_unit
            new_index = tl.dispatch_index()
            tl.add(
                "transfer_work_order",
                cast.handlers[unit],
                {
                    "work_order": index,
                    "unit": target,
                    "reason": texts.transfer_reason(rng, self.province.node(target).name_zh),
                },
                minutes=(30, 900),
                office=True,
            )
            unit, index = target, new_index
            accept(index, unit)
        if rng.random() < 0.15:
            tl.add("note", cast.owner, {"text": texts.note_text(rng)}, minutes=(20, 300))
        if paused:
            self._pause(tl, cast.owner)
        # Work orders are done within the unit's limit, except the late tenth (and the late
        # replies, which overrun the 15-day legal limit on purpose).
        finish: tuple[float, float]
        target_at: datetime | None
        if late_reply:
            target_at = draft.accepted_at + LEGAL_REPLY_LIMIT + timedelta(hours=rng.uniform(1, 96))
            finish = (30, 120)
        elif rng.random() < 0.1:
            target_at = dispatched_at + timedelta(hours=due + rng.uniform(2, 72))
            finish = (30, 120)
        else:
            target_at = None
            finish = (60, max(90, due * 60 * rng.uniform(0.2, 0.8)))
        result, reply = texts.outcome(rng, category, ctx)
        tl.add(
            "complete_work_order",
            cast.handlers[unit],
            {"work_order": index, "result": result},
            minutes=finish,
            office=True,
            at=target_at,
        )
        tl.add(
            "reply",
            cast.owner,
            {"text": reply},
            minutes=(10, 90) if escalated else (15, 360),
        )

    def _before_end(self, steps: list[Step]) -> list[Step]:
        kept = []
        for step in steps:
            if step.at >= self.end:
                break
            kept.append(step)
        return kept

    # -- assembly ------------------------------------------------------------------------

    def plan(
        self,
        draft: _Draft,
        key: str,
        source_ref: str | None,
        repeat_of: _Draft | None,
        repeat_key: str | None,
    ) -> ComplaintPlan:
        rng = self.rng
        province = self.province
        county = province.node(draft.region_code)
        city = province.city_of(county.code)
        assert city is not None
        channel = draft.channel
        regulator = channel == "regulator"
        escalated = regulator or (channel == "letter_visit" and rng.random() < 0.25)
        today = draft.accepted_at.astimezone(SHANGHAI).date()
        ctx = texts.TextContext(
            city=city_short_name(city),
            county=county.name_zh,
            area_code=province.area_codes[city.code],
            today=today,
            first_person=channel in texts.FIRST_PERSON_CHANNELS,
            overrides=draft.overrides,
        )
        description = texts.complaint_description(
            rng,
            draft.category,
            channel,
            ctx,
            source_ref=source_ref,
            repeat_of=repeat_of.accepted_at.astimezone(SHANGHAI).date() if repeat_of else None,
            templates=draft.templates,
        )
        customer = draft.customer
        priority = _priority(rng, draft, escalated, repeat_of is not None)
        cast = self.cast(draft)
        # Texts for results and replies speak for the unit, in the third person.
        reply_ctx = texts.TextContext(
            ctx.city, ctx.county, ctx.area_code, today, first_person=False
        )
        if draft.script is not None:
            timeline = _Timeline(rng, draft.accepted_at)
            draft.script(self, timeline, draft, cast, reply_ctx)
            steps = self._before_end(timeline.steps)
        else:
            steps = self.steps(draft, cast, escalated, reply_ctx)
        return ComplaintPlan(
            key=key,
            accepted_at=draft.accepted_at,
            accepted_by=cast.owner,
            channel=channel,
            source_ref=source_ref,
            customer_phone=customer.phone,
            customer_name=customer.name,
            customer_account=customer.account,
            customer_tier=customer.tier,
            category=draft.category,
            product=draft.product,
            region_code=draft.region_code,
            description=description,
            priority=priority,
            escalated=escalated,
            regulator_transfer=regulator,
            steps=steps,
            repeat_of=repeat_key,
        )


def _office_time(rng: random.Random, t: datetime) -> datetime:
    """Move to the next weekday office hour (regulator letters don't arrive at night)."""
    local = t.astimezone(SHANGHAI)
    while local.weekday() >= 5 or local.hour not in _OFFICE_HOURS:
        local = (local + timedelta(hours=1)).replace(minute=int(rng.uniform(0, 59)))
    return local.astimezone(UTC)


def _priority(rng: random.Random, draft: _Draft, escalated: bool, repeat: bool) -> str:
    if escalated:
        return "urgent"
    tier = draft.customer.tier
    if draft.category == "broadband.outage" and draft.product == "enterprise_line":
        return "urgent"
    if repeat:
        return "normal"  # as the agent picks it: intake raises a repeat a step (domain.repeats)
    if tier in ("gold", "diamond", "enterprise") and rng.random() < 0.5:
        return "high"
    if first_level(draft.category) in ("spam", "other") and rng.random() < 0.3:
        return "low"
    return "normal"


class _SourceRefs:
    """Each channel's own reference, numbered in the order cases arrive."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._daily: dict[tuple[str, str], int] = {}
        self._yearly: dict[tuple[str, int], int] = {}

    def _day_seq(self, prefix: str, day: str, step: tuple[int, int]) -> int:
        current = self._daily.get((prefix, day), 0) + self._rng.randint(*step)
        self._daily[(prefix, day)] = current
        return current

    def _year_seq(self, prefix: str, year: int, start: int) -> int:
        current = self._yearly.get((prefix, year), start) + self._rng.randint(1, 4)
        self._yearly[(prefix, year)] = current
        return current

    def ref(self, channel: str, at: datetime) -> str | None:
        local = at.astimezone(SHANGHAI)
        day = f"{local:%Y%m%d}"
        if channel == "hotline":
            # Thousands of calls a day; only a few are complaints.
            return f"CALL-{day}-{self._day_seq('CALL', day, (20, 400)):06d}"
        if channel in _SOURCE_PREFIX:
            prefix = _SOURCE_PREFIX[channel]
            return f"{prefix}-{day}-{self._day_seq(prefix, day, (3, 90)):06d}"
        if channel == "regulator":
            number = self._year_seq("GXB", local.year, 100 + local.month * 40)
            return f"GXB-{local.year}-{number:04d}"
        if channel == "letter_visit":
            return f"XF-{local.year}-{self._year_seq('XF', local.year, 20):04d}"
        if channel == "radio_hotline":
            return f"HFRX-{local.year}-{self._year_seq('HFRX', local.year, 10):03d}"
        if channel == "social_supervisor":
            return f"SHJD-{local.year}-{self._year_seq('SHJD', local.year, 30):04d}"
        return None  # store counter: the customer is standing there


@dataclass(frozen=True)
class DemoPlans:
    plans: list[ComplaintPlan]
    """Every complaint, the storyline's among them, in the order they were accepted."""
    incident: IncidentPlan | None = None
    """The storyline's incident (None without a storyline)."""


def generate_plans(
    province: Province,
    count: int = 3000,
    end: datetime | None = None,
    days: int = 90,
    seed: int = 20261123,
) -> list[ComplaintPlan]:
    """`count` complaint plans accepted in the `days` before `end`, sorted by acceptance
    (the storyline's among them from ``storyline.STORY_MIN_COUNT`` complaints on)."""
    return generate_demo(province, count, end, days, seed).plans


def generate_demo(
    province: Province,
    count: int = 3000,
    end: datetime | None = None,
    days: int = 90,
    seed: int = 20261123,
) -> DemoPlans:
    """`count` complaint plans accepted in the `days` before `end`, and the storyline's
    incident.

    Same arguments, same plans (one `random.Random(seed)` drives everything). Keys are
    "demo-<seed>-<nnnnn>" in acceptance order, so replaying the same plans is idempotent.
    """
    if end is None:
        raise ValueError("end is required (a timezone-aware UTC datetime)")
    if count <= 0:
        return DemoPlans([])
    gen = _Generator(province, end, days, seed)
    rng = gen.rng

    story = Story(gen) if count >= STORY_MIN_COUNT else None
    told = story.drafts() if story else []
    hot = gen.hot_spots() if count >= 300 else []
    wanted = count - len(told)
    repeats_wanted = round(wanted * 0.08)
    base_wanted = max(1, wanted - repeats_wanted - len(hot))
    drafts = hot + [gen.base_draft() for _ in range(base_wanted)]
    repeats: list[_Draft] = []
    attempts = 0
    while len(repeats) < repeats_wanted and attempts < repeats_wanted * 20:
        attempts += 1
        earlier = rng.choice(drafts + repeats)
        again = gen.repeat_draft(earlier)
        if again is not None:
            repeats.append(again)
    while len(drafts) + len(repeats) < wanted:
        drafts.append(gen.base_draft())
    drawn = sorted(drafts + repeats, key=lambda d: (d.accepted_at, d.seq))[:wanted]
    everything = sorted(told + drawn, key=lambda d: (d.accepted_at, d.seq))

    refs = _SourceRefs(rng)
    latest: dict[tuple[str, str], tuple[_Draft, str]] = {}
    plans: list[ComplaintPlan] = []
    for number, draft in enumerate(everything, start=1):
        key = f"demo-{seed}-{number:05d}"
        link = (draft.customer.phone, first_level(draft.category))
        previous = latest.get(link)
        repeat_of = None
        if previous is not None and draft.accepted_at - previous[0].accepted_at <= REPEAT_WINDOW:
            repeat_of = previous
        plans.append(
            gen.plan(
                draft,
                key,
                refs.ref(draft.channel, draft.accepted_at),
                repeat_of[0] if repeat_of else None,
                repeat_of[1] if repeat_of else None,
            )
        )
        latest[link] = (draft, key)
    return DemoPlans(plans, story.incident() if story else None)
