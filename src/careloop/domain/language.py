"""Which of CareLoop's two languages to speak: Chinese first, English when asked for.

One rule for every channel: the API's problem details, the web pages (a `?lang=` or the
switch's cookie, else Chinese) and the CLI (CARELOOP_LANG).
"""

from __future__ import annotations

from typing import Final, Literal

Language = Literal["zh", "en"]

DEFAULT: Final[Language] = "zh"
"""The users work in Chinese first: anything not clearly English is Chinese."""


def normalise(code: str | None) -> Language:
    """`en`, `en-US`, `EN_gb` → en; anything else (zh-CN, fr, empty, None) → zh."""
    return "en" if (code or "").strip().lower().startswith("en") else DEFAULT


def from_environment(value: str | None) -> Language:
    """A language setting such as CARELOOP_LANG (`en`, `en_US.UTF-8`, `zh_CN`); unset: zh."""
    return normalise(value)


def negotiate(accept_language: str | None) -> Language:
    """The language an Accept-Language header asks for among zh and en.

    The first tag of ours in the header decides, as the API's problem details have always
    answered: q-values are not weighed (a client that lists English first wants English,
    whatever it writes after it). Tags that are neither (fr, *) are passed over; none: zh.
    """
    for part in (accept_language or "").lower().split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh"
    return DEFAULT
