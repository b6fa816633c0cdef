"""Post-service surveys (满意度自动调查, DOMAIN.md §6): templates, answers, and the throttle.

After a satisfied callback closes a complaint, the customer may get a short survey by SMS
with a one-time link. A quality department wants three things of it: the customer hears
from us at most once in N days, never at night, and never again once they said stop; the
questions are the same for everyone who got the same template version (so scores compare);
and the answer counts, once, for the unit and the agent that handled the complaint.

Everything here is pure: the caller passes ``now`` and the quiet-hours window (any object
with ``next_allowed(now, channel)``, such as ``notify.quiet_hours.QuietHours``), so tests move
time instead of sleeping.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, Literal, Protocol
from zoneinfo import ZoneInfo

from careloop.domain.errors import DomainError

BUSINESS_ZONE: Final = ZoneInfo("Asia/Shanghai")

# ---------------------------------------------------------------------------------------------
# Errors: their own words, Chinese first
# ---------------------------------------------------------------------------------------------

_SURVEY_MESSAGES: Final[dict[str, tuple[int, str, str]]] = {
    "survey_link_unknown": (
        404,
        "该调查链接无效，请核对短信中的链接",
        "This survey link is not valid; check the link in the text message",
    ),
    "survey_link_expired": (
        410,
        "该调查已过期（有效期至 {until}），感谢您的关注",
        "This survey has expired (it was open until {until}); thank you all the same",
    ),
    "survey_answer_invalid": (
        422,
        "「{question_zh}」{reason_zh}",
        "'{question_en}' {reason_en}",
    ),
    "survey_template_invalid": (
        422,
        "调查模板无效：{reason_zh}",
        "The survey template is not valid: {reason_en}",
    ),
    "survey_rule_invalid": (
        422,
        "发送规则无效：{reason_zh}",
        "The sending rule is not valid: {reason_en}",
    ),
}


class SurveyError(DomainError):
    """A survey rule was broken: answered like every ``DomainError`` (problem+json, banner,
    one CLI line), with its wording kept here beside the rule."""

    @property
    def status(self) -> int:
        return _SURVEY_MESSAGES[self.code][0]

    def message(self, lang: str = "zh") -> str:
        _, zh, en = _SURVEY_MESSAGES[self.code]
        template = en if lang.startswith("en") else zh
        try:
            return template.format(**self.params)
        except KeyError:
            return template


def _invalid(kind: str, zh: str, en: str) -> SurveyError:
    return SurveyError(f"survey_{kind}_invalid", reason_zh=zh, reason_en=en)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------

QuestionKind = Literal["score10", "score5", "yes_no", "choice", "text"]
QUESTION_KINDS: Final[tuple[str, ...]] = ("score10", "score5", "yes_no", "choice", "text")
SCALE_TOP: Final[dict[str, int]] = {"score10": 10, "score5": 5}
SATISFIED_FROM: Final[dict[str, int]] = {"score10": 8, "score5": 4}
"""Default lowest score counted as satisfied: 8 of 10 (the top three, as CSI studies read
a 1–10 item) and 4 of 5 (满意 and 很满意)."""
TEXT_LIMIT: Final = 500
DEFAULT_PURPOSE: Final = "complaint_closed"


@dataclass(frozen=True)
class Choice:
    key: str
    text_zh: str
    text_en: str
    satisfied: bool = False


@dataclass(frozen=True)
class Question:
    key: str
    kind: QuestionKind
    text_zh: str
    text_en: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    satisfied_from: int | None = None
    """For score questions: the lowest score that counts as satisfied (default by scale)."""

    def text(self, lang: str) -> str:
        return self.text_en if lang.startswith("en") else self.text_zh

    def answer_text(self, value: Any, lang: str) -> str:
        """An answer as people read it (是/否, 8 分（满分 10）, the choice's wording), the same
        on the complaint page, the results drill-down and the exports."""
        en = lang.startswith("en")
        if self.kind == "yes_no":
            return ("Yes" if value else "No") if en else ("是" if value else "否")
        if self.top is not None:
            return f"{value} / {self.top}" if en else f"{value} 分（满分 {self.top}）"
        if self.kind == "choice":
            for c in self.choices:
                if c.key == value:
                    return c.text_en if en else c.text_zh
        return str(value)

    @property
    def top(self) -> int | None:
        return SCALE_TOP.get(self.kind)

    @property
    def is_scored(self) -> bool:
        """A question whose answers have a mean (scores; yes counts 1, no 0)."""
        return self.kind in ("score10", "score5", "yes_no")


@dataclass(frozen=True)
class Template:
    """One version of the questions for one purpose. A sent survey keeps the version it was
    sent with, so editing a template never changes what an earlier customer answered."""

    purpose: str
    version: int
    name_zh: str
    name_en: str
    questions: tuple[Question, ...]
    overall: str
    """The key of the question that says whether the customer is satisfied (the indicator's)."""

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "overall": self.overall,
            "questions": [
                {
                    "key": q.key,
                    "kind": q.kind,
                    "text_zh": q.text_zh,
                    "text_en": q.text_en,
                    "required": q.required,
                    "choices": [
                        {
                            "key": c.key,
                            "text_zh": c.text_zh,
                            "text_en": c.text_en,
                            "satisfied": c.satisfied,
                        }
                        for c in q.choices
                    ],
                    "satisfied_from": q.satisfied_from,
                }
                for q in self.questions
            ],
        }


DEFAULT_TEMPLATE: Final = Template(
    purpose=DEFAULT_PURPOSE,
    version=1,
    name_zh="投诉处理满意度调查",
    name_en="Complaint handling satisfaction survey",
    overall="result",
    questions=(
        Question(
            "result",
            "yes_no",
            "您对本次投诉的处理结果是否满意？",
            "Are you satisfied with how your complaint was resolved?",
        ),
        Question(
            "timeliness",
            "score5",
            "您对处理的及时性如何评价？（1分最差，5分最好）",
            "How would you rate how quickly it was handled? (1 worst, 5 best)",
        ),
        Question(
            "attitude",
            "score10",
            "您对工作人员的服务态度打几分？（1分最差，10分最好）",
            "How would you score our staff's attitude? (1 worst, 10 best)",
        ),
        Question(
            "suggestion",
            "text",
            "您还有什么意见或建议？（选填）",
            "Anything else you would like to tell us? (optional)",
            required=False,
        ),
    ),
)

_KEY: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _text(value: Any, what_zh: str, what_en: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid("template", f"{what_zh}不能为空", f"{what_en} must not be empty")
    if len(value) > limit:
        raise _invalid(
            "template", f"{what_zh}最多 {limit} 字", f"{what_en} is longer than {limit} characters"
        )
    return value.strip()


def parse_template(data: Mapping[str, Any], *, version: int = 1) -> Template:
    """A template from its JSON form (the API's body, a stored row), checked: every question
    worded in both languages, keys unique, one satisfaction question that can say yes or no."""
    if not isinstance(data, Mapping):
        raise _invalid("template", "应为对象", "must be an object")
    purpose = data.get("purpose") or DEFAULT_PURPOSE
    if not isinstance(purpose, str) or not _KEY.fullmatch(purpose):
        raise _invalid(
            "template", "用途代码只能用小写字母、数字和下划线", "purpose must be a lower-case code"
        )
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, Sequence) or isinstance(raw_questions, str | bytes):
        raise _invalid("template", "缺少问题列表", "questions are missing")
    if not 1 <= len(raw_questions) <= 20:
        raise _invalid("template", "问题应为 1 至 20 个", "must have 1 to 20 questions")
    questions = tuple(_parse_question(q, i + 1) for i, q in enumerate(raw_questions))
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise _invalid("template", "问题代码重复", "question keys repeat")
    overall = data.get("overall") or questions[0].key
    if overall not in keys:
        raise _invalid(
            "template", "满意度问题不在问题列表中", "the overall question is not among them"
        )
    head = next(q for q in questions if q.key == overall)
    if head.kind == "text" or (
        head.kind == "choice" and not any(c.satisfied for c in head.choices)
    ):
        raise _invalid(
            "template",
            "满意度问题须为评分、是否或含“满意”选项的选择题",
            "the overall question must be a score, yes/no, or a choice with a satisfied option",
        )
    if not head.required:
        raise _invalid("template", "满意度问题必须必答", "the overall question must be required")
    return Template(
        purpose=purpose,
        version=version,
        name_zh=_text(data.get("name_zh"), "中文名称", "name_zh"),
        name_en=_text(data.get("name_en"), "英文名称", "name_en"),
        questions=questions,
        overall=overall,
    )


def _parse_question(raw: Any, n: int) -> Question:
    if not isinstance(raw, Mapping):
        raise _invalid("template", f"第 {n} 个问题应为对象", f"question {n} must be an object")
    key, kind = raw.get("key"), raw.get("kind")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise _invalid(
            "template", f"第 {n} 个问题的代码只能用小写字母、数字和下划线",
            f"question {n} needs a lower-case key",
        )  # fmt: skip
    if kind not in QUESTION_KINDS:
        raise _invalid(
            "template",
            f"第 {n} 个问题的题型应为 1–10 分、1–5 分、是否、选择或文字",
            f"question {n} kind must be one of {', '.join(QUESTION_KINDS)}",
        )
    choices: tuple[Choice, ...] = ()
    if kind == "choice":
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, Sequence) or not 2 <= len(raw_choices) <= 10:
            raise _invalid(
                "template",
                f"第 {n} 个问题需要 2 至 10 个选项",
                f"question {n} needs 2 to 10 choices",
            )
        choices = tuple(
            Choice(
                _choice_key(c, n),
                _text(c.get("text_zh"), "选项中文", "choice text_zh", 60),
                _text(c.get("text_en"), "选项英文", "choice text_en", 60),
                bool(c.get("satisfied", False)),
            )
            for c in raw_choices
        )
        if len({c.key for c in choices}) != len(choices):
            raise _invalid("template", f"第 {n} 个问题的选项重复", f"question {n} repeats a choice")
    satisfied_from = raw.get("satisfied_from")
    top = SCALE_TOP.get(kind)
    if satisfied_from is not None and (
        top is None or not isinstance(satisfied_from, int) or not 1 <= satisfied_from <= top
    ):
        raise _invalid(
            "template",
            f"第 {n} 个问题的满意分数线应在 1 至 {top or 10} 之间",
            f"question {n} satisfied_from must lie on its scale",
        )
    return Question(
        key,
        kind,
        _text(raw.get("text_zh"), f"第 {n} 个问题的中文", f"question {n} text_zh"),
        _text(raw.get("text_en"), f"第 {n} 个问题的英文", f"question {n} text_en"),
        required=bool(raw.get("required", True)),
        choices=choices,
        satisfied_from=satisfied_from,
    )


