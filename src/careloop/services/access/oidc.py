"""Single sign-on: CareLoop as an OpenID Connect relying party.

The authorization-code flow with PKCE (RFC 7636), `state` and `nonce` (OpenID Connect Core
1.0 §3.1). The provider says who someone is and, through claims, their role and org unit;
every word of that is checked here before the same session a password login opens is
handed out (`auth.open_session`): the ID token's signature against the provider's published
keys (JWKS), its issuer, audience, expiry and issue time against the injected clock, and the
nonce this browser's login started with. Then the claims are mapped to a staff account by
username: an unknown org unit, a role the operator's table does not map, a disabled account
or (unless the provider is the source of truth) claims that disagree with the account refuse
the login. Every login and every refusal is a security event, like password logins.

The login in progress travels in a cookie sealed with a key derived from the client secret,
so any worker of any machine can finish it; it lives ten minutes. A replayed callback fails
three times over: the cookie is cleared by the first, a state finishes once in a ledger every
process shares (a one-token bucket of the rate-limit store, database or Redis), and the
provider redeems a code only once and only with this login's PKCE verifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, TypeGuard
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from careloop.config import OidcSettings
from careloop.domain.errors import DomainError
from careloop.domain.vocabulary import ROLES
from careloop.services.access import auth
from careloop.services.access.rate_limits import Limiter, LocalLimiter, Rate
from careloop.services.org import setup as org
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit, Staff

PENDING_TTL = timedelta(minutes=10)
"""Time from the click on "sign in with SSO" to the provider's answer (a login form, an MFA)."""

METADATA_TTL = timedelta(hours=1)
"""The provider's discovery document and keys are fetched again after this, and at once when
an ID token names a key the cached set lacks (key rotation)."""

SIGNING_ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip
"""Public-key signatures only: `none` and the HMAC family (a token signed with something the
client also knows) are refused."""

HTTP_TIMEOUT = 10.0

ONCE_PER_LOGIN = Rate(1, PENDING_TTL)
"""The state ledger's budget: one finish per state while a login can live."""

# reason -> (status, zh, en). The reason is the audit trail's word; people read the message.
_REFUSALS: dict[str, tuple[int, str, str]] = {
    "provider_error": (
        401,
        "身份提供方没有完成登录，请重试或联系管理员",
        "The identity provider did not complete the sign-in; try again or ask an administrator",
    ),
    "request_expired": (
        400,
        "单点登录请求已失效或不是从本浏览器发起的，请重新登录",
        "This sign-in request has expired or was not started in this browser; sign in again",
    ),
    "provider_unavailable": (
        502,
        "暂时无法连接身份提供方，请稍后再试",
        "The identity provider cannot be reached; try again later",
    ),
    "code_refused": (
        401,
        "身份提供方拒绝了本次登录凭证，请重新登录",
        "The identity provider refused this sign-in; sign in again",
    ),
    "id_token_invalid": (
        401,
        "身份提供方返回的身份令牌未通过校验，登录被拒绝",
        "The identity provider's ID token failed verification; sign-in refused",
    ),
    "claims_missing": (
        403,
        "身份提供方没有提供有效的用户名、角色或组织单位，请联系管理员",
        "The identity provider did not give a valid username, role and org unit; "
        "ask an administrator",
    ),
    "role_not_mapped": (
        403,
        "您在身份提供方的角色没有对应的 CareLoop 角色，请联系管理员",
        "Your role at the identity provider has no CareLoop role; ask an administrator",
    ),
    "role_ambiguous": (
        403,
        "您在身份提供方的角色对应多个 CareLoop 角色，请联系管理员",
        "Your roles at the identity provider map to more than one CareLoop role; "
        "ask an administrator",
    ),
    "unknown_unit": (
        403,
        "身份提供方给出的组织单位在 CareLoop 中不存在，请联系管理员",
        "The org unit named by the identity provider does not exist in CareLoop; "
        "ask an administrator",
    ),
    "unknown_user": (
        403,
        "CareLoop 中没有您的账号，请联系管理员开通",
        "You have no CareLoop account; ask an administrator to create one",
    ),
    "account_disabled": (
        403,
        "账号已停用，请联系管理员",
        "The account is disabled; ask an administrator",
    ),
    "claims_mismatch": (
        403,
        "身份提供方的角色或组织单位与您的 CareLoop 账号不一致，请联系管理员",
        "Your role or org unit at the identity provider differs from your CareLoop account; "
        "ask an administrator",
    ),
}


