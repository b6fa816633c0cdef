"""Read models (services.complaints.read_models) → the API's documented response shapes.

The services have already chosen the language and masked personal data; these only
validate the values into the schemas the OpenAPI document publishes.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from careloop.api import schemas
from careloop.services.complaints import read_models

Model = TypeVar("Model", bound=BaseModel)


def shaped(model: type[Model], view: object) -> Model:
    return model.model_validate(view, from_attributes=True)


def complaint(view: read_models.ComplaintView) -> schemas.ComplaintOut:
    return shaped(schemas.ComplaintOut, view)


def work_order(view: read_models.WorkOrderView) -> schemas.WorkOrderOut:
    return shaped(schemas.WorkOrderOut, view)
