"""Failures that carry no message of their own answer a fixed sentence in the caller's
language, never a stack trace."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from careloop.api import problems


def _client() -> TestClient:
    app = FastAPI()
    problems.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret stack detail")

    @app.get("/overflow")
    def overflow() -> None:
        raise OverflowError("date value out of range")

    return TestClient(app, raise_server_exceptions=False)


def test_an_unexpected_error_says_nothing_changed_in_the_callers_language() -> None:
    client = _client()
    en = client.get("/boom", headers={"Accept-Language": "en"})
    assert en.status_code == 500
    assert en.json()["code"] == "internal_error"
    assert en.json()["detail"] == (
        "An unexpected error occurred; nothing was changed by this request"
    )
    assert "secret" not in en.text
    zh = client.get("/boom", headers={"Accept-Language": "zh-CN"})
    assert zh.json()["detail"] == "发生意外错误，本次请求未做任何修改"


def test_a_value_the_database_cannot_store_is_invalid_input() -> None:
    answer = _client().get("/overflow", headers={"Accept-Language": "en"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"
    assert answer.json()["detail"] == "A value is out of the range the database can store"
