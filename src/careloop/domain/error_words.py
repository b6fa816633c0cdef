"""The words a domain error's message puts in place of the codes it was raised with.

A rule is broken with codes (``role="agent"``, ``action="personal_data.unmask"``,
``what="work order"``) because machines branch on them; the person reading the message
reads names. Kept apart from ``errors`` so the message table stays a table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from careloop.domain.vocabulary import ROLES

SUBJECTS: Final[dict[str, tuple[str, str]]] = {
    "complaint": ("投诉", "Complaint"),
    "work order": ("工单", "Work order"),
    "work_order": ("工单", "Work order"),
    "action": ("操作", "Action"),
    "transition": ("操作", "Action"),
    "work order transition": ("工单操作", "Work-order action"),
    "SLA policy": ("服务承诺", "Service commitment"),
    "org unit": ("单位", "Unit"),
    "org_unit": ("单位", "Unit"),
    "calendar day": ("日历日期", "Calendar day"),
    "indicator": ("指标", "Indicator"),
    "incident": ("突发事件", "Incident"),
    "customer": ("客户", "Customer"),
    "saved view": ("常用筛选", "Saved view"),
    "saved_view": ("常用筛选", "Saved view"),
    "region": ("地区", "Region"),
    "reply template": ("答复口径", "Reply template"),
    "attachment": ("附件", "Attachment"),
}
"""What a `not_found` names (``NotFound("work order", 7)``)."""

ACTIONS: Final[dict[str, tuple[str, str]]] = {
    "accept": ("受理投诉", "accept complaints"),
    "manage SLA policies": ("管理服务承诺", "manage service commitments"),
    "personal_data.unmask": ("查看完整个人信息", "see personal data unmasked"),
    "privacy.purge": ("清除过期个人信息", "purge expired personal data"),
    "read notifications": ("查看超时通知", "read deadline notifications"),
    "reply in bulk": ("批量答复", "reply in bulk"),
    "run the SLA sweep": ("执行时限巡检", "run the deadline sweep"),
    "save_view": ("保存常用筛选", "save a view"),
    "set a region urban or rural": ("设置城乡属性", "set a region urban or rural"),
    "complaint.read": ("查看投诉", "read complaints"),
    "complaint.export": ("导出投诉", "export complaints"),
    "report.read": ("查看报表", "read reports"),
    "staff.manage": ("管理人员", "manage staff"),
    "org.manage": ("管理组织机构", "manage the organisation"),
    "security_events.read": ("查看安全日志", "read security events"),
    "open an incident": ("发布突发事件", "open an incident"),
    "edit an incident": ("修改突发事件", "edit an incident"),
    "resolve an incident": ("结束突发事件", "resolve an incident"),
    "link complaints to an incident": ("关联投诉到突发事件", "link complaints to an incident"),
}
"""What a `role_not_allowed` was refused, for the actions not named by a lifecycle
(those name their own through ``DomainError.said_as``)."""

GENERIC: Final = {
    "action": ("此操作", "this action"),
    "what": ("记录", "Record"),
}
"""Said of a code nobody has named yet, rather than the code itself."""


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def one_language(reason: str, lang: str) -> str:
    """A reason written for both readers ("需要整数 / a whole number") in one language:
    a Chinese page says no English, and the other way round."""
    zh, sep, en = reason.partition(" / ")
    if not sep or not _is_chinese(zh) or _is_chinese(en):
        return reason
    if lang.startswith("en"):
        return en.strip()
    # The value at fault or the allowed ones are often written in the English half only
    # ("未知时限 / unknown clock 'x'", "可选 / one of: a, b"): the Chinese reader needs them too.
    zh = zh.strip()
    quoted = [v for v in re.findall(r"'([^']*)'", en) if v and v not in zh]
    if quoted:
        return zh + "：" + "、".join(f"「{v}」" for v in quoted)
    _, colon, tail = en.partition(": ")
    if colon and tail.strip() and tail.strip() not in zh:
        return zh + "：" + tail.strip()
    return zh


def in_words(
    params: Mapping[str, Any], lang: str, words: Mapping[str, tuple[str, str]] | None = None
) -> dict[str, Any]:
    """`params` with ``status``, ``action``, ``role`` and ``what`` in `lang`'s words: the
    raiser's own (zh, en) `words` (or ``<name>_zh`` and ``<name>_en`` params) first, then
    the tables above; a two-language ``reason``
    in `lang` alone."""
    en = lang.startswith("en")
    given_words = words or {}
    shown = dict(params)
    if isinstance(params.get("reason"), str):
        shown["reason"] = one_language(params["reason"], lang)
    for name, table in (("what", SUBJECTS), ("action", ACTIONS), ("role", ROLES), ("status", {})):
        if name not in params:
            continue
        given = given_words.get(name)
        if given is None and f"{name}_zh" in params and f"{name}_en" in params:
            given = (str(params[f"{name}_zh"]), str(params[f"{name}_en"]))
        if given is not None:
            shown[name] = given[1] if en else given[0]
            continue
        pair = table.get(str(params[name]))
        if pair is not None:
            shown[name] = pair[1] if en else pair[0]
        elif name in GENERIC:
            zh, en_word = GENERIC[name]
            shown[name] = en_word if en else zh
    return shown