def _choice_key(raw: Any, n: int) -> str:
    key = raw.get("key") if isinstance(raw, Mapping) else None
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise _invalid(
            "template", f"第 {n} 个问题的选项代码无效", f"question {n} has a bad choice key"
        )
    return key


# ---------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------

Answer = int | str | bool


def _answer_error(q: Question, zh: str, en: str) -> SurveyError:
    return SurveyError(
        "survey_answer_invalid",
        question_zh=q.text_zh,
        question_en=q.text_en,
        reason_zh=zh,
        reason_en=en,
    )


def parse_answers(template: Template, raw: Mapping[str, Any]) -> dict[str, Answer]:
    """The customer's answers, checked against the template they were sent: scores on their
    scale, yes/no, one of the choices, text within its limit; required ones present."""
    answers: dict[str, Answer] = {}
    for q in template.questions:
        value = raw.get(q.key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if q.required:
                raise _answer_error(q, "请作答", "needs an answer")
            continue
        answers[q.key] = _parse_one(q, value)
    return answers


def _parse_one(q: Question, value: Any) -> Answer:
    if q.kind in SCALE_TOP:
        top = SCALE_TOP[q.kind]
        try:
            score = int(value)
        except (TypeError, ValueError):
            score = 0
        if isinstance(value, bool) or not 1 <= score <= top or str(score) != str(value).strip():
            raise _answer_error(q, f"请选择 1 至 {top} 分", f"needs a score from 1 to {top}")
        return score
    if q.kind == "yes_no":
        if value in (True, "yes", "1", "true"):
            return True
        if value in (False, "no", "0", "false"):
            return False
        raise _answer_error(q, "请选择“是”或“否”", "needs yes or no")
    if q.kind == "choice":
        if value not in {c.key for c in q.choices}:
            raise _answer_error(q, "请选择一个选项", "needs one of its choices")
        return str(value)
    text = str(value)
    if len(text) > TEXT_LIMIT:
        raise _answer_error(
            q, f"最多 {TEXT_LIMIT} 字，收到 {len(text)} 字", f"is at most {TEXT_LIMIT} characters"
        )
    return text


def is_satisfied(template: Template, answers: Mapping[str, Any]) -> bool | None:
    """Whether the customer says they are satisfied, by the template's overall question:
    yes; a score at or above its line; a choice marked satisfied. None without an answer."""
    q = template.question(template.overall)
    value = answers.get(q.key)
    if value is None:
        return None
    if q.kind == "yes_no":
        return bool(value)
    if q.kind in SCALE_TOP:
        return int(value) >= (q.satisfied_from or SATISFIED_FROM[q.kind])
    if q.kind == "choice":
        return any(c.key == value and c.satisfied for c in q.choices)
    return None


def score_of(q: Question, value: Any) -> float | None:
    """The number a question's mean is taken over (yes 1, no 0); None for text and choices."""
    if value is None or not q.is_scored:
        return None
    if q.kind == "yes_no":
        return 1.0 if value else 0.0
    return float(value)


# ---------------------------------------------------------------------------------------------
# Sending rules and the throttle
# ---------------------------------------------------------------------------------------------

CHANNELS: Final = ("sms",)


@dataclass(frozen=True)
class SendingRule:
    """How surveys go out in a region (or everywhere: the global rule). Defaults are the
    quality department's usual ones: half an hour after the close, at most once in 30 days
    per customer, not 21:00–08:00, the link open 7 days."""

    enabled: bool = True
    delay_minutes: int = 30
    quiet_days: int = 30
    """Not twice to one customer within this many days (by the last survey sent)."""
    daily_cap: int | None = None
    """At most this many surveys a (local) day in the rule's region; None: no cap."""
    link_days: int = 7
    channel: str = "sms"
    night_start: time = time(21)
    night_end: time = time(8)
    template_purpose: str = DEFAULT_PURPOSE

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "delay_minutes": self.delay_minutes,
            "quiet_days": self.quiet_days,
            "daily_cap": self.daily_cap,
            "link_days": self.link_days,
            "channel": self.channel,
            "night_start": self.night_start.strftime("%H:%M"),
            "night_end": self.night_end.strftime("%H:%M"),
            "template_purpose": self.template_purpose,
        }


