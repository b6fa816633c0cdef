"""How a person calls each field of a request, a query or a form (zh-CN, en).

The project standard: a 4xx answer names what is wrong in the user's words, never by an
internal field code ("客户电话", not "customer.phone"). Every field path that appears in a
request body (api/schemas.py), a query parameter, a header or an `InvalidInput` call has
its label here; `field_label` turns any path into words, including paths it has never seen
(a readable fallback from the code's own words) and items of a list ("第 4 条 客户电话").

Pure data and one lookup: the machine-readable path stays in `errors[].field` for clients.
"""

from __future__ import annotations

import re
from typing import Final

FIELD_LABELS: Final[dict[str, tuple[str, str]]] = {
    # Intake (POST /api/v1/complaints, the bulk intake, the web form, imports)
    "channel": ("受理渠道", "channel"),
    "source_ref": ("来源编号", "source reference"),
    "customer": ("客户信息", "customer"),
    "customer.phone": ("客户电话", "customer phone"),
    "customer.name": ("客户姓名", "customer name"),
    "customer.account": ("客户账号", "customer account number"),
    "customer.tier": ("客户等级", "customer tier"),
    "category": ("投诉分类", "category"),
    "product": ("产品", "product"),
    "region": ("地区", "region"),
    "description": ("投诉内容", "description"),
    "priority": ("优先级", "priority"),
    "escalated": ("是否越级", "escalated"),
    "regulator_transfer": ("是否管局转办", "regulator transfer"),
    "idempotency_key": ("幂等键", "idempotency key"),
    "Idempotency-Key": ("幂等键", "idempotency key"),
    "idempotency-key": ("幂等键", "idempotency key"),
    "items": ("批量条目", "items"),
    # Changes to a complaint or a work order
    "version": ("版本号", "version"),
    "reason": ("原因", "reason"),
    "text": ("正文", "text"),
    "satisfied": ("客户是否满意", "customer satisfied"),
    "comment": ("回访意见", "comment"),
    "outcome": ("申诉处理结果", "appeal outcome"),
    "into": ("合并到的投诉", "complaint to merge into"),
    "unit": ("责任单位", "unit"),
    "instructions": ("派单说明", "instructions"),
    "due_at": ("工单期限", "due time"),
    "due_hours": ("办结时限（小时）", "hours allowed"),
    "result": ("处理结果", "result"),
    "appointment_at": ("预约上门时间", "appointment time"),
    "paid_at": ("缴费时间", "time of payment"),
    "feasible": ("能否装机", "installation possible"),
    "answer": ("答复说明", "answer"),
    "arrived_at": ("到场时间", "time of arrival"),
    "restored_at": ("恢复时间", "time service was restored"),
    "area": ("城乡类别", "urban or rural"),
    "filename": ("文件名", "file name"),
    "content_type": ("文件类型", "file type"),
    "size_bytes": ("文件大小", "file size"),
    "storage_ref": ("存储位置", "storage reference"),
    # Lists and filters (query parameters)
    "status": ("状态", "status"),
    "sla": ("时限状态", "deadline state"),
    "created_from": ("受理时间（起）", "start of the acceptance period"),
    "created_to": ("受理时间（止）", "end of the acceptance period"),
    "due_from": ("答复期限（起）", "start of the reply-due period"),
    "due_to": ("答复期限（止）", "end of the reply-due period"),
    "repeat": ("是否重复投诉", "repeat complaint"),
    "q": ("搜索内容", "search text"),
    "phone": ("客户电话", "customer phone"),
    "sort": ("排序方式", "sort order"),
    "limit": ("每页条数", "page size"),
    "offset": ("跳过条数", "offset"),
    "after": ("翻页游标", "page cursor"),
    "all": ("全部版本", "all versions"),
    "format": ("格式", "format"),
    "date": ("日期", "date"),
    "day": ("日期", "day"),
    "kind": ("类型", "kind"),
    "file": ("文件", "file"),
    "form": ("表单", "form"),
    "body": ("请求内容", "request body"),
    # Organisation, accounts and SLA policies
    "code": ("编码", "code"),
    "name": ("名称", "name"),
    "role": ("角色", "role"),
    "parent": ("上级单位", "parent unit"),
    "dept_type": ("部门类型", "department type"),
    "username": ("用户名", "user name"),
    "password": ("密码", "password"),
    "limits": ("时限", "limits"),
    "warn_share": ("预警比例", "warning share"),
    "timezone": ("时区", "time zone"),
    "hours": ("工作时间", "working hours"),
    "escalation": ("升级规则", "escalation"),
    "reminder_channel": ("提醒渠道", "reminder channel"),
    "match_category": ("适用分类", "category matched"),
    "match_region": ("适用地区", "region matched"),
    "match_channel": ("适用渠道", "channel matched"),
    "match_priority": ("适用优先级", "priority matched"),
    "match_repeat": ("适用重复投诉", "repeat complaints matched"),
    "match_area": ("适用城乡", "urban or rural matched"),
    "limits.reply": ("答复时限", "reply limit"),
    # Incidents (突发服务事件)
    "title": ("事件名称", "title"),
    "prepared_answer": ("统一答复口径", "prepared answer"),
    "regions": ("影响地区", "affected regions"),
    "categories": ("涉及分类", "categories concerned"),
    "products": ("涉及产品", "products concerned"),
    "starts_at": ("开始时间", "start time"),
    "expected_end_at": ("预计恢复时间", "expected end"),
    "ended_at": ("恢复时间", "end time"),
    "note": ("说明", "note"),
    "link_open_complaints": ("关联存量投诉", "link open complaints"),
    "confirm": ("确认", "confirmation"),
    # Indicators and scorecards
    "indicator": ("指标", "indicator"),
    "threshold": ("阈值", "threshold"),
    "tolerance": ("容差", "tolerance"),
    "weights": ("权重", "weights"),
    "index": ("满意度指数", "satisfaction index"),
    "scale": ("评分等级", "grade scale"),
    "item_means": ("题项均值", "item means"),
    "parent_of": ("组织层级", "organisation tree"),
    "leaf_values": ("基层数值", "leaf values"),
    # Inspections (监督检查) and dial tests (拨测)
    "hotline": ("热线号码", "hotline number"),
    "hotline_number": ("热线号码", "hotline number"),
    "answer_seconds": ("接通用时（秒）", "seconds to answer"),
    "wait_seconds": ("人工等待时长（秒）", "seconds waiting for an agent"),
    "visited_at": ("检查时间", "time of the visit"),
    "inspectors": ("检查人员", "inspectors"),
    "subjects": ("检查对象", "inspected subjects"),
    "cadence": ("检查频次", "cadence"),
    "pass_mark": ("达标线", "pass mark"),
    "starts_on": ("开始日期", "first day"),
    "ends_on": ("结束日期", "last day"),
    "start": ("开始日期", "first day"),
    "end": ("结束日期", "last day"),
    "awarded": ("得分", "points"),
    "csi_model": ("满意度模型", "satisfaction model"),
    "csi_data": ("调查数据", "survey data"),
    "bootstrap_resamples": ("重抽样次数", "number of bootstrap resamples"),
    "confidence_level": ("置信水平", "confidence level"),
    # Command-line options
    "--now": ("--now 时间", "--now"),
    "--from": ("--from 日期", "--from"),
    "--to": ("--to 日期", "--to"),
    "--date": ("--date 日期", "--date"),
    # Rectification tasks (督促整改) and social supervisors (社会监督员)
    "task_title": ("整改事项", "task title"),
    "detail": ("问题详情", "detail"),
    "source": ("问题来源", "source"),
    "source.kind": ("来源类型", "source kind"),
    "source.id": ("来源记录编号", "source record id"),
    "source.item": ("检查项", "checklist item"),
    "source_kind": ("来源类型", "source kind"),
    "source_id": ("来源记录编号", "source record id"),
    "source_item": ("检查项", "checklist item"),
    "actions_taken": ("整改措施", "actions taken"),
    "evidence_ref": ("佐证材料位置", "evidence reference"),
    "evidence_text": ("整改情况说明", "written account of the result"),
    "supervisor_name": ("监督员姓名", "supervisor's name"),
    "contact_phone": ("联系电话", "contact phone"),
    "area_unit": ("监督区域", "area supervised"),
    "term_start": ("聘期开始", "start of term"),
    "term_end": ("聘期结束", "end of term"),
    "active": ("是否在聘", "active"),
    "supervisor": ("社会监督员", "social supervisor"),
    "submission_kind": ("反映类型", "kind of submission"),
    "target_kind": ("监督对象类型", "kind of place observed"),
    "target_unit": ("被监督单位", "unit observed"),
    "owner_unit": ("答复单位", "answering unit"),
    "score": ("评分", "score"),
    "finding": ("检查结论", "finding"),
    "observed_at": ("发现时间", "time observed"),
    "observation": ("反映内容", "observation"),
    "reply": ("答复内容", "reply"),
    "open_rectification": ("同时立项整改", "open a rectification task"),
    # Responsibility cases (责任认定) and their rules
    "rule": ("违反条款", "rule broken"),
    "summary": ("问题摘要", "summary"),
    "staff": ("责任人", "person responsible"),
    "points": ("考核扣分", "KPI points off"),
    "amount": ("经济处罚金额（元）", "economic penalty (yuan)"),
    "veto": ("一票否决", "one-vote veto"),
    "mine": ("只看与我有关的", "only those concerning me"),
    "name_zh": ("中文名称", "Chinese name"),
    "name_en": ("英文名称", "English name"),
    # Spam-SMS governance (api/routes_spam.py)
    "message_id": ("短信编号", "message id"),
    "reporter_phone": ("举报号码", "reporter's number"),
    "sender": ("被举报号码", "reported number"),
    "received_at": ("接收时间", "time received"),
    "batch_id": ("批次编号", "batch id"),
    "key": ("编号", "key"),
    "count": ("条数", "count"),
    "intercepted_at": ("拦截时间", "time intercepted"),
    "owner_kind": ("归属类型", "owner kind"),
    "owner_name": ("归属客户", "owner"),
    "owner_code": ("客户编码", "customer code"),
    "contract_ref": ("合同编号", "contract"),
    "allowed_kinds": ("允许的短信类型", "allowed message kinds"),
    "number": ("号码", "number"),
    "spam": ("是否垃圾短信", "spam or not"),
}
"""Field path → (zh, en) label, lower-case in English so it reads inside a sentence."""

