"""SQLAlchemy tables, one module per context. Plain mapped classes: rules live in `domain`,
use cases in `services`. Importing this package registers every table on one metadata
(the migrations compare against it)."""

from careloop.store.models.access import (
    ApiToken,
    LoginThrottle,
    OtpChallenge,
    RateLimitBucket,
    SecurityEvent,
)
from careloop.store.models.accountability import (
    AccountabilityCase,
    AccountabilityEvent,
    AccountabilityRule,
)
from careloop.store.models.base import NAMING, Base
from careloop.store.models.complaints import (
    OPEN_PREDICATE,
    Attachment,
    Complaint,
    Event,
    Note,
    WorkOrder,
)
from careloop.store.models.csi import CsiStudy
from careloop.store.models.evidence import EvidenceContent, EvidenceFile
from careloop.store.models.incidents import (
    Incident,
    IncidentEvent,
    IncidentLink,
    IncidentRegion,
)
from careloop.store.models.indicators import (
    CountedDay,
    DailyComplaintCount,
    IndicatorObjective,
    KpiScheme,
    RegionSubscribers,
)
from careloop.store.models.inspections import (
    ChecklistVersion,
    DialTest,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    InspectionSubject,
)
from careloop.store.models.job_runs import JobRun
from careloop.store.models.notifications import Notification
from careloop.store.models.org import OrgUnit, Staff
from careloop.store.models.reply_templates import AttachmentContent, ReplyTemplate
from careloop.store.models.reports import StoredReport
from careloop.store.models.saved_views import SavedListView
from careloop.store.models.sla import (
    CalendarDay,
    CalendarYear,
    ReferenceVersion,
    SlaAlert,
    SlaPolicy,
)
from careloop.store.models.spam import (
    SpamCampaign,
    SpamCampaignBand,
    SpamCampaignReporter,
    SpamEvent,
    SpamPort,
    SpamPortHistory,
    SpamReport,
    SpamReportLabel,
)
from careloop.store.models.spam_bursts import SpamPortBurst
from careloop.store.models.spam_enforcement import (
    SpamEnforcementAlert,
    SpamEnforcementCase,
    SpamEnforcementEvent,
    SpamEnforcementThresholds,
    SpamPortSanction,
    SpamPortSanctionHistory,
)
from careloop.store.models.work_steps import WorkOrderStep

__all__ = [
    "NAMING",
    "OPEN_PREDICATE",
    "AccountabilityCase",
    "AccountabilityEvent",
    "AccountabilityRule",
    "ApiToken",
    "Attachment",
    "AttachmentContent",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "ChecklistVersion",
    "Complaint",
    "CountedDay",
    "CsiStudy",
    "DailyComplaintCount",
    "DialTest",
    "Event",
    "EvidenceContent",
    "EvidenceFile",
    "Incident",
    "IncidentEvent",
    "IncidentLink",
    "IncidentRegion",
    "IndicatorObjective",
    "Inspection",
    "InspectionEvent",
    "InspectionPlan",
    "InspectionSubject",
    "JobRun",
    "KpiScheme",
    "LoginThrottle",
    "Note",
    "Notification",
    "OrgUnit",
    "OtpChallenge",
    "RateLimitBucket",
    "ReferenceVersion",
    "RegionSubscribers",
    "ReplyTemplate",
    "SavedListView",
    "SecurityEvent",
    "SlaAlert",
    "SlaPolicy",
    "SpamCampaign",
    "SpamCampaignBand",
    "SpamCampaignReporter",
    "SpamEnforcementAlert",
    "SpamEnforcementCase",
    "SpamEnforcementEvent",
    "SpamEnforcementThresholds",
    "SpamEvent",
    "SpamPort",
    "SpamPortBurst",
    "SpamPortHistory",
    "SpamPortSanction",
    "SpamPortSanctionHistory",
    "SpamReport",
    "SpamReportLabel",
    "Staff",
    "StoredReport",
    "WorkOrder",
    "WorkOrderStep",
]
