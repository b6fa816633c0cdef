"""Domain errors: a stable machine code, an HTTP-like kind and a message in zh-CN and en.

The API maps these to RFC 9457 problem+json, the web to a banner and the CLI to one line,
so the wording lives here once, in both of the users' languages.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from careloop.domain.error_words import in_words, one_language
from careloop.domain.field_labels import field_label, subject_label

# code -> (status, zh template, en template)
_MESSAGES: Final[dict[str, tuple[int, str, str]]] = {
    "not_found": (404, "{what}不存在：{ident}", "{what} not found: {ident}"),
    "illegal_transition": (
        409,
        "投诉当前状态为「{status}」，不能执行「{action}」",
        "Cannot {action}: the complaint is '{status}'",
    ),
    "role_not_allowed": (
        403,
        "角色「{role}」无权执行「{action}」",
        "Role '{role}' may not {action}",
    ),
    "version_conflict": (
        409,
        "数据已被他人修改（您读取的版本 {expected}，当前版本 {actual}），请刷新后重试",
        "The record was changed by someone else (you read version {expected}, "
        "it is now {actual}); reload and try again",
    ),
    "idempotency_mismatch": (
        409,
        "幂等键 {key} 已用于另一份不同内容的投诉",
        "Idempotency key {key} was already used for a different complaint",
    ),
    "work_orders_open": (
        409,
        "还有 {count} 个工单未完成，不能答复",
        "{count} work order(s) are still open; complete them before replying",
    ),
    "illegal_work_order_transition": (
        409,
        "工单当前状态为「{status}」，不能执行「{action}」",
        "Cannot {action}: the work order is '{status}'",
    ),
    "unknown_actor": (
        401,
        "未识别的用户 {username}",
        "Unknown or inactive user {username}",
    ),
    "login_failed": (
        401,
        "用户名或密码错误",
        "Wrong username or password",
    ),
    "account_locked": (
        423,
        "账号因多次密码错误已锁定，请于 {until} 后再试或联系管理员",
        "The account is locked after repeated wrong passwords; try again after {until} "
        "or ask an administrator",
    ),
    "rate_limited": (
        429,
        "请求过于频繁，请 {retry_after} 秒后再试",
        "Too many requests; try again in {retry_after} s",
    ),
    "export_too_large": (
        422,
        "导出 {count} 条超过上限 {limit} 条，请缩小筛选范围",
        "{count} rows exceed the export limit of {limit}; narrow the filters",
    ),
    "invalid_input": (422, "{label}无效：{reason}", "Field {label} is invalid: {reason}"),
    "personal_data_search": (
        403,
        "您的角色只能查看脱敏的个人信息，不能按客户号码查询",
        "Your role sees personal data masked and cannot search by a customer's phone number",
    ),
    "merge_into_self": (409, "投诉不能合并到自身", "A complaint cannot be merged into itself"),
    "merge_target_closed": (
        409,
        "目标投诉 {ident} 已结束，不能合并",
        "Target complaint {ident} is finished and cannot take a merge",
    ),
    "not_a_department": (
        422,
        "{ident} 不是可派单的责任单位",
        "{ident} is not a unit that can take work orders",
    ),
    "same_unit_transfer": (
        409,
        "工单已在单位 {ident}，不能转派给自己",
        "The work order is already with unit {ident}",
    ),
    "no_open_step": (
        409,
        "该工单没有待完成的“{step_zh}”环节（服务承诺未设此环节，或已记录）",
        "This work order has no open step '{step_en}' (its commitment sets none, or it is "
        "recorded already)",
    ),
    "not_assignee": (
        403,
        "只有接单的装维人员本人可以记录上门到场",
        "Only the technician who accepted the work order may record arriving on site",
    ),
    "otp_wrong": (
        422,
        "验证码不正确，还可再试 {left} 次",
        "That code is not right; {left} more tries",
    ),
    "otp_invalid": (
        422,
        "验证码已失效（已过期、已使用或错误次数过多），请重新获取",
        "This code is no longer valid (expired, used, or too many wrong tries); ask for a new one",
    ),
    "cross_site_request": (
        403,
        "请求已拒绝：它来自其他网站，或页面已过期。请返回并刷新页面后重试",
        "Request refused: it came from another site, or the page has expired. "
        "Go back, reload the page and try again",
    ),
    "text_too_long": (
        422,
        "{label_zh}过长：最多 {limit} 字，收到 {length} 字",
        "{label_en} is too long: at most {limit} characters, got {length}",
    ),
    "text_required": (422, "{label_zh}不能为空", "{label_en} must not be empty"),
    "saved_views_full": (
        409,
        "常用筛选已满（最多 {limit} 个），请先删除不用的",
        "You have {limit} saved views, the most allowed: delete one you no longer use",
    ),
    "text_invalid": (
        422,
        "{label_zh}含有无法识别的字符，请重新输入",
        "{label_en} contains characters that are not valid text; please type it again",
    ),
    "time_needs_zone": (
        422,
        "{label_zh}需要带时区，例如 2026-09-28T10:00+08:00",
        "{label_en} needs a time-zone offset, e.g. 2026-09-28T10:00+08:00",
    ),
    "time_out_of_range": (
        422,
        "{label_zh}超出允许范围（{earliest} 至 {latest}）",
        "{label_en} is outside the accepted range ({earliest} to {latest})",
    ),
    "due_out_of_range": (
        422,
        "{label_zh}必须晚于现在，且不超过 {days} 天之后",
        "{label_en} must lie after now and at most {days} days ahead",
    ),
    "time_unreadable": (
        422,
        "{label_zh}格式无法识别，例如 {example}",
        "{label_en} is not a readable time, e.g. {example}",
    ),
    "code_invalid": (
        422,
        "{label_zh}含有控制字符或不可见字符，不是有效的编码",
        "{label_en} contains control or invisible characters and names nothing",
    ),
    "day_unreadable": (
        422,
        "{label_zh}应为 YYYY-MM-DD 格式，收到「{text}」",
        "{label_en} must be YYYY-MM-DD, got '{text}'",
    ),
    "merge_target_merged": (
        409,
        "目标投诉 {ident} 已合并到其他投诉，不能再合并进来",
        "Target complaint {ident} was itself merged into another and cannot take a merge",
    ),
    "callback_not_due": (
        409,
        "下次回访时间未到：请于 {at}（北京时间）后再拨打客户电话",
        "The next callback attempt is not due yet: call the customer again after {at} "
        "(Beijing time)",
    ),
    "not_regulator_transfer": (
        409,
        "只有管局转办的申诉才记录申诉处理结果",
        "Only complaints transferred by the regulator take an appeal outcome",
    ),
    "import_file_rejected": (
        422,
        "文件无法导入：{reason_zh}",
        "The file cannot be imported: {reason_en}",
    ),
}


class DomainError(Exception):
    """A rule was broken; `code` is stable for machines, `message(lang)` is for people."""

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        self.words: dict[str, tuple[str, str]] = {}
        super().__init__(self.message("en"))

    def said_as(self, **words: tuple[str, str]) -> DomainError:
        """The (zh, en) names people read for coded params (``status="replied"`` →
        已答复); the params keep the codes, for machines and tests."""
        self.words.update(words)
        self.args = (self.message("en"),)
        return self

    @property
    def status(self) -> int:
        return _MESSAGES.get(self.code, (400, "", ""))[0]

    def message(self, lang: str = "zh") -> str:
        _, zh, en = _MESSAGES.get(self.code, (400, self.code, self.code))
        template = en if lang.startswith("en") else zh
        label = field_label(self.field, lang) if self.field else ""
        try:
            return template.format(
                field=self.field, label=label, **in_words(self.params, lang, self.words)
            )
        except KeyError:
            return template


class WordedError(DomainError):
    """A refusal of one context whose words live beside its rules, in the subclass's
    ``_TEXTS``: key → (machine code, HTTP status, zh, en). ``key`` picks the wording; the
    code stays stable for clients. A bilingual text parameter ("中文 / English") is shown in
    the reader's language only."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {}

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        super().__init__(self._TEXTS[key][0], **params)

    @property
    def status(self) -> int:
        return self._TEXTS[self.key][1]

    def message(self, lang: str = "zh") -> str:
        _, _, zh, en = self._TEXTS[self.key]
        template = en if lang.startswith("en") else zh
        params = {
            k: one_language(v, lang) if isinstance(v, str) else v for k, v in self.params.items()
        }
        try:
            return template.format(**params)
        except KeyError:
            return template