DEFAULT_RULE: Final = SendingRule()


def _int(data: Mapping[str, Any], name: str, low: int, high: int, zh: str) -> int:
    value = data.get(name, getattr(DEFAULT_RULE, name))
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(
            "rule",
            f"{zh}应为 {low} 至 {high} 之间的整数",
            f"{name} must be a whole number {low}–{high}",
        )
    return value


def _clock(data: Mapping[str, Any], name: str, zh: str) -> time:
    value = data.get(name)
    if value is None:
        return getattr(DEFAULT_RULE, name)  # type: ignore[no-any-return]
    if isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return time(int(value[:2]), int(value[3:]))
    raise _invalid("rule", f"{zh}应为 HH:MM，例如 21:00", f"{name} must be HH:MM, e.g. 21:00")


def parse_rule(data: Mapping[str, Any]) -> SendingRule:
    """A sending rule from its JSON form, each field within a range a person would set."""
    if not isinstance(data, Mapping):
        raise _invalid("rule", "应为对象", "must be an object")
    cap = data.get("daily_cap")
    if cap is not None and (
        isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= 1_000_000
    ):
        raise _invalid(
            "rule", "每日上限应为正整数或留空", "daily_cap must be a positive whole number or null"
        )
    channel = data.get("channel", "sms")
    if channel not in CHANNELS:
        raise _invalid("rule", "发送渠道目前只支持短信（sms）", "channel must be sms")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _invalid("rule", "是否启用应为 true 或 false", "enabled must be true or false")
    purpose = data.get("template_purpose", DEFAULT_PURPOSE)
    if not isinstance(purpose, str) or not _KEY.fullmatch(purpose):
        raise _invalid("rule", "模板用途代码无效", "template_purpose must be a lower-case code")
    return SendingRule(
        enabled=enabled,
        delay_minutes=_int(data, "delay_minutes", 0, 7 * 24 * 60, "关闭后延迟分钟数"),
        quiet_days=_int(data, "quiet_days", 0, 365, "同一客户免打扰天数"),
        daily_cap=cap,
        link_days=_int(data, "link_days", 1, 30, "链接有效天数"),
        channel=channel,
        night_start=_clock(data, "night_start", "夜间开始时间"),
        night_end=_clock(data, "night_end", "夜间结束时间"),
        template_purpose=purpose,
    )