_SEGMENT: Final = re.compile(r"[_\-\s]+")


def _fallback(path: str) -> str:
    """Words from the code itself ("reply_due_at" → "reply due at") rather than the code:
    a field added without a label still reads as words in either language."""
    words = [w.lower() for w in _SEGMENT.split(path) if w]
    return " ".join(words) or path


def _join_zh(parts: list[str]) -> str:
    """Chinese words run together; a word spelt in Latin letters keeps a space around it."""
    text = ""
    for part in parts:
        latin = text[-1:].isascii() or part[:1].isascii()
        text = f"{text} {part}" if text and latin else text + part
    return text


def _single(path: str, lang: str) -> str:
    known = FIELD_LABELS.get(path)
    if known:
        return known[1] if lang == "en" else known[0]
    # A nested path without a label of its own: its parts' labels, joined.
    if "." in path:
        parts = [_single(part, lang) for part in path.split(".") if part]
        return " ".join(parts) if lang == "en" else _join_zh(parts)
    return _fallback(path)


def field_label(path: str | None, lang: str = "zh") -> str:
    """`path` (e.g. "customer.phone", "items.3.customer.phone") as a person calls it.

    List positions count from 1 as people do: "items.3.customer.phone" is the fourth item,
    "第 4 条 客户电话" / "item 4: customer phone".
    """
    en = lang.startswith("en")
    if not path:
        return "request body" if en else "请求内容"
    parts = path.split(".")
    position = next((i for i, p in enumerate(parts) if p.isdigit()), None)
    if position is None:
        return _single(path, "en" if en else "zh")
    number = int(parts[position]) + 1
    before = ".".join(parts[:position])
    after = ".".join(parts[position + 1 :])
    inner = field_label(after, lang) if after else ""
    if before in ("", "items"):
        prefix = f"item {number}" if en else f"第 {number} 条"
    else:
        outer = _single(before, "en" if en else "zh")
        prefix = f"{outer} no. {number}" if en else f"{outer}第 {number} 项"
    if not inner:
        return prefix
    return f"{prefix}: {inner}" if en else f"{prefix} {inner}"


def subject_label(path: str | None) -> str:
    """The English label as the subject of a sentence ("The description is too long");
    a command-line option stays as typed ("--now must be …")."""
    label = field_label(path, "en")
    return label if label.startswith("-") else f"The {label}"
