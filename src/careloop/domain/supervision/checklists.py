"""Inspection checklists as data (检查表): one template per inspection kind, weighted items,
the evidence each item needs, a pass mark, and a version a result keeps.

A quality centre changes its checklists every year or so (a new item on tariff disclosure,
a heavier weight on waiting time); a visit is always scored against the version it was
entered on, so last quarter's scores do not move when this quarter's checklist changes.
The seeds below are version 1 of each kind; an operator adds later versions as data
(services.supervision.checklists keeps every version ever used).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from careloop.domain.errors import InvalidInput

INSPECTION_KINDS: Final[dict[str, tuple[str, str]]] = {
    "store_visit": ("营业厅明察暗访", "Store mystery-shopper visit"),
    "dial_test": ("热线拨测", "Hotline dial test"),
    "online_walkthrough": ("线上渠道穿越", "Online channel walkthrough"),
    "installation_walkthrough": ("装维穿越", "Installation walkthrough"),
}
"""Inspection kind → (zh, en) name."""

SUBJECT_KINDS: Final[dict[str, tuple[str, str]]] = {
    "store": ("营业厅", "store"),
    "hotline": ("客服热线", "hotline"),
    "online_channel": ("线上渠道", "online channel"),
    "installation_team": ("装维班组", "installation team"),
}
"""What an inspection looks at → (zh, en) name."""

SUBJECT_OF_KIND: Final[dict[str, str]] = {
    "store_visit": "store",
    "dial_test": "hotline",
    "online_walkthrough": "online_channel",
    "installation_walkthrough": "installation_team",
}

EVIDENCE_KINDS: Final[dict[str, tuple[str, str]]] = {
    "photo": ("照片", "photo"),
    "recording": ("录音编号", "recording reference"),
    "timestamp": ("时间记录", "timestamps"),
}
"""Evidence an item may require → (zh, en) name. The evidence itself (a photo file, a call
recording) lives elsewhere; the result keeps its reference (file name, recording id, the
times noted), which is what a later dispute needs."""

DEFAULT_PASS_MARK: Final = 85.0
"""达标: a visit scoring at least this (out of 100) with no mandatory item failed."""
DEFAULT_ITEM_PASS_SHARE: Final = 0.6
"""An item counts as failed when it earns less than this share of its weight."""
CODE_MAX_CHARS: Final = 40
NAME_MAX_CHARS: Final = 60


@dataclass(frozen=True)
class ChecklistItem:
    """One thing the inspector checks, worth `weight` points."""

    code: str
    name_zh: str
    name_en: str
    weight: float
    mandatory: bool = False
    """A failed mandatory item fails the whole visit, whatever its score (一票否决)."""
    evidence: tuple[str, ...] = ()
    """Evidence kinds (EVIDENCE_KINDS) the item needs before the result may be submitted."""
    guidance_zh: str = ""
    pass_share: float = DEFAULT_ITEM_PASS_SHARE

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass(frozen=True)
class Checklist:
    kind: str
    version: int
    name_zh: str
    name_en: str
    items: tuple[ChecklistItem, ...]
    pass_mark: float = DEFAULT_PASS_MARK
    note: str = ""
    _by_code: dict[str, ChecklistItem] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_checklist(self)
        self._by_code.update({item.code: item for item in self.items})

    @property
    def total_weight(self) -> float:
        return sum(item.weight for item in self.items)

    def item(self, code: str) -> ChecklistItem | None:
        return self._by_code.get(code)

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


def _bad(field_name: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(field_name, f"{zh} / {en}")


def check_checklist(checklist: Checklist) -> None:
    """A checklist an inspector can fill in: known kind, items with unique codes, positive
    weights, known evidence kinds and a pass mark between 0 and 100."""
    if checklist.kind not in INSPECTION_KINDS:
        raise _bad("kind", f"未知检查类型「{checklist.kind}」", f"unknown kind {checklist.kind!r}")
    if checklist.version < 1:
        raise _bad("version", "版本号从 1 开始", "versions start at 1")
    if not 0 < checklist.pass_mark <= 100:
        raise _bad("pass_mark", "达标分须在 0 到 100 之间", "the pass mark lies in (0, 100]")
    if not checklist.items:
        raise _bad("items", "检查表至少要有一个检查项", "a checklist needs at least one item")
    seen: set[str] = set()
    for item in checklist.items:
        if not item.code or len(item.code) > CODE_MAX_CHARS or not item.code.isprintable():
            raise _bad(
                "items", f"检查项编码「{item.code}」无效", f"item code {item.code!r} is invalid"
            )
        if item.code in seen:
            raise _bad("items", f"检查项编码「{item.code}」重复", f"item code {item.code!r} twice")
        seen.add(item.code)
        if not item.name_zh.strip() or len(item.name_zh) > NAME_MAX_CHARS:
            raise _bad(
                "items", f"检查项「{item.code}」缺少名称", f"item {item.code!r} needs a name"
            )
        if not 0 < item.weight <= 100:
            raise _bad(
                "items",
                f"检查项「{item.name_zh}」的分值须在 0 到 100 之间",
                f"item {item.code!r}: weight must lie in (0, 100]",
            )
        if not 0 < item.pass_share <= 1:
            raise _bad("items", f"检查项「{item.name_zh}」的及格比例无效", "pass share in (0, 1]")
        for kind in item.evidence:
            if kind not in EVIDENCE_KINDS:
                raise _bad(
                    "items",
                    f"检查项「{item.name_zh}」要求的佐证类型「{kind}」未知",
                    f"item {item.code!r}: unknown evidence kind {kind!r}",
                )


def to_json(checklist: Checklist) -> dict[str, Any]:
    """What the store keeps per version (and the API shows)."""
    return {
        "kind": checklist.kind,
        "version": checklist.version,
        "name_zh": checklist.name_zh,
        "name_en": checklist.name_en,
        "pass_mark": checklist.pass_mark,
        "note": checklist.note,
        "items": [
            {
                "code": i.code,
                "name_zh": i.name_zh,
                "name_en": i.name_en,
                "weight": i.weight,
                "mandatory": i.mandatory,
                "evidence": list(i.evidence),
                "guidance_zh": i.guidance_zh,
                "pass_share": i.pass_share,
            }
            for i in checklist.items
        ],
    }


def from_json(data: Mapping[str, Any]) -> Checklist:
    """A checklist from its stored or submitted form; anything malformed is a 422."""
    try:
        items = tuple(
            ChecklistItem(
                code=str(i["code"]),
                name_zh=str(i["name_zh"]),
                name_en=str(i.get("name_en") or i["name_zh"]),
                weight=float(i["weight"]),
                mandatory=bool(i.get("mandatory", False)),
                evidence=tuple(str(e) for e in i.get("evidence") or ()),
                guidance_zh=str(i.get("guidance_zh") or ""),
                pass_share=float(i.get("pass_share", DEFAULT_ITEM_PASS_SHARE)),
            )
            for i in data["items"]
        )
        return Checklist(
            kind=str(data["kind"]),
            version=int(data["version"]),
            name_zh=str(data["name_zh"]),
            name_en=str(data.get("name_en") or data["name_zh"]),
            items=items,
            pass_mark=float(data.get("pass_mark", DEFAULT_PASS_MARK)),
            note=str(data.get("note") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad("items", "检查表格式不完整", f"incomplete checklist ({exc})") from exc


def _item(
    code: str,
    zh: str,
    en: str,
    weight: float,
    *,
    mandatory: bool = False,
    evidence: tuple[str, ...] = (),
    guidance: str = "",
) -> ChecklistItem:
    return ChecklistItem(code, zh, en, weight, mandatory, evidence, guidance)


SEED_CHECKLISTS: Final[dict[str, Checklist]] = {
    "store_visit": Checklist(
        "store_visit",
        1,
        "营业厅明察暗访检查表",
        "Store mystery-shopper checklist",
        (
            _item(
                "environment",
                "环境整洁",
                "Clean and tidy premises",
                10,
                evidence=("photo",),
                guidance="厅内地面、台席、宣传架整洁，无杂物堆放",
            ),
            _item(
                "first_question",
                "首问负责",
                "First-question responsibility",
                15,
                mandatory=True,
                evidence=("timestamp",),
                guidance="首位接待人员负责到底，无推诿、无让客户自行找人",
            ),
            _item(
                "accuracy",
                "业务办理准确",
                "Transaction handled correctly",
                15,
                mandatory=True,
                evidence=("timestamp",),
                guidance="办理结果与客户诉求一致，无错办、漏办",
            ),
            _item(
                "tariff_disclosure",
                "告知资费",
                "Tariffs disclosed",
                15,
                mandatory=True,
                evidence=("recording",),
                guidance="主动告知套餐资费、合约期和退订方式，无误导宣传",
            ),
            _item(
                "service_language",
                "服务用语",
                "Courteous service language",
                10,
                evidence=("recording",),
                guidance="使用普通话和文明用语，首问有问候、结束有道别",
            ),
            _item(
                "waiting_time",
                "等候时长",
                "Waiting time",
                10,
                evidence=("timestamp",),
                guidance="取号至叫号不超过 15 分钟",
            ),
            _item(
                "staff_appearance",
                "仪容仪表",
                "Staff appearance",
                5,
                evidence=("photo",),
                guidance="统一着装、佩戴工号牌",
            ),
            _item(
                "notices",
                "公示信息",
                "Published notices",
                10,
                evidence=("photo",),
                guidance="营业时间、资费标准、服务承诺、监督电话公示齐全",
            ),
            _item(
                "privacy",
                "客户信息保护",
                "Customer data protected",
                10,
                mandatory=True,
                guidance="核验证件规范，不留存复印件，屏幕不对外",
            ),
        ),
        note="季度明察暗访，神秘顾客以普通客户身份办理一项业务",
    ),
    "dial_test": Checklist(
        "dial_test",
        1,
        "热线拨测检查表",
        "Hotline dial-test checklist",
        (
            _item(
                "connected",
                "接通",
                "Call connected",
                20,
                mandatory=True,
                evidence=("timestamp",),
                guidance="拨打后接通（非忙音、无应答）",
            ),
            _item(
                "wait_time",
                "等待时长",
                "Time waiting",
                15,
                evidence=("timestamp",),
                guidance="转人工后等待不超过 20 秒",
            ),
            _item(
                "menu_depth",
                "菜单层级",
                "Menu depth",
                10,
                guidance="语音菜单不超过三级，每级选项不超过五个",
            ),
            _item(
                "human_reachable",
                "人工接通",
                "Reaching a human agent",
                20,
                mandatory=True,
                evidence=("recording",),
                guidance="任一级菜单均可转人工",
            ),
            _item(
                "greeting",
                "应答规范",
                "Standard greeting",
                15,
                evidence=("recording",),
                guidance="报工号、问候语规范",
            ),
            _item(
                "answer_accuracy",
                "答复准确",
                "Accurate answer",
                20,
                evidence=("recording",),
                guidance="对拨测问题答复准确完整",
            ),
        ),
    ),
    "online_walkthrough": Checklist(
        "online_walkthrough",
        1,
        "线上渠道穿越检查表",
        "Online channel walkthrough checklist",
        (
            _item("login", "登录便捷", "Easy login", 15, evidence=("photo",)),
            _item(
                "tariff_display",
                "资费展示清晰",
                "Tariffs shown clearly",
                25,
                mandatory=True,
                evidence=("photo",),
                guidance="页面完整展示资费、合约期和退订方式",
            ),
            _item("order_flow", "办理流程顺畅", "Smooth ordering", 20, evidence=("timestamp",)),
            _item(
                "second_confirm",
                "二次确认",
                "Second confirmation",
                20,
                mandatory=True,
                evidence=("photo",),
                guidance="增值业务订购前二次确认",
            ),
            _item(
                "online_agent",
                "在线客服响应",
                "Online agent responds",
                20,
                evidence=("timestamp",),
                guidance="在线客服 60 秒内响应",
            ),
        ),
    ),
    "installation_walkthrough": Checklist(
        "installation_walkthrough",
        1,
        "装维穿越检查表",
        "Installation walkthrough checklist",
        (
            _item(
                "appointment",
                "预约及时",
                "Appointment made in time",
                15,
                evidence=("timestamp",),
                guidance="受理后 24 小时内预约上门时间",
            ),
            _item(
                "on_time_arrival",
                "准时上门",
                "Arrives on time",
                20,
                mandatory=True,
                evidence=("timestamp",),
            ),
            _item("installation_quality", "施工规范", "Tidy installation", 20, evidence=("photo",)),
            _item(
                "speed_test",
                "测速达标",
                "Speed test passed",
                20,
                mandatory=True,
                evidence=("photo",),
            ),
            _item("explanation", "使用讲解", "Use explained", 10),
            _item(
                "no_extra_charge",
                "无额外收费",
                "No extra charge",
                15,
                mandatory=True,
                evidence=("recording",),
            ),
        ),
    ),
}
"""Version 1 of each kind's checklist (seeds; every item's weights sum to 100)."""
