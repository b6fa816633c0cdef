"""Merging keeps exactly one complaint carrying on: no crossed merges, chains or cycles."""

from __future__ import annotations

import threading

import httpx

from tests.conftest import Api
from tests.integration.api.helpers import act, assert_problem, create

TRIALS = 20


def _merge(client: httpx.Client, source: dict, target: dict) -> httpx.Response:  # type: ignore[type-arg]
    return client.post(
        f"/api/v1/complaints/{source['id']}/merge",
        json={"version": source["version"], "into": target["id"], "reason": "同一件事"},
    )


def test_crossed_merges_at_the_same_moment_leave_exactly_one_survivor(api: Api):
    """A into B and B into A at once: one wins, the other is refused, the survivor is open."""
    clients = [api.as_("agent1"), api.as_("agent2")]
    for trial in range(TRIALS):
        a = create(clients[0], customer={"phone": f"1390000{trial:04d}"})
        b = create(clients[0], customer={"phone": f"1380000{trial:04d}"})
        barrier = threading.Barrier(2)
        answers: dict[str, httpx.Response] = {}

        def merge(
            name: str,
            client: httpx.Client,
            source: dict,  # type: ignore[type-arg]
            target: dict,  # type: ignore[type-arg]
            barrier: threading.Barrier = barrier,
            answers: dict[str, httpx.Response] = answers,
        ) -> None:
            barrier.wait()
            answers[name] = _merge(client, source, target)

        threads = [
            threading.Thread(target=merge, args=("a_into_b", clients[0], a, b)),
            threading.Thread(target=merge, args=("b_into_a", clients[1], b, a)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in answers.values())
        assert codes[0] == 200 and codes[1] in (409, 422), (trial, answers)
        winner = next(name for name, r in answers.items() if r.status_code == 200)
        merged, survivor = (a, b) if winner == "a_into_b" else (b, a)
        merged_now = clients[0].get(f"/api/v1/complaints/{merged['id']}").json()
        survivor_now = clients[0].get(f"/api/v1/complaints/{survivor['id']}").json()
        assert merged_now["status"] == "merged"
        assert merged_now["merged_into_id"] == survivor["id"]
        assert survivor_now["status"] == "accepted" and survivor_now["merged_into_id"] is None


def test_a_merge_into_a_merged_complaint_is_refused(api: Api):
    agent = api.as_("agent1", lang="en")
    a = create(agent)
    b = create(agent, customer={"phone": "13900001111"})
    c = create(agent, customer={"phone": "13900002222"})
    act(agent, f"/api/v1/complaints/{b['id']}/merge", version=b["version"], into=c["id"])
    # A chain (a into b, b already into c) and a cycle (c into b, b into c) are both refused.
    problem = assert_problem(_merge(agent, a, b), 409, "merge_target_merged")
    assert str(b["id"]) in problem["detail"]
    c = agent.get(f"/api/v1/complaints/{c['id']}").json()
    assert_problem(_merge(agent, c, b), 409, "merge_target_merged")
    assert agent.get(f"/api/v1/complaints/{a['id']}").json()["status"] == "accepted"
    assert agent.get(f"/api/v1/complaints/{c['id']}").json()["status"] == "accepted"


def test_a_merge_into_a_closed_complaint_is_refused(api: Api):
    agent = api.as_("agent1")
    a = create(agent)
    b = create(agent, customer={"phone": "13900001111"})
    act(agent, f"/api/v1/complaints/{b['id']}/cancel", version=b["version"], reason="客户撤诉")
    assert_problem(_merge(agent, a, b), 409, "merge_target_closed")
