"""Sending ports (端口) and point-to-point numbers: what a number is, which network it is on,
and which registered port a reported sender belongs to (DOMAIN.md §7).

Service ports start with 106 and a network prefix: 10657 China Mobile, 10655 China Unicom,
10659 China Telecom, 1069 all three networks; an enterprise's port may carry extension
digits (a department, a campaign), so ``1065755512340001`` is sent through the registered
``106575551234``. A report is attributed to its exact number if registered, else to the
longest registered prefix (``attribute``). Point-to-point senders are mobile numbers
(operator by number segment) or fixed lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

SERVICE_PORT: Final = "service_port"
POINT_TO_POINT: Final = "point_to_point"
KINDS: Final[dict[str, tuple[str, str]]] = {
    SERVICE_PORT: ("106 端口", "106 service port"),
    POINT_TO_POINT: ("点对点号码", "Point-to-point number"),
}
OPERATORS: Final[dict[str, tuple[str, str]]] = {
    "cmcc": ("中国移动", "China Mobile"),
    "cucc": ("中国联通", "China Unicom"),
    "ctcc": ("中国电信", "China Telecom"),
    "cbn": ("中国广电", "China Broadnet"),
    "all": ("三网通用", "All three networks"),
    "fixed": ("固定电话", "Fixed line"),
}
PORT_PREFIXES: Final[dict[str, str]] = {
    "10657": "cmcc",
    "10655": "cucc",
    "10659": "ctcc",
    "1069": "all",
}
"""Network prefix → operator; the longest matching prefix decides."""
OWNER_KINDS: Final[dict[str, tuple[str, str]]] = {
    "enterprise": ("集团客户", "Enterprise customer"),
    "sp": ("服务提供商（SP）", "Service provider (SP)"),
}
MESSAGE_KINDS: Final[dict[str, tuple[str, str]]] = {
    "notification": ("通知类", "Notifications"),
    "verification": ("验证码", "Verification codes"),
    "marketing": ("营销类", "Marketing"),
    "service": ("业务办理", "Service messages"),
}
STATUSES: Final[dict[str, tuple[str, str]]] = {
    "active": ("正常", "Active"),
    "warned": ("已警告", "Warned"),
    "throttled": ("已限速", "Throttled"),
    "suspended": ("已暂停", "Suspended"),
    "closed": ("已关停", "Closed"),
}
PORT_MIN_DIGITS: Final = 8
"""A network prefix and at least three digits of the enterprise's own number."""
PORT_MAX_DIGITS: Final = 21
MIN_ATTRIBUTION_PREFIX: Final = 5

_MOBILE_SEGMENTS: Final[dict[str, tuple[str, ...]]] = {
    "cmcc": (
        "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158",
        "159", "172", "178", "182", "183", "184", "187", "188", "195", "197", "198",
    ),
    "cucc": (
        "130", "131", "132", "145", "155", "156", "166", "167", "171", "175", "176", "185",
        "186", "196",
    ),
    "ctcc": (
        "133", "149", "153", "173", "177", "180", "181", "189", "190", "191", "193", "199",
    ),
    "cbn": ("192",),
}  # fmt: skip
_OPERATOR_OF_SEGMENT: Final = {s: op for op, segs in _MOBILE_SEGMENTS.items() for s in segs}
_SEPARATORS: Final = re.compile(r"[\s\-()（）]+")


@dataclass(frozen=True, slots=True)
class PortNumber:
    number: str
    """Digits only, country code removed."""
    kind: str
    operator: str


class PortNumberError(ValueError):
    """A number that is neither a 106 port nor a point-to-point number, in words."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def words(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.zh


def normalise_number(raw: str) -> str:
    """Digits only: full-width folded, separators dropped, +86 / 0086 removed from a mobile."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "").strip())
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and text[2] == "1":
        text = text[2:]
    return text


def operator_of_port(number: str) -> str | None:
    """The network a 106 port is on (longest prefix), None if no known prefix."""
    for prefix in sorted(PORT_PREFIXES, key=len, reverse=True):
        if number.startswith(prefix):
            return PORT_PREFIXES[prefix]
    return None


def parse_number(raw: str) -> PortNumber:
    """A registrable or reportable sender, or ``PortNumberError`` saying why not."""
    number = normalise_number(raw)
    if not number:
        raise PortNumberError("号码为空", "the number is empty")
    if not number.isdigit():
        raise PortNumberError(
            f"号码「{raw}」含有数字以外的字符",
            f"the number '{raw}' has characters other than digits",
        )
    if number.startswith("106"):
        operator = operator_of_port(number)
        if operator is None:
            raise PortNumberError(
                f"端口「{number}」不以 10657、10655、10659 或 1069 开头",
                f"port '{number}' does not start with 10657, 10655, 10659 or 1069",
            )
        if not PORT_MIN_DIGITS <= len(number) <= PORT_MAX_DIGITS:
            raise PortNumberError(
                f"端口「{number}」应为 {PORT_MIN_DIGITS}–{PORT_MAX_DIGITS} 位数字",
                f"port '{number}' must have {PORT_MIN_DIGITS}–{PORT_MAX_DIGITS} digits",
            )
        return PortNumber(number, SERVICE_PORT, operator)
    if len(number) == 11 and number.startswith("1"):
        operator = _OPERATOR_OF_SEGMENT.get(number[:3])
        if operator is None:
            raise PortNumberError(
                f"手机号「{number}」的号段 {number[:3]} 不存在",
                f"mobile '{number}': segment {number[:3]} does not exist",
            )
        return PortNumber(number, POINT_TO_POINT, operator)
    if number.startswith("0") and 10 <= len(number) <= 12:
        return PortNumber(number, POINT_TO_POINT, "fixed")
    raise PortNumberError(
        f"「{number}」既不是 106 端口，也不是手机号或带区号的固定电话",
        f"'{number}' is neither a 106 port nor a mobile or a fixed line with its area code",
    )


def attribution_prefixes(number: str) -> list[str]:
    """The registered numbers a sender may belong to, longest first: itself, and for a 106
    port every shorter prefix down to the network prefix and two digits more."""
    if not number.startswith("106"):
        return [number]
    shortest = max(MIN_ATTRIBUTION_PREFIX + 2, PORT_MIN_DIGITS)
    return [number[:n] for n in range(len(number), shortest - 1, -1)]


def attribute(number: str, registered: Iterable[str]) -> str | None:
    """The registered port a reported sender is attributed to: the exact number, else the
    longest registered prefix (the port's extension digits); None if none is registered."""
    known = set(registered)
    for candidate in attribution_prefixes(number):
        if candidate in known:
            return candidate
    return None


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    zh, en = table.get(code, (code, code))
    return en if lang.startswith("en") else zh
