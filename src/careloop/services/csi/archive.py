"""Studies kept for the record: a quality department compares this year's index with last
year's, so a study run from the page is stored whole and can be shown and reported again.

Who may: the readers of reports (unit leads, supervisors, administrators, the regulator's
inspector, ``domain.permissions``); each sees the studies run within their scope. Every
study stored is an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from careloop.domain.errors import NotFound
from careloop.domain.permissions import check_permission, has_permission
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.csi.errors import StudyInputError
from careloop.services.csi.study import (
    IndexRow,
    LatentRow,
    OuterRow,
    PathRow,
    QualityRow,
    StratumRow,
    StudyResult,
)
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import CsiStudy

PERMISSION = "report.read"
MAX_TITLE = 120
MAX_LISTED = 50


@dataclass(frozen=True)
class StudySummary:
    id: int
    title: str
    model_name: str
    source: str
    responses: int
    dropped: int
    headline_latent: str
    headline_index: float
    headline_grade: str
    created_at: datetime
    created_by: str
    created_by_name: str


def may_run(actor: Actor) -> bool:
    return has_permission(PERMISSION, actor.role)


def _summary(row: CsiStudy) -> StudySummary:
    return StudySummary(
        id=row.id,
        title=row.title,
        model_name=row.model_name,
        source=row.source,
        responses=row.responses,
        dropped=row.dropped,
        headline_latent=row.headline_latent,
        headline_index=row.headline_index,
        headline_grade=row.headline_grade,
        created_at=row.created_at,
        created_by=row.created_by,
        created_by_name=row.created_by_name,
    )


def save_study(
    uow: UnitOfWork, actor: Actor, now: datetime, result: StudyResult, title: str = ""
) -> StudySummary:
    """Keep ``result`` under ``title`` (default: the model and the file's name)."""
    check_permission(PERMISSION, actor.role)
    name = " ".join(title.split()) or f"{result.model_name} · {result.source}".strip(" ·")
    if len(name) > MAX_TITLE:
        raise StudyInputError(
            "title",
            f"测评名称最多 {MAX_TITLE} 个字",
            f"the study's title has at most {MAX_TITLE} characters",
        )
    headline = result.index[0]
    row = CsiStudy(
        title=name,
        model_name=result.model_name[:60],
        source=result.source[:200],
        responses=result.n,
        dropped=result.dropped,
        headline_latent=headline.latent[:60],
        headline_index=headline.value,
        headline_grade=headline.grade_code,
        region_path=actor.scope,
        created_at=now,
        created_by=actor.username,
        created_by_name=(actor.display_name or actor.username)[:100],
        result=result.as_dict(),
    )
    uow.session.add(row)
    uow.session.flush()
    record_security_event(
        uow,
        "csi_study_saved",
        actor.username,
        now,
        actor.staff_id,
        None,
        {"study": row.id, "title": name, "model": result.model_name, "responses": result.n},
    )
    uow.commit()
    return _summary(row)


def list_studies(uow: UnitOfWork, actor: Actor) -> list[StudySummary]:
    """The newest studies run within the actor's scope."""
    check_permission(PERMISSION, actor.role)
    rows = uow.session.scalars(
        select(CsiStudy)
        .where(CsiStudy.region_path.startswith(actor.scope, autoescape=True))
        .order_by(CsiStudy.created_at.desc(), CsiStudy.id.desc())
        .limit(MAX_LISTED)
    )
    return [_summary(r) for r in rows]


def load_study(uow: UnitOfWork, actor: Actor, study_id: int) -> tuple[StudySummary, StudyResult]:
    """A study and its result; one outside the actor's scope does not exist for them."""
    check_permission(PERMISSION, actor.role)
    row = uow.session.get(CsiStudy, study_id)
    if row is None or not row.region_path.startswith(actor.scope):
        raise NotFound("csi_study", study_id).said_as(what=("满意度测评", "CSI study"))
    return _summary(row), result_from_dict(row.result)


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value or ())


def _index_rows(rows: Any) -> tuple[IndexRow, ...]:
    return tuple(IndexRow(**r) for r in rows)


def _groups(rows: Any) -> tuple[StratumRow, ...]:
    return tuple(
        StratumRow(
            values=_tuple(g["values"]),
            n=g["n"],
            weight_sum=g["weight_sum"],
            effective_n=g["effective_n"],
            index=_index_rows(g["index"]),
        )
        for g in rows
    )


def result_from_dict(data: Mapping[str, Any]) -> StudyResult:
    """The inverse of ``StudyResult.as_dict`` (JSON turned tuples into lists)."""
    return StudyResult(
        model_name=data["model_name"],
        scheme=data["scheme"],
        standardised=data["standardised"],
        latents=tuple(LatentRow(**{**r, "items": _tuple(r["items"])}) for r in data["latents"]),
        index_latents=_tuple(data["index_latents"]),
        n=data["n"],
        read=data["read"],
        dropped=data["dropped"],
        dropped_lines=_tuple(data["dropped_lines"]),
        iterations=data["iterations"],
        bootstrap_resamples=data["bootstrap_resamples"],
        seed=data["seed"],
        level=data["level"],
        strata_columns=_tuple(data["strata_columns"]),
        weight_column=data["weight_column"],
        paths=tuple(PathRow(**r) for r in data["paths"]),
        r_squared=dict(data["r_squared"]),
        outer=tuple(OuterRow(**r) for r in data["outer"]),
        quality=tuple(QualityRow(**r) for r in data["quality"]),
        gof=data["gof"],
        index=_index_rows(data["index"]),
        strata=_groups(data["strata"]),
        margins=_groups(data.get("margins", ())),
        source=data.get("source", ""),
    )
