"""Helpers for the page tests: a browser-like client that logs in through the login form and
posts forms with the page's anti-forgery token, as a browser does."""

from __future__ import annotations

import re

import httpx

from tests.conftest import TEST_PASSWORD

_TOKEN = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def csrf_token(client: httpx.Client, page: str = "/login") -> str:
    """The token a page hands its forms (bound to the client's session, or before login to
    its anonymous cookie, which the page sets if missing)."""
    found = _TOKEN.search(client.get(page).text)
    assert found, f"{page} carries no anti-forgery token"
    return found.group(1)


def web_client(base_url: str, username: str | None = None, lang: str = "zh") -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30, cookies={"careloop_lang": lang})
    if username is not None:
        response = post_form(client, "/login", username=username, password=TEST_PASSWORD)
        assert response.status_code == 303, response.text
    return client


def post_form(client: httpx.Client, path: str, **data: object) -> httpx.Response:
    """Post a form as the page would, token included (pass csrf_token= to override it)."""
    fields = {"csrf_token": csrf_token(client), **{k: str(v) for k, v in data.items()}}
    return client.post(path, data=fields)


def version_of(html: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no form with a version on the page"
    return int(found.group(1))
