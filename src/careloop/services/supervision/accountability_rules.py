"""The catalogue of rules a responsibility case cites (责任条款) and its penalties' storage.

The rules themselves are defined once: the seeds in ``domain.supervision.accountability``
(``DEFAULT_RULES``) with an operator's stored rules over them. Everything that lists or
applies a rule (the decision form, the rule catalogue page, the API, the CLI, the monthly
report) reads ``rules_in_force`` here, so a rule changed by an administrator reads the same
everywhere. Amounts are stored in fen (分): exact, and comparable in SQL.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.permissions import check_permission
from careloop.domain.supervision import accountability as rules
from careloop.domain.supervision.accountability import Penalty, Rule
from careloop.domain.text import clean_text
from careloop.services.access.actors import Actor
from careloop.services.supervision.accountability_trail import record
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityRule


def _rule_of(row: AccountabilityRule) -> Rule:
    return Rule(
        row.code,
        row.name_zh,
        row.name_en,
        penalty_of(row.points, row.amount_fen, row.veto),
        row.active,
    )


def rules_in_force(uow: UnitOfWork) -> dict[str, Rule]:
    """Every rule a case may cite (retired ones included, marked inactive), in catalogue
    order: the seeds first, then the operator's own."""
    stored = uow.session.scalars(select(AccountabilityRule).order_by(AccountabilityRule.code))
    return rules.rules_in_force(_rule_of(r) for r in stored)


def set_rule(uow: UnitOfWork, rule: Rule, actor: Actor, now: datetime) -> Rule:
    """Add or change a rule of the catalogue (administrators and supervisors; audited)."""
    may("accountability.rules", actor, ("修改责任条款", "edit the rules of accountability"))
    code = (rule.code or "").strip()
    if not code or len(code) > 40 or not code.replace("_", "").isalnum() or not code.isascii():
        raise InvalidInput("code", "只能包含字母、数字和下划线，最多 40 个 / letters, digits, _")
    name_zh = clean_text(rule.name_zh, "name_zh", 100, multiline=False, required=True) or ""
    name_en = clean_text(rule.name_en, "name_en", 100, multiline=False, required=True) or ""
    row = uow.session.get(AccountabilityRule, code)
    before = _rule_dict(_rule_of(row)) if row else None
    if row is None:
        row = AccountabilityRule(code=code)
        uow.session.add(row)
    row.name_zh, row.name_en = name_zh, name_en
    row.points = rules.points(rule.default.points)
    row.amount_fen = fen(rules.yuan(rule.default.amount))
    row.veto, row.active, row.updated_at = rule.default.veto, rule.active, now
    saved = _rule_of(row)
    record(uow, None, actor, "rule_set", now, before, _rule_dict(saved), rule_code=code)
    uow.commit()
    return saved


def _rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "name_zh": rule.name_zh,
        "name_en": rule.name_en,
        **rule.default.as_dict(),
        "active": rule.active,
    }


def fen(amount: Decimal) -> int:
    """Yuan to the fen stored (amounts are exact to the fen by ``rules.yuan``)."""
    return int(amount * 100)


def penalty_of(points: float, fen: int, veto: bool) -> Penalty:
    """A penalty from its stored columns."""
    return Penalty(points, (Decimal(fen) / 100).quantize(Decimal("0.01")), veto)


def may(permission: str, actor: Actor, action: tuple[str, str]) -> None:
    """`check_permission`, the refusal naming the action in words."""
    try:
        check_permission(permission, actor.role)
    except DomainError as exc:
        raise exc.said_as(action=action) from None
