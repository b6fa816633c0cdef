"""The customer 360 (GET /api/v1/customers/{ref}): a caller's complaints within the
reader's scope, masked as the reader's role requires, named by a complaint and never by a
phone number (SQLite: nothing here differs by engine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, create
from tests.integration.privacy.test_read_audit import _page, _reads


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def test_a_customer_lists_their_complaints_in_scope_masked_by_role(api: Api, database_url: str):
    own = create(api.as_("agent1"))
    # Accepted by the province's quality desk: not the agent's unit, so masked for them.
    province = create(api.as_("super1"), category="billing.dispute", product="mobile")
    elsewhere = create(api.as_("admin"), region="C2-K1", category="billing.dispute")
    stranger = create(api.as_("agent1"), customer={"phone": "13900001111", "name": "钱先生"})

    agent = api.as_("agent1")
    found = agent.get(f"/api/v1/customers/{own['number']}").json()
    assert [c["id"] for c in found["complaints"]] == [province["id"], own["id"]]
    assert stranger["id"] not in {c["id"] for c in found["complaints"]}
    assert found["total"] == 2 and found["summary"]["open"] == 2
    # The agent owns the complaint they came from: the customer is theirs to call.
    assert (found["phone"], found["name"], found["unmasked"]) == ("13812345678", "孙女士", True)
    assert found["complaints"][0]["owner_name"] == "周督导"
    clock = found["complaints"][0]["worst_clock"]
    assert clock["state"] == "running" and clock["name"]

    # A customer the agent has no complaint of: masked, whichever complaint names them.
    theirs = create(api.as_("super1"), customer={"phone": "13700002222", "name": "周先生"})
    masked = agent.get(f"/api/v1/customers/{theirs['number']}").json()
    assert (masked["phone"], masked["name"], masked["unmasked"]) == ("137****2222", "周**", False)
    assert masked["complaints"][0]["id"] == theirs["id"]

    # The province sees the other city's complaint; the inspector sees everything masked.
    everything = api.as_("super1").get(f"/api/v1/customers/{own['number']}").json()
    assert {c["id"] for c in everything["complaints"]} == {
        own["id"],
        province["id"],
        elsewhere["id"],
    }
    inspector = api.as_("inspector").get(f"/api/v1/customers/{own['id']}").json()
    assert (inspector["phone"], inspector["name"], inspector["unmasked"]) == (
        "138****5678",
        "孙**",
        False,
    )
    assert inspector["total"] == 3


def test_a_complaint_outside_the_scope_names_no_customer(api: Api):
    elsewhere = create(api.as_("admin"), region="C2-K1")
    for ref in (elsewhere["number"], str(elsewhere["id"]), "TS0000", "13812345678", "x" * 40):
        answer = api.as_("agent1").get(f"/api/v1/customers/{ref}")
        if answer.status_code == 422:  # longer than any complaint number
            continue
        problem = assert_problem(answer, 404, "not_found")
        assert "13812345678" not in answer.text or ref == "13812345678"
        assert problem["detail"]
    page = _page(api, "agent1").get(f"/customers/{elsewhere['number']}")
    assert page.status_code == 404, page.text
    assert "138****5678" not in page.text and "孙" not in page.text


def test_an_unmasked_customer_view_is_audited_as_a_read(api: Api, database_url: str):
    own = create(api.as_("agent1"))
    other = create(api.as_("agent2"))  # a repeat: same customer, same issue, same hotline
    masked = create(api.as_("super1"), customer={"phone": "13700002222"})
    assert api.as_("agent1").get(f"/api/v1/customers/{own['id']}").status_code == 200
    # One event naming both complaints the agent's hotline owns (seen in full).
    read = [("agent1", f"GET /api/v1/customers/{own['id']}", [own["id"], other["id"]])]
    assert _reads(database_url) == read
    assert api.as_("agent1").get(f"/api/v1/customers/{masked['id']}").status_code == 200
    assert _reads(database_url) == read  # all masked: not a read
    found = api.as_("agent1").get(f"/api/v1/customers/{own['id']}").json()
    assert found["summary"]["repeats"] == 1 and found["summary"]["escalated"] >= 0
    assert next(c for c in found["complaints"] if c["id"] == other["id"])["is_repeat"]