def rule_for(
    region_path: str, rules: Mapping[str | None, SendingRule]
) -> tuple[str | None, SendingRule]:
    """The rule that governs a complaint in ``region_path``: the one set on the nearest region
    above it (or on it), else the global one (key None), else the defaults. Returns the
    governing region's path (None: global) with the rule, since the daily cap is counted there."""
    best: str | None = None
    for path in rules:
        if (
            path is not None
            and region_path.startswith(path)
            and (best is None or len(path) > len(best))
        ):
            best = path
    if best is not None:
        return best, rules[best]
    return None, rules.get(None, DEFAULT_RULE)


class QuietWindow(Protocol):
    def next_allowed(self, now: datetime, channel: str) -> datetime:
        """``now`` if a message may go out on ``channel`` now, else the next instant it may."""


Outcome = Literal["send", "schedule", "skip"]


@dataclass(frozen=True)
class Decision:
    """What the sender does with one due survey now, and why, in words for the audit trail."""

    outcome: Outcome
    reason: str
    """sent | night | opted_out | recently_surveyed | daily_cap | disabled"""
    at: datetime
    """When it goes (send: now; schedule: the next allowed time; skip: now)."""
    expires_at: datetime | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def describe(self, lang: str = "zh") -> str:
        return describe(self, lang)


