"""Incidents (突发服务事件): one network outage or mass billing error behind many complaints.

An incident names the area it affects (regions of the org tree, and optionally the
complaint categories and products it concerns) and its time (start, expected end, end).
A complaint matches when its region lies in one of the regions' subtrees, its category and
product are among those named (none named: any), and it was accepted within the window.
The window stays open while the incident is open (an expected end is an estimate: outages
overrun it) and for ``AFTERMATH`` after it ends, because customers complain about an outage
after it is over. Every linked complaint is answered with the incident's prepared answer
(统一答复口径), so the hotline says one thing.

Pure rules: the services load incidents and complaints and ask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar, Final

from careloop.domain.errors import InvalidInput, WordedError


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


STATUS_LABELS: Final[dict[IncidentStatus, tuple[str, str]]] = {
    IncidentStatus.OPEN: ("处理中", "Open"),
    IncidentStatus.RESOLVED: ("已恢复", "Resolved"),
}

KINDS: Final[dict[str, tuple[str, str]]] = {
    "network_outage": ("网络故障", "Network outage"),
    "billing_error": ("批量计费差错", "Mass billing error"),
    "service_outage": ("业务系统故障", "Service system outage"),
    "other": ("其他突发事件", "Other incident"),
}
"""What kind of event it is; the operator's incident classes (extend, don't replace)."""

AFTERMATH: Final = timedelta(hours=24)
"""Complaints accepted up to a day after the end still concern the incident."""

TITLE_MAX_CHARS: Final = 100
ANSWER_MAX_CHARS: Final = 500
"""The prepared answer is also the customer's SMS notice: short enough for a few SMS parts."""
DESCRIPTION_MAX_CHARS: Final = 2000
MAX_REGIONS: Final = 50


class IncidentError(WordedError):
    """A refusal of this context, its wording kept here (zh first, en). ``key`` picks the
    wording; the machine code stays the shared one (``not_found`` for a missing incident,
    so clients and the scope probes read it like any other 404)."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "missing": ("not_found", 404, "突发事件不存在：{ident}", "Incident not found: {ident}"),
        "resolved": (
            "incident_resolved",
            409,
            "突发事件 {number} 已恢复，不能再执行「{action_zh}」",
            "Incident {number} is already resolved; cannot {action_en}",
        ),
    }


def not_found(ident: object) -> IncidentError:
    return IncidentError("missing", ident=ident)


def already_resolved(number: str, action_zh: str, action_en: str) -> IncidentError:
    return IncidentError("resolved", number=number, action_zh=action_zh, action_en=action_en)


def label(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang.startswith("en") else pair[0]


@dataclass(frozen=True, slots=True)
class AffectedArea:
    """Where the incident hits: org-tree paths (a region covers its subtree), and the
    categories (either level) and products it concerns; empty means "any"."""

    region_paths: tuple[str, ...]
    categories: tuple[str, ...] = ()
    products: tuple[str, ...] = ()

    def covers_region(self, path: str) -> bool:
        return any(path.startswith(region) for region in self.region_paths)

    def covers_category(self, category: str) -> bool:
        if not self.categories:
            return True
        first = category.split(".", 1)[0]
        return category in self.categories or first in self.categories

    def covers_product(self, product: str) -> bool:
        return not self.products or product in self.products

    @property
    def depth(self) -> int:
        """How narrow the area is: its deepest region (more specific incidents win)."""
        return max((p.count("/") for p in self.region_paths), default=0)


@dataclass(frozen=True, slots=True)
class Window:
    """When: ``ended_at`` None while the incident is open."""

    starts_at: datetime
    ended_at: datetime | None = None

    def covers(self, instant: datetime) -> bool:
        if instant < self.starts_at:
            return False
        return self.ended_at is None or instant <= self.ended_at + AFTERMATH


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What matching needs of one incident."""

    id: int
    area: AffectedArea
    window: Window


@dataclass(frozen=True, slots=True)
class ComplaintFacts:
    """What matching needs of one complaint."""

    region_path: str
    category: str
    product: str
    accepted_at: datetime


def matches(incident: IncidentFacts, complaint: ComplaintFacts) -> bool:
    """Whether the complaint concerns the incident (area and time both)."""
    area = incident.area
    return (
        area.covers_region(complaint.region_path)
        and area.covers_category(complaint.category)
        and area.covers_product(complaint.product)
        and incident.window.covers(complaint.accepted_at)
    )


def best_match(
    incidents: Iterable[IncidentFacts], complaint: ComplaintFacts
) -> IncidentFacts | None:
    """The one incident a complaint is linked to: of those it matches, the narrowest area
    (a county's outage before the province's billing error), then the one named with more
    conditions, then the latest started; a complaint is linked to one incident at most so
    that it is counted and answered once."""
    found = [i for i in incidents if matches(i, complaint)]
    if not found:
        return None
    return max(
        found,
        key=lambda i: (
            i.area.depth,
            bool(i.area.categories) + bool(i.area.products),
            i.window.starts_at,
            i.id,
        ),
    )


def check_window(
    starts_at: datetime, expected_end_at: datetime | None, ended_at: datetime | None
) -> None:
    """An end before the start is a typing error, refused with the field named."""
    if expected_end_at is not None and expected_end_at < starts_at:
        raise InvalidInput("expected_end_at", "不能早于开始时间 / must not be before the start")
    if ended_at is not None and ended_at < starts_at:
        raise InvalidInput("ended_at", "不能早于开始时间 / must not be before the start")


def check_regions(codes: Sequence[str]) -> None:
    if not codes:
        raise InvalidInput("regions", "至少选择一个地区 / name at least one region")
    if len(codes) > MAX_REGIONS:
        raise InvalidInput("regions", f"最多 {MAX_REGIONS} 个地区 / at most {MAX_REGIONS} regions")


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        allowed = ", ".join(KINDS)
        raise InvalidInput("kind", f"未知取值 / unknown value '{kind}' (allowed: {allowed})")


def notice_text(prepared_answer: str) -> str:
    """The customer's SMS: the prepared answer under the operator's signature."""
    return f"【服务通知】尊敬的客户：{prepared_answer}"


OPENER_ROLES: Final[frozenset[str]] = frozenset({"supervisor", "admin", "unit_lead"})
"""Who opens, edits and resolves incidents: province quality staff, and a city's or
county's unit lead for an incident in their own region (the network operations centre
reports through them)."""

BULK_REPLY_ROLES: Final[frozenset[str]] = frozenset({"agent", "unit_lead", "supervisor", "admin"})
"""Who replies to an incident's complaints in bulk: the front office that answers
customers (the same roles that may dispatch); handlers answer their work orders instead."""

READER_ROLES: Final[frozenset[str]] = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin", "inspector"}
)
"""Everybody reads the incidents that touch their scope: a handler sent to the outage and
the regulator's inspector included."""


def overlaps(region_path: str, scope: str) -> bool:
    """Whether an incident region touches a reader's scope: it lies within the scope (a
    county outage seen by its city), or the scope lies within it (a province-wide billing
    error seen by every city)."""
    return region_path.startswith(scope) or scope.startswith(region_path)


SKIP_REASONS: Final[dict[str, tuple[str, str]]] = {
    "work_orders_open": ("还有工单未办结", "work orders still open"),
    "pending_customer": ("等待客户反馈中", "waiting on the customer"),
    "finished": ("已答复或已结束", "already replied or finished"),
}
"""Why a bulk reply passed a linked complaint by (its lifecycle does not allow a reply)."""
