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
    """The language an Accept-Language header asks for among zh and en (RFC 9110 §12.5.4).

    Each of our languages gets the highest quality of the tags that name it (``en-GB`` names
    en) or, failing those, of ``*``; the better one wins, a tie goes to the one listed first,
    and ``q=0`` means "not this one". A malformed q-value counts as 1 (a browser's typo should
    not cost the user their language). Nothing of ours acceptable, or no header: zh.
    """
    quality: dict[Language, tuple[float, int]] = {}
    wildcard: tuple[float, int] | None = None
    for position, part in enumerate((accept_language or "").lower().split(",")):
        tag, _, params = part.partition(";")
        tag = tag.strip()
        q = _quality(params)
        if tag == "*":
            wildcard = wildcard or (q, position)
            continue
        ours: Language | None = (
            "en" if tag.startswith("en") else ("zh" if tag.startswith("zh") else None)
        )
        if ours is not None and (ours not in quality or q > quality[ours][0]):
            quality[ours] = (q, quality.get(ours, (q, position))[1])
    languages: tuple[Language, ...] = ("zh", "en")
    for language in languages:
        if language not in quality and wildcard is not None:
            quality[language] = wildcard
    acceptable = [(q, -at, language) for language, (q, at) in quality.items() if q > 0]
    return max(acceptable)[2] if acceptable else DEFAULT


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                return min(1.0, max(0.0, float(value.strip())))
            except ValueError:
                return 1.0
    return 1.0