def decide(
    *,
    now: datetime,
    rule: SendingRule,
    opted_out: bool,
    last_sent_at: datetime | None,
    sent_today: int,
    quiet: QuietWindow,
) -> Decision:
    """The throttle (DOMAIN.md §6), in the order a customer would want it applied:

    1. an opted-out number never gets a survey (skip, for good);
    2. not twice within ``quiet_days`` of the last survey sent to the number: exactly
       ``quiet_days`` later is allowed again (skip);
    3. not at night: moved to the morning, not dropped (schedule);
    4. at most ``daily_cap`` a local day in the rule's region, counted when it would go (skip);
    5. else send now, the link open ``link_days``.
    """
    if not rule.enabled:
        return Decision("skip", "disabled", now)
    if opted_out:
        return Decision("skip", "opted_out", now)
    if last_sent_at is not None and now - last_sent_at < timedelta(days=rule.quiet_days):
        days = (now - last_sent_at) // timedelta(days=1)
        return Decision("skip", "recently_surveyed", now, params={"days": days})
    allowed = quiet.next_allowed(now, rule.channel)
    if allowed > now:
        return Decision("schedule", "night", allowed)
    if rule.daily_cap is not None and sent_today >= rule.daily_cap:
        return Decision("skip", "daily_cap", now, params={"cap": rule.daily_cap})
    return Decision("send", "sent", now, expires_at=now + timedelta(days=rule.link_days))


