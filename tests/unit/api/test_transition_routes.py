"""The lifecycle endpoints come from the transition table: none missing, none made up."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from careloop.api import presenters, routes_complaints, routes_work_orders, schemas
from careloop.api.transition_routes import ActionEndpoint, Answer, add_action_routes
from careloop.domain.lifecycle import tickets


def test_every_complaint_transition_has_an_endpoint() -> None:
    offered = {action.transition for action in routes_complaints.ACTIONS}
    # The callback endpoint fires both outcomes, the unreachable one closes on the last
    # attempt; notes and attachments have their own.
    offered |= {"reopen", "close_unreachable", "note", "attach"}
    assert offered == set(tickets.COMPLAINT_LIFECYCLE.names)


def test_every_work_order_transition_has_an_endpoint() -> None:
    offered = {action.transition for action in routes_work_orders.ACTIONS}
    assert offered == set(tickets.WORK_ORDER_LIFECYCLE.names)


def test_an_endpoint_whose_body_lacks_a_field_of_the_table_is_refused() -> None:
    def never(*_args: object) -> None:
        raise AssertionError

    lacking = ActionEndpoint("reply", "reply", schemas.VersionIn, "Reply", never)
    with pytest.raises(TypeError, match="text"):
        add_action_routes(
            APIRouter(),
            tickets.COMPLAINT_LIFECYCLE,
            "complaint_id",
            [lacking],
            Answer(schemas.ComplaintOut, presenters.complaint_now),
        )


def test_an_action_not_in_the_table_is_refused() -> None:
    made_up = ActionEndpoint("teleport", "teleport", schemas.VersionIn, "Teleport", print)
    with pytest.raises(Exception, match="teleport"):
        add_action_routes(
            APIRouter(),
            tickets.COMPLAINT_LIFECYCLE,
            "complaint_id",
            [made_up],
            Answer(schemas.ComplaintOut, presenters.complaint_now),
        )
