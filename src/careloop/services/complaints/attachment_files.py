"""Files attached from the complaint page: kept with their attachment's metadata, served
only to readers who may see the complaint.

The attachment itself is recorded by ``lifecycle.add_attachment`` (the lifecycle's
`attach`, one audit event on the complaint); this module adds the bytes, checks them
(``domain.attachments``) before anything is stored, and records each download as a
security event: a photo of a bill or an ID card is personal data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from careloop.domain import attachments as rules
from careloop.domain.errors import NotFound
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.complaints import lifecycle, queries, read_models
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Attachment, AttachmentContent


def upload(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    now: datetime,
    filename: str,
    data: bytes,
    limit: int = rules.MAX_BYTES,
) -> Attachment:
    """Attach `data` as `filename`; the complaint's scope and the `attach` transition are
    checked before the file is, so a caller outside the scope learns nothing."""
    lifecycle.load_to_change(uow, complaint_id, "attach", actor)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    kind = rules.check_upload(name, data, limit)
    attachment = lifecycle.add_attachment(
        uow,
        complaint_id,
        actor,
        now,
        name,
        kind.content_type,
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    uow.session.add(AttachmentContent(attachment_id=attachment.id, content=data))
    uow.commit()
    return attachment


@dataclass(frozen=True)
class PageAttachment:
    view: read_models.AttachmentView
    size_text: str
    downloadable: bool
    """False: recorded through the API, the file kept in the operator's document store."""


def page_attachments(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[PageAttachment]:
    views = queries.attachment_views(uow, complaint_id, actor)
    stored = set(
        uow.session.scalars(
            select(AttachmentContent.attachment_id).where(
                AttachmentContent.attachment_id.in_([v.id for v in views])
            )
        )
    )
    return [PageAttachment(v, rules.size_text(v.size_bytes), v.id in stored) for v in views]


@dataclass(frozen=True)
class Download:
    view: read_models.AttachmentView
    content: bytes | None


def download(
    uow: UnitOfWork,
    complaint_id: int,
    attachment_id: int,
    actor: Actor,
    now: datetime,
    client: str | None = None,
) -> Download:
    """One attachment of a complaint the actor may see (404 otherwise, as for the
    complaint), its bytes if they are kept here; a download is recorded."""
    load_complaint(uow, complaint_id, actor)
    found = (
        uow.session.scalar(
            select(Attachment).where(
                Attachment.id == attachment_id, Attachment.complaint_id == complaint_id
            )
        )
        if scope.is_row_id(attachment_id)
        else None
    )
    if found is None:
        raise NotFound("attachment", attachment_id)
    view = next(v for v in queries.attachment_views(uow, complaint_id, actor) if v.id == found.id)
    content = uow.session.get(AttachmentContent, found.id)
    if content is not None:
        record_security_event(
            uow,
            "attachment_downloaded",
            actor.username,
            now,
            actor.staff_id,
            client,
            {"complaint": complaint_id, "attachment": found.id},
        )
        uow.commit()
    return Download(view, content.content if content else None)
