"""/api/v1/work-orders: the responsible unit accepts, completes, returns or transfers, and
records the steps its service commitment times (feasibility reply, arrival, restore)."""

from __future__ import annotations

from fastapi import APIRouter

from careloop.api import presenters, schemas
from careloop.api.deps import ActorDep, LangDep
from careloop.api.transition_routes import ActionEndpoint, Answer, add_action_routes
from careloop.domain.lifecycle import tickets
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import work_orders, work_steps

router = APIRouter(prefix="/api/v1/work-orders", tags=["work orders"])
Out = schemas.WorkOrderOut


@router.get("/{work_order_id}", response_model=Out)
def get_work_order(
    work_order_id: int, uow: UowDep, actor: ActorDep, lang: LangDep, now: NowDep
) -> Out:
    """The work order, its steps judged as of now (an open step past due is overdue)."""
    return presenters.work_order_now(uow, work_order_id, actor, lang, now)


ACTIONS = (
    ActionEndpoint(
        "accept", "accept", schemas.WorkOrderVersionIn, "Unit accepts (接单)", work_orders.accept
    ),
    ActionEndpoint(
        "complete", "complete", schemas.CompleteIn, "Unit completes (办结)", work_orders.complete
    ),
    ActionEndpoint(
        "return",
        "return",
        schemas.ReturnIn,
        "Unit returns it with a reason (退单); the owner stays accountable",
        work_orders.return_to_owner,
        name="return_work_order",
    ),
    ActionEndpoint(
        "transfer",
        "transfer",
        schemas.TransferIn,
        "Transfer to another unit (转派): answers the new work order",
        work_orders.transfer,
        creates=True,
    ),
    ActionEndpoint(
        "feasibility-reply",
        "feasibility_reply",
        schemas.FeasibilityIn,
        "Reply whether installation is possible (答复能否装机): the feasibility step",
        work_steps.reply_feasibility,
        name="feasibility_reply",
    ),
    ActionEndpoint(
        "arrive",
        "arrive",
        schemas.ArriveIn,
        "The assigned technician records arriving on site (上门到场): the arrival step",
        work_steps.record_arrival,
    ),
    ActionEndpoint(
        "restore",
        "restore",
        schemas.RestoreIn,
        "Record service restored (恢复服务): the restore step",
        work_steps.record_restore,
    ),
)
"""The work order's lifecycle endpoints, in the order the API document lists them."""

add_action_routes(
    router,
    tickets.WORK_ORDER_LIFECYCLE,
    "work_order_id",
    ACTIONS,
    Answer(Out, presenters.work_order_now),
)
