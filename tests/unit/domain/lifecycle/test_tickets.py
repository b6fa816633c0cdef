"""The complaint and work-order lifecycles, as the services, pages, API and CLI rely on them."""

from __future__ import annotations

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.lifecycle import tickets
from careloop.domain.lifecycle.tickets import (
    COMPLAINT_LIFECYCLE,
    WORK_ORDER_LIFECYCLE,
    Status,
    WorkOrderStatus,
)

ROLES = (
    "agent",
    "handler",
    "unit_lead",
    "supervisor",
    "admin",
    "inspector",
    "customer",
    "system",
    "nobody",
)

# The behaviour of the hand-written tables and checks before the machine replaced them,
# snapshotted from that code: name → (roles, statuses it starts from, status it leads to).
COMPLAINT_BEFORE = {
    "handle": ("admin agent handler supervisor unit_lead", "accepted", "in_progress"),
    "dispatch": ("admin agent supervisor unit_lead", "accepted in_progress", "in_progress"),
    "pause": (
        "admin agent handler supervisor unit_lead",
        "accepted in_progress",
        "pending_customer",
    ),
    "resume": (
        "admin agent customer handler supervisor system unit_lead",
        "pending_customer",
        "in_progress",
    ),
    "reply": ("admin agent handler supervisor unit_lead", "accepted in_progress", "replied"),
    "callback_satisfied": ("admin agent customer supervisor unit_lead", "replied", "closed"),
    "reopen": ("admin agent customer supervisor unit_lead", "replied", "in_progress"),
    "callback_unreachable": ("admin agent supervisor unit_lead", "replied", None),
    "close_unreachable": ("system", "replied", "closed"),
    "callback_declined": ("admin agent supervisor unit_lead", "replied", "closed"),
    "appeal_outcome": ("admin agent supervisor unit_lead", "replied closed", None),
    "archive": ("admin supervisor system", "closed", "archived"),
    "merge": (
        "admin agent supervisor unit_lead",
        "accepted in_progress pending_customer",
        "merged",
    ),
    "cancel": (
        "admin agent customer supervisor unit_lead",
        "accepted in_progress pending_customer",
        "cancelled",
    ),
    "reject": ("admin agent supervisor unit_lead", "accepted", "rejected"),
    "note": (
        "admin agent handler supervisor unit_lead",
        "accepted in_progress pending_customer replied closed",
        None,
    ),
    "attach": (
        "admin agent customer handler supervisor unit_lead",
        "accepted in_progress pending_customer replied closed",
        None,
    ),
}
WORK_ORDER_BEFORE = {
    "accept": ("admin handler supervisor unit_lead", "dispatched", "accepted"),
    "complete": ("admin handler supervisor unit_lead", "dispatched accepted", "completed"),
    "return": ("admin handler supervisor unit_lead", "dispatched accepted", "returned"),
    "transfer": ("admin handler supervisor unit_lead", "dispatched accepted", "transferred"),
    # Work steps keep the order's status; arrival only once a technician has accepted it.
    "feasibility_reply": ("admin handler supervisor unit_lead", "dispatched accepted", None),
    "arrive": ("admin handler supervisor unit_lead", "accepted", None),
    "restore": ("admin handler supervisor unit_lead", "dispatched accepted", None),
}


def _expected(
    before: dict[str, tuple[str, str, str | None]],
    status: str,
    role: str,
    name: str,
    subject: str,
    illegal: str,
) -> tuple[str, dict[str, str]]:
    """What the old checks answered: role first, then state."""
    if name not in before:
        return "not_found", {"what": subject, "ident": name}
    roles, sources, target = before[name]
    if role not in roles.split():
        return "role_not_allowed", {"role": role, "action": name}
    if status not in sources.split():
        return illegal, {"status": status, "action": name}
    return "ok", {"status": target or status}


def _outcome(lifecycle, status: str, role: str, name: str) -> tuple[str, dict[str, str]]:
    try:
        return "ok", {"status": lifecycle.apply(status, name, role).value}
    except DomainError as exc:
        return exc.code, exc.params


@pytest.mark.parametrize("name", [*COMPLAINT_BEFORE, "unknown", "accept"])
def test_the_complaint_machine_answers_every_status_and_role_as_before(name):
    for status in Status:
        for role in ROLES:
            assert _outcome(COMPLAINT_LIFECYCLE, status, role, name) == _expected(
                COMPLAINT_BEFORE, status.value, role, name, "transition", "illegal_transition"
            ), (status, role, name)


