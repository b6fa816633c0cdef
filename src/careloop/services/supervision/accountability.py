"""Responsibility cases (责任认定): open, decide, appeal, decide the appeal; their effect on
the unit's KPI scorecard — the public face of the context, its parts in modules named after
what they hold:

- ``accountability_rules``: the catalogue of rules a case cites (责任条款), and its edits;
- ``accountability_access`` and ``accountability_trail``: who reaches a case; the audit rows;
- ``accountability_views``: one case with its trail, the lists (read models);
- ``accountability_opening``: opening cases by hand and from events (the queued handler);
- ``accountability_decisions``: decide, dismiss, appeal, decide the appeal, make final;
- ``accountability_scorecard``: decided penalties as they count on a unit's scorecard.

Channels, bootstrap and reports import the names below from here; the rules
(domain.supervision.accountability) decide, the services load and store.
"""

from __future__ import annotations

from careloop.services.supervision.accountability_access import concerned, visible_to
from careloop.services.supervision.accountability_decisions import (
    AppealDecision,
    Decision,
    appeal,
    decide,
    decide_appeal,
    dismiss,
    finalise,
)
from careloop.services.supervision.accountability_opening import (
    CaseOpener,
    listens_to,
    open_case,
    open_case_by_codes,
    open_case_for_complaint,
    open_case_for_rectification,
    responsible_for_complaint,
)
from careloop.services.supervision.accountability_rules import rules_in_force, set_rule
from careloop.services.supervision.accountability_scorecard import (
    Period,
    deductions_for,
    penalties_within,
    veto_events_for,
)
from careloop.services.supervision.accountability_views import (
    LOCAL_ZONE,
    CasePage,
    CaseView,
    TrailEntry,
    case_view,
    list_cases,
)
from careloop.services.supervision.rectification import FindingRef

__all__ = [
    "LOCAL_ZONE",
    "AppealDecision",
    "CaseOpener",
    "CasePage",
    "CaseView",
    "Decision",
    "FindingRef",
    "Period",
    "TrailEntry",
    "appeal",
    "case_view",
    "concerned",
    "decide",
    "decide_appeal",
    "deductions_for",
    "dismiss",
    "finalise",
    "list_cases",
    "listens_to",
    "open_case",
    "open_case_by_codes",
    "open_case_for_complaint",
    "open_case_for_rectification",
    "penalties_within",
    "responsible_for_complaint",
    "rules_in_force",
    "set_rule",
    "veto_events_for",
    "visible_to",
]
