"""One endpoint per lifecycle transition, generated from the transition table.

The table (domain.lifecycle.tickets) names every transition and what a person must give to
fire it; a small `ActionEndpoint` adds only what the API needs besides: the body model that
documents those fields, the summary, and the service function that fires it. Each endpoint
then reads the same way: fire the service with the caller, the version read and the body's
fields (in the table's order), and answer the record as the action left it. A transition
added to the table and given a spec gets its endpoint, docs and links without a new route
function; one whose fields the body model does not carry fails at import, not at run time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel

from careloop.api.deps import ActorDep, LangDep
from careloop.domain.lifecycle.machine import Lifecycle
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.unit_of_work import UnitOfWork

Present = Callable[[UnitOfWork, int, Actor, str, datetime], BaseModel]


@dataclass(frozen=True)
class Answer:
    """The documented answer (`model`) and how to make it: the record with this id as it
    stands now, fresh after the action (`present`)."""

    model: type[BaseModel]
    present: Present


@dataclass(frozen=True)
class ActionEndpoint:
    """What the API adds to a transition of the table to offer it as ``POST .../{path}``."""

    path: str
    transition: str
    """The table's name; `fields` default to the fields it asks for."""
    body: type[BaseModel]
    summary: str
    fire: Callable[..., Any]
    """The service: (uow, id, actor, version, now, *fields) → the record it changed or made."""
    fields: tuple[str, ...] | None = None
    name: str | None = None
    """The endpoint's name (its operationId's stem); default: `path`."""
    creates: bool = False
    """201, answering the record the service made (a work order), not the one acted on."""
    answer: Answer | None = None
    """When it answers another kind of record than its router's others (dispatch)."""

    def field_names(self, lifecycle: Lifecycle[Any]) -> tuple[str, ...]:
        if self.fields is not None:
            return self.fields
        return tuple(f.name for f in lifecycle.get(self.transition).fields)


def add_action_routes(
    router: APIRouter,
    lifecycle: Lifecycle[Any],
    id_param: str,
    actions: Sequence[ActionEndpoint],
    answer: Answer,
) -> None:
    """Register ``POST /{id_param}/{action.path}`` for each action, in the given order (the
    OpenAPI document lists paths in registration order)."""
    for action in actions:
        fields = action.field_names(lifecycle)
        missing = [f for f in ("version", *fields) if f not in action.body.model_fields]
        if missing:
            raise TypeError(f"{action.body.__name__} lacks {missing} for {action.transition}")
        router.add_api_route(
            f"/{{{id_param}}}/{action.path}",
            _endpoint(action, fields, id_param, (action.answer or answer).present),
            methods=["POST"],
            response_model=(action.answer or answer).model,
            status_code=status.HTTP_201_CREATED if action.creates else status.HTTP_200_OK,
            summary=action.summary,
            name=action.name or action.path,
        )


def _endpoint(
    action: ActionEndpoint, fields: tuple[str, ...], id_param: str, present: Present
) -> Callable[..., BaseModel]:
    def endpoint(**values: Any) -> BaseModel:
        body = values["body"]
        record_id: int = values[id_param]
        actor: Actor = values["actor"]
        uow: UnitOfWork = values["uow"]
        now: datetime = values["now"]
        made = action.fire(
            uow, record_id, actor, body.version, now, *(getattr(body, f) for f in fields)
        )
        return present(uow, made.id if action.creates else record_id, actor, values["lang"], now)

    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(id_param, parameter, annotation=int),
            inspect.Parameter("body", parameter, annotation=action.body),
            inspect.Parameter("uow", parameter, annotation=UowDep),
            inspect.Parameter("actor", parameter, annotation=ActorDep),
            inspect.Parameter("now", parameter, annotation=NowDep),
            inspect.Parameter("lang", parameter, annotation=LangDep),
        ]
    )
    endpoint.__name__ = endpoint.__qualname__ = action.name or action.path
    endpoint.__doc__ = None
    return endpoint
