"""What each transition asks for is what the API bodies take (api/schemas.py): generated
endpoints and commands read the table, the hand-written bodies must agree with it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from careloop.api import schemas
from careloop.domain.lifecycle.tickets import COMPLAINT_LIFECYCLE, WORK_ORDER_LIFECYCLE

BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("complaint", "handle"): schemas.VersionIn,
    ("complaint", "dispatch"): schemas.DispatchIn,
    ("complaint", "pause"): schemas.ReasonIn,
    ("complaint", "resume"): schemas.VersionIn,
    ("complaint", "reply"): schemas.ReplyIn,
    ("complaint", "callback_satisfied"): schemas.CallbackIn,
    ("complaint", "reopen"): schemas.CallbackIn,
    ("complaint", "callback_unreachable"): schemas.CallbackNoteIn,
    ("complaint", "close_unreachable"): schemas.CallbackNoteIn,
    ("complaint", "callback_declined"): schemas.CallbackNoteIn,
    ("complaint", "appeal_outcome"): schemas.AppealOutcomeIn,
    ("complaint", "archive"): schemas.VersionIn,
    ("complaint", "merge"): schemas.MergeIn,
    ("complaint", "cancel"): schemas.ReasonIn,
    ("complaint", "reject"): schemas.ReasonIn,
    ("complaint", "note"): schemas.NoteIn,
    ("complaint", "attach"): schemas.AttachmentIn,
    ("work_order", "accept"): schemas.WorkOrderVersionIn,
    ("work_order", "complete"): schemas.CompleteIn,
    ("work_order", "return"): schemas.ReturnIn,
    ("work_order", "transfer"): schemas.TransferIn,
    ("work_order", "feasibility_reply"): schemas.FeasibilityIn,
    ("work_order", "arrive"): schemas.ArriveIn,
    ("work_order", "restore"): schemas.RestoreIn,
}
LIFECYCLES = {"complaint": COMPLAINT_LIFECYCLE, "work_order": WORK_ORDER_LIFECYCLE}
NOT_FIELDS = {"version", "satisfied"}
"""The optimistic lock, and the callback endpoint's switch between its two transitions."""


def test_every_transition_has_an_api_body():
    declared = {(kind, t.name) for kind, lifecycle in LIFECYCLES.items() for t in lifecycle}
    assert declared == set(BODIES)


@pytest.mark.parametrize(("kind", "name"), list(BODIES))
def test_a_transitions_fields_are_its_api_bodys_fields(kind, name):
    body = BODIES[kind, name].model_json_schema()
    transition = LIFECYCLES[kind].get(name)
    assert [f.name for f in transition.fields] == [
        p for p in body["properties"] if p not in NOT_FIELDS
    ]
    for field in transition.fields:
        prop = body["properties"][field.name]
        assert field.required == (field.name in body.get("required", [])), field.name
        if field.max_chars is not None:
            limits = [prop.get("maxLength")] + [o.get("maxLength") for o in prop.get("anyOf", [])]
            assert field.max_chars in limits or field.name == "sha256", field.name
