"""The relying party's pure parts: the sealed pending login, PKCE, and claims → identity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from careloop.config import OidcSettings
from careloop.services.access.oidc import (
    PendingLogin,
    RelyingParty,
    SsoRefused,
    map_claims,
    pkce_challenge,
)

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
KEY = b"k" * 32
SETTINGS = OidcSettings(issuer="https://idp.example", client_id="careloop", client_secret="s")


def test_pkce_challenge_is_s256_as_another_implementation_computes_it():
    pending = PendingLogin.start("https://careloop.example/auth/oidc/callback", "/", NOW)
    assert pkce_challenge(pending.verifier) == create_s256_code_challenge(pending.verifier)
    assert 43 <= len(pending.verifier) <= 128  # RFC 7636 §4.1


def test_a_sealed_login_opens_only_with_its_key_and_unaltered():
    pending = PendingLogin.start("https://careloop.example/auth/oidc/callback", "/queue", NOW)
    sealed = pending.seal(KEY)
    assert PendingLogin.unseal(sealed, KEY) == pending
    assert PendingLogin.unseal(sealed, b"x" * 32) is None
    payload, mac = sealed.split(".")
    assert PendingLogin.unseal(f"{payload[:-2]}AA.{mac}", KEY) is None
    for junk in (None, "", "no-dot", "a.b.c", "x" * 5000):
        assert PendingLogin.unseal(junk, KEY) is None


def test_claims_map_to_an_identity_and_unusable_ones_are_refused():
    claims = {"sub": "1", "preferred_username": "kim", "careloop_role": "agent", "org_unit": "C1"}
    identity = map_claims(claims, SETTINGS)
    assert (identity.username, identity.role, identity.unit_code) == ("kim", "agent", "C1")
    assert identity.display_name == "kim"
    for bad in (
        {"preferred_username": "ki\u202em"},  # an RTL override in a username
        {"preferred_username": "k" * 65},
        {"careloop_role": []},
        {"org_unit": 7},
    ):
        with pytest.raises(SsoRefused) as refused:
            map_claims({**claims, **bad}, SETTINGS)
        assert refused.value.reason == "claims_missing"
    with pytest.raises(SsoRefused) as refused:
        map_claims({**claims, "careloop_role": "root"}, SETTINGS)
    assert refused.value.reason == "role_not_mapped"
    assert refused.value.status == 403
    assert "CareLoop" in refused.value.message("en") and "角色" in refused.value.message("zh")


def test_a_role_table_naming_a_role_careloop_lacks_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown roles"):
        RelyingParty(OidcSettings(issuer="https://idp", role_map=(("admins", "root"),)))


def test_the_role_table_is_read_from_json_in_the_environment():
    settings = OidcSettings.from_env(
        {
            "CARELOOP_OIDC_ISSUER": "https://idp.example/realms/telecom/",
            "CARELOOP_OIDC_CLIENT_ID": "careloop",
            "CARELOOP_OIDC_CLIENT_SECRET": "s",
            "CARELOOP_OIDC_ROLE_MAP": '{"cn=agents,ou=groups": "agent", "/qa": "supervisor"}',
            "CARELOOP_OIDC_PROVISION": "1",
        }
    )
    assert settings.enabled and settings.provision and not settings.sync_claims
    assert settings.issuer == "https://idp.example/realms/telecom/"  # compared with iss as is
    assert dict(settings.role_map) == {"cn=agents,ou=groups": "agent", "/qa": "supervisor"}
    assert not OidcSettings.from_env({}).enabled


def test_a_role_table_in_the_environment_naming_an_unknown_role_fails_at_start_up():
    with pytest.raises(ValueError, match="root"):
        OidcSettings.from_env({"CARELOOP_OIDC_ROLE_MAP": '{"admins": "root"}'})
