"""Which service commitment holds a complaint, and the limit it sets for each stage.

Time limits are configured per category, channel, customer tier, region, escalation and
priority (DOMAIN.md §3). Policies are versioned data kept by the services; the rules here
read them through :class:`MatchedPolicy` and :class:`PolicyLimits`, so a stored row and a
plain test object are judged alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from careloop.domain.sla.clocks import SlaLimit

STAGES: Final = ("acceptance", "first_contact", "reply", "work_order", "callback")
"""acceptance: a unit accepts its work order (接单); first_contact: first action on the
complaint; reply: the answer to the customer (答复); work_order: the unit finishes;
callback: the callback after a reply (回访)."""


@dataclass(frozen=True, slots=True)
class Criteria:
    """What a policy matches on: category, channel, tier, region, escalated, priority."""

    category: str
    channel: str
    tier: str
    region_path: str
    escalated: bool
    priority: str


class MatchedPolicy(Protocol):
    """What matching reads of a policy: its rank, its id (age) and what it matches on."""

    @property
    def id(self) -> int: ...
    @property
    def rank(self) -> int: ...
    @property
    def match_category(self) -> str | None: ...
    @property
    def match_channel(self) -> str | None: ...
    @property
    def match_tier(self) -> str | None: ...
    @property
    def match_region(self) -> str | None: ...
    @property
    def match_escalated(self) -> bool | None: ...
    @property
    def match_priority(self) -> str | None: ...


class PolicyLimits(Protocol):
    """What the clocks read of a policy: its limits by stage, as stored
    (``{"reply": {"minutes": 480, "basis": "working"}, ...}``)."""

    @property
    def limits(self) -> Mapping[str, Mapping[str, Any]] | None: ...


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
    return SlaLimit(int(raw["minutes"]), raw.get("basis", "working"))