class SsoRefused(DomainError):
    """A refused single sign-on. `reason` (a key of the table above) goes to the audit trail
    with `detail`; the person sees the message, in their language, and gets no session."""

    def __init__(self, reason: str, **detail: Any) -> None:
        self.reason = reason if reason in _REFUSALS else "provider_error"
        self.detail = detail
        super().__init__("sso_refused")

    @property
    def status(self) -> int:
        return _REFUSALS[self.reason][0]

    def message(self, lang: str = "zh") -> str:
        _, zh, en = _REFUSALS[self.reason]
        return en if lang.startswith("en") else zh


# --- the login in progress ---------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 §4.2, S256: BASE64URL(SHA256(verifier)) without padding."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """What the callback must match: this browser's state, nonce and PKCE verifier."""

    state: str
    nonce: str
    verifier: str
    redirect_uri: str
    next_path: str
    started_at: datetime

    @classmethod
    def start(cls, redirect_uri: str, next_path: str, now: datetime) -> PendingLogin:
        return cls(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),
            redirect_uri=redirect_uri,
            next_path=next_path,
            started_at=now,
        )

    def seal(self, key: bytes) -> str:
        body = asdict(self)
        body["started_at"] = self.started_at.isoformat()
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        mac = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
        return f"{payload}.{mac}"

    @classmethod
    def unseal(cls, sealed: str | None, key: bytes) -> PendingLogin | None:
        """The cookie's login, or None if it is missing, altered or not ours."""
        if not sealed or len(sealed) > 4096 or sealed.count(".") != 1:
            return None
        payload, mac = sealed.split(".")
        expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(mac, expected):
            return None
        try:
            body = json.loads(_unb64(payload))
            body["started_at"] = datetime.fromisoformat(body["started_at"])
            return cls(**body)
        except (ValueError, TypeError, KeyError):
            return None


# --- the provider ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None


