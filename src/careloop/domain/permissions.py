"""What each role may do besides lifecycle transitions, and how far it sees (DOMAIN.md §2).

Lifecycle transitions carry their roles in their tables (`domain/lifecycle/`); reports,
exports and the other non-transition rights are listed here, as data, so that the API, the
web pages and the CLI ask the same question and get the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from careloop.domain.errors import DomainError
from careloop.domain.privacy import UNMASK_ROLES

STAFF_ROLES: Final[frozenset[str]] = frozenset(
    {"agent", "handler", "unit_lead", "supervisor", "admin", "inspector"}
)

PROVINCE_WIDE_ROLES: Final[frozenset[str]] = frozenset({"supervisor", "admin", "inspector"})
"""Quality supervisors, administrators and the regulator's inspector see their whole
province, wherever in it their own unit sits (a supervisor belongs to a department)."""

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    # Reading is limited by scope (below), not by role: everybody reads their subtree.
    "complaint.read": STAFF_ROLES,
    # Exports are masked per role (domain.privacy.EXPORT_UNMASKED) and always audited.
    "complaint.export": STAFF_ROLES,
    # Indicator and early-warning reports: managers and the regulator, not the desk.
    "report.read": frozenset({"unit_lead", "supervisor", "admin", "inspector"}),
    # A stored report of a closed period is made again only on a supervisor's word (audited).
    "report.regenerate": frozenset({"supervisor", "admin"}),
    "personal_data.unmask": UNMASK_ROLES,
    "staff.manage": frozenset({"admin"}),
    # The org tree's own facts, such as whether a region is urban or rural (repair limits).
    "org.manage": frozenset({"admin"}),
    "security_events.read": frozenset({"admin"}),
    # Rectification tasks (督促整改, domain.supervision.rectification): who opens a task from
    # a finding, who re-inspects (never the unit itself), who sets the limit per source kind.
    "rectification.open": frozenset({"supervisor", "admin", "unit_lead"}),
    "rectification.reinspect": frozenset({"supervisor", "admin"}),
    "rectification.policy": frozenset({"supervisor", "admin"}),
    # Social supervisors (社会监督员): the registry, and recording what they report.
    "social_supervisor.manage": frozenset({"supervisor", "admin", "unit_lead"}),
    "social_supervision.record": frozenset({"supervisor", "admin", "unit_lead"}),
    # Inspections (监督检查): plans by managers; results by the staff sent (any desk role),
    # read within scope; checklists changed by the quality centre; dial tests posted by a
    # dialling machine's account (a back-office account of the hotline's region).
    "inspection.plan": frozenset({"unit_lead", "supervisor", "admin"}),
    "inspection.record": frozenset({"agent", "handler", "unit_lead", "supervisor", "admin"}),
    "inspection.read": STAFF_ROLES,
    "checklist.manage": frozenset({"supervisor", "admin"}),
    "dial_test.post": frozenset({"handler", "unit_lead", "supervisor", "admin"}),
    # Post-service surveys: results are read like reports; templates and sending rules are
    # the quality department's to set.
    "survey.read": frozenset({"unit_lead", "supervisor", "admin", "inspector"}),
    "survey.manage": frozenset({"supervisor", "admin"}),
    # Responsibility cases (责任认定): opened by the quality centre and inspectors (and the
    # system, from late complaints); the catalogue of rules is the quality centre's to set.
    # Deciding and appealing are the case lifecycle's transitions (domain.supervision).
    "accountability.open": frozenset({"supervisor", "admin", "inspector", "system"}),
    "accountability.rules": frozenset({"supervisor", "admin"}),
    # Spam-SMS governance (垃圾短信治理): reports are read within scope like complaints; the
    # desk records forwarded SMS and the SMS centre's account posts interceptions; 12321
    # transfer files and the port registry are the quality centre's; staff label reports
    # for the classifier's next training run.
    "spam.read": STAFF_ROLES,
    "spam.report": frozenset({"agent", "handler", "unit_lead", "supervisor", "admin"}),
    "spam.import": frozenset({"unit_lead", "supervisor", "admin"}),
    "spam.ports": frozenset({"supervisor", "admin"}),
    "spam.label": frozenset({"agent", "handler", "unit_lead", "supervisor", "admin"}),
}


def has_permission(permission: str, role: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def check_permission(permission: str, role: str) -> None:
    """Raise `role_not_allowed` (403) unless `role` holds `permission`.

    Checked before anything about the record is looked up, so a refusal says nothing about
    whether the record exists.
    """
    if not has_permission(permission, role):
        raise DomainError("role_not_allowed", role=role, action=permission)


def scope_path(role: str, chain: Sequence[tuple[str, str]]) -> str:
    """The org-tree path whose subtree `role` may see.

    `chain` is (kind, path) for each unit from the root down to the actor's own unit.
    Province-wide roles see the province they belong to (the group, if they sit above any
    province); everyone else sees the region their unit serves (their own unit, or for a
    department the city or county it belongs to) and what lies below it, which is how a
    county's handler is kept out of the next county's complaints.
    """
    if not chain:
        return "/"
    if role in PROVINCE_WIDE_ROLES:
        provinces = [path for kind, path in chain if kind == "province"]
        return provinces[-1] if provinces else chain[0][1]
    # A department serves the region it hangs off: the city hotline calls back the
    # complaints its city's stores accepted, a county network department sees its county.
    regions = [path for kind, path in chain if kind != "department"]
    return regions[-1] if regions else chain[-1][1]


def in_scope(path: str, scope: str) -> bool:
    """True if the unit at `path` lies within the subtree at `scope`."""
    return path.startswith(scope)
