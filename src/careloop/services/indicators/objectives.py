"""The indicator catalogue and the KPI schemes as an operator edited them (stored data).

The shapes and the seeds are ``domain.indicators.catalogue`` and ``.scorecards``; a stored
row wins over the seed of the same indicator or scheme.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from careloop.domain.errors import NotFound
from careloop.domain.indicators import catalogue as indicator_catalogue
from careloop.domain.indicators import scorecards
from careloop.domain.indicators.catalogue import Indicator
from careloop.domain.indicators.scorecards import DEFAULT_SCHEMES, Scheme
from careloop.services.access.auth import record_security_event
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import IndicatorObjective, KpiScheme


def catalogue(uow: UnitOfWork) -> dict[str, Indicator]:
    """The catalogue as the operator edited it; entries missing from the table use the seed.

    What an operator edits is the objective (target, threshold, tolerance): an indicator the
    domain defines keeps the domain's name, unit, direction and formula, so a rename there
    (average handle time became "平均处理时长（工作小时）" when it moved to working hours)
    reaches every report without rewriting the stored rows.
    """
    result = dict(indicator_catalogue.CATALOGUE)
    for row in uow.session.scalars(select(IndicatorObjective)):
        seed = indicator_catalogue.CATALOGUE.get(row.indicator_id)
        if seed is not None:
            result[row.indicator_id] = replace(
                seed, target=row.target, threshold=row.threshold, tolerance=row.tolerance
            )
            continue
        result[row.indicator_id] = Indicator(
            row.indicator_id,
            row.name_zh,
            row.name_en,
            row.unit,
            row.direction,  # type: ignore[arg-type]
            target=row.target,
            threshold=row.threshold,
            tolerance=row.tolerance,
            formula=row.formula,
        )
    return result


def set_objective(
    uow: UnitOfWork,
    indicator_id: str,
    *,
    target: float,
    threshold: float,
    tolerance: float = 0.0,
    by: str,
    now: datetime,
) -> Indicator:
    """Edit an objective; the domain checks that the threshold lies on the worse side.

    An indicator the catalogue gained after migration 0004 seeded the table (inspections,
    dial tests, surveys, spam) has no row until its objective is first edited: the row is
    made from the domain's seed then, so every catalogue indicator is editable alike."""
    before = catalogue(uow).get(indicator_id)
    row = uow.session.get(IndicatorObjective, indicator_id)
    if row is None:
        seed = indicator_catalogue.CATALOGUE.get(indicator_id)
        if seed is None:
            raise NotFound("indicator", indicator_id)
        checked = replace(seed, target=target, threshold=threshold, tolerance=tolerance)
        row = IndicatorObjective(
            indicator_id=seed.id,
            name_zh=seed.name_zh,
            name_en=seed.name_en,
            unit=seed.unit,
            direction=seed.direction,
            formula=seed.formula,
        )
        uow.session.add(row)
    else:
        checked = Indicator(
            row.indicator_id,
            row.name_zh,
            row.name_en,
            row.unit,
            row.direction,  # type: ignore[arg-type]
            target=target,
            threshold=threshold,
            tolerance=tolerance,
            formula=row.formula,
        )
    row.target, row.threshold, row.tolerance = target, threshold, tolerance
    row.updated_at, row.updated_by = now, by
    record_security_event(
        uow,
        "indicator_objective_set",
        by,
        now,
        detail={
            "indicator": indicator_id,
            "before": None
            if before is None
            else {
                "target": before.target,
                "threshold": before.threshold,
                "tolerance": before.tolerance,
            },
            "after": {"target": target, "threshold": threshold, "tolerance": tolerance},
        },
    )
    uow.commit()
    return checked


def scheme(uow: UnitOfWork, code: str) -> Scheme:
    row = uow.session.get(KpiScheme, code)
    if row is None:
        return DEFAULT_SCHEMES[code]
    rules = tuple(
        scorecards.VetoRule(r["indicator_id"], r["comparator"], float(r["limit"]), r["reason"])
        for r in row.veto_rules
    )
    return Scheme(row.code, row.name, {k: float(v) for k, v in row.weights.items()}, rules)
