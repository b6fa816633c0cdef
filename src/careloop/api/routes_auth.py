"""/api/v1/auth: log in (bearer token and web session cookie), log out, who am I, and an
administrator's unlock of a username held back after wrong passwords."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from careloop.api import presenters
from careloop.api.deps import ActorDep, TokenDep
from careloop.domain.permissions import check_permission
from careloop.http.cookies import SESSION_COOKIE
from careloop.http.dependencies import NowDep, UowDep, client_address, login_policy
from careloop.services.access import auth

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, description="Staff username")
    password: str = Field(min_length=1, max_length=200, description="Password")


class LoginOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; also set as cookie")
    expires_at: datetime = Field(description="When the session ends (UTC)")
    username: str = Field(description="Who logged in")
    role: str = Field(description="Their role, see GET /api/v1/vocabularies")


class UnlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, description="Staff username")


class UnlockOut(BaseModel):
    username: str = Field(description="Whose locks were lifted")
    cleared: int = Field(description="(username, client address) pairs cleared")


class MeOut(BaseModel):
    username: str = Field(description="Who is calling")
    role: str = Field(description="Their role")
    org_unit_id: int | None = Field(description="Their own unit")
    scope_path: str = Field(description="Org-tree path of the subtree they may see")


@router.post(
    "/login",
    response_model=LoginOut,
    summary="Log in: a bearer token for the API and an HttpOnly session cookie for the web",
    responses={
        423: {
            "description": "This address is held back for this username after repeated "
            "wrong passwords (the same for a username that does not exist)"
        },
        429: {"description": "Too many login attempts from this address"},
    },
)
def login(
    body: LoginIn, request: Request, response: Response, uow: UowDep, now: NowDep
) -> LoginOut:
    client = client_address(request)
    # Per address only: a budget per username would let anyone hold that user's login up.
    request.app.state.login_limiter.take(f"ip:{client}", now, uow=uow)
    session = auth.login_session(
        uow, body.username, body.password, now, client, login_policy(request)
    )
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int((session.expires_at - now).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.headers["Cache-Control"] = "no-store"
    return presenters.shaped(LoginOut, session)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the session (the token stops working at once)",
)
def logout(request: Request, uow: UowDep, now: NowDep, token: TokenDep) -> Response:
    if token:
        auth.logout(uow, token, now, client_address(request))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut, summary="Who the token belongs to, and their scope")
def me(actor: ActorDep) -> MeOut:
    return MeOut(
        username=actor.username,
        role=actor.role,
        org_unit_id=actor.org_unit_id,
        scope_path=actor.scope,
    )


@router.post(
    "/unlock",
    response_model=UnlockOut,
    summary="Lift a username's back-off locks from every address (administrators; audited)",
)
def unlock(
    body: UnlockIn, request: Request, uow: UowDep, actor: ActorDep, now: NowDep
) -> UnlockOut:
    check_permission("staff.manage", actor.role)
    cleared = auth.unlock(uow, body.username, now, actor.username, client_address(request))
    return UnlockOut(username=body.username, cleared=cleared)
