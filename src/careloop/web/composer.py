"""The complaint page's composer: which action leads, which fold away, the reply templates
the agent may start from, the attachments and the reveal of masked data.

Only arranges what the services answer; who may do what stays in the lifecycle table and
the permission rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import Request

from careloop.domain import attachments
from careloop.domain.lifecycle.machine import Transition
from careloop.services.access.actors import Actor
from careloop.services.complaints import attachment_files, reply_templates
from careloop.services.privacy.personal_data import CustomerData
from careloop.services.unit_of_work import UnitOfWork

LEAD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("callback_satisfied", "reopen", "callback_unreachable", "callback_declined", "appeal_outcome"),
    ("reply", "dispatch"),
    ("handle",),
    ("resume",),
    ("appeal_outcome",),
    ("archive",),
)
"""The actions that lead, by stage: the callback once replied; answering or dispatching
while the complaint is handled; then whatever moves it on. The first group with an offered
action leads; everything else folds away."""
FINISHED_CLOCKS = frozenset({"met", "met_late"})
BODY_MARGIN = 64 * 1024
"""Room for the multipart envelope and the form's other fields within the body limit."""


def upload_limit(request: Request) -> int:
    """The largest file the page accepts: the domain's limit, or less where the site's
    request-size limit (CARELOOP_MAX_BODY_BYTES) is lower."""
    body = int(request.app.state.settings.max_body_bytes)
    return max(1, min(attachments.MAX_BYTES, body - BODY_MARGIN))


def lead_group(allowed: Sequence[Transition[Any]]) -> tuple[str, ...]:
    names = {tr.name for tr in allowed}
    for group in LEAD_GROUPS:
        if names & set(group):
            return group
    return ()


def context(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    lang: str,
    complaint_id: int,
    allowed: Sequence[Transition[Any]],
    *,
    can_attach: bool,
    open_orders: bool,
    clock_rows: list[dict[str, Any]],
    revealed: CustomerData | None,
) -> dict[str, Any]:
    group = lead_group(allowed)
    leading = sorted(
        (tr for tr in allowed if tr.name in group), key=lambda tr: group.index(tr.name)
    )
    limit = upload_limit(request)
    return {
        "lead_actions": leading,
        # A reply waits for the units: with a work order open it would be refused.
        "lead_is_ready": bool(leading) and not (leading[0].name == "reply" and open_orders),
        "other_actions": [tr for tr in allowed if tr.name not in group],
        "waiting_for_units": open_orders,
        "reply_templates": reply_templates.offered_for(uow, complaint_id, actor, now, lang)
        if any(tr.name == "reply" for tr in allowed)
        else [],
        "live_clocks": [k for k in clock_rows if k["clock"].state not in FINISHED_CLOCKS],
        "finished_clocks": [k for k in clock_rows if k["clock"].state in FINISHED_CLOCKS],
        "attachments": attachment_files.page_attachments(uow, complaint_id, actor),
        "can_attach": can_attach,
        "upload_limit": limit,
        "upload_limit_text": attachments.size_text(limit),
        "upload_types": sorted({k for k in attachments.KINDS if k != "jpeg"}),
        "revealed": revealed,
    }
