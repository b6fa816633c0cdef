"""Spam reports (垃圾短信举报) as the rest of the system sees them.

A report is one person's (or one interception system's) statement that a message was spam.
Enforcement does not look at single reports: it looks at a port's day (reports, distinct
reporters, the classifier's share of spam, serious violations), which is ``PortDayCounts``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Final

from careloop.domain.errors import WordedError


@dataclass(frozen=True, slots=True)
class PortDayCounts:
    """What the reports of one business day (Asia/Shanghai) say about one port.

    ``spam_share`` is None when none of the day's reports was classified; ``serious`` counts
    reports of messages sent after an unsubscribe (``0000``) or without consent.
    """

    port_number: str
    day: date
    reports: int
    distinct_reporters: int
    spam_share: float | None
    serious: int


SOURCES: Final[dict[str, tuple[str, str]]] = {
    "complaint": ("客户投诉", "Customer complaint"),
    "forwarded": ("短信转发举报", "SMS forwarded to the reporting number"),
    "transfer_12321": ("12321 转办", "12321 transfer"),
    "interception": ("短信中心拦截", "SMS-centre interception"),
}
"""Where a report came from."""
SERIOUS_REASONS: Final[dict[str, tuple[str, str]]] = {
    "after_unsubscribe": ("退订后仍发送", "Sent after an unsubscribe"),
    "no_consent": ("未经同意发送", "Sent without consent"),
}
"""Commercial SMS needs the recipient's consent, and an unsubscribe (0000, TD) must stop
it (DOMAIN.md §7): a report of either is a serious violation of the sender."""
TEXT_MAX_CHARS: Final = 2000

_SENDER_IN_TEXT: Final = re.compile(r"(?<!\d)(106\d{5,18}|1[3-9]\d{9})(?!\d)")
_QUOTED: Final = re.compile(r"[“\"「](.{6,}?)[”\"」]")
_AFTER_UNSUBSCRIBE: Final = re.compile(
    r"(退订|回复\s*(?:TD|T|0000)|0000).{0,12}(无效|仍|还|继续|依然)"
)
_NO_CONSENT: Final = re.compile(r"(从未|没有|未曾|未)\s*(同意|订阅|授权|定制|订制)")


def reporter_hash(phone: str) -> str:
    """Who reported, without the number: a campaign counts distinct reporters by this."""
    digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
    return hashlib.sha256(f"careloop-spam-reporter:{digits}".encode()).hexdigest()


def row_key(source: str, key: str) -> str:
    """A report's identity within its source (a 12321 row, a complaint, a batch item),
    hashed to a fixed width: receiving it twice stores it once."""
    return hashlib.sha256(f"{source}\x1f{key}".encode()).hexdigest()


def sender_in_text(text: str) -> str | None:
    """The sender a customer names in a complaint (a 106 port or a mobile number)."""
    found = _SENDER_IN_TEXT.search(unicodedata.normalize("NFKC", text))
    return found.group(1) if found else None


def message_in_text(text: str) -> str:
    """The spam message a complaint quotes (“…”), else the complaint's whole text."""
    found = _QUOTED.search(text)
    return found.group(1) if found else text


def serious_reason(text: str, stated: str | None = None) -> str | None:
    """``after_unsubscribe`` or ``no_consent`` when the reporter says so (a column of a
    transfer file, or the complaint's words), else None."""
    if stated in SERIOUS_REASONS:
        return stated
    folded = unicodedata.normalize("NFKC", text)
    if _AFTER_UNSUBSCRIBE.search(folded):
        return "after_unsubscribe"
    if _NO_CONSENT.search(folded):
        return "no_consent"
    return None


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    zh, en = table.get(code, (code, code))
    return en if lang.startswith("en") else zh


class SpamError(WordedError):
    """A refusal of the spam context, in words (zh first, en); ``key`` picks the wording."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "report_missing": (
            "not_found",
            404,
            "垃圾短信举报不存在：{ident}",
            "Spam report not found: {ident}",
        ),
        "campaign_missing": (
            "not_found",
            404,
            "垃圾短信案例不存在：{ident}",
            "Spam campaign not found: {ident}",
        ),
        "port_missing": ("not_found", 404, "端口不存在：{ident}", "Port not found: {ident}"),
        "port_exists": (
            "port_exists",
            409,
            "端口 {number} 已登记，请修改原记录",
            "Port {number} is registered already; edit that record",
        ),
        "number": (
            "invalid_input",
            422,
            "{label_zh}无效：{reason_zh}",
            "{label_en} is invalid: {reason_en}",
        ),
        "choice": (
            "invalid_input",
            422,
            "{label_zh}无效：「{value}」，可选：{allowed_zh}",
            "{label_en} is invalid: '{value}' (allowed: {allowed_en})",
        ),
        "region": (
            "invalid_input",
            422,
            "地区无效：没有编码为「{ident}」的单位，或不在您的管辖范围内",
            "The region is invalid: no unit '{ident}' within your scope",
        ),
        "batch_empty": (
            "invalid_input",
            422,
            "批次中没有消息",
            "The batch holds no messages",
        ),
        "closed_port": (
            "port_closed",
            409,
            "端口 {number} 已关停，不能恢复为「{status_zh}」",
            "Port {number} is closed and cannot become '{status_en}' again",
        ),
    }


def choose(table: dict[str, tuple[str, str]], value: str, labels: tuple[str, str]) -> str:
    """``value`` if it is one of ``table``'s codes; a 422 naming the choices otherwise."""
    if value not in table:
        raise SpamError(
            "choice",
            value=value,
            label_zh=labels[0],
            label_en=labels[1],
            allowed_zh="、".join(f"{c}（{zh}）" for c, (zh, _) in table.items()),
            allowed_en=", ".join(f"{c} ({en})" for c, (_, en) in table.items()),
        )
    return value
