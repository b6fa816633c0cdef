"""What the rectification and inspection evidence endpoints share: the file's description,
reading an upload within the domain's limit, and serving a file as a download."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Response, UploadFile
from pydantic import BaseModel, Field

from careloop.domain import attachments as upload_rules
from careloop.services.supervision.evidence_files import Download


class EvidenceFileOut(BaseModel):
    id: int = Field(description="The file's id (download: GET .../evidence/{id})")
    owner_kind: str = Field(description="rectification_task or inspection")
    owner_id: int = Field(description="The task's or the inspection's id")
    item_code: str = Field(description="The checklist item it is for (inspections); empty else")
    cycle: int = Field(description="The rectification round it was uploaded in (1: first)")
    filename: str = Field(description="The file's name as uploaded", examples=["门店整改后.jpg"])
    content_type: str = Field(description="Judged from the extension and the content")
    size_bytes: int = Field(description="Size in bytes")
    size_text: str = Field(description="Size in words (KB, MB)")
    sha256: str = Field(description="SHA-256 of the content, hex")
    uploaded_by: str = Field(description="Who uploaded it")
    uploaded_at: datetime = Field(description="When (UTC)")
    uploaded_local: str = Field(description="When, Beijing time")
    is_image: bool = Field(description="A photo (counts as photo evidence of an item)")


def read_upload(file: UploadFile | None) -> tuple[str, bytes]:
    """The name and at most one byte more than the domain's limit: enough to refuse a
    larger file in words without reading all of it. A missing file is empty: the service
    checks the owner's scope first and then refuses it in words (so a caller outside the
    scope learns nothing from a 422)."""
    if file is None:
        return "", b""
    return file.filename or "", file.file.read(upload_rules.MAX_BYTES + 1)


DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, as an attachment (never shown inline)",
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in sorted({k.content_type for k in upload_rules.KINDS.values()})
        },
    }
}


def file_response(found: Download) -> Response:
    name = quote(found.view.filename or f"evidence-{found.view.id}")
    return Response(
        found.content,
        media_type=found.view.content_type,
        headers={
            # Always a download, never shown inline: an uploaded file must not run as a page.
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
