"""A seeded demo province: Zhejiang's real cities and counties under a fictional operator.

Pure data. The demo loader turns it into org units and staff through the services; nothing
here touches a database. Names are real (so the maps, reports and early-warning pages read
like a real operator's), the company and its people are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from careloop.domain.vocabulary import DEPARTMENT_TYPES, ORG_KINDS, ROLES

GROUP_CODE: Final = "GROUP"
PROVINCE_CODE: Final = "ZJ"

DEPT_SUFFIX: Final[dict[str, str]] = {
    "quality": "QUA",
    "hotline": "HOT",
    "network": "NET",
    "billing": "BIL",
    "marketing": "MKT",
    "store": "STO",
}
"""Department code suffix per vocabulary.DEPARTMENT_TYPES key ("ZJ-HZ-NET")."""

PROVINCE_DEPARTMENTS: Final = ("quality", "hotline", "network", "billing", "marketing")
CITY_DEPARTMENTS: Final = ("hotline", "network", "billing", "marketing", "store", "quality")
COUNTY_DEPARTMENTS: Final = ("network", "store")

_DEPT_NAME_ZH: Final[dict[str, str]] = {
    "quality": "服务质量部",
    "hotline": "客服中心",
    "network": "网络部",
    "billing": "计费部",
    "marketing": "市场部",
    "store": "营业部",
}
_DEPT_NAME_EN: Final[dict[str, str]] = {
    "quality": "Service Quality",
    "hotline": "Customer Service Centre",
    "network": "Network",
    "billing": "Billing",
    "marketing": "Marketing",
    "store": "Stores",
}

# (code, Chinese, English, telephone area code, operator's users in thousands, counties)
# Subscriber figures are one operator's plausible share (about half the population).
# fmt: off
_CITIES: Final[tuple[tuple[str, str, str, str, int, tuple[tuple[str, str, str], ...]], ...]] = (
    (
        "HZ", "杭州市", "Hangzhou", "0571", 6_850,
        (
            ("SC", "上城区", "Shangcheng"),
            ("GS", "拱墅区", "Gongshu"),
            ("XH", "西湖区", "Xihu"),
            ("BJ", "滨江区", "Binjiang"),
            ("XS", "萧山区", "Xiaoshan"),
            ("YH", "余杭区", "Yuhang"),
        ),
    ),
    (
        "NB", "宁波市", "Ningbo", "0574", 5_120,
        (
            ("HS", "海曙区", "Haishu"),
            ("YZ", "鄞州区", "Yinzhou"),
            ("BL", "北仑区", "Beilun"),
            ("CX", "慈溪市", "Cixi"),
            ("YY", "余姚市", "Yuyao"),
        ),
    ),
    (
        "WZ", "温州市", "Wenzhou", "0577", 4_630,
        (
            ("LC", "鹿城区", "Lucheng"),
            ("OH", "瓯海区", "Ouhai"),
            ("RA", "瑞安市", "Rui'an"),
            ("YQ", "乐清市", "Yueqing"),
        ),
    ),
    (
        "JX", "嘉兴市", "Jiaxing", "0573", 2_910,
        (
            ("NH", "南湖区", "Nanhu"),
            ("HN", "海宁市", "Haining"),
            ("TX", "桐乡市", "Tongxiang"),
        ),
    ),
    (
        "HU", "湖州市", "Huzhou", "0572", 1_830,
        (
            ("WX", "吴兴区", "Wuxing"),
            ("DQ", "德清县", "Deqing"),
            ("CX", "长兴县", "Changxing"),
        ),
    ),
    (
        "SX", "绍兴市", "Shaoxing", "0575", 2_840,
        (
            ("YC", "越城区", "Yuecheng"),
            ("KQ", "柯桥区", "Keqiao"),
            ("ZJ", "诸暨市", "Zhuji"),
        ),
    ),
    (
        "JH", "金华市", "Jinhua", "0579", 3_920,
        (
            ("WC", "婺城区", "Wucheng"),
            ("YW", "义乌市", "Yiwu"),
            ("DY", "东阳市", "Dongyang"),
            ("YK", "永康市", "Yongkang"),
        ),
    ),
    (
        "QZ", "衢州市", "Quzhou", "0570", 1_180,
        (
            ("KC", "柯城区", "Kecheng"),
            ("JS", "江山市", "Jiangshan"),
            ("LY", "龙游县", "Longyou"),
        ),
    ),
    (
        "ZS", "舟山市", "Zhoushan", "0580", 620,
        (
            ("DH", "定海区", "Dinghai"),
            ("PT", "普陀区", "Putuo"),
        ),
    ),
    (
        "TZ", "台州市", "Taizhou", "0576", 3_410,
        (
            ("JJ", "椒江区", "Jiaojiang"),
            ("HY", "黄岩区", "Huangyan"),
            ("WL", "温岭市", "Wenling"),
            ("LH", "临海市", "Linhai"),
        ),
    ),
    (
        "LS", "丽水市", "Lishui", "0578", 1_290,
        (
            ("LD", "莲都区", "Liandu"),
            ("QT", "青田县", "Qingtian"),
            ("LQ", "龙泉市", "Longquan"),
        ),
    ),
)

# fmt: on

_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭沈蒋潘钱"
_GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红梅志斌晓燕鹏辉婷雪琳浩宇欣怡"


@dataclass(frozen=True)
class OrgNode:
    code: str
    name_zh: str
    name_en: str
    kind: str
    parent_code: str | None
    dept_type: str | None = None
    area: str | None = None
    """``urban`` or ``rural`` for a region (repair limits differ); None: as its parent."""


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    role: str
    org_code: str


@dataclass
class Province:
    nodes: list[OrgNode]
    staff: list[StaffMember]
    subscribers: dict[str, int]
    """Operator's users per city code (the denominator of 万户投诉率 / 百万用户申诉率)."""
    area_codes: dict[str, str] = field(default_factory=dict)
    """Telephone area code per city code ("0571"), used for account numbers and fixed lines."""
    _by_code: dict[str, OrgNode] = field(init=False, repr=False, compare=False)
    _children: dict[str, list[OrgNode]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_code = {n.code: n for n in self.nodes}
        self._children = {}
        for n in self.nodes:
            if n.parent_code is not None:
                self._children.setdefault(n.parent_code, []).append(n)

    # -- lookups -------------------------------------------------------------------------

    def node(self, code: str) -> OrgNode:
        return self._by_code[code]

    def has(self, code: str) -> bool:
        return code in self._by_code

    def root(self) -> OrgNode:
        return next(n for n in self.nodes if n.kind == "group")

    def province_node(self) -> OrgNode:
        return next(n for n in self.nodes if n.kind == "province")

    def cities(self) -> list[OrgNode]:
        return [n for n in self.nodes if n.kind == "city"]

    def counties(self, city_code: str | None = None) -> list[OrgNode]:
        return [
            n
            for n in self.nodes
            if n.kind == "county" and (city_code is None or n.parent_code == city_code)
        ]

    def children(self, code: str) -> list[OrgNode]:
        return list(self._children.get(code, []))

    def departments(self, region_code: str, dept_type: str | None = None) -> list[OrgNode]:
        """The departments hanging directly off a region, optionally of one type."""
        return [
            n
            for n in self._children.get(region_code, [])
            if n.kind == "department" and (dept_type is None or n.dept_type == dept_type)
        ]

    def department(self, region_code: str, dept_type: str) -> OrgNode:
        """The one department of `dept_type` in a region (KeyError if it has none)."""
        found = self.departments(region_code, dept_type)
        if not found:
            raise KeyError(f"{region_code} has no {dept_type} department")
        return found[0]

    def region_of(self, code: str) -> OrgNode:
        """The region (group/province/city/county) a department belongs to; a region itself."""
        current = self._by_code[code]
        while current.kind == "department":
            assert current.parent_code is not None
            current = self._by_code[current.parent_code]
        return current

    def city_of(self, code: str) -> OrgNode | None:
        """The city a unit lies in (None for the group and province levels)."""
        current: OrgNode | None = self._by_code[code]
        while current is not None and current.kind != "city":
            parent = current.parent_code
            current = self._by_code[parent] if parent else None
        return current

    def ancestors(self, code: str) -> list[OrgNode]:
        """From the unit itself up to the group: the escalation chain."""
        chain = []
        current: OrgNode | None = self._by_code[code]
        while current is not None:
            chain.append(current)
            current = self._by_code[current.parent_code] if current.parent_code else None
        return chain

    # -- staff ---------------------------------------------------------------------------

    def staff_member(self, username: str) -> StaffMember:
        return next(s for s in self.staff if s.username == username)

    def staff_at(self, org_code: str, role: str | None = None) -> list[StaffMember]:
        return [
            s for s in self.staff if s.org_code == org_code and (role is None or s.role == role)
        ]

    def staff_with_role(self, role: str) -> list[StaffMember]:
        return [s for s in self.staff if s.role == role]

    def total_subscribers(self) -> int:
        return sum(self.subscribers.values())


def _dept(region: OrgNode, dept_type: str) -> OrgNode:
    assert dept_type in DEPARTMENT_TYPES
    return OrgNode(
        code=f"{region.code}-{DEPT_SUFFIX[dept_type]}",
        name_zh=f"{region.name_zh}{_DEPT_NAME_ZH[dept_type]}",
        name_en=f"{region.name_en} {_DEPT_NAME_EN[dept_type]}",
        kind="department",
        parent_code=region.code,
        dept_type=dept_type,
    )


def _username(code: str) -> str:
    """ZJ-HZ-XH-NET → hz_xh_net; the province prefix stays only on province departments."""
    parts = code.lower().split("-")
    if len(parts) > 1 and parts[1].upper() not in DEPT_SUFFIX.values():
        parts = parts[1:]
    return "_".join(parts)


class _Names:
    """Distinct Chinese names for the staff, seeded so the roster never changes."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._used: set[str] = set()

    def next(self) -> str:
        while True:
            given = "".join(self._rng.choice(_GIVEN) for _ in range(self._rng.choice((1, 2))))
            name = self._rng.choice(_SURNAMES) + given
            if name not in self._used:
                self._used.add(name)
                return name


def build_province() -> Province:
    """浙江: 11 prefecture-level cities, 40 counties/districts, one operator's org and staff."""
    names = _Names(20261123)
    nodes: list[OrgNode] = []
    staff: list[StaffMember] = []
    subscribers: dict[str, int] = {}
    area_codes: dict[str, str] = {}

    def add_departments(region: OrgNode, types: tuple[str, ...]) -> None:
        for dept_type in types:
            dept = _dept(region, dept_type)
            nodes.append(dept)
            staff.append(StaffMember(f"{_username(dept.code)}", names.next(), "handler", dept.code))

    group = OrgNode(GROUP_CODE, "中国通信集团", "China Tongxin Group", "group", None)
    province = OrgNode(
        PROVINCE_CODE, "中国通信浙江分公司", "Zhejiang Branch", "province", GROUP_CODE
    )
    nodes += [group, province]
    add_departments(province, PROVINCE_DEPARTMENTS)
    quality = f"{PROVINCE_CODE}-{DEPT_SUFFIX['quality']}"
    staff += [StaffMember(f"supervisor{i}", names.next(), "supervisor", quality) for i in (1, 2, 3)]
    staff.append(StaffMember("admin", names.next(), "admin", PROVINCE_CODE))
    staff.append(StaffMember("inspector", names.next(), "inspector", PROVINCE_CODE))

    for city_abbr, zh, en, area, users_k, counties in _CITIES:
        city = OrgNode(
            f"{PROVINCE_CODE}-{city_abbr}",
            f"{zh.removesuffix('市')}分公司",
            f"{en} Branch",
            "city",
            PROVINCE_CODE,
            area="urban",
        )
        nodes.append(city)
        subscribers[city.code] = users_k * 1000
        area_codes[city.code] = area
        lead = f"{_username(city.code)}_lead"
        staff.append(StaffMember(lead, names.next(), "unit_lead", city.code))
        add_departments(city, CITY_DEPARTMENTS)
        hotline = f"{city.code}-{DEPT_SUFFIX['hotline']}"
        agents = 3 + min(2, users_k // 2_500)  # bigger cities staff more seats
        staff += [
            StaffMember(f"{_username(city.code)}_agent{i}", names.next(), "agent", hotline)
            for i in range(1, agents + 1)
        ]
        for county_abbr, county_zh, county_en in counties:
            county = OrgNode(
                f"{city.code}-{county_abbr}",
                county_zh,
                county_en,
                "county",
                city.code,
                area=county_area(county_zh),
            )
            nodes.append(county)
            lead = f"{_username(county.code)}_lead"
            staff.append(StaffMember(lead, names.next(), "unit_lead", county.code))
            add_departments(county, COUNTY_DEPARTMENTS)

    assert all(n.kind in ORG_KINDS for n in nodes)
    assert all(s.role in ROLES for s in staff)
    return Province(nodes=nodes, staff=staff, subscribers=subscribers, area_codes=area_codes)


def county_area(name_zh: str) -> str:
    """A city district (区) is urban; a county (县) or county-level city (市) is counted
    rural here, as the regulations' 72 h repair limit for rural areas is meant for them."""
    return "urban" if name_zh.endswith("区") else "rural"


def city_short_name(node: OrgNode) -> str:
    """杭州分公司 → 杭州 (what customers say)."""
    return node.name_zh.removesuffix("分公司")