class RelyingParty:
    """One configured provider: its discovery document and keys (cached), the code exchange
    and the ID token's verification. One per application; safe to share between threads."""

    def __init__(
        self,
        settings: OidcSettings,
        http: httpx.Client | None = None,
        ledger: Limiter | None = None,
    ) -> None:
        unknown = sorted({role for _, role in settings.role_map} - set(ROLES))
        if unknown:
            raise ValueError(f"CARELOOP_OIDC_ROLE_MAP names unknown roles: {unknown}")
        self.settings = settings
        self.http = http or httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False)
        self.state_key = hashlib.sha256(
            b"careloop oidc pending login\0" + settings.client_secret.encode()
        ).digest()
        self._lock = threading.Lock()
        self._metadata: tuple[ProviderMetadata, datetime] | None = None
        self._keys: tuple[KeySet, datetime] | None = None
        self.ledger = ledger or LocalLimiter(ONCE_PER_LOGIN)

    def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.get(url, **kwargs)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SsoRefused("provider_unavailable", url=url, error=type(exc).__name__) from exc
        if not isinstance(data, dict):
            raise SsoRefused("provider_unavailable", url=url, error="not a JSON object")
        return data

    def metadata(self, now: datetime) -> ProviderMetadata:
        with self._lock:
            if self._metadata and now < self._metadata[1]:
                return self._metadata[0]
        issuer = self.settings.issuer
        data = self._get_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        # OpenID Connect Discovery §4.3: the document must name the issuer it was asked for.
        if data.get("issuer") != issuer:
            raise SsoRefused("provider_unavailable", error="issuer mismatch in discovery")
        try:
            metadata = ProviderMetadata(
                issuer=issuer,
                authorization_endpoint=str(data["authorization_endpoint"]),
                token_endpoint=str(data["token_endpoint"]),
                jwks_uri=str(data["jwks_uri"]),
                userinfo_endpoint=data.get("userinfo_endpoint"),
            )
        except KeyError as exc:
            raise SsoRefused("provider_unavailable", error=f"discovery lacks {exc}") from exc
        with self._lock:
            self._metadata = (metadata, now + METADATA_TTL)
        return metadata

    def keys(self, now: datetime, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys and now < self._keys[1] and not refresh:
                return self._keys[0]
        data = self._get_json(self.metadata(now).jwks_uri)
        try:
            keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise SsoRefused("provider_unavailable", error="unreadable JWKS") from exc
        with self._lock:
            self._keys = (keys, now + METADATA_TTL)
        return keys

    def authorization_url(self, pending: PendingLogin, now: datetime) -> str:
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": pending.redirect_uri,
            "scope": self.settings.scopes,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": pkce_challenge(pending.verifier),
            "code_challenge_method": "S256",
        }
        endpoint = self.metadata(now).authorization_endpoint
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

    def consume_state(self, state: str, now: datetime, uow: UnitOfWork | None = None) -> bool:
        """True the first time any process sharing the ledger sees `state` finish."""
        try:
            self.ledger.take(hashlib.sha256(state.encode()).hexdigest(), now, uow=uow)
        except DomainError:
            return False
        return True

    def exchange_code(self, code: str, pending: PendingLogin, now: datetime) -> dict[str, Any]:
        """The token request (RFC 6749 §4.1.3) with client_secret_basic and the PKCE verifier."""
        try:
            response = self.http.post(
                self.metadata(now).token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": pending.redirect_uri,
                    "code_verifier": pending.verifier,
                },
                auth=(self.settings.client_id, self.settings.client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise SsoRefused("provider_unavailable", error=type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            raise SsoRefused("code_refused", status=response.status_code, error=str(error)[:100])
        if not isinstance(body.get("id_token"), str):
            raise SsoRefused("code_refused", error="no id_token in the token response")
        return body

    def verify_id_token(self, raw: str, nonce: str, now: datetime) -> dict[str, Any]:
        """OpenID Connect Core §3.1.3.7, in order; `check` in the refusal says which failed."""
        try:
            try:
                token = jwt.decode(raw, self.keys(now), algorithms=SIGNING_ALGORITHMS)
            except InvalidKeyIdError:
                token = jwt.decode(raw, self.keys(now, refresh=True), algorithms=SIGNING_ALGORITHMS)
        except BadSignatureError as exc:
            raise SsoRefused("id_token_invalid", check="signature") from exc
        except InvalidKeyIdError as exc:
            raise SsoRefused("id_token_invalid", check="unknown_key") from exc
        except JoseError as exc:
            raise SsoRefused("id_token_invalid", check=f"malformed: {exc.error}") from exc
        claims: dict[str, Any] = dict(token.claims)
        settings = self.settings
        if claims.get("iss") != settings.issuer:
            raise SsoRefused("id_token_invalid", check="issuer")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or settings.client_id not in audiences:
            raise SsoRefused("id_token_invalid", check="audience")
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != settings.client_id:
            raise SsoRefused("id_token_invalid", check="authorized_party")
        moment = now.timestamp()
        leeway = settings.leeway_seconds
        exp, iat = claims.get("exp"), claims.get("iat")
        if not _is_number(exp) or moment > exp + leeway:
            raise SsoRefused("id_token_invalid", check="expired")
        if not _is_number(iat) or iat > moment + leeway:
            raise SsoRefused("id_token_invalid", check="issued_in_future")
        if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(
            claims["nonce"], nonce
        ):
            raise SsoRefused("id_token_invalid", check="nonce")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise SsoRefused("id_token_invalid", check="subject")
        return claims

    def userinfo(self, access_token: str, subject: str, now: datetime) -> dict[str, Any]:
        """Claims the ID token left out (some providers put groups only here); §5.3.4: the
        answer must be about the same subject."""
        endpoint = self.metadata(now).userinfo_endpoint
        if not endpoint:
            return {}
        data = self._get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
        if data.get("sub") != subject:
            raise SsoRefused("id_token_invalid", check="userinfo_subject")
        return data


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- claims → account -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Identity:
    """What the provider asserts, in CareLoop's terms."""

    subject: str
    username: str
    display_name: str
    role: str
    unit_code: str


def _values(claim: object) -> list[str]:
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list):
        return [item for item in claim if isinstance(item, str)]
    return []


def _well_formed_name(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > limit:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        return None
    return value


def map_claims(claims: Mapping[str, Any], settings: OidcSettings) -> Identity:
    """Username, role and unit from the claims; refuses what cannot be mapped."""
    username = _well_formed_name(claims.get(settings.username_claim), 64)
    unit_code = _well_formed_name(claims.get(settings.unit_claim), 50)
    raw_roles = _values(claims.get(settings.role_claim))
    if username is None or unit_code is None or not raw_roles:
        raise SsoRefused(
            "claims_missing",
            username_claim=username is not None,
            role_claim=bool(raw_roles),
            unit_claim=unit_code is not None,
        )
    table = dict(settings.role_map) if settings.role_map else {role: role for role in ROLES}
    roles = {table[value] for value in raw_roles if value in table}
    if not roles:
        raise SsoRefused("role_not_mapped", username=username, values=raw_roles[:10])
    if len(roles) > 1:
        raise SsoRefused("role_ambiguous", username=username, roles=sorted(roles))
    name = _well_formed_name(claims.get(settings.name_claim), 100) or username
    return Identity(str(claims["sub"]), username, name, roles.pop(), unit_code)


def _account(
    uow: UnitOfWork, identity: Identity, settings: OidcSettings, now: datetime, client: str | None
) -> Staff:
    """The staff row this identity logs in as, created or brought in line if so configured."""
    unit = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == identity.unit_code))
    if unit is None:
        raise SsoRefused("unknown_unit", username=identity.username, unit=identity.unit_code)
    staff = uow.session.scalar(select(Staff).where(Staff.username == identity.username))
    audit = {"subject": identity.subject, "role": identity.role, "unit": identity.unit_code}
    if staff is None:
        if not settings.provision:
            raise SsoRefused("unknown_user", username=identity.username)
        staff = org.add_staff(
            uow, identity.username, identity.display_name, identity.role, identity.unit_code
        )
        auth.record_security_event(
            uow, "sso_account_created", staff.username, now, staff.id, client, audit
        )
        return staff
    if not staff.active:
        raise SsoRefused("account_disabled", username=staff.username, staff_id=staff.id)
    if staff.role == identity.role and staff.org_unit_id == unit.id:
        return staff
    before = {"role": staff.role, "unit": staff.org_unit.code}
    if not settings.sync_claims:
        raise SsoRefused(
            "claims_mismatch", username=staff.username, staff_id=staff.id, account=before
        )
    staff.role = identity.role
    staff.org_unit_id = unit.id
    auth.record_security_event(
        uow, "sso_account_updated", staff.username, now, staff.id, client, {**audit, "was": before}
    )
    return staff


