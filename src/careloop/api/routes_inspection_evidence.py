"""/api/v1/inspections/{id}/evidence: photos an inspector takes on the spot for the items
whose checklist needs one (佐证照片). An image uploaded for an item is its photo evidence
when the result is submitted. Who may: whoever may record the result (the inspector sent,
supervisors, administrators); readers of the inspection list and download. An inspection
outside the caller's scope answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status

from careloop.api.deps import ActorDep
from careloop.api.evidence_files import (
    DOWNLOAD_RESPONSES,
    EvidenceFileOut,
    file_response,
    read_upload,
)
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.supervision import evidence_files

router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"])


@router.post(
    "/{inspection_id}/evidence",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceFileOut,
    summary="上传检查项照片: a photo (or file) for one checklist item",
    description="multipart/form-data with `item` (the checklist item's code) and one `file` "
    "(jpg, png, gif, webp, pdf …; at most 10 MB; the content must match the extension). "
    "Only before the result is submitted. Recorded on the inspection's trail.",
)
def upload_evidence(
    inspection_id: int,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    item: Annotated[
        str, Form(max_length=60, description="The checklist item's code (required)")
    ] = "",
    file: Annotated[UploadFile | None, File(description="The photo or document (required)")] = None,
) -> EvidenceFileOut:
    name, data = read_upload(file)
    view = evidence_files.upload_for_inspection(uow, inspection_id, item, actor, now, name, data)
    return EvidenceFileOut.model_validate(view, from_attributes=True)


@router.get(
    "/{inspection_id}/evidence",
    response_model=list[EvidenceFileOut],
    summary="The inspection's evidence files, oldest first",
)
def list_evidence(inspection_id: int, uow: UowDep, actor: ActorDep) -> list[EvidenceFileOut]:
    return [
        EvidenceFileOut.model_validate(v, from_attributes=True)
        for v in evidence_files.inspection_files(uow, inspection_id, actor)
    ]


@router.get(
    "/{inspection_id}/evidence/{file_id}",
    response_class=Response,
    responses=DOWNLOAD_RESPONSES,
    summary="Download one evidence file (always as an attachment; recorded)",
)
def download_evidence(
    inspection_id: int,
    file_id: int,
    request: Request,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
) -> Response:
    client = request.client.host if request.client else None
    return file_response(
        evidence_files.download_for_inspection(uow, inspection_id, file_id, actor, now, client)
    )
