"""An uploaded file cannot be anonymised: the purge deletes its bytes with the rest of the
complaint's personal data, and leaves other complaints' files alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from careloop.store.models import Attachment, AttachmentContent
from tests.integration.retention.helpers import DAYS, T0, Data


@pytest.fixture
def data(database_url: str) -> Iterator[Data]:
    d = Data(database_url)
    yield d
    d.engine.dispose()


def _store_bytes(data: Data, complaint_id: int) -> int:
    with data.uow() as uow:
        attachment = uow.session.scalars(
            select(Attachment).where(Attachment.complaint_id == complaint_id)
        ).one()
        uow.session.add(AttachmentContent(attachment_id=attachment.id, content=b"\xff\xd8\xff"))
        uow.commit()
        return attachment.id


def test_the_purge_deletes_uploaded_files_of_anonymised_complaints_only(data: Data):
    now = T0 + timedelta(days=DAYS + 10)
    old = _store_bytes(data, data.archived(1, now - timedelta(days=DAYS + 1)))
    recent = _store_bytes(data, data.archived(2, now - timedelta(days=DAYS - 1)))

    data.purge(now)

    with data.uow() as uow:
        kept = set(uow.session.scalars(select(AttachmentContent.attachment_id)))
    assert kept == {recent} and old not in kept