@pytest.mark.parametrize("name", [*WORK_ORDER_BEFORE, "unknown", "handle"])
def test_the_work_order_machine_answers_every_status_and_role_as_before(name):
    for status in WorkOrderStatus:
        for role in ROLES:
            assert _outcome(WORK_ORDER_LIFECYCLE, status, role, name) == _expected(
                WORK_ORDER_BEFORE,
                status.value,
                role,
                name,
                "work order transition",
                "illegal_work_order_transition",
            ), (status, role, name)


def test_the_tables_keep_their_order_for_pages_and_generated_channels():
    assert list(tickets.TRANSITIONS) == list(COMPLAINT_BEFORE)
    assert list(tickets.WORK_ORDER_TRANSITIONS) == list(WORK_ORDER_BEFORE)


def test_every_complaint_status_is_reachable_from_accepted():
    assert COMPLAINT_LIFECYCLE.initial is Status.ACCEPTED
    assert COMPLAINT_LIFECYCLE.reachable == frozenset(Status)


def test_every_work_order_status_is_reachable_from_dispatched():
    assert WORK_ORDER_LIFECYCLE.reachable == frozenset(WorkOrderStatus)


def test_an_agent_on_an_accepted_complaint_is_offered_the_front_desks_actions():
    offered = [t.name for t in tickets.allowed_transitions("accepted", "agent")]
    assert offered == [
        "handle",
        "dispatch",
        "pause",
        "reply",
        "merge",
        "cancel",
        "reject",
        "note",
        "attach",
    ]


def test_a_handler_may_neither_dispatch_nor_merge_nor_reject():
    offered = {t.name for t in tickets.allowed_transitions("accepted", "handler")}
    assert offered.isdisjoint({"dispatch", "merge", "reject", "cancel"})


def test_the_regulators_inspector_may_change_nothing():
    for status in Status:
        assert tickets.allowed_transitions(status, "inspector") == []
    for status in WorkOrderStatus:
        assert WORK_ORDER_LIFECYCLE.allowed(status, "inspector") == []


def test_a_customer_may_answer_the_callback_and_withdraw_but_not_archive():
    assert [t.name for t in tickets.allowed_transitions("replied", "customer")] == [
        "callback_satisfied",
        "reopen",
        "attach",
    ]
    assert [t.name for t in tickets.allowed_transitions("closed", "customer")] == ["attach"]


def test_only_supervisors_admins_and_the_system_archive_a_closed_complaint():
    assert COMPLAINT_LIFECYCLE.apply("closed", "archive", "system") is Status.ARCHIVED
    with pytest.raises(DomainError, match="Unit lead"):
        COMPLAINT_LIFECYCLE.apply("closed", "archive", "unit_lead")


def test_a_finished_complaint_offers_nothing():
    for status in (Status.ARCHIVED, Status.MERGED, Status.CANCELLED, Status.REJECTED):
        for role in ROLES:
            assert tickets.allowed_transitions(status, role) == []


def test_an_illegal_transition_names_the_status_and_action_in_both_languages():
    with pytest.raises(DomainError) as refused:
        tickets.check_transition("reply", "closed", "agent")
    assert refused.value.params == {"status": "closed", "action": "reply"}
    assert refused.value.message("zh") == "投诉当前状态为「已回访」，不能执行「答复客户」"
    assert refused.value.message("en") == (
        "Cannot reply to the customer: the complaint is 'Closed after callback'"
    )


def test_an_illegal_work_order_transition_keeps_its_code_and_message():
    with pytest.raises(DomainError) as refused:
        tickets.check_work_order_transition("accept", "completed", "handler")
    assert refused.value.code == "illegal_work_order_transition"
    assert refused.value.message("zh") == "工单当前状态为「已完成」，不能执行「接单」"


def test_a_refused_role_names_the_role_and_the_action():
    with pytest.raises(DomainError) as refused:
        COMPLAINT_LIFECYCLE.check_role("merge", "handler")
    assert refused.value.status == 403
    assert refused.value.message("zh") == "角色「后台处理员」无权执行「合并到其他投诉」"


def test_a_reply_waits_for_every_open_work_order():
    tickets.ensure_replyable(0)
    with pytest.raises(DomainError) as refused:
        tickets.ensure_replyable(2)
    assert refused.value.code == "work_orders_open" and refused.value.params == {"count": 2}


def test_work_order_events_keep_their_work_order_prefix_on_the_complaints_trail():
    assert WORK_ORDER_LIFECYCLE.audit_action("return") == "work_order_return"
    assert COMPLAINT_LIFECYCLE.audit_action("callback_satisfied") == "callback_satisfied"
