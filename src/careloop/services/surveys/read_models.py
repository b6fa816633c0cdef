"""What surveys look like to their readers: plain values, never ORM rows.

The supervisor pages, the API and the CLI all read these; personal data never appears in
them except masked (a survey result needs no phone number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from careloop.domain.surveys import Question, SendingRule, Template


@dataclass(frozen=True)
class TemplateView:
    id: int
    purpose: str
    version: int
    active: bool
    created_at: datetime
    created_by: str
    template: Template

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.template.questions


@dataclass(frozen=True)
class RuleView:
    """A stored sending rule; ``region_code`` None is the global rule. ``version`` is for
    optimistic locking (send it back when saving; 0: not stored yet, the defaults)."""

    region_code: str | None
    region_name: str
    rule: SendingRule
    version: int
    updated_at: datetime | None
    updated_by: str | None


@dataclass(frozen=True)
class SendReport:
    """One round of ``send_due_surveys``: how many went each way."""

    sent: int = 0
    scheduled: int = 0
    skipped: int = 0
    expired: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "scheduled": self.scheduled,
            "skipped": self.skipped,
            "expired": self.expired,
            "reasons": dict(self.reasons),
        }


@dataclass(frozen=True)
class SurveyForm:
    """The public page's view of one link: the questions of the version it was sent with."""

    survey_id: int
    template: Template
    expires_at: datetime | None
    answered: bool
    answers: dict[str, Any] | None
    opted_out: bool


@dataclass(frozen=True)
class AnswerReceipt:
    survey_id: int
    complaint_id: int
    satisfied: bool | None
    answered_at: datetime
    repeated: bool
    """True when the link had been answered already: the first answer stands, unchanged."""


@dataclass(frozen=True)
class OptOutReceipt:
    already: bool
    """True when the number had opted out before (nothing new recorded)."""
    at: datetime


@dataclass(frozen=True)
class SurveyView:
    """One complaint's survey as staff see it (the complaint page, the API)."""

    id: int
    complaint_id: int
    template_purpose: str
    template_version: int
    status: str
    reason: str | None
    reason_text: str
    due_at: datetime
    sent_at: datetime | None
    expires_at: datetime | None
    answered_at: datetime | None
    satisfied: bool | None
    answers: list[AnswerView]
    unit_code: str
    unit_name: str
    agent_username: str
    agent_name: str


@dataclass(frozen=True)
class AnswerView:
    key: str
    question: str
    kind: str
    value: Any
    shown: str
    """The answer in the reader's words (是 / 8 分 / the choice's wording / the text)."""


@dataclass(frozen=True)
class QuestionMean:
    key: str
    question: str
    kind: str
    mean: float | None
    answers: int


@dataclass(frozen=True)
class ResultRow:
    """One unit's or agent's surveys in the period: sent in it, answered in it."""

    key: str
    """The unit's code or the agent's username."""
    name: str
    sent: int
    answered: int
    satisfied: int
    response_rate: float | None
    """answered ÷ sent × 100 (None: nothing sent)."""
    satisfaction: float | None
    """satisfied ÷ answered × 100 (None: nothing answered)."""
    means: list[QuestionMean]


@dataclass(frozen=True)
class SurveyResults:
    by: str
    """unit | agent"""
    period_label: str
    start: datetime
    end: datetime
    rows: list[ResultRow]
    total: ResultRow