def local_clock(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_ZONE).strftime("%H:%M")


def local_stamp(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_ZONE).strftime("%Y-%m-%d %H:%M")


def describe(decision: Decision, lang: str = "zh") -> str:
    """The decision as the audit trail shows it, e.g. 跳过：12 天前已调查过."""
    en = lang.startswith("en")
    p = decision.params
    match decision.reason:
        case "sent":
            until = local_stamp(decision.expires_at) if decision.expires_at else ""
            return (
                f"Survey sent; the link is open until {until} (Beijing time)"
                if en
                else (f"已发送满意度调查短信，链接有效期至 {until}（北京时间）")
            )
        case "night":
            at = local_clock(decision.at)
            return (
                f"Night-time: scheduled for {at} (Beijing time)"
                if en
                else (f"夜间免打扰，改于 {at}（北京时间）发送")
            )
        case "opted_out":
            return "Skipped: the customer opted out of surveys" if en else "跳过：客户已退订调查"
        case "recently_surveyed":
            days = p.get("days", 0)
            return f"Skipped: surveyed {days} day(s) ago" if en else f"跳过：{days} 天前已调查过"
        case "daily_cap":
            cap = p.get("cap")
            return (
                f"Skipped: daily cap of {cap} reached" if en else f"跳过：今日发送已达上限 {cap} 条"
            )
        case "disabled":
            return (
                "Skipped: surveys are switched off here" if en else "跳过：本地区未启用满意度调查"
            )
    return decision.reason


def local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The business day (Asia/Shanghai) ``now`` falls in, as UTC bounds: the cap's day."""
    local = now.astimezone(BUSINESS_ZONE)
    start = datetime.combine(local.date(), time(0), tzinfo=BUSINESS_ZONE)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# The one-time link and opt-out words
# ---------------------------------------------------------------------------------------------

TOKEN_BYTES: Final = 18
"""144 random bits (24 URL-safe characters): short enough for one SMS, past guessing."""

OPT_OUT_WORDS: Final = frozenset({"退订", "TD", "取消调查", "STOP", "UNSUBSCRIBE"})


def token_hash(token: str) -> str:
    """Only the hash is stored; the link's token exists in the SMS alone."""
    return hashlib.sha256(token.encode()).hexdigest()


def phone_hash(phone: str) -> str:
    """Throttle and opt-out match a number without keeping it in a second table."""
    return hashlib.sha256(f"careloop-survey:{phone}".encode()).hexdigest()


def is_opt_out_reply(text: str) -> bool:
    """An SMS reply that asks to stop (退订, TD, …), however spaced or cased."""
    return re.sub(r"\s+", "", text or "").upper() in OPT_OUT_WORDS


def sms_text(link: str, link_days: int, lang: str = "zh") -> str:
    if lang.startswith("en"):
        return (
            f"Thank you for your patience with your complaint. Please rate how we did: {link} "
            f"(open {link_days} days). Reply TD to stop surveys."
        )
    return (
        f"感谢您对投诉处理的耐心配合，请花1分钟评价本次服务：{link}"
        f"（{link_days}天内有效）。回复TD退订。"
    )
