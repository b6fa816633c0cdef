"""Social supervisors (社会监督员): members of the public the operator appoints for a term
to observe its stores, hotline and units and to say what they found.

What they report is a submission: a scored service observation (服务体验打分, 0–100) or
feedback (意见建议) about a store, the hotline or a unit, with evidence where they have it.
Each submission is handed to the unit concerned, which answers by a deadline counted on the
business calendar like every other limit (``domain.sla.clocks``); the supervisor is told
the answer. A failed observation can open a rectification task (FindingRef kind
``social_supervision``). A supervisor's phone number is personal data, masked like a
customer's. Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Final

from careloop.domain.errors import WordedError
from careloop.domain.sla.clocks import SlaLimit

SUBMISSION_KINDS: Final[dict[str, tuple[str, str]]] = {
    "observation": ("服务体验打分", "Scored service observation"),
    "feedback": ("意见建议", "Feedback"),
}
TARGET_KINDS: Final[dict[str, tuple[str, str]]] = {
    "store": ("营业厅", "Store"),
    "hotline": ("客服热线", "Hotline"),
    "unit": ("其他单位", "Other unit"),
}
FINDINGS: Final[dict[str, tuple[str, str]]] = {
    "pass": ("合格", "Passed"),
    "fail": ("不合格", "Failed"),
    "none": ("未评定", "No verdict"),
}
STATUSES: Final[dict[str, tuple[str, str]]] = {
    "awaiting_reply": ("待答复", "Awaiting the answer"),
    "answered": ("已答复", "Answered"),
}

PASS_SCORE: Final = 80.0
"""A scored observation below this fails unless the recorder says otherwise (the operator's
mystery-shopper pass mark, 达标线)."""

REPLY_LIMIT: Final = SlaLimit.in_days(5, "working")
"""A unit answers a social supervisor within 5 working days (the operator's commitment)."""

NAME_MAX_CHARS: Final = 50
TEXT_MAX_CHARS: Final = 2000
REPLY_MAX_CHARS: Final = 2000
EVIDENCE_REF_MAX_CHARS: Final = 500

REGISTRY_ROLES: Final[frozenset[str]] = frozenset({"supervisor", "admin", "unit_lead"})
"""The quality centre keeps the registry; a unit lead appoints supervisors for their own
region (the area must lie in their scope)."""
RECORD_ROLES: Final[frozenset[str]] = frozenset({"supervisor", "admin", "unit_lead"})
"""Who records what a supervisor reported (by phone, WeChat, a form): the quality centre,
and a unit lead for their region."""
REPLY_ROLES: Final[frozenset[str]] = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin"}
)
"""The unit concerned answers (its own staff, or those above it; the quality centre too)."""
READER_ROLES: Final[frozenset[str]] = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin", "inspector"}
)


class SupervisionError(WordedError):
    """A refusal of this context, in words (zh first, en); ``key`` picks the wording."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "supervisor_missing": (
            "not_found",
            404,
            "社会监督员不存在：{ident}",
            "Social supervisor not found: {ident}",
        ),
        "submission_missing": (
            "not_found",
            404,
            "监督反映不存在：{ident}",
            "Submission not found: {ident}",
        ),
        "choice": (
            "invalid_input",
            422,
            "{label_zh}无效：「{value}」，可选：{allowed_zh}",
            "{label_en} is invalid: '{value}' (allowed: {allowed_en})",
        ),
        "score": (
            "invalid_input",
            422,
            "评分应在 0 到 100 之间，收到 {value}",
            "The score must lie between 0 and 100, got {value}",
        ),
        "score_missing": (
            "invalid_input",
            422,
            "服务体验打分需要填写评分（0–100）",
            "A scored observation needs a score (0–100)",
        ),
        "term": (
            "invalid_input",
            422,
            "聘期结束日期不能早于开始日期",
            "The end of the term must not be before its start",
        ),
        "phone": (
            "invalid_input",
            422,
            "联系电话无效：应为手机号或带区号的固定电话",
            "The contact phone is invalid: a mobile or a fixed line with its area code",
        ),
        "inactive": (
            "supervisor_inactive",
            409,
            "社会监督员「{name}」不在聘期内或已停用，不能登记新的反映",
            "Social supervisor '{name}' is out of term or inactive: no new submissions",
        ),
        "answered": (
            "already_answered",
            409,
            "该反映已于 {at}（北京时间）答复，不能重复答复",
            "This submission was answered at {at} (Beijing time)",
        ),
        "not_failed": (
            "not_a_failed_finding",
            409,
            "只有结论为「不合格」的反映才能立项整改",
            "Only a failed finding opens a rectification task",
        ),
        "unit": (
            "invalid_input",
            422,
            "{label_zh}无效：没有编码为「{ident}」的单位，或不在您的管辖范围内",
            "{label_en} is invalid: no unit '{ident}' within your scope",
        ),
        "owner": (
            "not_owner_unit",
            403,
            "只有被反映单位「{unit_zh}」及其上级单位的人员可以答复",
            "Only staff of '{unit_en}' or the units above it may answer",
        ),
    }


def label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    zh, en = table.get(code, (code, code))
    return en if lang.startswith("en") else zh


def choose(table: dict[str, tuple[str, str]], value: str, labels: tuple[str, str]) -> str:
    """``value`` if it is one of ``table``'s codes; a 422 naming the choices otherwise."""
    if value not in table:
        raise SupervisionError(
            "choice",
            value=value,
            label_zh=labels[0],
            label_en=labels[1],
            allowed_zh="、".join(f"{zh}（{code}）" for code, (zh, _) in table.items()),
            allowed_en=", ".join(table),
        )
    return value


def check_term(start: date, end: date) -> None:
    if end < start:
        raise SupervisionError("term")


def in_term(start: date, end: date, active: bool, today: date) -> bool:
    """A supervisor reports while appointed: active and within the term."""
    return active and start <= today <= end


def finding_of(kind: str, score: float | None, finding: str | None) -> str:
    """The verdict: what the recorder said, else, for a scored observation, the score
    against the pass mark; feedback without a verdict is ``none``."""
    if score is not None and not 0 <= score <= 100:
        raise SupervisionError("score", value=score)
    if kind == "observation" and score is None:
        raise SupervisionError("score_missing")
    if finding:
        return choose(FINDINGS, finding, ("检查结论", "Finding"))
    if score is None:
        return "none"
    return "pass" if score >= PASS_SCORE else "fail"


def clean_phone(phone: str) -> str:
    """Digits as dialled: a mobile (11 digits, 1[3-9]…) or a fixed line with its area code;
    +86, spaces and dashes are dropped."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    mobile = len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    fixed = digits.startswith("0") and 10 <= len(digits) <= 12
    if not (mobile or fixed):
        raise SupervisionError("phone")
    return digits
