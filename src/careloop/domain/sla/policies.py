"""Which service commitment holds a complaint, and the limit it sets for each stage.

Time limits are configured per category, channel, customer tier, region, escalation and
priority (DOMAIN.md §3). Policies are versioned data kept by the services; the rules here
read them through :class:`MatchedPolicy` and :class:`PolicyLimits`, so a stored row and a
plain test object are judged alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from careloop.domain.categories import get_category
from careloop.domain.errors import InvalidInput
from careloop.domain.sla.calendar import parse_hours
from careloop.domain.sla.clocks import SlaLimit, limit_from_terms
from careloop.domain.sla.steps import STEP_KINDS
from careloop.domain.vocabulary import AREAS, CHANNELS, CUSTOMER_TIERS, PRIORITIES

STAGES: Final = ("acceptance", "first_contact", "reply", "work_order", "callback", *STEP_KINDS)
"""acceptance: a unit accepts its work order (接单); first_contact: first action on the
complaint; reply: the answer to the customer (答复); work_order: the unit finishes;
callback: the callback after a reply (回访); then a work order's own steps (``sla.steps``)."""
ESCALATION_TARGETS: Final = ("owner", "unit_lead", "city", "province")
"""Whom a breach escalates to, up the org tree (DOMAIN.md §3)."""
NOTIFY_CHANNELS: Final = ("sms", "email", "webhook")


@dataclass(frozen=True, slots=True)
class Criteria:
    """What a policy matches on: category, channel, tier, region, escalated, priority,
    repeat, and whether the region is urban or rural (repair limits differ, §3)."""

    category: str
    channel: str
    tier: str
    region_path: str
    escalated: bool
    priority: str
    repeat: bool = False
    area: str | None = None

    @classmethod
    def of(
        cls,
        complaint: MatchedComplaint,
        region_path: str,
        *,
        repeat: bool = False,
        area: str | None = None,
    ) -> Criteria:
        """The criteria of a complaint (accepted, or a draft at intake) in its region;
        ``repeat``: it repeats an earlier one; ``area``: the region's urban/rural kind."""
        return cls(
            category=complaint.category,
            channel=complaint.channel,
            tier=complaint.customer_tier,
            region_path=region_path,
            escalated=complaint.escalated,
            priority=complaint.priority,
            repeat=repeat,
            area=area,
        )


