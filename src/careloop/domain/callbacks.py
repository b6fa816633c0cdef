"""Callbacks as a call centre makes them (回访), and the regulator appeal's outcomes.

A replied complaint waits for its callback. The call ends the loop one of four ways:
the customer is satisfied (closed), dissatisfied (reopened, back to handling), declines the
callback (closed as declined), or cannot be reached. An unreachable customer is tried again
on a schedule (`RETRY_SCHEDULE`); after `max_attempts` unreachable attempts the complaint is
closed as unreachable. Unreachable and declined are counted apart: neither is a satisfied nor
a dissatisfied callback, so the satisfaction rate (satisfied ÷ callbacks done) is not bent.

The retry schedule, in the business time zone (China has no daylight saving):

- after the 1st unreachable attempt: 4 calling hours later, counted only inside the daily
  calling window 09:00–20:00 (a call at 18:00 is tried again at 11:00 the next morning);
- after the 2nd: the next day, at the same time of day;
- after the 3rd and later (when a site allows more than three): two days later;

a time that falls outside the window moves to the window's next opening. A call centre works
every day, so weekends and holidays are calling days. An attempt before the scheduled time is
refused (`callback_not_due`): three quick redials within a minute are one attempt, not three,
and must not close a complaint.

Regulator appeals (工信部 / 通信管理局 转办) end settled (和解), not accepted by the customer
(不认可) or acknowledged (知晓): the figures the regulator's statistics ask for (DOMAIN.md §1).

Pure: no I/O, no clock; callers pass the instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Final

from careloop.domain.errors import DomainError


class CallbackOutcome(StrEnum):
    SATISFIED = "satisfied"
    DISSATISFIED = "dissatisfied"
    UNREACHABLE = "unreachable"
    DECLINED = "declined"


CALLBACK_OUTCOME_LABELS: Final[dict[CallbackOutcome, tuple[str, str]]] = {
    CallbackOutcome.SATISFIED: ("满意", "satisfied"),
    CallbackOutcome.DISSATISFIED: ("不满意", "dissatisfied"),
    CallbackOutcome.UNREACHABLE: ("多次联系不上", "customer unreachable"),
    CallbackOutcome.DECLINED: ("客户拒绝回访", "customer declined the callback"),
}

OUTCOME_OF_ACTION: Final[dict[str, CallbackOutcome]] = {
    "callback_satisfied": CallbackOutcome.SATISFIED,
    "reopen": CallbackOutcome.DISSATISFIED,
    "close_unreachable": CallbackOutcome.UNREACHABLE,
    "callback_declined": CallbackOutcome.DECLINED,
}
"""The audit action that records each outcome (the transition's name in the lifecycle)."""

ATTEMPT_ACTION: Final = "callback_unreachable"
"""An unreachable attempt that does not end the loop: the complaint stays replied."""


def legacy_satisfied(outcome: CallbackOutcome) -> bool | None:
    """`complaints.callback_satisfied` as the figures before outcomes read it: True for
    satisfied, False for dissatisfied, None for an outcome that is neither."""
    if outcome is CallbackOutcome.SATISFIED:
        return True
    if outcome is CallbackOutcome.DISSATISFIED:
        return False
    return None


class AppealOutcome(StrEnum):
    SETTLED = "settled"
    NOT_ACCEPTED = "not_accepted"
    INFORMED = "informed"


APPEAL_OUTCOME_LABELS: Final[dict[AppealOutcome, tuple[str, str]]] = {
    AppealOutcome.SETTLED: ("和解", "settled"),
    AppealOutcome.NOT_ACCEPTED: ("用户不认可", "not accepted by the customer"),
    AppealOutcome.INFORMED: ("用户知晓", "acknowledged by the customer"),
}


def label(outcome: CallbackOutcome | AppealOutcome | str, lang: str) -> str:
    """A callback or appeal outcome in words (zh unless `lang` is English)."""
    labels = {str(k): v for k, v in CALLBACK_OUTCOME_LABELS.items()}
    labels |= {str(k): v for k, v in APPEAL_OUTCOME_LABELS.items()}
    zh, en = labels.get(str(outcome), (str(outcome), str(outcome)))
    return en if lang.startswith("en") else zh


LOCAL_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")
"""The business time zone of the calling window (fixed +08:00, no daylight saving)."""


@dataclass(frozen=True, slots=True)
class RetryStep:
    """How long to wait after an unreachable attempt: calling hours (counted inside the
    calling window only) or whole days (the same time of day, moved into the window)."""

    calling_hours: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if (self.calling_hours > 0) == (self.days > 0) or min(self.calling_hours, self.days) < 0:
            raise ValueError("a retry step waits either calling hours or days, and a positive time")


RETRY_SCHEDULE: Final = (RetryStep(calling_hours=4), RetryStep(days=1), RetryStep(days=2))
"""Wait after the 1st, 2nd, 3rd … unreachable attempt; the last step repeats."""

DEFAULT_MAX_ATTEMPTS: Final = 3
"""Unreachable attempts before the complaint is closed as unreachable (settings may raise it:
`CARELOOP_CALLBACK_ATTEMPTS`)."""

MAX_ATTEMPTS_LIMIT: Final = 10


@dataclass(frozen=True, slots=True)
class CallbackRule:
    """The N-attempt rule and the retry schedule one site follows."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    schedule: tuple[RetryStep, ...] = RETRY_SCHEDULE
    window: tuple[time, time] = (time(9), time(20))
    """The daily calling window, local time: calls are placed at or after the first and
    before the second."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            raise ValueError(f"callback attempts must be 1 to {MAX_ATTEMPTS_LIMIT}")
        if not self.schedule:
            raise ValueError("a retry schedule needs at least one step")
        if not self.window[0] < self.window[1]:
            raise ValueError("the calling window must open before it closes")

    def closes(self, attempts: int) -> bool:
        """Whether the `attempts`th unreachable attempt ends the loop (closed as unreachable)."""
        return attempts >= self.max_attempts

    def next_attempt_at(self, attempts: int, at: datetime) -> datetime | None:
        """When to call again after the `attempts`th unreachable attempt made at `at` (UTC);
        None when that attempt was the last."""
        if attempts < 1:
            raise ValueError("attempts count from 1")
        if self.closes(attempts):
            return None
        step = self.schedule[min(attempts, len(self.schedule)) - 1]
        local = _aware(at).astimezone(LOCAL_TZ)
        if step.days:
            return self._into_window(local + timedelta(days=step.days)).astimezone(UTC)
        return self._add_calling_hours(local, step.calling_hours).astimezone(UTC)

    def _into_window(self, local: datetime) -> datetime:
        """`local` if the window is open then, else the window's next opening."""
        opens, closes = self.window
        if local.time() < opens:
            return datetime.combine(local.date(), opens, LOCAL_TZ)
        if local.time() >= closes:
            return datetime.combine(local.date() + timedelta(days=1), opens, LOCAL_TZ)
        return local

    def _add_calling_hours(self, local: datetime, hours: int) -> datetime:
        left = timedelta(hours=hours)
        current = self._into_window(local)
        while True:
            closing = datetime.combine(current.date(), self.window[1], LOCAL_TZ)
            if current + left < closing:
                return current + left
            left -= closing - current
            current = self._into_window(closing)


def rule_for(max_attempts: int | None) -> CallbackRule:
    """The default schedule with a site's own number of attempts (None: the default)."""
    return CallbackRule(DEFAULT_MAX_ATTEMPTS if max_attempts is None else max_attempts)


def check_attempt_due(next_at: datetime | None, now: datetime) -> None:
    """Refuse an unreachable attempt before the scheduled time of the next one: the message
    says when (local time), so the agent knows when to call again."""
    if next_at is not None and _aware(now) < _aware(next_at):
        local = _aware(next_at).astimezone(LOCAL_TZ)
        raise DomainError("callback_not_due", at=f"{local:%Y-%m-%d %H:%M}")


def _aware(at: datetime) -> datetime:
    """A naive instant is UTC (as the store hands them back on SQLite)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
