"""What a work order's steps look like to a reader: each with its due time, its state as of
the moment read (an open step past due is overdue now, whether or not a sweep has run) and
a label in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from careloop.domain import privacy
from careloop.domain.sla import steps as rules
from careloop.store.models import WorkOrderStep


@dataclass(frozen=True)
class WorkStepView:
    kind: str
    label: str
    anchor: str
    started_at: datetime
    limit_minutes: int
    basis: str
    due_at: datetime
    done_at: datetime | None
    done_by_id: int | None
    state: str
    state_label: str
    late: bool
    note: str | None


def step_state(step: WorkOrderStep, now: datetime) -> str:
    """The step's state at ``now`` (``domain.sla.steps.judge``)."""
    return rules.judge(step.due_at, step.done_at, now, cancelled=step.state == "cancelled")


def step_view(step: WorkOrderStep, lang: str, now: datetime, unmasked: bool) -> WorkStepView:
    state = step_state(step, now)
    return WorkStepView(
        kind=step.kind,
        label=rules.step_label(step.kind, lang),
        anchor=step.anchor,
        started_at=step.started_at,
        limit_minutes=step.limit_minutes,
        basis=step.basis,
        due_at=step.due_at,
        done_at=step.done_at,
        done_by_id=step.done_by_id,
        state=state,
        state_label=rules.state_label(state, lang),
        late=state in rules.LATE_STATES,
        # A technician's answer may quote the customer (an address, a number to call).
        note=privacy.shown(step.note, "text", unmasked=unmasked),
    )


def step_views(
    steps: Iterable[WorkOrderStep], lang: str, now: datetime, unmasked: bool
) -> list[WorkStepView]:
    return [step_view(s, lang, now, unmasked) for s in steps]