class MatchedComplaint(Protocol):
    """What matching reads of a complaint besides its region."""

    @property
    def category(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def customer_tier(self) -> str: ...
    @property
    def escalated(self) -> bool: ...
    @property
    def priority(self) -> str: ...


class MatchTerms(Protocol):
    """The coded criteria a policy may name (None: any), as matching and the checks read
    them."""

    @property
    def match_category(self) -> str | None: ...
    @property
    def match_channel(self) -> str | None: ...
    @property
    def match_tier(self) -> str | None: ...
    @property
    def match_priority(self) -> str | None: ...
    @property
    def match_area(self) -> str | None: ...


class MatchedPolicy(MatchTerms, Protocol):
    """What matching reads of a policy: its rank, its id (age) and what it matches on."""

    @property
    def id(self) -> int: ...
    @property
    def rank(self) -> int: ...
    @property
    def match_region(self) -> str | None: ...
    @property
    def match_escalated(self) -> bool | None: ...
    @property
    def match_repeat(self) -> bool | None: ...


class PolicyLimits(Protocol):
    """What the clocks read of a policy: its limits by stage, as stored
    (``{"reply": {"count": "calendar_days", "days": 15}, "first_contact": {"minutes": 480,
    "basis": "working"}, ...}``; ``clocks.limit_from_terms`` reads both shapes)."""

    @property
    def limits(self) -> Mapping[str, Mapping[str, Any]] | None: ...


class PolicyTerms(MatchTerms, Protocol):
    """What an operator sets for a service commitment, as the checks read it."""

    @property
    def limits(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def warn_share(self) -> float: ...
    @property
    def timezone(self) -> str: ...
    @property
    def hours(self) -> Mapping[str, Sequence[Sequence[str]]] | None: ...
    @property
    def escalation(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def reminder_channel(self) -> str: ...


P = TypeVar("P", bound=MatchedPolicy)


def specificity(policy: MatchedPolicy) -> int:
    """How many of the criteria a policy names: the more, the more specific."""
    return sum(
        value is not None
        for value in (
            policy.match_category,
            policy.match_channel,
            policy.match_tier,
            policy.match_region,
            policy.match_escalated,
            policy.match_priority,
            policy.match_repeat,
            policy.match_area,
        )
    )


def fits(policy: MatchedPolicy, criteria: Criteria, region_paths: Mapping[str, str]) -> bool:
    """Whether ``policy`` applies: every criterion it names agrees with the complaint.

    A first-level category matches every complaint filed under it; a region matches its
    whole subtree (``region_paths``: the materialised path of each region code a policy
    names; an unknown code matches nothing).
    """
    level1 = criteria.category.split(".")[0]
    return (
        (policy.match_category is None or policy.match_category in (criteria.category, level1))
        and (policy.match_channel is None or policy.match_channel == criteria.channel)
        and (policy.match_tier is None or policy.match_tier == criteria.tier)
        and (policy.match_escalated is None or policy.match_escalated == criteria.escalated)
        and (policy.match_priority is None or policy.match_priority == criteria.priority)
        and (policy.match_repeat is None or policy.match_repeat == criteria.repeat)
        and (policy.match_area is None or policy.match_area == criteria.area)
        and (
            policy.match_region is None
            or criteria.region_path.startswith(region_paths.get(policy.match_region, "\0"))
        )
    )


def best_policy(
    policies: Iterable[P], criteria: Criteria, region_paths: Mapping[str, str]
) -> P | None:
    """The policy a complaint is held to: highest rank, then most specific, then oldest."""
    candidates = sorted(
        (p for p in policies if fits(p, criteria, region_paths)),
        key=lambda p: (-p.rank, -specificity(p), p.id),
    )
    return candidates[0] if candidates else None


def limit_of(policy: PolicyLimits | None, stage: str) -> SlaLimit | None:
    """The limit ``policy`` sets for ``stage`` (None: that stage has no clock)."""
    if policy is None:
        return None
    raw = (policy.limits or {}).get(stage)
    if not raw:
        return None
    return limit_from_terms(raw)


def check_policy_terms(terms: PolicyTerms) -> None:
    """Refuse (InvalidInput, the field named) a commitment the clocks could not keep: no
    limit, an unknown stage, basis, time zone, hours, escalation target or channel, a warning
    share outside (0, 1], or a match on a value the vocabulary does not know."""
    if not terms.limits:
        raise InvalidInput("limits", "至少设置一个时限 / set at least one limit")
    for stage, raw in terms.limits.items():
        if stage not in STAGES:
            raise InvalidInput(
                "limits", f"未知环节 / unknown stage '{stage}' ({', '.join(STAGES)})"
            )
        try:
            limit_from_terms(raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"limits.{stage}", str(exc)) from None
    if not 0 < terms.warn_share <= 1:
        raise InvalidInput("warn_share", "应在 (0, 1] 之间 / must be in (0, 1]")
    try:
        ZoneInfo(terms.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("timezone", f"未知时区 / unknown time zone '{terms.timezone}'") from None
    try:
        parse_hours(terms.hours)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("hours", str(exc)) from None
    for step in terms.escalation:
        if step.get("to") not in ESCALATION_TARGETS:
            raise InvalidInput("escalation", f"to: one of {', '.join(ESCALATION_TARGETS)}")
        if step.get("channel", "email") not in NOTIFY_CHANNELS:
            raise InvalidInput("escalation", f"channel: one of {', '.join(NOTIFY_CHANNELS)}")
        if int(step.get("after_minutes", 0)) < 0 or int(step.get("level", 0)) < 1:
            raise InvalidInput("escalation", "level ≥ 1, after_minutes ≥ 0")
    if terms.reminder_channel not in NOTIFY_CHANNELS:
        raise InvalidInput("reminder_channel", f"one of {', '.join(NOTIFY_CHANNELS)}")
    for name, value, vocabulary in (
        ("match_channel", terms.match_channel, CHANNELS),
        ("match_tier", terms.match_tier, CUSTOMER_TIERS),
        ("match_priority", terms.match_priority, PRIORITIES),
        ("match_area", terms.match_area, AREAS),
    ):
        if value is not None and value not in vocabulary:
            zh = "、".join(f"{code}（{labels[0]}）" for code, labels in vocabulary.items())
            raise InvalidInput(
                name,
                f"未知取值「{value}」，可选：{zh}，或留空表示不限 / unknown value '{value}', "
                f"allowed: {', '.join(vocabulary)}, or empty for any",
            )
    if terms.match_category is not None and get_category(terms.match_category) is None:
        raise InvalidInput(
            "match_category", f"未知分类 / unknown category '{terms.match_category}'"
        )
