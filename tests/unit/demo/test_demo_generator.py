"""The demo generator: a realistic province and complaint plans the services can replay."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from careloop.demo import texts
from careloop.demo.province import Province, build_province
from careloop.demo.scenario import ComplaintPlan, allowed_products, generate_plans
from careloop.domain.categories import first_level, leaf_categories
from careloop.domain.complaints import normalize_phone
from careloop.domain.errors import DomainError
from careloop.domain.lifecycle import tickets
from careloop.domain.vocabulary import (
    CHANNELS,
    CUSTOMER_TIERS,
    DEPARTMENT_TYPES,
    PRIORITIES,
    ROLES,
)

END = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def province() -> Province:
    return build_province()


@pytest.fixture(scope="module")
def plans(province: Province) -> list[ComplaintPlan]:
    return generate_plans(province, end=END)


# --- province ------------------------------------------------------------------------------


def test_province_is_zhejiang_with_real_cities_and_about_forty_counties(province: Province):
    assert province.node("ZJ").kind == "province"
    assert province.node("GROUP").name_zh == "中国通信集团"
    assert len(province.cities()) == 11
    assert 38 <= len(province.counties()) <= 45
    assert province.node("ZJ-HZ-XH").name_zh == "西湖区"
    assert 20_000_000 < province.total_subscribers() < 60_000_000
    assert set(province.subscribers) == {c.code for c in province.cities()}


def test_every_region_has_its_departments(province: Province):
    assert {d.dept_type for d in province.departments("ZJ")} == {
        "quality", "hotline", "network", "billing", "marketing"
    }  # fmt: skip
    for city in province.cities():
        assert {d.dept_type for d in province.departments(city.code)} == set(DEPARTMENT_TYPES)
    for county in province.counties():
        assert {d.dept_type for d in province.departments(county.code)} == {"network", "store"}
    assert province.region_of("ZJ-HZ-XH-NET").code == "ZJ-HZ-XH"
    assert province.department("ZJ-HZ", "billing").code == "ZJ-HZ-BIL"


def test_org_codes_are_unique_ascii_and_parents_exist(province: Province):
    codes = [n.code for n in province.nodes]
    assert len(codes) == len(set(codes))
    for node in province.nodes:
        assert node.code.isascii()
        assert node.parent_code is None or province.has(node.parent_code)
        assert (node.kind == "department") == (node.dept_type is not None)


def test_staff_roster(province: Province):
    names = [s.username for s in province.staff]
    assert len(names) == len(set(names))
    assert all(s.username.isascii() and s.role in ROLES for s in province.staff)
    assert all(province.has(s.org_code) for s in province.staff)
    for dept in (n for n in province.nodes if n.kind == "department"):
        assert len(province.staff_at(dept.code, "handler")) == 1
    for city in province.cities():
        agents = province.staff_at(province.department(city.code, "hotline").code, "agent")
        assert 3 <= len(agents) <= 5
    for region in province.cities() + province.counties():
        assert len(province.staff_at(region.code, "unit_lead")) == 1
    assert len(province.staff_at("ZJ-QUA", "supervisor")) == 3
    assert province.staff_member("admin").role == "admin"
    assert province.staff_member("inspector").org_code == "ZJ"


def test_build_province_is_deterministic():
    assert build_province() == build_province()


# --- texts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("category", [c.code for c in leaf_categories()])
def test_every_leaf_category_has_several_texts(category: str):
    assert len(texts.COMPLAINT_TEMPLATES[category]) >= 3
    rng = random.Random(1)
    for first_person in (True, False):
        ctx = texts.TextContext("杭州", "西湖区", "0571", END.date(), first_person)
        for channel in CHANNELS:
            text = texts.complaint_description(rng, category, channel, ctx, source_ref="GXB-1")
            assert len(text) > 20 and "{" not in text and "}" not in text
        result, reply = texts.outcome(rng, category, ctx)
        assert result and reply.startswith("您好")
        assert texts.callback_comment(rng, False, category)
        assert texts.dispatch_instructions(rng, category)


def test_customer_style_depends_on_channel():
    rng = random.Random(3)
    online = texts.TextContext("杭州", "西湖区", "0571", END.date(), first_person=True)
    hotline = texts.TextContext("杭州", "西湖区", "0571", END.date(), first_person=False)
    mine = [texts.complaint_description(rng, "broadband.speed", "app", online) for _ in range(20)]
    summaries = [
        texts.complaint_description(rng, "broadband.speed", "hotline", hotline) for _ in range(20)
    ]
    assert all("用户" not in t for t in mine) and any("我" in t for t in mine)
    assert all(t.startswith(("用户来电", "客户来电")) for t in summaries)


def test_names_and_numbers_look_real():
    rng = random.Random(5)
    for _ in range(500):
        phone = texts.mobile_number(rng)
        assert normalize_phone(phone) == phone and len(phone) == 11 and phone[1] in "3456789"
        name = texts.customer_name(rng)
        assert 2 <= len(name) <= 3
        assert texts.spam_port(rng).startswith("106")


# --- plans ---------------------------------------------------------------------------------


def test_default_run_is_big_sorted_and_deterministic(province: Province):
    first = generate_plans(province, end=END)
    assert len(first) >= 3000
    assert first == generate_plans(province, end=END)
    assert first != generate_plans(province, end=END, seed=7)
    times = [p.accepted_at for p in first]
    assert times == sorted(times)
    assert len({p.key for p in first}) == len(first)
    assert END - timedelta(days=90) <= times[0] and times[-1] < END


def test_small_runs_work(province: Province):
    few = generate_plans(province, count=40, end=END, days=10, seed=1)
    assert len(few) == 40
    _check_all(province, few)


def test_fields_use_the_vocabularies(plans: list[ComplaintPlan], province: Province):
    counties = {c.code for c in province.counties()}
    for plan in plans:
        assert plan.channel in CHANNELS
        assert plan.customer_tier in CUSTOMER_TIERS
        assert plan.priority in PRIORITIES
        assert plan.region_code in counties
        assert plan.product in allowed_products(plan.category, plan.customer_tier)
        assert normalize_phone(plan.customer_phone) == plan.customer_phone
        assert plan.description and plan.customer_name and plan.customer_account
        assert plan.accepted_at.tzinfo is not None and plan.accepted_at.microsecond == 0
        assert all(step.at.microsecond == 0 for step in plan.steps)


def test_source_references_follow_the_channel(plans: list[ComplaintPlan]):
    refs = [p.source_ref for p in plans if p.source_ref]
    assert len(refs) == len(set(refs))
    for plan in plans:
        if plan.channel == "hotline":
            assert plan.source_ref and plan.source_ref.startswith("CALL-")
        if plan.channel == "regulator":
            assert plan.source_ref and plan.source_ref.startswith("GXB-")
            assert plan.escalated and plan.regulator_transfer
            assert plan.source_ref in plan.description
        if plan.channel == "store":
            assert plan.source_ref is None


def test_channel_mix(plans: list[ComplaintPlan]):
    share = {k: v / len(plans) for k, v in Counter(p.channel for p in plans).items()}
    assert 0.55 <= share["hotline"] <= 0.66
    assert 0.07 <= share["store"] <= 0.13
    assert 0.11 <= share["online"] + share["app"] + share["wechat"] <= 0.19
    assert 0.015 <= share["sms"] <= 0.05
    assert 0.03 <= share["regulator"] <= 0.055
    for channel in ("letter_visit", "radio_hotline", "social_supervisor"):
        assert 0.005 <= share[channel] <= 0.025


def test_category_mix_has_billing_and_broadband_on_top(plans: list[ComplaintPlan]):
    by_l1 = Counter(first_level(p.category) for p in plans)
    top_two = {code for code, _ in by_l1.most_common(2)}
    assert top_two == {"billing", "broadband"}
    assert {p.category for p in plans} == {c.code for c in leaf_categories()}


def test_daytime_and_weekday_peaks(plans: list[ComplaintPlan]):
    local_hours = Counter((p.accepted_at + timedelta(hours=8)).hour for p in plans)
    assert local_hours[10] > 5 * local_hours[3]
    weekdays = Counter((p.accepted_at + timedelta(hours=8)).weekday() for p in plans)
    assert weekdays[2] > weekdays[6]


def test_escalated_share(plans: list[ComplaintPlan]):
    escalated = sum(p.escalated for p in plans) / len(plans)
    assert 0.03 <= escalated <= 0.06
    assert all(p.priority == "urgent" for p in plans if p.escalated)


def test_repeats_are_same_phone_same_first_level_within_thirty_days(
    plans: list[ComplaintPlan],
):
    by_key = {p.key: p for p in plans}
    repeats = [p for p in plans if p.repeat_of]
    assert 0.06 <= len(repeats) / len(plans) <= 0.10
    for plan in repeats:
        earlier = by_key[plan.repeat_of or ""]
        assert earlier.customer_phone == plan.customer_phone
        assert first_level(earlier.category) == first_level(plan.category)
        assert timedelta(0) < plan.accepted_at - earlier.accepted_at <= timedelta(days=30)
        assert earlier.customer_name == plan.customer_name


def test_non_repeats_would_not_be_linked_by_intake(plans: list[ComplaintPlan]):
    """The intake service links by phone + first level + 30 days: plans must agree with it."""
    seen: dict[tuple[str, str], datetime] = {}
    for plan in plans:
        link = (plan.customer_phone, first_level(plan.category))
        previous = seen.get(link)
        is_repeat = previous is not None and plan.accepted_at - previous <= timedelta(days=30)
        assert is_repeat == (plan.repeat_of is not None), plan.key
        seen[link] = plan.accepted_at


def test_steps_obey_the_lifecycle(plans: list[ComplaintPlan], province: Province):
    _check_all(province, plans)


def test_outcome_mix(plans: list[ComplaintPlan], province: Province):
    roster = _Roster(province)
    finals = {p.key: _replay(roster, p).status for p in plans}
    old = [p for p in plans if END - p.accepted_at > timedelta(days=12)]
    archived_old = sum(finals[p.key] == "archived" for p in old) / len(old)
    assert archived_old > 0.8
    n = len(plans)

    def share(predicate) -> float:
        return sum(1 for p in plans if predicate(p)) / n

    def has(action: str):
        return lambda p: any(s.action == action for s in p.steps)

    reopened = share(lambda p: any(s.action == "callback" and not s.params["satisfied"]
                                   for s in p.steps))  # fmt: skip
    assert 0.05 <= reopened <= 0.11
    assert 0.01 <= share(has("cancel")) <= 0.035
    assert 0.004 <= share(has("reject")) <= 0.02
    assert 0.07 <= share(has("pause")) <= 0.14
    assert 0.03 <= share(has("transfer_work_order")) <= 0.08
    assert 0.015 <= share(has("return_work_order")) <= 0.05


def test_recent_complaints_are_open_at_every_stage(plans: list[ComplaintPlan], province: Province):
    roster = _Roster(province)
    recent = [p for p in plans if END - p.accepted_at <= timedelta(days=5)]
    statuses = Counter(_replay(roster, p).status for p in recent)
    for status in ("accepted", "in_progress", "pending_customer", "replied"):
        assert statuses[status] > 0, statuses


def test_some_work_is_late(plans: list[ComplaintPlan]):
    late_replies = 0
    late_orders = 0
    for plan in plans:
        replies = [s for s in plan.steps if s.action == "reply"]
        if replies and replies[0].at - plan.accepted_at > timedelta(days=15):
            late_replies += 1
        dispatched: dict[int, tuple[datetime, int]] = {}
        index = 0
        for step in plan.steps:
            if step.action in ("dispatch", "transfer_work_order"):
                due = step.params.get("due_hours")
                if step.action == "transfer_work_order":  # the successor keeps the old due time
                    due_at = dispatched[int(step.params["work_order"])]
                    dispatched[index] = due_at
                else:
                    dispatched[index] = (step.at, int(due))  # type: ignore[arg-type]
                index += 1
            if step.action == "complete_work_order":
                at, hours = dispatched[int(step.params["work_order"])]  # type: ignore[arg-type]
                late_orders += step.at > at + timedelta(hours=hours)
    assert late_replies >= 30
    assert late_orders >= 100


# --- a tiny lifecycle checker, driven by the domain's own transition tables -----------------


class _Roster:
    def __init__(self, province: Province) -> None:
        self.roles = {s.username: s.role for s in province.staff}
        self.units = {s.username: s.org_code for s in province.staff}
        self.departments = {n.code for n in province.nodes if n.kind == "department"}


@dataclass
class _State:
    status: str = "accepted"
    orders: list[tuple[str, str]] = field(default_factory=list)  # (unit, status)


_ORDER_ACTIONS = {
    "accept_work_order": "accept",
    "transfer_work_order": "transfer",
    "return_work_order": "return",
    "complete_work_order": "complete",
}


def _replay(roster: _Roster, plan: ComplaintPlan) -> _State:
    state = _State()
    previous = plan.accepted_at
    owner_role = roster.roles[plan.accepted_by]
    assert owner_role in tickets.INTAKE_ROLES, plan.key
    for step in plan.steps:
        assert step.at > previous and step.at < END, (plan.key, step)
        previous = step.at
        role = roster.roles[step.actor]
        try:
            _apply(roster, state, step.action, role, step.actor, step.params)
        except (DomainError, AssertionError) as exc:
            raise AssertionError(f"{plan.key}: {step.action} by {step.actor}: {exc}") from exc
    return state


def _apply(
    roster: _Roster, state: _State, action: str, role: str, actor: str, params: dict
) -> None:
    if action in _ORDER_ACTIONS:
        index = int(params["work_order"])
        unit, status = state.orders[index]
        assert roster.units[actor] == unit, "work order actor must belong to the unit"
        name = _ORDER_ACTIONS[action]
        transition = tickets.check_work_order_transition(name, status, role)
        state.orders[index] = (unit, str(transition.target))
        if name == "transfer":
            assert params["unit"] in roster.departments and params["unit"] != unit
            assert params["reason"]
            state.orders.append((str(params["unit"]), tickets.WorkOrderStatus.DISPATCHED))
        if name in ("return", "complete"):
            assert params.get("reason") or params.get("result")
        return
    if action == "callback":
        name = "callback_satisfied" if params["satisfied"] else "reopen"
    else:
        name = action
    transition = tickets.check_transition(name, state.status, role)
    if action == "dispatch":
        assert params["unit"] in roster.departments
        assert int(params["due_hours"]) > 0 and params["instructions"]
        state.orders.append((str(params["unit"]), tickets.WorkOrderStatus.DISPATCHED))
    if action == "reply":
        open_orders = sum(s in tickets.OPEN_WORK_ORDER_STATUSES for _, s in state.orders)
        tickets.ensure_replyable(open_orders)
        assert params["text"]
    if action in ("pause", "cancel", "reject"):
        assert params["reason"]
    if action == "note":
        assert params["text"]
    if transition.target is not None:
        state.status = str(transition.target)


def _check_all(province: Province, plans: list[ComplaintPlan]) -> None:
    roster = _Roster(province)
    for plan in plans:
        _replay(roster, plan)


def test_the_checker_catches_an_illegal_order(province: Province, plans: list[ComplaintPlan]):
    """A callback without a reply before it must fail, even with its times in order."""
    plan = next(p for p in plans if [s.action for s in p.steps].count("reply") == 1)
    without_reply = [s for s in plan.steps if s.action != "reply"]
    broken = ComplaintPlan(**{**plan.__dict__, "steps": without_reply})
    with pytest.raises(AssertionError, match="callback"):
        _replay(_Roster(province), broken)
