"""A real OpenID provider and CareLoop servers configured to trust it, both on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from careloop.api.app import create_app
from careloop.config import OidcSettings, Settings
from tests.conftest import LiveServer, MovableClock
from tests.integration.oidc.provider import CLIENT_ID, CLIENT_SECRET, TestProvider


def signing_key(kid: str = "provider-signing-key") -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


@pytest.fixture(scope="session")
def provider_key() -> RSAKey:
    """The provider's RSA key pair, made here (one per run: 2048-bit generation is slow)."""
    return signing_key()


@pytest.fixture
def provider(clock: MovableClock, provider_key: RSAKey) -> Iterator[TestProvider]:
    op = TestProvider(clock, provider_key)
    live = LiveServer(op.app)
    op.issuer = live.url
    with live:
        yield op


SiteFactory = Callable[..., LiveServer]


@pytest.fixture
def sso_site(
    database_url: str, clock: MovableClock, provider: TestProvider
) -> Iterator[SiteFactory]:
    """Start a CareLoop server whose single sign-on trusts `provider`; keyword arguments
    override its OIDC settings. Several may run at once on the same database (workers)."""
    started: list[tuple[LiveServer, Any]] = []

    def start(login_rate_per_minute: int = 20, **overrides: Any) -> LiveServer:
        config = {"issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        oidc = OidcSettings(**{**config, **overrides})
        settings = Settings(
            database_url=database_url, oidc=oidc, login_rate_per_minute=login_rate_per_minute
        )
        app = create_app(settings, clock=clock)
        live = LiveServer(app)
        provider.client.redirect_uris.append(f"{live.url}/auth/oidc/callback")
        live.__enter__()
        started.append((live, app))
        return live

    yield start
    for live, app in started:
        live.__exit__()
        app.state.engine.dispose()
