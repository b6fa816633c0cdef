"""The two-level complaint taxonomy (DOMAIN.md §2).

Codes are stable English identifiers stored on complaints; labels are what people read.
The first level also maps to the regulator's own top level (since about 2021) so that
appeal statistics can be reported in the regulator's terms. Extend, don't replace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

RegulatorClass = Literal["service_dispute", "marketing_charging", "network_security"]


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name_zh: str
    name_en: str
    parent: str | None = None
    regulator_class: RegulatorClass | None = None

    @property
    def level(self) -> int:
        return 1 if self.parent is None else 2

    def label(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


def _l1(code: str, zh: str, en: str, reg: RegulatorClass) -> Category:
    return Category(code, zh, en, None, reg)


def _l2(parent: str, code: str, zh: str, en: str) -> Category:
    return Category(f"{parent}.{code}", zh, en, parent)


_CATEGORIES: Final[tuple[Category, ...]] = (
    _l1("billing", "资费争议", "Billing and charges", "marketing_charging"),
    _l2("billing", "dispute", "话费争议", "Bill dispute"),
    _l2("billing", "unknown_deduction", "不明扣费", "Unknown deduction"),
    _l2("billing", "sp_subscription", "增值业务(SP)扣费", "Value-added (SP) subscription"),
    _l2("billing", "high_bill", "高额话费", "Unusually high bill"),
    _l1("network", "网络质量", "Network quality", "network_security"),
    _l2("network", "coverage", "信号覆盖差", "Weak coverage"),
    _l2("network", "dropped_calls", "通话掉线", "Dropped calls"),
    _l2("network", "mobile_data", "手机上网慢", "Slow mobile data"),
    _l1("broadband", "宽带故障", "Broadband faults", "network_security"),
    _l2("broadband", "outage", "宽带断网", "Broadband outage"),
    _l2("broadband", "speed", "宽带网速慢", "Broadband too slow"),
    _l2("broadband", "repair_delay", "维修不及时", "Repair not on time"),
    _l1("installation", "装移机", "Installation and moves", "service_dispute"),
    _l2("installation", "new_line", "新装不及时", "New installation late"),
    _l2("installation", "move", "移机问题", "Line move"),
    _l1("service", "服务态度/技能", "Service attitude and skill", "service_dispute"),
    _l2("service", "attitude", "服务态度差", "Rude staff"),
    _l2("service", "skill", "业务技能不足", "Staff lack of skill"),
    _l2("service", "hotline_access", "热线难接通", "Hotline hard to reach"),
    _l1("marketing", "营销宣传/套餐资费", "Marketing and tariffs", "marketing_charging"),
    _l2("marketing", "misleading", "虚假宣传", "Misleading marketing"),
    _l2("marketing", "forced_bundle", "强制捆绑", "Forced bundling"),
    _l2("marketing", "tariff_change", "套餐变更受阻", "Tariff change obstructed"),
    _l1("portability", "携号转网", "Number portability", "service_dispute"),
    _l2("portability", "obstructed", "携转受阻", "Port-out obstructed"),
    _l2("portability", "after_port", "携入后服务问题", "Service after porting"),
    _l1("spam", "垃圾短信/骚扰电话", "Spam SMS and nuisance calls", "network_security"),
    _l2("spam", "sms", "垃圾短信", "Spam SMS"),
    _l2("spam", "calls", "骚扰电话", "Nuisance calls"),
    _l1("privacy", "个人信息", "Personal information", "network_security"),
    _l2("privacy", "leak", "个人信息泄露", "Personal data leak"),
    _l2("privacy", "real_name", "实名登记问题", "Real-name registration"),
    _l1("other", "其他", "Other", "service_dispute"),
    _l2("other", "general", "其他问题", "Other issue"),
)

CATEGORIES: Final[dict[str, Category]] = {c.code: c for c in _CATEGORIES}


def get_category(code: str) -> Category | None:
    return CATEGORIES.get(code)


def first_level(code: str) -> str:
    """The first-level code of any category code (repeat detection compares these)."""
    return code.split(".", 1)[0]


def leaf_categories() -> list[Category]:
    return [c for c in _CATEGORIES if c.level == 2]


def top_categories() -> list[Category]:
    return [c for c in _CATEGORIES if c.level == 1]
