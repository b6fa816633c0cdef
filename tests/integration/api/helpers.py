"""Small helpers shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx


def complaint_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "hotline",
        "source_ref": "CALL-20260928-000001",
        "customer": {"phone": "138 1234 5678", "name": "孙女士", "tier": "gold"},
        "category": "broadband.outage",
        "product": "broadband",
        "region": "C1-K1",
        "description": "用户来电反映：家中宽带从昨晚开始无法上网，光猫LOS灯红色闪烁，"
        "要求尽快上门维修。",
    }
    body.update(overrides)
    return body


def create(client: httpx.Client, key: str | None = None, **overrides: Any) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key else {}
    response = client.post("/api/v1/complaints", json=complaint_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def act(client: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["title"] and problem["detail"]
    return problem
