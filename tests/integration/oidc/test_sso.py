"""Single sign-on against a real OpenID provider: the whole redirect dance with httpx, every
redirect followed by hand, on both engines."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from careloop.services.access.oidc import RelyingParty
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import ApiToken, SecurityEvent, Staff
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import create
from tests.integration.oidc.conftest import SiteFactory, signing_key
from tests.integration.oidc.provider import USER_PASSWORD, Misbehaviour, TestProvider

SESSION = "careloop_session"
PENDING = "careloop_oidc"


class Browser:
    """One browser: its cookie jar, redirects followed one at a time."""

    def __init__(self, site: LiveServer, lang: str = "zh") -> None:
        self.site = site
        self.http = httpx.Client(timeout=30, cookies={"careloop_lang": lang})

    def start(self, next: str | None = None) -> str:
        """Click "sign in with SSO": CareLoop sends us to the provider's authorization page."""
        response = self.http.get(
            f"{self.site.url}/auth/oidc/login", params={"next": next} if next else None
        )
        assert response.status_code == 303, response.text
        return response.headers["location"]

    def sign_in_at_provider(self, authorize: str, username: str, **extra: str) -> str:
        """The provider's login form; its answer sends us back to CareLoop's callback."""
        form = self.http.get(authorize)
        assert form.status_code == 200, form.text
        answer = self.http.post(
            authorize, data={"username": username, "password": USER_PASSWORD, **extra}
        )
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]

    def callback(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def login(self, username: str, next: str | None = None) -> httpx.Response:
        return self.callback(self.sign_in_at_provider(self.start(next), username))

    def api(self, path: str) -> httpx.Response:
        return self.http.get(f"{self.site.url}{path}")


def session_cookie(response: httpx.Response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{SESSION}=") and not header.startswith(f'{SESSION}=""'):
            return header
    return None


def security_events(database_url: str, kind: str | None = None) -> list[SecurityEvent]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            query = select(SecurityEvent).order_by(SecurityEvent.id)
            if kind:
                query = query.where(SecurityEvent.kind == kind)
            return list(session.scalars(query))
    finally:
        engine.dispose()


def staff_row(database_url: str, username: str) -> Staff | None:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(Staff).where(Staff.username == username))
    finally:
        engine.dispose()


def sessions_of(database_url: str, username: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            staff = session.scalar(select(Staff).where(Staff.username == username))
            if staff is None:
                return 0
            return len(list(session.scalars(select(ApiToken).where(ApiToken.staff_id == staff.id))))
    finally:
        engine.dispose()


def assert_refused(
    response: httpx.Response, database_url: str, reason: str, status: int = 403
) -> dict[str, Any]:
    """A readable login page with the banner, no session, and the refusal in the audit trail."""
    assert response.status_code == status, response.text
    assert session_cookie(response) is None
    assert 'role="alert"' in response.text
    refusal = security_events(database_url, "sso_refused")[-1]
    assert refusal.detail is not None
    assert refusal.detail["reason"] == reason, refusal.detail
    return refusal.detail


# --- success: the claims decide the role and the scope --------------------------------------


def test_sso_login_maps_role_and_unit_and_the_session_sees_only_that_scope(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("kim", name="金主任", careloop_role="unit_lead", org_unit="C1-K1")
    site = sso_site(provision=True)
    agent = Api(site.url).as_("agent1")
    east = create(agent, region="C1-K1")
    north = create(agent, region="C2-K1", customer={"phone": "13900000009"})

    browser = Browser(site)
    done = browser.login("kim")
    assert done.status_code == 303
    assert done.headers["location"] == "/unit/queue"
    cookie = session_cookie(done)
    assert cookie is not None and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()

    me = browser.api("/api/v1/auth/me").json()
    assert (me["username"], me["role"]) == ("kim", "unit_lead")
    assert browser.api(f"/api/v1/complaints/{east['id']}").status_code == 200
    assert browser.api(f"/api/v1/complaints/{north['id']}").status_code == 404
    assert browser.api("/unit/queue").status_code == 200

    kim = staff_row(database_url, "kim")
    assert kim is not None and kim.role == "unit_lead" and not kim.password_hash
    # No password: the SSO account cannot be logged into with one.
    assert Api(site.url).login("kim", "anything-at-all").status_code == 401
    created = security_events(database_url, "sso_account_created")[-1]
    assert created.detail == {"subject": "sub-kim", "role": "unit_lead", "unit": "C1-K1"}
    login = [e for e in security_events(database_url, "login") if e.username == "kim"][-1]
    assert login.detail is not None and login.detail["via"] == "oidc"
    assert login.detail["subject"] == "sub-kim" and login.client == "127.0.0.1"


def test_groups_are_mapped_through_the_operators_table(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("ann", careloop_role=["/staff", "/careloop/hotline"], org_unit="C1-HOT")
    provider.add_user("bob", careloop_role=["/staff", "agent"], org_unit="C1-HOT")
    provider.add_user("cy", careloop_role=["/careloop/hotline", "/careloop/qa"], org_unit="P-QA")
    site = sso_site(
        provision=True,
        role_map=(("/careloop/hotline", "agent"), ("/careloop/qa", "supervisor")),
    )
    done = Browser(site).login("ann", next="/complaints?open=1")
    assert done.status_code == 303 and done.headers["location"] == "/complaints?open=1"
    assert staff_row(database_url, "ann").role == "agent"  # type: ignore[union-attr]
    # A CareLoop role name is not a group the table maps.
    assert_refused(Browser(site).login("bob"), database_url, "role_not_mapped")
    assert staff_row(database_url, "bob") is None
    assert_refused(Browser(site).login("cy"), database_url, "role_ambiguous")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_the_page_to_return_to_stays_on_this_site(
    target: str, sso_site: SiteFactory, provider: TestProvider
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    done = Browser(sso_site()).login("net1", next=target)
    assert done.status_code == 303 and done.headers["location"] == "/unit/queue"


def test_claims_the_id_token_lacks_are_taken_from_userinfo(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("uma", careloop_role="supervisor", org_unit="P-QA")
    provider.misbehaviour = Misbehaviour(claims_only_in_userinfo=True)
    site = sso_site(provision=True)
    browser = Browser(site)
    assert browser.login("uma").headers["location"] == "/supervisor"
    assert browser.api("/api/v1/auth/me").json()["role"] == "supervisor"


# --- existing accounts ---------------------------------------------------------------------


def test_existing_account_is_used_and_claims_must_match_it(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    site = sso_site()
    browser = Browser(site)
    assert browser.login("net1").headers["location"] == "/unit/queue"
    assert browser.api("/api/v1/auth/me").json()["role"] == "handler"

    provider.add_user("net1", careloop_role="unit_lead", org_unit="C1")
    detail = assert_refused(Browser(site).login("net1"), database_url, "claims_mismatch")
    assert detail["account"] == {"role": "handler", "unit": "C1-K1-NET"}
    net1 = staff_row(database_url, "net1")
    assert net1 is not None and net1.role == "handler"


def test_provider_as_source_of_truth_updates_the_accounts_role_and_unit(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("net1", careloop_role="unit_lead", org_unit="C1")
    site = sso_site(sync_claims=True)
    browser = Browser(site)
    assert browser.login("net1").status_code == 303
    me = browser.api("/api/v1/auth/me").json()
    assert me["role"] == "unit_lead"
    updated = security_events(database_url, "sso_account_updated")[-1]
    assert updated.detail is not None
    assert updated.detail["was"] == {"role": "handler", "unit": "C1-K1-NET"}
    assert (updated.detail["role"], updated.detail["unit"]) == ("unit_lead", "C1")


def test_unknown_users_are_refused_unless_provisioning_is_on(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("newbie", careloop_role="agent", org_unit="C1-HOT")
    assert_refused(Browser(sso_site()).login("newbie"), database_url, "unknown_user")
    assert staff_row(database_url, "newbie") is None


def test_disabled_accounts_stay_refused(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        session.scalar(select(Staff).where(Staff.username == "agent2")).active = False  # type: ignore[union-attr]
        session.commit()
    engine.dispose()
    provider.add_user("agent2", careloop_role="agent", org_unit="C1-HOT")
    site = sso_site(provision=True, sync_claims=True)
    assert_refused(Browser(site).login("agent2"), database_url, "account_disabled")
    assert sessions_of(database_url, "agent2") == 0


def test_unknown_org_unit_is_refused_with_a_readable_page_in_the_users_language(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("zed", careloop_role="agent", org_unit="C9-NOWHERE")
    site = sso_site(provision=True)
    refused = Browser(site).login("zed")
    detail = assert_refused(refused, database_url, "unknown_unit")
    assert detail["unit"] == "C9-NOWHERE"
    assert "组织单位在 CareLoop 中不存在" in refused.text
    assert "unknown_unit" not in refused.text and "sso_refused" not in refused.text
    english = Browser(site, lang="en").login("zed")
    assert english.status_code == 403
    assert "does not exist in CareLoop" in english.text
    assert staff_row(database_url, "zed") is None


# --- a provider that lies, and callbacks that were not ours -------------------------------

HOSTILE = {
    "wrong_audience": (Misbehaviour(audience="some-other-app"), "audience"),
    "wrong_issuer": (Misbehaviour(issuer="https://idp.attacker.example"), "issuer"),
    "expired": (Misbehaviour(lifetime=timedelta(minutes=-5)), "expired"),
    "nonce_mismatch": (Misbehaviour(nonce="a-nonce-from-another-login"), "nonce"),
    "issued_in_future": (Misbehaviour(issued_ahead=timedelta(minutes=5)), "issued_in_future"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_id_tokens_that_fail_verification_are_refused(
    case: str, sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("kim", careloop_role="agent", org_unit="C1-HOT")
    provider.misbehaviour, check = HOSTILE[case]
    site = sso_site(provision=True)
    detail = assert_refused(Browser(site).login("kim"), database_url, "id_token_invalid", 401)
    assert detail["check"] == check
    assert staff_row(database_url, "kim") is None


def test_an_id_token_signed_with_another_key_is_refused(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    # Same key id as the published key, different key: a forged signature.
    provider.misbehaviour = Misbehaviour(signing_key=signing_key(str(provider.key.kid)))
    site = sso_site()
    detail = assert_refused(Browser(site).login("net1"), database_url, "id_token_invalid", 401)
    assert detail["check"] == "signature"
    assert sessions_of(database_url, "net1") == 0


def test_a_token_signed_with_a_key_the_provider_never_published_is_refused(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    provider.misbehaviour = Misbehaviour(signing_key=signing_key("never-published"))
    refused = Browser(sso_site()).login("net1")
    assert assert_refused(refused, database_url, "id_token_invalid", 401)["check"] == "unknown_key"


def test_a_rotated_provider_key_is_fetched_when_a_token_names_it(
    sso_site: SiteFactory, provider: TestProvider
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    site = sso_site()
    assert Browser(site).login("net1").status_code == 303  # the old key set is now cached
    provider.key = signing_key("rotated-key")
    assert Browser(site).login("net1").status_code == 303


def test_a_replayed_callback_is_refused_by_this_worker_and_by_any_other(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    site = sso_site()
    browser = Browser(site)
    authorize = browser.start()
    pending = browser.http.cookies.get(PENDING)
    callback = browser.sign_in_at_provider(authorize, "net1")
    done = browser.callback(callback)
    assert done.status_code == 303 and session_cookie(done)
    assert browser.http.cookies.get(PENDING) is None  # cleared by the first callback

    # The same callback again, the pending-login cookie put back, to this worker and to
    # another one (another process with its own memory, sharing the database).
    other_site = sso_site()
    for worker, url in ((site, callback), (other_site, callback.replace(site.url, other_site.url))):
        replay = Browser(worker)
        replay.http.cookies.set(PENDING, pending, path="/auth/oidc")
        detail = assert_refused(replay.callback(url), database_url, "request_expired", 400)
        assert detail["check"] == "state replayed"
    assert sessions_of(database_url, "net1") == 1


def test_the_provider_redeems_a_code_once_only(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    """The last line behind the state ledger (e.g. its Redis unreachable): the code is spent."""
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    site = sso_site()
    browser = Browser(site)
    authorize = browser.start()
    pending = browser.http.cookies.get(PENDING)
    callback = browser.sign_in_at_provider(authorize, "net1")
    assert browser.callback(callback).status_code == 303
    # A worker whose ledger has never heard of this login (as if its Redis were unreachable).
    forgetful = sso_site()
    settings = forgetful.server.config.app.state.settings
    forgetful.server.config.app.state.oidc_relying_party = RelyingParty(settings.oidc)
    replay = Browser(forgetful)
    replay.http.cookies.set(PENDING, pending, path="/auth/oidc")
    url = callback.replace(site.url, forgetful.url)
    detail = assert_refused(replay.callback(url), database_url, "code_refused", 401)
    assert detail["error"] == "invalid_grant"
    assert sessions_of(database_url, "net1") == 1


def test_a_callback_started_in_another_browser_is_refused(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    """Login CSRF: an attacker's own callback URL opened in the victim's browser."""
    provider.add_user("mallory", careloop_role="agent", org_unit="C1-HOT")
    site = sso_site(provision=True)
    attacker = Browser(site)
    trap = attacker.sign_in_at_provider(attacker.start(), "mallory")
    victim = Browser(site)
    detail = assert_refused(victim.callback(trap), database_url, "request_expired", 400)
    assert detail["check"] == "no pending login in this browser"
    victim.start()  # the victim's own login in progress: the states differ
    detail = assert_refused(victim.callback(trap), database_url, "request_expired", 400)
    assert detail["check"] == "state mismatch"
    assert staff_row(database_url, "mallory") is None


def test_a_login_left_at_the_provider_for_too_long_is_refused(
    sso_site: SiteFactory, provider: TestProvider, database_url: str, clock: MovableClock
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    browser = Browser(sso_site())
    authorize = browser.start()
    clock.advance(minutes=11)
    callback = browser.sign_in_at_provider(authorize, "net1")
    detail = assert_refused(browser.callback(callback), database_url, "request_expired", 400)
    assert detail["check"] == "pending login expired"


def test_a_login_the_user_declined_at_the_provider_is_refused(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    browser = Browser(sso_site())
    callback = browser.sign_in_at_provider(browser.start(), "net1", deny="1")
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
    assert_refused(browser.callback(callback), database_url, "provider_error", 401)


def test_an_unreachable_provider_is_a_readable_page(sso_site: SiteFactory, database_url: str):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    site = sso_site(issuer=nowhere)
    page = httpx.get(f"{site.url}/auth/oidc/login", cookies={"careloop_lang": "en"}, timeout=30)
    assert page.status_code == 502
    assert 'role="alert"' in page.text and "cannot be reached" in page.text
    assert PENDING not in page.cookies and session_cookie(page) is None


def test_callbacks_count_as_login_attempts_of_their_client(
    sso_site: SiteFactory, provider: TestProvider, database_url: str
):
    provider.add_user("net1", careloop_role="handler", org_unit="C1-K1-NET")
    site = sso_site(login_rate_per_minute=2)
    browser = Browser(site)
    for _ in range(2):
        assert browser.callback(f"{site.url}/auth/oidc/callback?state=x&code=y").status_code == 400
    throttled = browser.login("net1")
    assert throttled.status_code == 429 and session_cookie(throttled) is None
    assert 'role="alert"' in throttled.text
    assert sessions_of(database_url, "net1") == 0


# --- configuration ---------------------------------------------------------------------------


def test_the_login_page_offers_sso_only_when_it_is_configured(
    sso_site: SiteFactory, server: LiveServer
):
    site = sso_site()
    page = httpx.get(f"{site.url}/login?next=/supervisor", timeout=30)
    assert "使用单点登录" in page.text
    assert 'href="/auth/oidc/login?next=/supervisor"' in page.text
    english = httpx.get(f"{site.url}/login", cookies={"careloop_lang": "en"}, timeout=30)
    assert "Sign in with SSO" in english.text
    plain = httpx.get(f"{server.url}/login", timeout=30)
    assert plain.status_code == 200 and "/auth/oidc/login" not in plain.text
    assert httpx.get(f"{server.url}/auth/oidc/login", timeout=30).status_code == 404
    callback = httpx.get(f"{server.url}/auth/oidc/callback?state=x&code=y", timeout=30)
    assert callback.status_code == 404
