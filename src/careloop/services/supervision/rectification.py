"""Rectification tasks (督促整改): open from a finding, work, submit with evidence, re-inspect,
escalate when late. Every step is a transition of ``domain.supervision.rectification``,
one row of the task's audit trail and (for the ones others hang on) a domain event
published after the commit.

The use cases live in small modules named after what they hold; this module is the one
name the channels, the job runner and the other supervision parts import:

- ``rectification_views``: the read models (a task as channels show it);
- ``rectification_queries``: reading within scope (one task, the list, the trail);
- ``rectification_policies``: the limits per source kind and the business calendar;
- ``rectification_opening``: a finding becomes a task (``open_rectification`` joins the
  caller's unit of work and the caller commits);
- ``rectification_work``: start, submit for re-inspection, confirm, fail, note;
- ``rectification_trail``: the audit row and domain event of each action;
- ``rectification_escalation``: the sweep that escalates late tasks.
"""

from __future__ import annotations

from careloop.services.supervision.rectification_escalation import (
    EscalationReport,
    escalate_late,
    sweep,
)
from careloop.services.supervision.rectification_opening import (
    open_rectification,
    open_rectification_by_code,
)
from careloop.services.supervision.rectification_policies import (
    PolicyView,
    business_calendar,
    list_policies,
    policy_for,
    set_policy,
)
from careloop.services.supervision.rectification_queries import (
    LIST_STATUSES,
    TaskPage,
    get_task,
    list_tasks,
    load_task,
    task_events,
    visible_to,
)
from careloop.services.supervision.rectification_views import (
    ActionView,
    FindingRef,
    RectificationEventView,
    RectificationView,
    UnitView,
    task_clock,
    view_of,
)
from careloop.services.supervision.rectification_work import (
    TRANSITIONS,
    confirm_task,
    fail_task,
    note_task,
    start_task,
    submit_task,
)

__all__ = [
    "LIST_STATUSES",
    "TRANSITIONS",
    "ActionView",
    "EscalationReport",
    "FindingRef",
    "PolicyView",
    "RectificationEventView",
    "RectificationView",
    "TaskPage",
    "UnitView",
    "business_calendar",
    "confirm_task",
    "escalate_late",
    "fail_task",
    "get_task",
    "list_policies",
    "list_tasks",
    "load_task",
    "note_task",
    "open_rectification",
    "open_rectification_by_code",
    "policy_for",
    "set_policy",
    "start_task",
    "submit_task",
    "sweep",
    "task_clock",
    "task_events",
    "view_of",
    "visible_to",
]
