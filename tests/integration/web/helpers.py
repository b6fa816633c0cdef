"""Helpers for the page tests: a browser-like client that logs in through the login form."""

from __future__ import annotations

import re

import httpx

from tests.conftest import TEST_PASSWORD


def web_client(base_url: str, username: str | None = None, lang: str = "zh") -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30, cookies={"careloop_lang": lang})
    if username is not None:
        response = client.post("/login", data={"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 303, response.text
    return client


def post_form(client: httpx.Client, path: str, **data: object) -> httpx.Response:
    return client.post(path, data={k: str(v) for k, v in data.items()})


def version_of(html: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no form with a version on the page"
    return int(found.group(1))
