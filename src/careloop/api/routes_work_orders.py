"""/api/v1/work-orders: the responsible unit accepts, completes, returns or transfers."""

from __future__ import annotations

from fastapi import APIRouter, status

from careloop.api import presenters, schemas
from careloop.api.deps import ActorDep, LangDep
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import queries, work_orders

router = APIRouter(prefix="/api/v1/work-orders", tags=["work orders"])
Out = schemas.WorkOrderOut


def _present(uow: UowDep, order_id: int, lang: str, actor: ActorDep) -> Out:
    """The work order as the action left it."""
    return presenters.work_order(queries.work_order_view(uow, order_id, actor, lang))


@router.get("/{work_order_id}", response_model=Out)
def get_work_order(work_order_id: int, uow: UowDep, actor: ActorDep, lang: LangDep) -> Out:
    return _present(uow, work_order_id, lang, actor)


@router.post("/{work_order_id}/accept", response_model=Out, summary="Unit accepts (接单)")
def accept(
    work_order_id: int,
    body: schemas.WorkOrderVersionIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    lang: LangDep,
) -> Out:
    work_orders.accept(uow, work_order_id, actor, body.version, now)
    return _present(uow, work_order_id, lang, actor)


@router.post("/{work_order_id}/complete", response_model=Out, summary="Unit completes (办结)")
def complete(
    work_order_id: int,
    body: schemas.CompleteIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    lang: LangDep,
) -> Out:
    work_orders.complete(uow, work_order_id, actor, body.version, now, body.result)
    return _present(uow, work_order_id, lang, actor)


@router.post(
    "/{work_order_id}/return",
    response_model=Out,
    summary="Unit returns it with a reason (退单); the owner stays accountable",
)
def return_work_order(
    work_order_id: int,
    body: schemas.ReturnIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    lang: LangDep,
) -> Out:
    work_orders.return_to_owner(uow, work_order_id, actor, body.version, now, body.reason)
    return _present(uow, work_order_id, lang, actor)


@router.post(
    "/{work_order_id}/transfer",
    response_model=Out,
    status_code=status.HTTP_201_CREATED,
    summary="Transfer to another unit (转派): answers the new work order",
)
def transfer(
    work_order_id: int,
    body: schemas.TransferIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    lang: LangDep,
) -> Out:
    successor = work_orders.transfer(
        uow, work_order_id, actor, body.version, now, body.unit, body.reason, body.due_at
    )
    return _present(uow, successor.id, lang, actor)