# --- the use cases ----------------------------------------------------------------------------


def begin_login(
    rp: RelyingParty, redirect_uri: str, next_path: str, now: datetime
) -> tuple[str, PendingLogin]:
    """Where to send the browser, and the login it must come back with."""
    pending = PendingLogin.start(rp.settings.redirect_uri or redirect_uri, next_path, now)
    return rp.authorization_url(pending, now), pending


def finish_login(
    uow: UnitOfWork,
    rp: RelyingParty,
    pending: PendingLogin | None,
    params: Mapping[str, str],
    now: datetime,
    client: str | None = None,
    policy: auth.LoginPolicy | None = None,
) -> auth.Session:
    """The callback: check the answer, the ID token and the claims, then open a session.

    Every refusal is recorded as an `sso_refused` security event (committed) before it is
    raised; nothing else is written then.
    """
    username = "(sso)"
    try:
        claims = _verified_claims(uow, rp, pending, params, now)
        identity = map_claims(claims, rp.settings)
        username = identity.username
        staff = _account(uow, identity, rp.settings, now, client)
    except SsoRefused as refusal:
        uow.rollback()
        who = refusal.detail.get("username", username)
        auth.record_security_event(
            uow,
            "sso_refused",
            str(who),
            now,
            refusal.detail.get("staff_id"),
            client,
            {"reason": refusal.reason, "issuer": rp.settings.issuer, **refusal.detail},
        )
        uow.commit()
        raise
    detail = {
        "via": "oidc",
        "issuer": rp.settings.issuer,
        "subject": identity.subject,
        "role": identity.role,
        "unit": identity.unit_code,
    }
    return auth.open_session(uow, staff, now, client, policy, detail)


def _verified_claims(
    uow: UnitOfWork,
    rp: RelyingParty,
    pending: PendingLogin | None,
    params: Mapping[str, str],
    now: datetime,
) -> dict[str, Any]:
    if params.get("error"):
        raise SsoRefused("provider_error", error=params["error"][:100])
    if pending is None:
        raise SsoRefused("request_expired", check="no pending login in this browser")
    if not pending.started_at <= now < pending.started_at + PENDING_TTL:
        raise SsoRefused("request_expired", check="pending login expired")
    if not hmac.compare_digest(params.get("state", ""), pending.state):
        raise SsoRefused("request_expired", check="state mismatch")
    if not rp.consume_state(pending.state, now, uow):
        raise SsoRefused("request_expired", check="state replayed")
    code = params.get("code", "")
    if not code or len(code) > 2048:
        raise SsoRefused("provider_error", error="no code")
    tokens = rp.exchange_code(code, pending, now)
    claims = rp.verify_id_token(tokens["id_token"], pending.nonce, now)
    settings = rp.settings
    needed = (settings.username_claim, settings.role_claim, settings.unit_claim)
    access_token = tokens.get("access_token")
    if any(name not in claims for name in needed) and isinstance(access_token, str):
        extra = rp.userinfo(access_token, claims["sub"], now)
        # The ID token's own claims win: they are signed, the userinfo answer is not.
        claims = {**extra, **claims}
    return claims
