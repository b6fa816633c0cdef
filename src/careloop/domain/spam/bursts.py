"""Port report bursts (端口举报突增): is a port reported abnormally often *today, so far*?

The complaint early warning (``domain.early_warning``) judges a day once it has ended; a
spam campaign does its harm within hours, so a port's burst is judged on the partial day,
the same day (DOMAIN.md §5, §7), against the port's own history *by the same clock time*.

**What is counted.** Distinct reporters, not reports: one angry customer reporting the same
message twenty times is one voice, not a burst. Reports are shown beside, for the reader.

**The baseline.** For each of the previous ``baseline_days`` (28) local days, the distinct
reporters of the port between midnight and the same time of day as now (at 11:00 the
baseline is each earlier day's 00:00–11:00): a burst at 11:00 is compared with ordinary
mornings, not with whole days, so the rule works at any hour without an intraday model and
without under-flagging in the morning. A closed day is compared with whole days.

**The test** is the complaint early warning's, imported, not copied:
``domain.early_warning.detect_rises`` on each port's series (baseline days, then today)
with the ``"day"`` window alone — one-sided negative-binomial upper tail, dispersion fitted
to the port's own baseline plus two standard errors of it, weekday factors shrunk towards
the pattern of all ports, the Jeffreys level for sparse baselines (see that module's 1.–3.).
A port is tested this way when it has at least ``MIN_BASELINE_DAYS`` (14) days of history
and at least one reporter in them.

**False alarms.** Benjamini–Hochberg across every port tested in one run at ``fdr`` (0.05):
among a run's flags at most 5 % are expected false, and on a day with no real burst the
chance of any flag is at most 5 % per run. A port needs ``min_reporters`` (5) distinct
reporters today before its p-value counts at all (a quiet port going 0 → 2 never flags).
The job runs every few minutes and flags a port at most once a day (``services.spam.
bursts``), so repeated runs add looks but never a second flag for the same port and day;
each run's 5 % is the figure stated, not the day's.

**A port never reported before** (no reporter in its baseline) or with too short a history
has nothing to be tested against — any count is "infinitely" above zero — so it needs an
absolute floor instead: ``new_port_floor`` (20) distinct reporters today. A new marketing
port sending to a million customers gets a few reports legitimately; twenty different
people by the same hour is a campaign.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Final, Literal

from careloop.domain import early_warning as ew
from careloop.domain.errors import WordedError

Basis = Literal["test", "floor"]

DEFAULT_BASELINE_DAYS: Final = ew.DEFAULT_BASELINE_DAYS
DEFAULT_FDR: Final = ew.DEFAULT_FDR
DEFAULT_MIN_REPORTERS: Final = ew.DEFAULT_MIN_COUNT
DEFAULT_NEW_PORT_FLOOR: Final = 20
BASIS_LABELS: Final[dict[str, tuple[str, str]]] = {
    "test": ("较自身基线显著上升", "significant rise against its own baseline"),
    "floor": ("新端口达到绝对门限", "new port over the absolute floor"),
}


@dataclass(frozen=True)
class BurstRule:
    """The rule's parameters (docs/early-warning.md, "Port report bursts")."""

    baseline_days: int = DEFAULT_BASELINE_DAYS
    fdr: float = DEFAULT_FDR
    min_reporters: int = DEFAULT_MIN_REPORTERS
    new_port_floor: int = DEFAULT_NEW_PORT_FLOOR


@dataclass(frozen=True)
class PortToday:
    """One port's day so far and its baseline by the same clock time."""

    port_number: str
    reports: int
    reporters: int
    """Distinct reporters today so far."""
    baseline: Sequence[int]
    """Distinct reporters on each previous day by the same time of day, oldest first."""


@dataclass(frozen=True)
class Burst:
    port_number: str
    reports: int
    reporters: int
    basis: Basis
    expected: float
    """Reporters expected by now from the baseline (0 for the floor)."""
    baseline_mean: float
    baseline_days: int
    critical_count: int
    """The fewest reporters that would have been flagged (the floor itself for a new port)."""
    p_value: float | None = None
    adjusted_p: float | None = None


@dataclass(frozen=True)
class BurstRun:
    bursts: list[Burst]
    tested: int
    """Ports judged by the test (the false-discovery rate holds across them)."""
    floored: int
    """Ports judged by the absolute floor (no usable history)."""


def is_tested(port: PortToday) -> bool:
    """Enough history, and some of it: the test has something to compare with."""
    return len(port.baseline) >= ew.MIN_BASELINE_DAYS and sum(port.baseline) > 0


def find_bursts(
    ports: Sequence[PortToday], weekday: int | None, rule: BurstRule = BurstRule()
) -> BurstRun:
    """The ports bursting today, most significant first (floor ones after, most reporters
    first). ``weekday`` (0 = Monday) is today's; None tests without weekday factors."""
    tested = {p.port_number: p for p in ports if is_tested(p)}
    series = {n: [*p.baseline[-rule.baseline_days :], p.reporters] for n, p in tested.items()}
    flags = ew.detect_rises(
        series,
        last_weekday=weekday,
        fdr=rule.fdr,
        min_count=rule.min_reporters,
        baseline_days=rule.baseline_days,
        windows=("day",),
    )
    bursts = [
        Burst(
            port_number=f.cell,
            reports=tested[f.cell].reports,
            reporters=f.observed,
            basis="test",
            expected=f.expected,
            baseline_mean=f.baseline_mean,
            baseline_days=f.baseline_days,
            critical_count=f.critical_count,
            p_value=f.p_value,
            adjusted_p=f.adjusted_p,
        )
        for f in flags
    ]
    floored = [p for p in ports if p.port_number not in tested]
    floor = max(rule.new_port_floor, rule.min_reporters)
    bursts += sorted(
        (
            Burst(
                port_number=p.port_number,
                reports=p.reports,
                reporters=p.reporters,
                basis="floor",
                expected=0.0,
                baseline_mean=sum(p.baseline) / len(p.baseline) if p.baseline else 0.0,
                baseline_days=len(p.baseline),
                critical_count=floor,
            )
            for p in floored
            if p.reporters >= floor
        ),
        key=lambda b: (-b.reporters, b.port_number),
    )
    return BurstRun(bursts, len(tested), len(floored))


def basis_label(basis: str, lang: str) -> str:
    zh, en = BASIS_LABELS.get(basis, (basis, basis))
    return en if lang.startswith("en") else zh


class BurstError(WordedError):
    """A refusal of the burst reading, in words (zh first, en)."""

    _TEXTS: ClassVar[dict[str, tuple[str, int, str, str]]] = {
        "future_day": (
            "invalid_input",
            422,
            "日期 {day} 尚未到来：只能查看今天 ({today}) 及以前的端口举报突增",
            "The day {day} has not come yet: bursts can be read for today ({today}) and before",
        ),
    }
