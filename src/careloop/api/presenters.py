"""Read models (services.complaints.read_models) → the API's documented response shapes.

The services have already chosen the language and masked personal data; these only
validate the values into the schemas the OpenAPI document publishes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from careloop.api import schemas
from careloop.services.access.actors import Actor
from careloop.services.complaints import queries, read_models
from careloop.services.unit_of_work import UnitOfWork

Model = TypeVar("Model", bound=BaseModel)


def shaped(model: type[Model], view: object) -> Model:
    return model.model_validate(view, from_attributes=True)


def complaint(view: read_models.ComplaintView) -> schemas.ComplaintOut:
    return shaped(schemas.ComplaintOut, view)


def work_order(view: read_models.WorkOrderView) -> schemas.WorkOrderOut:
    return shaped(schemas.WorkOrderOut, view)


def complaint_now(
    uow: UnitOfWork, complaint_id: int, actor: Actor, lang: str, now: datetime | None
) -> schemas.ComplaintOut:
    """The complaint as it stands now (after an action: as the action left it), clocks
    explained as of `now`."""
    return complaint(queries.complaint_view(uow, complaint_id, actor, lang, now))


def work_order_now(
    uow: UnitOfWork, work_order_id: int, actor: Actor, lang: str, now: datetime | None = None
) -> schemas.WorkOrderOut:
    """The work order as it stands now (after an action: as the action left it)."""
    return work_order(queries.work_order_view(uow, work_order_id, actor, lang, now))
