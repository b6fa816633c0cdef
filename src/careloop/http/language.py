"""The caller's language for an HTTP answer, by the one rule of domain/language."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from careloop.domain.language import negotiate


def accept_language(request: HTTPConnection) -> str:
    """zh unless the caller's Accept-Language names English first."""
    return negotiate(request.headers.get("accept-language"))
