"""Which of CareLoop's two languages to speak: Chinese first, English when asked for.

One rule for every channel: the API's problem details, the web pages (a `?lang=` or the
switch's cookie, else the browser's Accept-Language) and the CLI (CARELOOP_LANG).
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
    """The language an Accept-Language header prefers among zh and en (RFC 9110 §12.5.4).

    The highest q-value wins; between equal ones the first listed; q=0 refuses a language.
    Tags that are neither (fr, *) are passed over; none of ours: zh.
    """
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        tag = tag.lower()
        if tag.startswith("en"):
            language: Language = "en"
        elif tag.startswith("zh"):
            language = "zh"
        else:
            continue
        quality = _quality(params)
        if quality <= 0:
            continue
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, language)
    return best[2] if best else DEFAULT


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
