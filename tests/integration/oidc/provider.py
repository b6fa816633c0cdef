"""A real OpenID provider for the tests, built from Authlib's server components.

Authorization endpoint (a login form), token endpoint (client_secret_basic, PKCE S256, codes
redeemable once), JWKS, discovery document and userinfo, as a Starlette app the tests serve
on loopback with uvicorn. The provider is the edge of the world: CareLoop's side is
production code. Its clock is the tests' movable clock, so ID tokens are stamped with the
time CareLoop sees. `Misbehaviour` lets a test make it lie in one specific way (another
audience, a key that is not the published one, an expired token, another nonce …).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.resource_protector import ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

CLIENT_ID = "careloop"
CLIENT_SECRET = "careloop-client-secret-for-tests"
USER_PASSWORD = "idp-password"


@dataclass
class Misbehaviour:
    """Ways the provider can be wrong or hostile; the defaults are an honest provider."""

    audience: str | None = None
    issuer: str | None = None
    signing_key: RSAKey | None = None
    """Sign with this key instead of the published one (same `kid`: a forged signature)."""
    lifetime: timedelta = timedelta(minutes=5)
    issued_ahead: timedelta = timedelta(0)
    """Stamp `iat` this far after the provider's clock."""
    nonce: str | None = None
    claims_only_in_userinfo: bool = False


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in ("openid", "profile"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    username: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class AccessToken(TokenMixin):
    client: Client
    username: str
    scope: str
    expires_at: datetime
    clock: Callable[[], datetime]

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.clock()).total_seconds())

    def is_expired(self) -> bool:
        return self.clock() >= self.expires_at

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> str:
        return self.username

    def get_client(self) -> Client:
        return self.client


@dataclass(frozen=True)
class Incoming:
    """A request as the server components see it (built from Starlette's, body read)."""

    method: str
    url: str
    headers: Any
    args: dict[str, str]
    form: dict[str, str]