class NotSignedIn(WordedError):
    """A request without credentials: the same ``unknown_actor`` code clients branch on,
    worded for what happened (no token at all) rather than naming a user who is not there."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "no_credentials": (
            "unknown_actor",
            401,
            "请先登录：请求未带登录凭据",
            "Sign in first: the request carries no credentials",
        ),
    }

    def __init__(self) -> None:
        super().__init__("no_credentials")


class NotFound(DomainError):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__("not_found", what=what, ident=ident)


class InvalidInput(DomainError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__("invalid_input", field=field, reason=reason)


class InvalidValue(DomainError):
    """A field refused by a specific rule (`rule`: its key among the messages above, e.g.
    text_too_long), answered as `invalid_input` like every other field error, so clients
    branch on one code while people read exactly what is wrong, the field named in their
    words."""

    def __init__(self, rule: str, field: str, **params: Any) -> None:
        self.rule = rule
        params.setdefault("label_zh", field_label(field, "zh"))
        params.setdefault("label_en", subject_label(field))
        super().__init__("invalid_input", field=field, **params)

    def message(self, lang: str = "zh") -> str:
        _, zh, en = _MESSAGES[self.rule]
        template = en if lang.startswith("en") else zh
        try:
            return template.format(field=self.field, **self.params)
        except KeyError:
            return template
