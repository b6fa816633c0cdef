"""The caller's language for an HTTP answer: Chinese unless the caller prefers English."""

from __future__ import annotations

from starlette.requests import HTTPConnection


def accept_language(request: HTTPConnection) -> str:
    """zh unless the caller prefers English: the users work in Chinese first.

    The first tag of ours in the header decides (q-values are not weighed: a client that
    lists English first wants English, whatever it writes after it).
    """
    header = request.headers.get("accept-language", "").lower()
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh"
    return "zh"
