"""Hotline dial tests (热线拨测) measured by a dialling machine: what one call found.

A prober dials the hotline on a schedule and reports, per call, when it started, how many
seconds until the call was answered (``answer_seconds``), how long it then waited for a
human agent (``wait_seconds``) and the outcome. The hotline's dial-test answer rate
(拨测接通率) counts calls answered within N seconds; N is the 20-second service level of
DOMAIN.md §4 unless the operator sets another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from careloop.domain.errors import InvalidInput

OUTCOMES: Final[dict[str, tuple[str, str]]] = {
    "answered": ("接通", "answered"),
    "abandoned": ("放弃", "abandoned"),
    "busy": ("忙音", "busy"),
    "no_answer": ("无应答", "no answer"),
}
ANSWER_WITHIN_SECONDS: Final = 20
"""Answered within this many seconds counts towards the answer rate (20-second service level)."""
MAX_SECONDS: Final = 3600
"""A dial test that ran longer than an hour is a broken prober, not a measurement."""
HOTLINE_NUMBER_MAX_CHARS: Final = 20


@dataclass(frozen=True)
class DialMeasurement:
    hotline: str
    started_at: datetime
    outcome: str
    answer_seconds: float | None
    wait_seconds: float | None


def _bad(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(field, f"{zh} / {en}")


def check_measurement(m: DialMeasurement) -> None:
    """An answered call has an answer time; nothing is negative or longer than an hour."""
    if m.outcome not in OUTCOMES:
        allowed = "、".join(zh for zh, _ in OUTCOMES.values())
        raise _bad(
            "outcome",
            f"拨测结果须为 {allowed} 之一",
            f"outcome must be one of {', '.join(OUTCOMES)}",
        )
    for name, value in (("answer_seconds", m.answer_seconds), ("wait_seconds", m.wait_seconds)):
        if value is None:
            continue
        if value != value or not 0 <= value <= MAX_SECONDS:
            raise _bad(
                name, f"须在 0 到 {MAX_SECONDS} 秒之间", f"must lie between 0 and {MAX_SECONDS} s"
            )
    if m.outcome == "answered" and m.answer_seconds is None:
        raise _bad(
            "answer_seconds", "接通的拨测须填写接通用时", "an answered call needs its answer time"
        )
    if m.outcome != "answered" and m.wait_seconds:
        raise _bad(
            "wait_seconds", "未接通的拨测没有人工等待时长", "only an answered call has a wait time"
        )


def answered_within(
    outcome: str, answer_seconds: float | None, limit: float = ANSWER_WITHIN_SECONDS
) -> bool:
    """Counts towards 拨测接通率: answered, and within ``limit`` seconds (exactly at it counts)."""
    return outcome == "answered" and answer_seconds is not None and answer_seconds <= limit
