"""Attachment names often carry the customer's number: masked like the complaint's text."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.api.helpers import act, create
from tests.integration.privacy.hostile import PHONE, leaked


def test_inspector_reads_attachment_names_masked_in_the_list_and_the_audit_trail(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    act(
        agent,
        f"/api/v1/complaints/{c['id']}/attachments",
        filename=f"{PHONE}身份证.jpg",
        content_type="image/jpeg",
        size_bytes=1024,
        storage_ref=f"s3://evidence/{PHONE}身份证.jpg",
    )
    inspector = api.as_("inspector")
    (listed,) = inspector.get(f"/api/v1/complaints/{c['id']}/attachments").json()
    assert listed["filename"] == "138****5678身份证.jpg"
    events = inspector.get(f"/api/v1/complaints/{c['id']}/events")
    assert "138****5678身份证.jpg" in events.text
    assert leaked(str(listed)) == [] and leaked(events.text) == []
    (full,) = agent.get(f"/api/v1/complaints/{c['id']}/attachments").json()
    assert full["filename"] == f"{PHONE}身份证.jpg"
