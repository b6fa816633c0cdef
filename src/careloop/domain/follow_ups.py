"""A caller whose complaint is still open calls again (DOMAIN.md §2: 首问负责, repeats).

A second complaint about the same open issue would split the record and count the
customer twice. Instead the agent either adds the call to the open complaint (追加: the
call's words and channel go on its trail and it counts as a repeat contact) or chases it
(催办: the owner and every unit still holding a work order are told, and the complaint
counts the chase). Both leave the complaint's status and version alone, as a note does,
so two agents may follow it up at once; both are audited. The rules here say when they are
allowed, who is told and what they read; the service writes the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from careloop.domain.complaints import mask_phone
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle.tickets import OPEN_STATUSES, STAFF_WRITERS, STATUS_LABELS, Status
from careloop.domain.text import clean_text
from careloop.domain.vocabulary import CHANNELS

ADD_CALL: Final = "add_call"
"""Audit action of 追加: a further contact about the same open complaint."""
CHASE: Final = "chase"
"""Audit action of 催办: the customer (or a colleague) pressed for progress."""

FOLLOW_UP_ACTIONS: Final = (ADD_CALL, CHASE)
FOLLOW_UP_ROLES: Final = STAFF_WRITERS
"""Whoever may write on a complaint may follow it up (the desk, units, supervisors)."""

NOTICE_KIND: Final = "chase"
"""Outbox kind of a chase's messages (beside reminder, escalation, repeat)."""
NOTICE_CHANNEL: Final = "email"

MAX_CALL_TEXT: Final = 5000


ACTION_WORDS: Final[dict[str, tuple[str, str, str]]] = {
    ADD_CALL: ("追加来电", "add calls to complaints", "add a call to"),
    CHASE: ("催办", "chase complaints", "chase"),
}
"""How a refusal names the action: Chinese, English for a role, English for a status."""


def check_role(action: str, role: str) -> None:
    """Checked before the complaint is read: a role that may never do this learns nothing."""
    if role not in FOLLOW_UP_ROLES:
        zh, en, _ = ACTION_WORDS[action]
        raise DomainError("role_not_allowed", role=role, action=action, action_zh=zh, action_en=en)


def check_follow_up(action: str, status: str, role: str) -> None:
    """Raise unless ``role`` may ``action`` a complaint in ``status``: only an open
    complaint is followed up; a closed one is reopened by a callback or complained of anew."""
    check_role(action, role)
    if status not in {s.value for s in OPEN_STATUSES}:
        zh, _, en = ACTION_WORDS[action]
        status_zh, status_en = STATUS_LABELS.get(Status(status), (status, status))
        raise DomainError(
            "illegal_transition",
            status=status,
            action=action,
            action_zh=zh,
            action_en=en,
            status_zh=status_zh,
            status_en=status_en,
        )


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InvalidInput("channel", f"未知渠道 / unknown channel '{channel}'")
    return channel


def call_text(text: str | None) -> str:
    """The added call's words as stored: required, like a complaint's description."""
    cleaned = clean_text(text, "text", MAX_CALL_TEXT, required=True)
    assert cleaned is not None
    return cleaned


def chase_note(note: str | None) -> str | None:
    """What the customer said when chasing, if anything (optional)."""
    return clean_text(note, "text", MAX_CALL_TEXT)


def chase_recipients(owner: str | None, unit_codes: Iterable[str]) -> tuple[str, ...]:
    """Who hears of a chase: the first-question owner (they answer to the customer) and each
    unit holding an open work order (the work is waiting there), each once, owner first."""
    found = [f"staff:{owner}"] if owner else []
    found += [f"unit:{code}" for code in unit_codes]
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class ChaseFacts:
    number: str
    customer_phone: str
    chases: int
    """The chase count including this one."""
    note: str | None = None


def chase_notice(facts: ChaseFacts) -> tuple[str, str]:
    """(subject, body): Chinese first, then English; the caller's number masked."""
    phone = mask_phone(facts.customer_phone)
    said_zh = f"客户留言：{facts.note}\n" if facts.note else ""
    said_en = f"The customer said: {facts.note}\n" if facts.note else ""
    subject = f"[CareLoop] 催办 / chased: {facts.number}（第{facts.chases}次）"
    body = (
        f"客户 {phone} 催办投诉 {facts.number}（第 {facts.chases} 次催办），请尽快处理并答复。\n"
        f"{said_zh}"
        f"Customer {phone} chased complaint {facts.number} (chase no. {facts.chases}); "
        f"please move it on and reply.\n{said_en}"
    )
    return subject[:200], body


@dataclass(frozen=True, slots=True)
class FollowUpCounts:
    calls_added: int = 0
    """Further contacts added to the complaint (each a repeat contact)."""
    chases: int = 0


def count(actions: Sequence[str]) -> FollowUpCounts:
    """The counts of a complaint's trail (its audit actions, in any order)."""
    return FollowUpCounts(actions.count(ADD_CALL), actions.count(CHASE))
