"""Crossed merges at the same moment: A into B and B into A, many times, on both engines.

Exactly one of the two may succeed, and the complaint that survives must be open and carry
on (handled, replied): a grievance is never dropped by two agents cleaning up duplicates at
once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.integration.api.helpers import act, create
from tests.security.conftest import Stack

TRIALS = 15
OPEN = {"accepted", "in_progress", "pending_customer", "replied"}


def _merge(client: httpx.Client, barrier: threading.Barrier, source: dict[str, Any],
           target: dict[str, Any]) -> httpx.Response:  # fmt: skip
    body = {"version": source["version"], "into": target["id"], "reason": "同一问题"}
    barrier.wait(timeout=30)
    return client.post(f"/api/v1/complaints/{source['id']}/merge", json=body)


def test_crossed_merges_at_the_same_moment_leave_exactly_one_open_complaint(stack: Stack):
    agent1, agent2 = stack.api.as_("agent1"), stack.api.as_("agent2")
    admin = stack.api.as_("admin")
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for trial in range(TRIALS):
            phone = f"1370001{trial:04d}"
            a = create(agent1, customer={"phone": phone}, description=f"第 {trial} 次 A")
            b = create(agent1, customer={"phone": phone}, description=f"第 {trial} 次 B")
            barrier = threading.Barrier(2)
            first = pool.submit(_merge, agent1, barrier, a, b)
            second = pool.submit(_merge, agent2, barrier, b, a)
            answers = [first.result(timeout=60), second.result(timeout=60)]
            codes = sorted(r.status_code for r in answers)
            if any(code >= 500 for code in codes):
                failures.append(f"trial {trial}: {[r.text[:200] for r in answers]}")
                continue
            if [c < 300 for c in codes].count(True) != 1:
                failures.append(f"trial {trial}: both or neither merged: {codes}")
                continue
            now_a = admin.get(f"/api/v1/complaints/{a['id']}").json()
            now_b = admin.get(f"/api/v1/complaints/{b['id']}").json()
            merged = [c for c in (now_a, now_b) if c["status"] == "merged"]
            survivors = [c for c in (now_a, now_b) if c["status"] in OPEN]
            if len(merged) != 1 or len(survivors) != 1:
                failures.append(f"trial {trial}: statuses {now_a['status']}, {now_b['status']}")
                continue
            survivor = survivors[0]
            if merged[0]["merged_into_id"] != survivor["id"] or survivor["merged_into_id"]:
                failures.append(f"trial {trial}: merged into {merged[0]['merged_into_id']}")
                continue
            # The survivor carries on: it is handled and replied to like any complaint.
            path = f"/api/v1/complaints/{survivor['id']}"
            handled = agent1.post(f"{path}/handle", json={"version": survivor["version"]})
            if handled.status_code != 200:
                failures.append(f"trial {trial}: survivor not handled: {handled.text[:200]}")
                continue
            act(agent1, f"{path}/reply", version=handled.json()["version"], text="已处理")
    assert not failures, "\n".join(failures)
