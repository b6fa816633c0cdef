"""Reply templates (答复口径): the wording supervisors approve for a category's replies.

A template's text may name a few facts of the complaint in braces, e.g. ``{客户称呼}``,
``{投诉编号}``; the composer fills them in before the agent edits and sends the reply.
The set is small and closed on purpose: a template can only quote what every agent may
put in a reply (no phone, account or address, which belong to the masking rules), and a
name outside the set is refused when the template is saved, never left for a customer to
read as "{客户电话}". Literal braces are written twice (``{{`` and ``}}``), as in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Final

from careloop.domain.categories import get_category
from careloop.domain.errors import DomainError

PLACEHOLDERS: Final[dict[str, tuple[str, str]]] = {
    "客户称呼": ("客户的称呼，如“王女士”，不知姓名时为“客户”", "how to address the customer"),
    "投诉编号": ("投诉单号，如 TS202601050000123", "the complaint's number"),
    "受理时间": ("受理的日期和时间（北京时间）", "when the complaint was accepted (local time)"),
    "投诉分类": ("投诉分类的名称", "the complaint's category"),
    "处理单位": ("最近接单的责任单位，未派单时为首问单位", "the unit handling it"),
    "答复日期": ("答复当天的日期", "today's date"),
}
"""Placeholder name → (zh, en) description: shown on the template page and in errors."""

MAX_NAME_CHARS: Final = 60
MAX_TEXT_CHARS: Final = 2000
MANAGER_ROLES: Final[frozenset[str]] = frozenset({"supervisor", "admin"})
"""Who writes and retires templates: the quality staff who answer for the wording."""

_FULL_WIDTH_BRACES: Final = str.maketrans("｛｝", "{}")


class TemplateTextError(DomainError):
    """A template text the formatter refuses, said in the reader's words (422)."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__("invalid_input", field="text", reason=zh)

    def message(self, lang: str = "zh") -> str:
        if lang.startswith("en"):
            return f"Template text: {self.en}"
        return f"答复口径正文：{self.zh}"


def _allowed(lang: str) -> str:
    sep = ", " if lang == "en" else "、"
    return sep.join("{" + name + "}" for name in PLACEHOLDERS)


def normalise(text: str) -> str:
    """Chinese input methods type full-width braces; they mean the same placeholder."""
    return text.translate(_FULL_WIDTH_BRACES)


def placeholders_in(text: str) -> list[str]:
    """The placeholders `text` uses, in order of first use; raises `TemplateTextError` for
    an unknown name, a format spec or conversion, or an unpaired brace."""
    used: list[str] = []
    try:
        parts = list(Formatter().parse(normalise(text)))
    except ValueError:
        raise TemplateTextError(
            "花括号不成对。占位符写作 {投诉编号}，正文中的花括号请写两遍 {{ }}",
            "unpaired brace. Write a placeholder as {投诉编号}; write a literal brace "
            "twice, {{ or }}",
        ) from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if not name or spec or conversion or name not in PLACEHOLDERS:
            shown = "{" + (name or "") + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise TemplateTextError(
                f"不认识占位符 {shown}。可用的占位符：{_allowed('zh')}",
                f"unknown placeholder {shown}. Placeholders you can use: {_allowed('en')}",
            )
        if name not in used:
            used.append(name)
    return used


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder replaced by its value; strict: the text is checked
    (``placeholders_in``) and every placeholder it uses must have a value."""
    missing = [name for name in placeholders_in(text) if name not in values]
    if missing:
        raise TemplateTextError(
            f"缺少占位符的取值：{'、'.join(missing)}", f"no value for {', '.join(missing)}"
        )
    out: list[str] = []
    for literal, name, _spec, _conversion in Formatter().parse(normalise(text)):
        out.append(literal)
        if name is not None:
            out.append(values[name])
    return "".join(out)


def customer_salutation(name: str | None) -> str:
    """孙女士 stays 孙女士; 孙丽 → 孙先生/女士 (the record does not say which); no name:
    客户. Only the surname is used, which every reader of the complaint sees anyway (a
    masked name keeps its first character, domain.privacy.mask_name)."""
    name = (name or "").strip()
    if not name:
        return "客户"
    if name.endswith(("先生", "女士", "小姐")):
        return name
    return f"{name[0]}先生/女士"


def applies_to(template_category: str, complaint_category: str) -> bool:
    """A template for a first-level category (``billing``) serves all its subcategories."""
    if template_category == complaint_category:
        return True
    found = get_category(complaint_category)
    return found is not None and found.parent == template_category


@dataclass(frozen=True, slots=True)
class ComplaintFacts:
    """What the placeholders quote, already in the reader's words and local time."""

    customer_name: str | None
    number: str
    accepted_local: str
    category_name: str
    handling_unit: str
    today_local: str

    def values(self) -> dict[str, str]:
        return {
            "客户称呼": customer_salutation(self.customer_name),
            "投诉编号": self.number,
            "受理时间": self.accepted_local,
            "投诉分类": self.category_name,
            "处理单位": self.handling_unit,
            "答复日期": self.today_local,
        }
