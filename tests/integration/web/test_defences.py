"""The web's defences through a real server: forged requests are refused and write nothing,
every answer carries the security headers, and the API's map is for staff only."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from careloop.api.security_headers import REPORT_CSP, STRICT_CSP
from tests.conftest import Api, LiveServer
from tests.integration.api.helpers import assert_problem, complaint_body, create
from tests.integration.web.helpers import csrf_token, post_form, version_of, web_client

INTAKE = {
    "phone": "13812345678",
    "category": "broadband.outage",
    "region": "C1-K1",
    "description": "家中宽带断网",
}
FOREIGN = {"Origin": "https://evil.example"}


def _total(api: Api) -> int:
    listed = api.as_("super1").get("/api/v1/complaints", params={"limit": 1})
    assert listed.status_code == 200, listed.text
    return int(listed.json()["total"])


def _refused_page(response: httpx.Response, lang: str = "zh") -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in response.text
    expected = "来自其他网站" if lang == "zh" else "came from another site"
    assert expected in response.text
    assert "cross_site_request" not in response.text  # no internal code in visible text


# --- forged form posts ----------------------------------------------------------------------


def test_a_cross_origin_form_post_is_refused_and_writes_nothing(server: LiveServer, api: Api):
    agent = web_client(server.url, "agent1")
    token = csrf_token(agent)
    forged = [
        FOREIGN,
        {"Origin": "null"},  # a sandboxed frame or a privacy-stripped origin
        {"Referer": "https://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": server.url},  # a sibling subdomain
        {"Origin": server.url.replace("127.0.0.1", "localhost")},
    ]
    for headers in forged:
        response = agent.post(
            "/agent/intake", data={**INTAKE, "csrf_token": token}, headers=headers
        )
        _refused_page(response)
    assert _total(api) == 0
    # The same form from our own page goes through.
    same = agent.post(
        "/agent/intake",
        data={**INTAKE, "csrf_token": token},
        headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 303, same.text
    assert _total(api) == 1


def test_a_form_without_the_pages_token_is_refused_and_writes_nothing(server: LiveServer, api: Api):
    agent = web_client(server.url, "agent1", lang="en")
    other = web_client(server.url, "agent2")
    for token in (None, "", "0" * 64, csrf_token(other)):  # missing, empty, made up, not ours
        data = {**INTAKE, **({"csrf_token": token} if token is not None else {})}
        _refused_page(agent.post("/agent/intake", data=data), lang="en")
    assert _total(api) == 0
    # A lifecycle action too: the complaint stays as it was.
    c = create(api.as_("agent1"))
    page = f"/complaints/{c['id']}"
    version = version_of(agent.get(page).text)
    _refused_page(agent.post(f"{page}/actions/handle", data={"version": version}), "en")
    assert api.as_("agent1").get(f"/api/v1/complaints/{c['id']}").json()["status"] == "accepted"
    assert post_form(agent, f"{page}/actions/handle", version=version).status_code == 303


def test_the_token_is_bound_to_the_session_and_changes_with_it(server: LiveServer):
    agent = web_client(server.url, "agent1")
    first = csrf_token(agent)
    assert csrf_token(agent, "/agent/queue") == first  # one per session, on every page
    assert post_form(agent, "/logout").status_code == 303
    again = web_client(server.url, "agent1")
    assert csrf_token(again) != first


def test_the_login_form_is_a_signed_double_submit(server: LiveServer):
    """Before login the token is bound to the browser's anonymous cookie: a token fetched
    by another browser (an attacker's) does not log this one in (login forgery)."""
    victim = web_client(server.url)
    attacker = web_client(server.url)
    stolen = csrf_token(attacker)
    forged = victim.post(
        "/login", data={"username": "agent1", "password": "careloop-test", "csrf_token": stolen}
    )
    _refused_page(forged)
    assert "careloop_session" not in victim.cookies
    # With a cookie of its own choosing but no key to sign it, the token is still wrong.
    victim.cookies.set("careloop_csrf", "planted")
    _refused_page(
        victim.post("/login", data={"username": "agent1", "password": "x", "csrf_token": stolen})
    )


def _routes(routes: list) -> list:  # type: ignore[type-arg]
    """Every route, also those of included routers (none of ours adds a prefix on include)."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        found.extend(_routes(included.routes) if included is not None else [route])
    return found


def _page_routes(app: FastAPI) -> list[tuple[str, str]]:
    writes = []
    for route in _routes(app.routes):
        path, methods = getattr(route, "path", ""), getattr(route, "methods", None)
        if not methods or path.startswith(("/api/", "/openapi")):
            continue  # mounts (static files) and the API (its own test below)
        for method in sorted(set(methods) - {"GET", "HEAD"}):
            writes.append((method, re.sub(r"\{[a-z_]+\}", "1", path)))
    return writes


def test_every_state_changing_page_route_needs_the_token(server: LiveServer, app, api: Api):  # type: ignore[no-untyped-def]
    """Generated from the app's routes, not a hand list: a new form is covered at once."""
    c = create(api.as_("agent1"))
    assert c["id"] == 1
    writes = _page_routes(app)
    paths = {path for _, path in writes}
    assert {"/login", "/logout", "/agent/intake", "/self-service/code"} <= paths
    assert "/complaints/1/actions/1" in paths and "/unit/work-orders/1/1" in paths
    for user in ("agent1", "net1", "super1", None):
        client = web_client(server.url, user)
        for method, path in writes:
            response = client.request(method, path, data={"version": "1", "text": "x"})
            assert response.status_code == 403, (user, method, path, response.status_code)
    after = api.as_("agent1").get("/api/v1/complaints/1").json()
    assert (after["version"], after["status"]) == (c["version"], c["status"])


def test_every_post_form_on_every_page_carries_the_token(server: LiveServer, api: Api):
    agent_api = api.as_("agent1")
    c = create(agent_api)
    agent_api.post(
        f"/api/v1/complaints/{c['id']}/dispatch",
        json={"version": c["version"], "unit": "C1-K1-NET"},
    )
    pages = {
        None: ["/login", "/self-service"],
        "agent1": ["/agent/intake", "/agent/queue", f"/complaints/{c['id']}"],
        "net1": ["/unit/queue"],
        "super1": ["/supervisor", "/complaints?open=1", f"/complaints/{c['id']}"],
    }
    forms_seen = 0
    for user, paths in pages.items():
        client = web_client(server.url, user)
        for path in paths:
            html = client.get(path).text
            token = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', html)
            assert token, path
            # htmx sends the same token with every request it makes from the page.
            assert f'hx-headers=\'{{"X-CSRF-Token": "{token.group(1)}"}}\'' in html, path
            for form in re.findall(r"<form\b[^>]*>.*?</form>", html, re.S):
                if re.search(r'method="post"', form, re.I):
                    forms_seen += 1
                    assert f'name="csrf_token" value="{token.group(1)}"' in form, (path, form)
                else:
                    assert "csrf_token" not in form, (path, "a GET form would put it in the URL")
    assert forms_seen >= 10


def test_htmx_requests_are_checked_by_the_header_token(server: LiveServer, api: Api):
    agent = web_client(server.url, "agent1")
    token = csrf_token(agent)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    done = agent.post("/agent/intake", data=INTAKE, headers=headers)
    assert done.status_code == 303
    wrong = agent.post("/agent/intake", data=INTAKE, headers={**headers, "X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    assert _total(api) == 1


def test_api_writes_with_the_session_cookie_must_come_from_our_origin(server: LiveServer, api: Api):
    browser = web_client(server.url, "agent1")  # holds only the session cookie
    body = complaint_body()
    refused = browser.post("/api/v1/complaints", json=body)  # says nothing of its origin
    assert_problem(refused, 403, "cross_site_request")
    assert_problem(
        browser.post("/api/v1/complaints", json=body, headers=FOREIGN), 403, "cross_site_request"
    )
    assert_problem(
        browser.post("/api/v1/complaints", json=body, headers={"X-CSRF-Token": "wrong"}),
        403,
        "cross_site_request",
    )
    assert _total(api) == 0
    same = browser.post("/api/v1/complaints", json=body, headers={"Origin": server.url})
    assert same.status_code == 201, same.text
    with_token = browser.post(
        "/api/v1/complaints",
        json=complaint_body(customer={"phone": "13900001111"}),
        headers={"X-CSRF-Token": csrf_token(browser)},
    )
    assert with_token.status_code == 201, with_token.text
    # A bearer-token client is no browser: no Origin needed, and a stray one does not matter.
    bearer = api.as_("agent1")
    assert (
        bearer.post(
            "/api/v1/complaints", json=complaint_body(customer={"phone": "13900002222"})
        ).status_code
        == 201
    )
    assert _total(api) == 3


# --- security headers -------------------------------------------------------------------------


def _assert_security_headers(response: httpx.Response, where: str) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, where
    assert "script-src 'self'" in csp or ("script-src" not in csp and "default-src 'none'" in csp)
    assert "unsafe-inline" not in csp.split("script-src")[-1].split(";")[0], where
    assert "unsafe-eval" not in csp, where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "same-origin", where
    assert "camera=()" in headers.get("permissions-policy", ""), where


def test_every_kind_of_answer_carries_the_security_headers(
    server: LiveServer, api: Api, app: FastAPI
):
    def boom() -> None:
        raise RuntimeError("an unexpected failure")

    app.add_api_route("/test-only/boom", boom)
    agent = web_client(server.url, "agent1")
    bearer = api.as_("agent1")
    c = create(bearer)
    answers = {
        "page": agent.get("/agent/queue"),
        "complaint page": agent.get(f"/complaints/{c['id']}"),
        "login page": web_client(server.url).get("/login"),
        "redirect": web_client(server.url).get("/agent/queue"),
        "api": bearer.get(f"/api/v1/complaints/{c['id']}"),
        "api 401": httpx.get(f"{server.url}/api/v1/complaints", timeout=30),
        "api 404": bearer.get("/api/v1/complaints/999999"),
        "api 422": bearer.post("/api/v1/complaints", json={}),
        "413": bearer.post("/api/v1/complaints", content=b"x" * (3 * 1024 * 1024)),
        "403 forged": agent.post("/agent/intake", data=INTAKE),
        "static": httpx.get(f"{server.url}/static/careloop.css", timeout=30),
        "healthz": httpx.get(f"{server.url}/healthz", timeout=30),
        "500": bearer.get("/test-only/boom"),
        "report": api.as_("super1").get(
            "/api/v1/reports/daily", params={"date": "2026-09-27", "format": "html"}
        ),
    }
    for where, response in answers.items():
        _assert_security_headers(response, where)
    assert answers["500"].status_code == 500
    assert answers["report"].status_code == 200, answers["report"].text
    assert answers["report"].headers["content-security-policy"] == REPORT_CSP
    assert answers["page"].headers["content-security-policy"] == STRICT_CSP
    assert "style-src 'self';" in STRICT_CSP and "'unsafe-inline'" not in STRICT_CSP
    for personal in ("page", "complaint page", "api", "api 404"):
        assert answers[personal].headers["cache-control"] == "no-store", personal
    assert "no-store" not in answers["static"].headers.get("cache-control", "")


# --- the API's map and the organisation are for staff ------------------------------------------


def test_org_tree_and_api_document_need_a_login_but_healthz_does_not(server: LiveServer, api: Api):
    anonymous = httpx.Client(base_url=server.url, timeout=30)
    for reference in ("org-units", "lifecycle", "vocabularies", "categories"):
        assert_problem(anonymous.get(f"/api/v1/{reference}"), 401, "unknown_actor")
    assert_problem(anonymous.get("/openapi.json"), 401, "unknown_actor")
    docs = anonymous.get("/docs")
    assert docs.status_code == 303 and docs.headers["location"] == "/login?next=%2Fdocs"
    assert anonymous.get("/healthz").json()["status"] == "ok"
    staff = api.as_("inspector")
    assert staff.get("/api/v1/org-units").status_code == 200
    assert "/api/v1/complaints" in staff.get("/openapi.json").json()["paths"]
    # A staff browser with its session cookie reads the explorer, served from our files.
    browser = web_client(server.url, "agent1")
    page = browser.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text and "<script>" not in page.text
    assert "cdn" not in page.text
    assert browser.get("/openapi.json").status_code == 200
    assert browser.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert page.headers["content-security-policy"] == STRICT_CSP  # Swagger UI 5 runs under it


@pytest.fixture
def public_docs_app(database_url: str, clock):  # type: ignore[no-untyped-def]
    from careloop.api.app import create_app
    from careloop.config import Settings

    application = create_app(Settings(database_url=database_url, public_api_docs=True), clock)
    yield application
    application.state.engine.dispose()


def test_a_setting_exposes_the_api_document_but_never_the_org_tree(public_docs_app):  # type: ignore[no-untyped-def]
    with LiveServer(public_docs_app) as live:
        anonymous = httpx.Client(base_url=live.url, timeout=30)
        assert anonymous.get("/openapi.json").status_code == 200
        assert anonymous.get("/docs").status_code == 200
        assert anonymous.get("/api/v1/org-units").status_code == 401


# --- the server's own limits ----------------------------------------------------------------


SEVERAL = ["--limit-concurrency", "50", "--forwarded-allow-ips", "10.0.0.5"]


def test_careloop_serve_hands_uvicorn_its_limits(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    import uvicorn
    from typer.testing import CliRunner

    from careloop.cli import app as cli

    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    monkeypatch.setenv("CARELOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    monkeypatch.delenv("CARELOOP_SECRET_KEY", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["serve"]).exit_code == 0
    assert runner.invoke(cli, ["serve", "--workers", "2", *SEVERAL]).exit_code == 0
    (_, single), (factory, several) = calls
    assert single["timeout_keep_alive"] == 5 and single["limit_concurrency"] == 1000
    assert single["h11_max_incomplete_event_size"] == 16 * 1024
    assert single["server_header"] is False  # the answer does not name the software
    assert factory == "careloop.api.app:create_app" and several["workers"] == 2
    assert several["limit_concurrency"] == 50
    assert several["forwarded_allow_ips"] == "10.0.0.5" and "forwarded_allow_ips" not in single
    # The worker processes share one key, so a form rendered by one verifies in another.
    import os

    assert len(os.environ["CARELOOP_SECRET_KEY"]) == 64