class ProviderRequest(OAuth2Request):
    def __init__(self, incoming: Incoming, payload: dict[str, str]) -> None:
        super().__init__(incoming.method, incoming.url, headers=incoming.headers)
        self._args = incoming.args
        self._form = incoming.form
        self.payload = BasicOAuth2Payload(payload)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class TestProvider:
    """One provider: users with their claims, one client (CareLoop), one signing key."""

    __test__ = False

    def __init__(self, clock: Callable[[], datetime], key: RSAKey) -> None:
        self.clock = clock
        self.key = key
        self.issuer = ""
        self.client = Client(CLIENT_ID, CLIENT_SECRET)
        self.users: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.misbehaviour = Misbehaviour()
        self.server = self._authorization_server()
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
            ]
        )

    def add_user(self, username: str, **claims: Any) -> None:
        self.users[username] = {
            "sub": f"sub-{username}",
            "preferred_username": username,
            "name": username,
            **claims,
        }

    def user_info(self, username: str) -> UserInfo:
        return UserInfo(self.users[username])

    # --- Authlib's server, wired to this object --------------------------------------------

    def _authorization_server(self) -> AuthorizationServer:
        provider = self

        class Server(AuthorizationServer):
            def query_client(self, client_id: str) -> Client | None:
                return provider.client if client_id == provider.client.client_id else None

            def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
                provider.tokens[token["access_token"]] = AccessToken(
                    request.client,
                    request.user,
                    token.get("scope", ""),
                    provider.clock() + timedelta(seconds=token["expires_in"]),
                    provider.clock,
                )

            def create_oauth2_request(self, request: Incoming) -> OAuth2Request:
                payload = (
                    request.form
                    if request.method == "POST" and "grant_type" in (request.form)
                    else request.args
                )
                return ProviderRequest(request, payload)

            def handle_response(self, status: int, body: Any, headers: Any) -> Response:
                if isinstance(body, dict):
                    return JSONResponse(body, status_code=status, headers=dict(headers))
                return Response(body, status_code=status, headers=dict(headers))

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
                pass

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

            def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
                data = request.payload.data
                provider.codes[code] = AuthorizationCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=data.get("redirect_uri", ""),
                    scope=request.scope,
                    username=request.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    auth_time=int(provider.clock().timestamp()),
                )

            def query_authorization_code(
                self, code: str, client: Client
            ) -> AuthorizationCode | None:
                item = provider.codes.get(code)
                return item if item and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: AuthorizationCode) -> str:
                return authorization_code.username

        class IdToken(OpenIDCode):
            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.misbehaviour.signing_key or provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                key = provider.misbehaviour.signing_key or provider.key
                return {"alg": "RS256", "kid": str(key.kid)}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                lie = provider.misbehaviour
                now = provider.clock()
                return {
                    "iss": lie.issuer or provider.issuer,
                    "aud": [lie.audience or client.client_id],
                    "iat": int((now + lie.issued_ahead).timestamp()),
                    "exp": int((now + lie.lifetime).timestamp()),
                }

            def get_authorization_code_claims(
                self, authorization_code: AuthorizationCode
            ) -> dict[str, Any]:
                claims = super().get_authorization_code_claims(authorization_code)
                if provider.misbehaviour.nonce is not None:
                    claims["nonce"] = provider.misbehaviour.nonce
                return claims

            def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
                return any(code.nonce == nonce for code in provider.codes.values())

            def generate_user_info(self, user: str, scope: str) -> UserInfo:
                info = provider.user_info(user)
                if provider.misbehaviour.claims_only_in_userinfo:
                    return UserInfo(sub=info["sub"])
                return info

        server = Server(scopes_supported=["openid", "profile"])
        server.register_token_generator(
            "default", BearerTokenGenerator(lambda *args, **kwargs: generate_token(42))
        )
        server.register_grant(
            CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)]
        )
        return server

    # --- endpoints --------------------------------------------------------------------------

    @staticmethod
    async def _incoming(request: Request) -> Incoming:
        form = dict(await request.form()) if request.method == "POST" else {}
        return Incoming(
            request.method,
            str(request.url),
            request.headers,
            dict(request.query_params),
            {key: str(value) for key, value in form.items()},
        )

    async def discovery(self, request: Request) -> Response:
        metadata = OpenIDProviderMetadata(
            issuer=self.issuer,
            authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token",
            jwks_uri=f"{self.issuer}/jwks",
            userinfo_endpoint=f"{self.issuer}/userinfo",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            scopes_supported=["openid", "profile"],
        )
        metadata.validate()
        return JSONResponse(dict(metadata))

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def authorize(self, request: Request) -> Response:
        incoming = await self._incoming(request)
        try:
            grant = self.server.get_consent_grant(incoming)
        except OAuth2Error as error:
            return JSONResponse(dict(error.get_body()), status_code=400)
        if request.method == "GET":
            return HTMLResponse(
                f'<form method="post" action="{escape(str(request.url))}">'
                '<input name="username"><input name="password" type="password">'
                "<button>Sign in</button></form>"
            )
        username = incoming.form.get("username", "")
        if username not in self.users or incoming.form.get("password") != USER_PASSWORD:
            return HTMLResponse("wrong username or password", status_code=401)
        if incoming.form.get("deny"):
            return self.server.create_authorization_response(incoming, grant_user=None, grant=grant)
        return self.server.create_authorization_response(incoming, grant_user=username, grant=grant)

    async def token(self, request: Request) -> Response:
        return self.server.create_token_response(await self._incoming(request))

    async def userinfo(self, request: Request) -> Response:
        provider = self

        class Validator(BearerTokenValidator):
            def authenticate_token(self, token_string: str) -> AccessToken | None:
                return provider.tokens.get(token_string)

        protector = ResourceProtector()
        protector.register_token_validator(Validator())
        incoming = await self._incoming(request)
        try:
            token = protector.validate_request(["openid"], ProviderRequest(incoming, {}))
        except OAuth2Error as error:
            return JSONResponse(dict(error.get_body()), status_code=401)
        return JSONResponse(dict(self.user_info(token.get_user())))
