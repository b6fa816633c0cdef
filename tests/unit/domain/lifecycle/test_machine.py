"""The generic transition machine, on a small lifecycle of its own (an inspection's task)."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careloop.domain.errors import DomainError
from careloop.domain.lifecycle.machine import (
    InputField,
    InvalidLifecycle,
    Lifecycle,
    Transition,
    transition,
)


class Task(StrEnum):
    OPEN = "open"
    DONE = "done"
    VERIFIED = "verified"


class Other(StrEnum):
    OPEN = "open"


LABELS = {
    Task.OPEN: ("待整改", "Open"),
    Task.DONE: ("已整改", "Done"),
    Task.VERIFIED: ("已核实", "Verified"),
}
ROLES = ("handler", "inspector", "admin", "nobody")


def table() -> list[Transition[Task]]:
    return [
        transition(
            "finish",
            {Task.OPEN},
            Task.DONE,
            {"handler", "admin"},
            "整改完成",
            "finish",
            fields=(InputField("result", "text", max_chars=2000),),
        ),
        transition("verify", {Task.DONE}, Task.VERIFIED, {"inspector"}, "核实", "verify"),
        transition("reopen", {Task.DONE}, Task.OPEN, {"inspector"}, "退回整改", "send back"),
        transition(
            "comment", {Task.OPEN, Task.DONE}, None, {"handler", "inspector"}, "评论", "comment"
        ),
    ]


def build(
    rows: list[Transition[Task]], labels: dict[Task, tuple[str, str]] = LABELS
) -> Lifecycle[Task]:
    return Lifecycle(
        Task, labels, Task.OPEN, rows, subject="task transition", illegal_code="illegal_transition"
    )


TASKS = build(table())


def test_a_lifecycle_iterates_its_transitions_in_table_order():
    assert [t.name for t in TASKS] == ["finish", "verify", "reopen", "comment"]
    assert TASKS.names == ("finish", "verify", "reopen", "comment")
    assert list(TASKS.transitions) == list(TASKS.names)
    assert len(TASKS) == 4 and "verify" in TASKS and "archive" not in TASKS


def test_a_transition_and_a_status_are_labelled_in_both_languages():
    assert TASKS.get("reopen").label("zh") == "退回整改"
    assert TASKS.get("reopen").label("en-GB") == "send back"
    assert TASKS.label("done", "en") == "Done" and TASKS.label(Task.DONE, "zh") == "已整改"
    assert TASKS.labels[Task.VERIFIED] == ("已核实", "Verified")


def test_a_transition_declares_what_the_channel_must_ask_for():
    (result,) = TASKS.get("finish").fields
    assert (result.name, result.kind, result.required, result.max_chars) == (
        "result",
        "text",
        True,
        2000,
    )
    assert result.label("zh") == "处理结果" and result.label("en") == "result"
    assert TASKS.get("verify").fields == ()


def test_apply_returns_the_status_the_transition_leads_to():
    assert TASKS.apply(Task.OPEN, "finish", "handler") is Task.DONE
    assert TASKS.apply("done", "reopen", "inspector") is Task.OPEN


def test_an_action_without_a_target_keeps_the_status():
    assert TASKS.apply("done", "comment", "inspector") is Task.DONE


def test_a_role_the_transition_does_not_name_is_refused_before_the_state_is_looked_at():
    with pytest.raises(DomainError) as refused:
        TASKS.apply(Task.VERIFIED, "verify", "handler")
    assert refused.value.code == "role_not_allowed"
    assert refused.value.params == {"role": "handler", "action": "verify"}
    # People read the action's and the role's names, never their codes.
    assert "核实" in refused.value.message("zh") and "verify" not in refused.value.message("zh")


def test_a_transition_from_a_status_it_does_not_start_from_is_illegal():
    with pytest.raises(DomainError) as refused:
        TASKS.apply(Task.VERIFIED, "verify", "inspector")
    assert refused.value.code == "illegal_transition"
    assert refused.value.params == {"status": "verified", "action": "verify"}
    # The codes stay in the params; people read the status's and the action's names.
    assert refused.value.message("zh") == "投诉当前状态为「已核实」，不能执行「核实」"
    assert refused.value.message("en") == "Cannot verify: the complaint is 'Verified'"
    assert refused.value.status == 409


def test_an_unknown_transition_is_not_found_under_the_lifecycles_subject():
    with pytest.raises(DomainError) as missing:
        TASKS.check_role("archive", "admin")
    assert missing.value.code == "not_found"
    assert missing.value.params == {"what": "task transition", "ident": "archive"}


def test_an_unknown_status_is_a_value_error_as_for_the_status_enum():
    with pytest.raises(ValueError):
        TASKS.allowed("lost", "admin")


def test_allowed_lists_what_the_role_may_do_from_the_status_in_table_order():
    assert [t.name for t in TASKS.allowed("done", "inspector")] == ["verify", "reopen", "comment"]
    assert [t.name for t in TASKS.allowed("open", "admin")] == ["finish"]
    assert TASKS.allowed("verified", "inspector") == []


@given(st.sampled_from(list(Task)), st.sampled_from(ROLES), st.sampled_from([*TASKS.names, "x"]))
def test_allowed_is_exactly_what_apply_accepts(status: Task, role: str, name: str):
    offered = name in {t.name for t in TASKS.allowed(status, role)}
    try:
        TASKS.apply(status, name, role)
    except DomainError:
        assert not offered
    else:
        assert offered


def test_a_table_with_two_transitions_of_one_name_is_refused():
    rows = table()
    with pytest.raises(InvalidLifecycle, match=r"duplicate transition names \['verify'\]"):
        build([*rows, rows[1]])


def test_a_table_naming_another_lifecycles_status_is_refused():
    stray = transition("close", {Other.OPEN}, Task.VERIFIED, {"admin"}, "关闭", "close")
    with pytest.raises(InvalidLifecycle, match="'close' names unknown statuses"):
        build([*table(), stray])  # type: ignore[list-item]


def test_a_status_no_transition_leads_to_is_refused():
    rows = [t for t in table() if t.name != "verify"]
    with pytest.raises(InvalidLifecycle, match=r"unreachable from 'open': \['verified'\]"):
        build(rows)


def test_a_status_without_a_label_is_refused():
    with pytest.raises(InvalidLifecycle, match=r"without a label \['verified'\]"):
        build(table(), {k: v for k, v in LABELS.items() if k is not Task.VERIFIED})


def test_a_transition_nobody_may_fire_or_that_starts_nowhere_is_refused():
    idle = transition("idle", {Task.OPEN}, None, set(), "闲置", "idle")
    nowhere = transition("jump", set(), Task.DONE, {"admin"}, "跳转", "jump")
    with pytest.raises(InvalidLifecycle) as refused:
        build([*table(), idle, nowhere])
    assert "'idle' may be fired by nobody" in str(refused.value)
    assert "'jump' starts from no status" in str(refused.value)


def test_every_status_of_a_valid_table_is_reachable():
    assert TASKS.reachable == frozenset(Task)


def test_a_declared_text_field_cleans_what_a_person_gave_by_its_limits():
    assert TASKS.clean_field("finish", "result", "  整改完成  ") == "整改完成"
    with pytest.raises(DomainError) as refused:
        TASKS.clean_field("finish", "result", "x" * 2001)
    assert refused.value.code == "invalid_input" and refused.value.field == "result"
    with pytest.raises(DomainError):
        TASKS.clean_field("finish", "result", "   ")


def test_an_optional_line_left_empty_is_none_and_may_not_break_lines():
    ref = InputField("storage_ref", "line", required=False, max_chars=10)
    assert ref.clean("") is None and ref.clean(None) is None
    assert "\n" not in (ref.clean("a\nb") or "")


def test_a_field_the_transition_does_not_declare_is_a_key_error():
    with pytest.raises(KeyError, match="'verify' takes no field 'result'"):
        TASKS.get("verify").field("result")


def test_a_transitions_event_is_recorded_under_its_name_and_the_lifecycles_prefix():
    assert TASKS.audit_action("finish") == "finish"
    prefixed = Lifecycle(
        Task, LABELS, Task.OPEN, table(), subject="t", illegal_code="c", audit_prefix="task_"
    )
    assert prefixed.audit_action("verify") == "task_verify"
