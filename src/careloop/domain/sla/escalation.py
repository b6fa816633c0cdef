"""When a clock's alerts fall due: its warning, its breach, and each escalation step.

Every deadline warns before it breaches, and a breach escalates up the org tree step by
step, each step a number of overrun minutes after the due time (DOMAIN.md §3). The sweep
records each alert once (``sla_alerts``) and looks at a clock again at :func:`next_check`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from careloop.domain.sla.clocks import ClockState, pending_alerts

REFRESH_OVERDUE: Final = timedelta(hours=1)
"""An overdue clock with every step fired is looked at hourly, to keep its overrun fresh."""

EscalationStep = Mapping[str, Any]
"""One step as a policy stores it: ``{"level": 1, "to": "unit_lead", "after_minutes": 0,
"channel": "email"}``."""


class EscalatingPolicy(Protocol):
    """What escalation reads of a policy: its steps."""

    @property
    def escalation(self) -> Sequence[EscalationStep]: ...


def escalation_steps(policy: EscalatingPolicy | None) -> list[EscalationStep]:
    """The policy's steps, lowest level first (none without a policy)."""
    return sorted((policy.escalation if policy else []), key=lambda s: int(s["level"]))


def step_alert(step: EscalationStep) -> str:
    """The alert kind a step records: ``escalation:{level}``."""
    return f"escalation:{step['level']}"


def due_alerts(
    clock: ClockState, sent: AbstractSet[str], steps: Sequence[EscalationStep]
) -> list[str]:
    """Alerts of ``clock`` due now and not ``sent`` yet: the warning and the breach
    (``pending_alerts``), then, while breached, each step whose overrun has come."""
    kinds: list[str] = list(pending_alerts(clock, sent))
    if clock.state == "breached":
        kinds += [
            step_alert(step)
            for step in steps
            if step_alert(step) not in sent
            and clock.overrun_minutes >= int(step.get("after_minutes", 0))
        ]
    return kinds


def next_check(
    clock: ClockState, sent: AbstractSet[str], steps: Sequence[EscalationStep], now: datetime
) -> datetime | None:
    """When the clock needs a look again, given the alerts ``sent`` so far: its warning
    time, then its due time, then the next step's time; a stopped clock never."""
    if clock.stopped_at is not None:
        return None
    if "warning" not in sent:
        return clock.warn_at
    if "breach" not in sent:
        return clock.due_at
    waiting = [
        clock.due_at + timedelta(minutes=int(step.get("after_minutes", 0)))
        for step in steps
        if step_alert(step) not in sent
    ]
    return min(waiting) if waiting else now + REFRESH_OVERDUE
