"""Closed vocabularies a complaint is described with (DOMAIN.md §2).

Each entry carries its Chinese and English label because agents pick from them in Chinese
and the regulator's reports quote them in Chinese; codes stay English and stable.
"""

from __future__ import annotations

from typing import Final

Labels = dict[str, tuple[str, str]]

CHANNELS: Final[Labels] = {
    "hotline": ("客服热线", "Hotline"),
    "store": ("营业厅", "Store counter"),
    "online": ("网上营业厅", "Online hall"),
    "app": ("手机APP", "Mobile app"),
    "wechat": ("微信", "WeChat"),
    "sms": ("短信", "SMS"),
    "letter_visit": ("信访", "Letters and visits"),
    "radio_hotline": ("行风热线", "Radio hotline programme"),
    "social_supervisor": ("社会监督员", "Social supervisor"),
    "regulator": ("管局转办", "Regulator transfer"),
}
"""`regulator` covers MIIT / provincial communications administration transfers (12300)."""

CUSTOMER_TIERS: Final[Labels] = {
    "standard": ("普通", "Standard"),
    "silver": ("银卡", "Silver"),
    "gold": ("金卡", "Gold"),
    "diamond": ("钻石卡", "Diamond"),
    "enterprise": ("政企客户", "Government and enterprise"),
}

PRODUCTS: Final[Labels] = {
    "mobile": ("移动业务", "Mobile"),
    "broadband": ("宽带", "Broadband"),
    "fixed_line": ("固定电话", "Fixed line"),
    "iptv": ("IPTV", "IPTV"),
    "bundle": ("融合套餐", "Converged bundle"),
    "enterprise_line": ("专线", "Enterprise line"),
}

PRIORITIES: Final[Labels] = {
    "low": ("低", "Low"),
    "normal": ("普通", "Normal"),
    "high": ("高", "High"),
    "urgent": ("紧急", "Urgent"),
}

ORG_KINDS: Final[Labels] = {
    "group": ("集团", "Group"),
    "province": ("省公司", "Province"),
    "city": ("市分公司", "City"),
    "county": ("区县分公司", "County/district"),
    "department": ("部门", "Department"),
}

AREAS: Final[Labels] = {
    "urban": ("城市", "urban"),
    "rural": ("农村", "rural"),
}
"""Whether a region is urban or rural: the regulations give rural repairs longer (§3)."""

DEPARTMENT_TYPES: Final[Labels] = {
    "network": ("网络部", "Network"),
    "billing": ("计费部", "Billing"),
    "marketing": ("市场部", "Marketing"),
    "hotline": ("客服中心", "Hotline"),
    "store": ("营业厅", "Stores"),
    "quality": ("服务质量部", "Service quality"),
}

ROLES: Final[Labels] = {
    "agent": ("热线坐席", "Hotline agent"),
    "handler": ("后台处理员", "Back-office handler"),
    "unit_lead": ("单位负责人", "Unit lead"),
    "supervisor": ("质量监督员", "Quality supervisor"),
    "admin": ("系统管理员", "Administrator"),
    "inspector": ("管局检查员", "Regulator inspector"),
    "system": ("系统", "System"),
}


def label(vocabulary: Labels, code: str, lang: str) -> str:
    zh, en = vocabulary.get(code, (code, code))
    return en if lang.startswith("en") else zh
