"""Planning a study's sample from the sampling frame: per stratum (operator × service ×
region …) its population and, from last year's study, the spread of the index; out come the
interviews each stratum needs for a target margin of error, and how a fixed total is shared.

The arithmetic is ``domain.csi.sampling`` (Cochran); this reads the frame a quality
department keeps as a spreadsheet and lays the answer out per stratum.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from careloop.domain.csi.sampling import StratumFrame, allocate, sample_size
from careloop.services.csi.errors import StudyInputError
from careloop.services.csi.survey import (
    SurveyTable,
    as_number,
    find_column,
    is_blank,
    read_survey_file,
)

POPULATION_COLUMNS = ("population", "总体", "总体数量", "用户数")
SD_COLUMNS = ("sd", "标准差")


@dataclass(frozen=True)
class StratumPlan:
    values: tuple[str, ...]  # the stratum's labels, one per label column
    population: int
    sd: float | None
    needed: int  # interviews for the target margin within this stratum alone
    allocated: int | None  # its share of --total, if one was given
    weight: float | None  # the design weight N_h / n_h of that share


@dataclass(frozen=True)
class SamplePlan:
    label_columns: tuple[str, ...]
    margin: float
    level: float
    design_effect: float
    method: str
    total: int | None
    strata: tuple[StratumPlan, ...]

    @property
    def needed(self) -> int:
        return sum(s.needed for s in self.strata)


def _column(header: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    for name in names:
        at = find_column(header, name)
        if at is not None:
            return at
    return None


def plan_sample(
    table: SurveyTable,
    *,
    margin: float,
    sd: float | None = None,
    proportion: float | None = None,
    level: float = 0.95,
    design_effect: float = 1.0,
    total: int | None = None,
    method: Literal["proportional", "neyman"] = "proportional",
    minimum: int = 2,
) -> SamplePlan:
    """Per stratum of the frame: the interviews for ±``margin`` (its own ``sd`` column, else
    ``sd``; or ``proportion``), and with ``total`` the proportional or Neyman allocation."""
    header = table.header
    at_population = _column(header, POPULATION_COLUMNS)
    if at_population is None:
        raise StudyInputError(
            "file",
            "抽样框缺少总体数量列（population 或 总体）",
            "the sampling frame needs a population column ('population')",
        )
    at_sd = _column(header, SD_COLUMNS)
    labels = [i for i, h in enumerate(header) if h and i not in (at_population, at_sd)]
    frames: dict[str, StratumFrame] = {}
    values: dict[str, tuple[str, ...]] = {}
    for line, row in enumerate(table.rows, start=2):

        def cell(at: int | None, row: tuple[Any, ...] = row) -> Any:
            return row[at] if at is not None and at < len(row) else None

        people = as_number(cell(at_population))
        if people is None or people < 1 or people != int(people):
            raise StudyInputError(
                "file",
                f"第 {line} 行的总体数量应为正整数，收到「{cell(at_population)}」",
                f"line {line}: the population must be a positive whole number, "
                f"got '{cell(at_population)}'",
            )
        spread = None if at_sd is None or is_blank(cell(at_sd)) else as_number(cell(at_sd))
        if at_sd is not None and not is_blank(cell(at_sd)) and (spread is None or spread <= 0):
            raise StudyInputError(
                "file",
                f"第 {line} 行的标准差应为大于 0 的数，收到「{cell(at_sd)}」",
                f"line {line}: the standard deviation must be above 0, got '{cell(at_sd)}'",
            )
        shown = tuple("" if is_blank(cell(i)) else str(cell(i)).strip() for i in labels)
        key = " × ".join(shown) or f"{line}"
        if key in values:
            raise StudyInputError(
                "file", f"分层「{key}」出现了两次", f"stratum '{key}' appears twice"
            )
        values[key] = shown
        frames[key] = StratumFrame(int(people), spread if spread is not None else sd)
    if not frames:
        raise StudyInputError("file", "抽样框中没有分层", "the sampling frame lists no strata")
    plans = []
    shares = allocate(total, frames, method, minimum=minimum) if total is not None else {}
    for key, frame in frames.items():
        needed = sample_size(
            margin,
            sd=frame.sd if proportion is None else None,
            proportion=proportion,
            level=level,
            population=frame.population,
            design_effect=design_effect,
        )
        share = shares.get(key)
        plans.append(
            StratumPlan(
                values=values[key],
                population=frame.population,
                sd=frame.sd,
                needed=needed,
                allocated=share,
                weight=frame.population / share if share else None,
            )
        )
    return SamplePlan(
        label_columns=tuple(header[i] for i in labels),
        margin=margin,
        level=level,
        design_effect=design_effect,
        method=method,
        total=total,
        strata=tuple(plans),
    )


def plan_from_file(path: Path, **kwargs: Any) -> SamplePlan:
    return plan_sample(read_survey_file(path), **kwargs)
