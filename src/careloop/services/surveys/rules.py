"""Sending rules: global, or per region (the nearest region above a complaint's wins)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from careloop.domain.errors import DomainError, NotFound
from careloop.domain.surveys import DEFAULT_RULE, SendingRule, parse_rule, rule_for
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.surveys.read_models import RuleView
from careloop.services.surveys.templates import MANAGE, READ, require
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import OrgUnit
from careloop.store.models.surveys import SurveyRule


def _view(row: SurveyRule | None, unit: OrgUnit | None, lang: str) -> RuleView:
    t = Translator(lang)
    if unit is None:
        name = t("survey_rule.everywhere")
    else:
        name = unit.name_en if lang == "en" else unit.name_zh
    if row is None:
        return RuleView(unit.code if unit else None, name, DEFAULT_RULE, 0, None, None)
    return RuleView(
        unit.code if unit else None,
        name,
        parse_rule(row.body),
        row.version,
        row.updated_at,
        row.updated_by,
    )


def get_sending_rules(uow: UnitOfWork, actor: Actor, lang: str = "zh") -> list[RuleView]:
    """The global rule (the defaults until saved) and every regional rule within the
    actor's scope, the global one first."""
    require(READ, actor)
    rows = uow.session.execute(
        select(SurveyRule, OrgUnit).outerjoin(OrgUnit, OrgUnit.id == SurveyRule.region_id)
    ).all()
    views = [_view(r, u, lang) for r, u in rows if u is None or u.path.startswith(actor.scope)]
    if not any(v.region_code is None for v in views):
        views.append(_view(None, None, lang))
    return sorted(views, key=lambda v: (v.region_code is not None, v.region_code or ""))


def save_sending_rule(
    uow: UnitOfWork,
    actor: Actor,
    region_code: str | None,
    data: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
    lang: str = "zh",
) -> RuleView:
    """Store the rule for ``region_code``'s subtree (None: the global rule). With
    ``expected_version`` (the version read; 0 for a rule not stored yet) a concurrent edit
    is refused with 409 instead of overwritten. Audited (a security event). Commits."""
    require(MANAGE, actor)
    rule = parse_rule(data)
    unit: OrgUnit | None = None
    if region_code is not None:
        unit = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == region_code))
        if unit is None or not unit.path.startswith(actor.scope):
            raise NotFound("region", region_code)
    row = uow.session.scalar(
        select(SurveyRule).where(
            SurveyRule.region_id.is_(None) if unit is None else SurveyRule.region_id == unit.id
        )
    )
    current = row.version if row is not None else 0
    if expected_version is not None and expected_version != current:
        raise DomainError("version_conflict", expected=expected_version, actual=current)
    if row is None:
        row = SurveyRule(region_id=unit.id if unit else None, version=0)
        uow.session.add(row)
    row.body = rule.to_json()
    row.version = current + 1
    row.updated_at, row.updated_by = now, actor.username
    uow.session.flush()
    record_security_event(
        uow, "survey_rule_saved", actor.username, now, actor.staff_id, None,
        {"region": region_code, "version": row.version, "rule": row.body},
    )  # fmt: skip
    view = _view(row, unit, lang)
    uow.commit()
    return view


def stored_rules(uow: UnitOfWork) -> dict[str | None, SendingRule]:
    """Every stored rule by its region's path (None: global), for ``domain.surveys.rule_for``."""
    rows = uow.session.execute(
        select(SurveyRule.body, OrgUnit.path).outerjoin(OrgUnit, OrgUnit.id == SurveyRule.region_id)
    ).all()
    return {path: parse_rule(body) for body, path in rows}


def effective_rule(uow: UnitOfWork, region_path: str) -> tuple[str | None, SendingRule]:
    return rule_for(region_path, stored_rules(uow))
