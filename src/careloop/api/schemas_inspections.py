"""Request and response models of /api/v1/inspections, /api/v1/dial-tests and
/api/v1/checklists; every field described for OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from careloop.api.schemas import Strict

InspectionKind = Literal[
    "store_visit", "dial_test", "online_walkthrough", "installation_walkthrough"
]


class DialTestIn(Strict):
    hotline: str = Field(
        min_length=1, max_length=20, description="The hotline number dialled", examples=["10000"]
    )
    started_at: AwareDatetime = Field(description="When the call was placed (with offset)")
    outcome: Literal["answered", "abandoned", "busy", "no_answer"] = Field(
        description="answered 接通, abandoned 放弃, busy 忙音, no_answer 无应答"
    )
    answer_seconds: float | None = Field(
        None, ge=0, le=3600, description="Seconds until the call was answered (answered calls)"
    )
    wait_seconds: float | None = Field(
        None, ge=0, le=3600, description="Seconds then waiting for a human agent"
    )
    idempotency_key: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Retry-safe posting (or the Idempotency-Key header); one call per key",
    )


class DialTestOut(BaseModel):
    id: int = Field(description="Dial test id")
    hotline: str
    hotline_name: str
    started_at: datetime
    outcome: str
    outcome_label: str
    answer_seconds: float | None
    wait_seconds: float | None
    answered_within: bool = Field(description="Counts towards 拨测接通率 (within 20 s)")
    idempotency_key: str


class DialTestPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[DialTestOut] = Field(description="This page of dial tests, newest first")


class ItemResultIn(Strict):
    code: str = Field(min_length=1, max_length=40, description="Checklist item code")
    awarded: float | None = Field(
        None, ge=0, le=100, description="Points given (0 … the item's weight); empty: not yet"
    )
    photo: str | None = Field(None, max_length=200, description="Photo file name or reference")
    recording: str | None = Field(None, max_length=200, description="Call recording reference")
    timestamp: str | None = Field(None, max_length=200, description="Times noted, e.g. 10:02-10:19")
    note: str | None = Field(None, max_length=500, description="What the inspector saw")


class ResultIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1, description="The inspection's version as read")
    items: list[ItemResultIn] = Field(
        default_factory=list,
        max_length=100,
        description="Item results; a draft replaces only the items sent",
    )
    visited_at: AwareDatetime | None = Field(None, description="When the visit took place")


class ItemOut(BaseModel):
    code: str = Field(description="Checklist item code")
    name: str = Field(description="The item in the caller's language")
    weight: float
    mandatory: bool
    evidence_needed: list[str]
    guidance: str
    awarded: float | None = Field(description="Points given (0 … weight); null: not scored yet")
    evidence: dict[str, str]
    note: str = Field(description="What the inspector saw; empty if nothing")
    failed: bool | None = Field(
        description="Earned less than weight × pass share; null: not scored yet"
    )


class InspectionOut(BaseModel):
    id: int = Field(description="Inspection id")
    version: int
    kind: str = Field(
        description="store_visit, dial_test, online_walkthrough or installation_walkthrough"
    )
    kind_label: str
    status: str
    status_label: str
    subject_code: str
    subject_name: str
    inspector: str | None
    inspector_name: str | None
    due_on: date
    overdue: bool
    checklist_version: int | None
    score: float | None = Field(description="Score (0–100); null until submitted")
    compliant: bool | None = Field(
        description="达标: at the pass mark with no mandatory item failed; null until submitted"
    )
    failed_items: list[str]
    visited_at: datetime | None
    submitted_at: datetime | None
    source: str = Field(
        description="Where the visit came from: plan (a planned slot), import (Excel) or demo"
    )
    plan_id: int | None


class InspectionPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[InspectionOut] = Field(description="This page of inspections")


class InspectionDetailOut(BaseModel):
    inspection: InspectionOut
    checklist_name: str = Field(
        description="Name of the checklist version used, in the caller's language"
    )
    pass_mark: float
    items: list[ItemOut] = Field(
        description="The checklist's items with this visit's results, in order"
    )


class PlanIn(Strict):
    name: str = Field(min_length=1, max_length=100, description="e.g. 2026年第四季度营业厅明察暗访")
    kind: InspectionKind = Field(description="What kind of inspection to plan")
    cadence: Literal["quarterly", "monthly", "daily", "once"]
    starts_on: date
    ends_on: date
    inspectors: list[str] = Field(min_length=1, max_length=100, description="Usernames sent")
    region: str | None = Field(None, max_length=64, description="Only subjects in this region")
    subjects: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Or exactly these subjects (codes); empty: every subject in the region "
        "or, without one, in your scope",
    )


class PlanOut(BaseModel):
    id: int = Field(description="Plan id")
    name: str = Field(description="The plan's name")
    kind: str = Field(
        description="store_visit, dial_test, online_walkthrough or installation_walkthrough"
    )
    cadence: str
    starts_on: date
    ends_on: date
    slots: int


class SubjectIn(Strict):
    kind: Literal["store", "hotline", "online_channel", "installation_team"] = Field(
        description="What is inspected: store, hotline, online_channel or installation_team"
    )
    code: str = Field(min_length=1, max_length=40, description="Stable code of the subject")
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(
        None, max_length=100, description="English name; default: the Chinese name"
    )
    unit: str = Field(min_length=1, max_length=64, description="The answerable unit's code")
    hotline_number: str | None = Field(
        None,
        max_length=20,
        description="Its number (digits) dial tests name; required for a hotline",
    )


class SubjectOut(BaseModel):
    id: int = Field(description="Subject id")
    kind: str = Field(description="store, hotline, online_channel or installation_team")
    code: str = Field(description="Stable code of the subject")
    name_zh: str
    name_en: str
    hotline_number: str | None


class ScoreOut(BaseModel):
    code: str = Field(description="Code of the store, or of the region's unit")
    name: str = Field(description="Its name in the caller's language")
    region: str = Field(description="Its region's name, caller's language (a region: its own)")
    visits: int
    compliant: int = Field(description="Of those visits, how many were compliant (达标)")
    compliance_rate: float | None = Field(description="达标率, percent")
    mean_score: float | None
    rank: int


class HotlineScoreOut(BaseModel):
    code: str = Field(description="Code of the hotline")
    number: str = Field(description="The hotline number; empty if it has none")
    name: str = Field(description="The hotline's name in the caller's language")
    region: str = Field(description="Name of its region in the caller's language")
    dial_tests: int
    answered_within: int
    answer_rate: float | None = Field(description="拨测接通率, percent")
    mean_answer_seconds: float | None
    mean_wait_seconds: float | None
    rank: int = Field(description="Place by answer rate, best first (1, 2, 3 …)")


class TrendOut(BaseModel):
    period: str
    visits: int
    compliant: int = Field(description="Of those visits, how many were compliant (达标)")
    compliance_rate: float | None
    mean_score: float | None


class ScoresOut(BaseModel):
    start: date
    end: date
    stores: list[ScoreOut]
    regions: list[ScoreOut]
    hotlines: list[HotlineScoreOut]
    trend: list[TrendOut]


class ChecklistItemOut(BaseModel):
    code: str = Field(description="Item code, unique within the checklist")
    name_zh: str
    name_en: str
    weight: float
    mandatory: bool
    evidence: list[str] = Field(description="Evidence the item needs: photo, recording, timestamp")
    guidance_zh: str
    pass_share: float


class ChecklistOut(BaseModel):
    kind: str = Field(
        description="store_visit, dial_test, online_walkthrough or installation_walkthrough"
    )
    version: int = Field(
        description="Checklist version; a result keeps the version it was scored with"
    )
    name_zh: str
    name_en: str
    pass_mark: float
    note: str = Field(description="Note on how the inspection is done; empty if none")
    items: list[ChecklistItemOut] = Field(description="Its items, in order")
    versions: list[int]


class ChecklistItemIn(Strict):
    code: str = Field(
        min_length=1, max_length=40, description="Item code, unique within the checklist"
    )
    name_zh: str = Field(min_length=1, max_length=60)
    name_en: str | None = Field(
        None, max_length=100, description="English name; default: the Chinese name"
    )
    weight: float = Field(gt=0, le=100)
    mandatory: bool = False
    evidence: list[Literal["photo", "recording", "timestamp"]] = Field(
        default_factory=list, description="Evidence the item needs before submitting"
    )
    guidance_zh: str | None = Field(None, max_length=200)
    pass_share: float = Field(0.6, gt=0, le=1)


class ChecklistIn(Strict):
    name_zh: str = Field(min_length=1, max_length=60)
    name_en: str | None = Field(
        None, max_length=100, description="English name; default: the Chinese name"
    )
    pass_mark: float = Field(85.0, gt=0, le=100)
    note: str | None = Field(
        None, max_length=200, description="Note on how the inspection is done (optional)"
    )
    items: list[ChecklistItemIn] = Field(
        min_length=1, max_length=100, description="Its items, in order"
    )


class ImportOut(BaseModel):
    imported: bool
    visits: int = Field(description="Visits imported; 0 when nothing was")
    errors: list[str]


DESCRIPTIONS: dict[str, str] = {
    "answer_seconds": "Seconds until the call was answered",
    "answered_within": "Calls answered within the 20-second service level",
    "awarded": "Points given for the item",
    "cadence": "quarterly, monthly, daily or once",
    "checklist_name": "The checklist's name",
    "checklist_version": "The checklist version the result was scored against",
    "code": "Code",
    "compliance_rate": "达标率: compliant visits ÷ visits × 100 (None: no visits)",
    "compliant": "达标: at the pass mark with no mandatory item failed",
    "dial_tests": "Dial tests made in the period",
    "due_on": "Day the visit is due by (Beijing time)",
    "end": "Last day of the period",
    "ends_on": "Last day of the plan",
    "errors": "What stopped the import, each named by its row",
    "evidence": "Evidence kind → reference (photo, recording, timestamp)",
    "evidence_needed": "Evidence kinds the item needs before submitting",
    "failed": "Whether the item earned less than its pass share",
    "failed_items": "Codes of the items that failed (each a rectification task)",
    "guidance": "What the inspector looks for",
    "guidance_zh": "What the inspector looks for (Chinese)",
    "hotline": "The hotline number",
    "hotline_name": "The hotline's name",
    "hotline_number": "The hotline number dial tests name",
    "hotlines": "Hotlines ranked by dial-test answer rate",
    "id": "Record id",
    "idempotency_key": "The key the dial test was posted with",
    "imported": "Whether the file was imported (all or nothing)",
    "inspection": "The inspection",
    "inspector": "Username of the inspector sent",
    "inspector_name": "Name of the inspector sent",
    "items": "The items",
    "kind": "Kind",
    "kind_label": "The kind in the reader's language",
    "limit": "Page size",
    "mandatory": "A failed mandatory item fails the visit (一票否决)",
    "mean_answer_seconds": "Mean seconds to answer",
    "mean_score": "Mean score (0–100)",
    "mean_wait_seconds": "Mean seconds waiting for an agent",
    "name": "Name",
    "name_en": "English name",
    "name_zh": "Chinese name",
    "note": "Note",
    "number": "The hotline number",
    "offset": "Rows skipped",
    "outcome": "answered, abandoned, busy or no_answer",
    "outcome_label": "The outcome in the reader's language",
    "overdue": "Not submitted and past its due day",
    "pass_mark": "达标线: the score a compliant visit reaches",
    "pass_share": "Share of its weight below which an item fails",
    "period": "Month (YYYY-MM) or quarter (YYYYQn)",
    "plan_id": "The plan that laid out the visit, if any",
    "rank": "Rank (equal scores share a rank)",
    "region": "Region",
    "regions": "Cities ranked, pooled from their stores",
    "score": "Score (0–100)",
    "slots": "Result slots the plan laid out",
    "source": "How the result came in: plan, form, import or demo",
    "start": "First day of the period",
    "started_at": "When the call was placed",
    "starts_on": "First day of the plan",
    "status": "planned, draft or submitted",
    "status_label": "The status in the reader's language",
    "stores": "Stores ranked by mean score",
    "subject_code": "Code of what was inspected",
    "subject_name": "Name of what was inspected",
    "subjects": "Codes of the subjects to plan",
    "submitted_at": "When the result was submitted",
    "total": "Rows matching",
    "trend": "达标率 and mean score per month or quarter",
    "version": "Version (send it back with a change)",
    "versions": "Every version of this kind's checklist",
    "visited_at": "When the visit took place",
    "visits": "Visits submitted",
    "wait_seconds": "Seconds waiting for a human agent",
    "weight": "Points the item is worth",
}
"""What each field means, for OpenAPI: given to every field that does not say it itself."""


def _describe() -> None:
    for model in list(globals().values()):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        if model.__module__ != __name__:
            continue
        changed = False
        for name, info in model.model_fields.items():
            if not info.description and name in DESCRIPTIONS:
                info.description = DESCRIPTIONS[name]
                changed = True
        if changed:
            model.model_rebuild(force=True)


_describe()
