"""Searches that would confirm a masked number or name are not open to masked readers.

The inspector reads personal data masked and cannot unmask, so a filter by phone is refused
(403 with a plain message) and free-text ``q`` searches only complaint numbers and source
references for them: the API list, the export and the web list answer alike. Roles that may
unmask keep the full search.
"""

from __future__ import annotations

import csv
import io

import httpx

from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, create
from tests.integration.privacy.hostile import PERSONAL, PHONE

NAME = "孙丽华"


def _total(client: httpx.Client, **params: str) -> int:
    response = client.get("/api/v1/complaints", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def _exported(client: httpx.Client, q: str) -> int:
    response = client.get("/api/v1/complaints/export", params={"q": q})
    assert response.status_code == 200, response.text
    return len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) - 1


def _page_total(api: Api, user: str, q: str) -> str:
    page = httpx.Client(
        base_url=api.base_url, timeout=30, cookies={"careloop_session": api.token(user) or ""}
    )
    response = page.get("/complaints", params={"q": q})
    assert response.status_code == 200, response.text
    start = response.text.index('data-testid="total">') + len('data-testid="total">')
    return response.text[start : response.text.index("<", start)]


def test_inspector_cannot_confirm_a_phone_number_or_a_name(api: Api):
    c = create(api.as_("agent1"), customer={"phone": PHONE, "name": NAME}, description=PERSONAL)
    inspector = api.as_("inspector")
    refused = assert_problem(
        inspector.get("/api/v1/complaints", params={"phone": PHONE}), 403, "personal_data_search"
    )
    assert "personal_data_search" not in refused["detail"]
    english = api.as_("inspector", lang="en").get("/api/v1/complaints", params={"phone": PHONE})
    assert "phone number" in english.json()["detail"]

    for probe in (NAME, PHONE, "8765"):
        assert _total(inspector, q=probe) == 0, probe
        assert _exported(inspector, probe) == 0, probe
        assert _page_total(api, "inspector", probe) == "共 0 件", probe
    # What the inspector reads in full still finds the complaint.
    assert _total(inspector, q=c["number"]) == 1
    assert _total(inspector, q="CALL-20260928") == 1
    assert _exported(inspector, c["number"]) == 1
    assert _page_total(api, "inspector", c["number"]) == "共 1 件"


def test_roles_that_may_unmask_keep_the_full_search(api: Api):
    create(api.as_("agent1"), customer={"phone": PHONE, "name": NAME}, description=PERSONAL)
    for user in ("agent1", "super1"):
        client = api.as_(user)
        assert _total(client, phone=PHONE) == 1, user
        assert _total(client, q=NAME) == 1, user
        assert _total(client, q="8765") == 1, user
        assert _exported(client, NAME) == 1, user
        assert _page_total(api, user, NAME) == "共 1 件", user
