"""The port registry (端口登记): who answers for each sending port, under which contract and
for which kinds of message; registration, edits and imports, every change a history row.

Reports are attributed to a port here (``attribute_sender``): the exact number if it is
registered, else the longest registered prefix (the port's extension digits).

The registry and enforcement keep one story. A case's sanction shows on the registered port
(``follow_sanction``); a port a case suspended or closed is not reopened here — by hand or
by import — since a closure is final and only the case lifts a suspension (an appeal
granted, or reinstatement after rectification)
(``_check_not_reopening``); and a status set here while a case for the port is open is
written on that case's trail, so its owner sees it (``_tell_open_case``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from careloop.domain import permissions
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.spam import enforcement as enforcement_rules
from careloop.domain.spam import ports as rules
from careloop.domain.spam.reports import SpamError, choose
from careloop.domain.text import clean_text, required_text
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.complaints.intake_import import spreadsheet_rows
from careloop.services.sla.clocks import LOCAL_TIME
from careloop.services.spam.enforcement_trail import record as record_on_case
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Staff
from careloop.store.models.spam import SpamPort, SpamPortHistory
from careloop.store.models.spam_enforcement import SpamEnforcementCase, SpamPortSanction

OWNER_NAME_MAX = 200
CONTRACT_MAX = 100
NOTE_MAX = 1000
_TRACKED = (
    "number",
    "kind",
    "operator",
    "owner_kind",
    "owner_name",
    "owner_code",
    "contract_ref",
    "allowed_kinds",
    "status",
    "note",
)


@dataclass(frozen=True)
class PortView:
    id: int
    version: int
    number: str
    kind: str
    kind_label: str
    operator: str
    operator_label: str
    owner_kind: str
    owner_kind_label: str
    owner_name: str
    owner_code: str | None
    contract_ref: str | None
    allowed_kinds: list[str]
    allowed_kinds_label: str
    status: str
    status_label: str
    note: str | None
    updated_local: str


@dataclass(frozen=True)
class PortChangeView:
    at: datetime
    at_local: str
    actor: str
    action: str
    action_label: str
    changes: list[str]
    note: str | None


@dataclass(frozen=True)
class PortPage:
    total: int
    items: list[PortView]


@dataclass(frozen=True)
class PortDraft:
    number: str
    owner_kind: str
    owner_name: str
    owner_code: str | None = None
    contract_ref: str | None = None
    allowed_kinds: Sequence[str] = ("notification",)
    status: str = "active"
    note: str | None = None


@dataclass(frozen=True)
class PortChanges:
    version: int
    owner_kind: str | None = None
    owner_name: str | None = None
    owner_code: str | None = None
    contract_ref: str | None = None
    allowed_kinds: Sequence[str] | None = None
    status: str | None = None
    note: str | None = None


@dataclass
class PortImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


_SEVERITY = tuple(rules.STATUSES)
"""Registry statuses mildest first; they are the names of enforcement's port states too."""


def _action_words(t: Translator) -> dict[str, str]:
    return {
        "register": t("spam_port.action.register"),
        "edit": t("spam_port.action.edit"),
        "import": t("spam_port.action.import"),
        "import_update": t("spam_port.action.import_update"),
        "enforcement": t("spam_port.action.enforcement"),
    }


def _field_words(t: Translator) -> dict[str, str]:
    return {
        "number": t("spam_port.field.number"),
        "kind": t("spam_port.field.kind"),
        "operator": t("spam_port.field.operator"),
        "owner_kind": t("spam_port.field.owner_kind"),
        "owner_name": t("spam_port.field.owner_name"),
        "owner_code": t("spam_port.field.owner_code"),
        "contract_ref": t("spam_port.field.contract_ref"),
        "allowed_kinds": t("spam_port.field.allowed_kinds"),
        "status": t("spam_port.field.status"),
        "note": t("spam_port.field.note"),
    }


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def view(port: SpamPort, lang: str) -> PortView:
    kinds = list(port.allowed_kinds or [])
    t = Translator(lang)
    sep = t("spam_port.separator")
    return PortView(
        id=port.id,
        version=port.version,
        number=port.number,
        kind=port.kind,
        kind_label=rules.label(rules.KINDS, port.kind, lang),
        operator=port.operator,
        operator_label=rules.label(rules.OPERATORS, port.operator, lang),
        owner_kind=port.owner_kind,
        owner_kind_label=rules.label(rules.OWNER_KINDS, port.owner_kind, lang),
        owner_name=port.owner_name,
        owner_code=port.owner_code,
        contract_ref=port.contract_ref,
        allowed_kinds=kinds,
        allowed_kinds_label=sep.join(rules.label(rules.MESSAGE_KINDS, k, lang) for k in kinds),
        status=port.status,
        status_label=rules.label(rules.STATUSES, port.status, lang),
        note=port.note,
        updated_local=_local(port.updated_at),
    )


def follow_sanction(
    uow: UnitOfWork, number: str, state: str, actor: Actor, now: datetime, case_id: int
) -> None:
    """Show an enforcement case's sanction on the registered port: the registry's status
    is what staff read, the case is what decided it, so the change is one history row
    naming the case. A port nobody registered has no row to follow. A port closed here
    stays closed, and a milder sanction leaves a harsher status set here as it is; only a
    lifted or reinstated suspension (``active``) lowers it."""
    port = uow.session.scalar(select(SpamPort).where(SpamPort.number == number))
    if port is None or port.status == state or port.status == "closed":
        return
    if state != "active" and _SEVERITY.index(state) < _SEVERITY.index(port.status):
        return
    before = _snapshot(port)
    port.status = state
    port.updated_at = now
    _history(uow, port, actor, "enforcement", now, before, note=f"#{case_id}")


def _held_by_cases(uow: UnitOfWork, numbers: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Ports a case suspended or closed: number → (their state, the case's number)."""
    if not numbers:
        return {}
    rows = uow.session.execute(
        select(SpamPortSanction.port_number, SpamPortSanction.state, SpamEnforcementCase.number)
        .join(SpamEnforcementCase, SpamEnforcementCase.id == SpamPortSanction.case_id)
        .where(
            SpamPortSanction.port_number.in_(list(numbers)),
            SpamPortSanction.state.in_([s.value for s in enforcement_rules.BLOCKED_STATES]),
        )
    ).all()
    return {number: (state, case) for number, state, case in rows}


def _check_not_reopening(number: str, status: str, held: tuple[str, str] | None) -> None:
    """A closed port stays blocked: a status milder than what a case decided is refused
    (closing is final; a suspension ends through the case only: an appeal granted or a
    reinstatement after rectification)."""
    if held is None:
        return
    state, case = held
    if _SEVERITY.index(status) >= _SEVERITY.index(state):
        return
    zh, en = rules.STATUSES[status]
    key = "closed_by_case" if state == "closed" else "suspended_by_case"
    raise enforcement_rules.EnforcementError(
        key, number=number, case=case, status_zh=zh, status_en=en
    )


def _tell_open_case(
    uow: UnitOfWork, port: SpamPort, before: str, actor: Actor, now: datetime, via: str
) -> None:
    """A status set in the registry while a case for the port is open goes on the case's
    trail: the case's owner decides the port's sanctions and must see a hand change."""
    if port.status == before:
        return
    case = uow.session.scalar(
        select(SpamEnforcementCase).where(SpamEnforcementCase.active_port == port.number)
    )
    if case is None:
        return
    record_on_case(
        uow,
        case,
        actor,
        "registry_status",
        now,
        {"port_status": before},
        {"port_status": port.status, "via": via},
    )


def _snapshot(port: SpamPort) -> dict[str, Any]:
    return {name: getattr(port, name) for name in _TRACKED}


def _history(
    uow: UnitOfWork,
    port: SpamPort,
    actor: Actor,
    action: str,
    now: datetime,
    before: dict[str, Any] | None,
    note: str | None = None,
) -> None:
    after = _snapshot(port)
    if before is not None:
        changed = {k for k in _TRACKED if before.get(k) != after.get(k)}
        before = {k: before[k] for k in changed}
        after = {k: after[k] for k in changed}
    uow.session.add(
        SpamPortHistory(
            port_id=port.id,
            at=now,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            before=before,
            after=after,
            note=note,
        )
    )


def _number(raw: str) -> rules.PortNumber:
    try:
        return rules.parse_number(raw)
    except rules.PortNumberError as exc:
        raise SpamError(
            "number",
            label_zh="端口号码",
            label_en="The port number",
            reason_zh=exc.zh,
            reason_en=exc.en,
        ) from None


def _allowed(kinds: Iterable[str]) -> list[str]:
    chosen = [choose(rules.MESSAGE_KINDS, k, ("允许的短信类型", "An allowed kind")) for k in kinds]
    return sorted(set(chosen))


def _checked(draft: PortDraft) -> dict[str, Any]:
    parsed = _number(draft.number)
    return {
        "number": parsed.number,
        "kind": parsed.kind,
        "operator": parsed.operator,
        "owner_kind": choose(rules.OWNER_KINDS, draft.owner_kind, ("归属类型", "Owner kind")),
        "owner_name": required_text(draft.owner_name, "owner_name", OWNER_NAME_MAX),
        "owner_code": clean_text(draft.owner_code, "owner_code", 64, multiline=False),
        "contract_ref": clean_text(draft.contract_ref, "contract_ref", CONTRACT_MAX),
        "allowed_kinds": _allowed(draft.allowed_kinds),
        "status": choose(rules.STATUSES, draft.status, ("状态", "Status")),
        "note": clean_text(draft.note, "note", NOTE_MAX),
    }


def register_port(
    uow: UnitOfWork, draft: PortDraft, actor: Actor, now: datetime, lang: str
) -> PortView:
    """A new port in the registry (quality centre only); its number is unique."""
    permissions.check_permission("spam.ports", actor.role)
    values = _checked(draft)
    if uow.session.scalar(select(SpamPort.id).where(SpamPort.number == values["number"])):
        raise SpamError("port_exists", number=values["number"])
    held = _held_by_cases(uow, [values["number"]])
    _check_not_reopening(values["number"], values["status"], held.get(values["number"]))
    port = SpamPort(version=1, created_at=now, updated_at=now, **values)
    uow.session.add(port)
    uow.session.flush()
    _history(uow, port, actor, "register", now, None)
    uow.commit()
    return view(port, lang)


def _load(uow: UnitOfWork, port_id: int) -> SpamPort:
    port = uow.session.get(SpamPort, port_id) if 0 < port_id < 2**63 else None
    if port is None:
        raise SpamError("port_missing", ident=port_id)
    return port


def update_port(
    uow: UnitOfWork, port_id: int, changes: PortChanges, actor: Actor, now: datetime, lang: str
) -> PortView:
    """Edit a port's owner, contract, allowed kinds or status with the version read (409 on
    a stale one). A closed port stays closed: enforcement closed it for a reason."""
    permissions.check_permission("spam.ports", actor.role)
    port = _load(uow, port_id)
    if port.version != changes.version:
        raise DomainError("version_conflict", expected=changes.version, actual=port.version)
    before = _snapshot(port)
    if changes.owner_kind is not None:
        port.owner_kind = choose(rules.OWNER_KINDS, changes.owner_kind, ("归属类型", "Owner kind"))
    if changes.owner_name is not None:
        port.owner_name = required_text(changes.owner_name, "owner_name", OWNER_NAME_MAX)
    if changes.owner_code is not None:
        port.owner_code = clean_text(changes.owner_code, "owner_code", 64, multiline=False)
    if changes.contract_ref is not None:
        port.contract_ref = clean_text(changes.contract_ref, "contract_ref", CONTRACT_MAX)
    if changes.allowed_kinds is not None:
        port.allowed_kinds = _allowed(changes.allowed_kinds)
    if changes.status is not None:
        status = choose(rules.STATUSES, changes.status, ("状态", "Status"))
        held = _held_by_cases(uow, [port.number])
        _check_not_reopening(port.number, status, held.get(port.number))
        if port.status == "closed" and status != "closed":
            zh, en = rules.STATUSES[status]
            raise SpamError("closed_port", number=port.number, status_zh=zh, status_en=en)
        port.status = status
    if changes.note is not None:
        port.note = clean_text(changes.note, "note", NOTE_MAX)
    if _snapshot(port) == before:
        return view(port, lang)
    port.updated_at = now
    _history(uow, port, actor, "edit", now, before)
    _tell_open_case(uow, port, before["status"], actor, now, "edit")
    try:
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=changes.version, actual="newer") from exc
    return view(port, lang)


def get_port(uow: UnitOfWork, port_id: int, actor: Actor, lang: str) -> PortView:
    permissions.check_permission("spam.read", actor.role)
    return view(_load(uow, port_id), lang)


def list_ports(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    *,
    q: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> PortPage:
    """The registry, by number; ``q`` matches the number's start or the owner's name."""
    permissions.check_permission("spam.read", actor.role)
    query = select(SpamPort)
    if q and q.strip():
        text = q.strip()
        query = query.where(
            SpamPort.number.startswith(text, autoescape=True)
            | SpamPort.owner_name.contains(text, autoescape=True)
        )
    if status:
        query = query.where(SpamPort.status == status)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.scalars(query.order_by(SpamPort.number).limit(limit).offset(offset))
    return PortPage(total, [view(p, lang) for p in rows])


def port_history(uow: UnitOfWork, port_id: int, actor: Actor, lang: str) -> list[PortChangeView]:
    """Every change of the port, oldest first, each changed field in words."""
    permissions.check_permission("spam.read", actor.role)
    _load(uow, port_id)
    rows = list(
        uow.session.scalars(
            select(SpamPortHistory)
            .where(SpamPortHistory.port_id == port_id)
            .order_by(SpamPortHistory.id)
        )
    )
    # People read names, not logins (the enforcement trail does the same).
    ids = {row.actor_id for row in rows if row.actor_id}
    names = dict(
        uow.session.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))).all()
    )
    t = Translator(lang)
    fields, actions = _field_words(t), _action_words(t)
    out = []
    for row in rows:
        before = row.before or {}
        after = row.after or {}
        changes = []
        for name in _TRACKED:
            if name not in after and name not in before:
                continue
            label = fields.get(name, name)
            old = _value_words(name, before.get(name), lang)
            new = _value_words(name, after.get(name), lang)
            shown = f"{old} → {new}" if row.before is not None else new
            changes.append(f"{label}: {shown}")
        out.append(
            PortChangeView(
                row.at,
                _local(row.at),
                names.get(row.actor_id, row.actor) if row.actor_id else row.actor,
                row.action,
                actions.get(row.action, row.action),
                changes,
                row.note,
            )
        )
    return out


_VALUE_TABLES = {
    "kind": rules.KINDS,
    "operator": rules.OPERATORS,
    "owner_kind": rules.OWNER_KINDS,
    "status": rules.STATUSES,
    "allowed_kinds": rules.MESSAGE_KINDS,
}


def _value_words(name: str, value: Any, lang: str) -> str:
    """A stored value as people read it (已关停, not closed; — for none)."""
    if value is None or value == "" or value == []:
        return "—"
    table = _VALUE_TABLES.get(name)
    if table is None:
        return str(value)
    values = value if isinstance(value, list) else [value]
    t = Translator(lang)
    return t("spam_port.separator").join(rules.label(table, str(v), lang) for v in values)


def attribute_sender(uow: UnitOfWork, sender: str) -> tuple[int | None, str]:
    """(port id, port number) a reported sender belongs to: the registered port (exact,
    else longest prefix), else (None, the sender as reported)."""
    prefixes = rules.attribution_prefixes(sender)
    found = dict(
        uow.session.execute(
            select(SpamPort.number, SpamPort.id).where(SpamPort.number.in_(prefixes))
        ).all()
    )
    number = rules.attribute(sender, found)
    return (found[number], number) if number is not None else (None, sender)


def registered_numbers(uow: UnitOfWork) -> dict[str, int]:
    """Every registered number and its id (a batch attributes its reports against these)."""
    return dict(uow.session.execute(select(SpamPort.number, SpamPort.id)).all())


def attribute_in(registered: dict[str, int], sender: str) -> tuple[int | None, str]:
    number = rules.attribute(sender, registered)
    return (registered[number], number) if number is not None else (None, sender)


# --- import --------------------------------------------------------------------------------

PORT_HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("number", "port", "端口", "端口号", "号码", "端口号码"),
    "owner_kind": ("owner_kind", "归属类型", "客户类型"),
    "owner_name": ("owner_name", "owner", "归属客户", "客户名称", "企业名称", "SP名称"),
    "owner_code": ("owner_code", "客户编码", "集团编码", "SP代码"),
    "contract_ref": ("contract", "contract_ref", "合同编号", "合同号"),
    "allowed_kinds": ("allowed_kinds", "允许类型", "允许的短信类型", "短信类型"),
    "status": ("status", "状态"),
    "note": ("note", "备注"),
}
_PORT_LOOKUP = {a.strip().lower(): c for c, aliases in PORT_HEADERS.items() for a in aliases}
_BY_NAME = {
    **{zh: code for code, (zh, _) in rules.OWNER_KINDS.items()},
    **{zh: code for code, (zh, _) in rules.MESSAGE_KINDS.items()},
    **{zh: code for code, (zh, _) in rules.STATUSES.items()},
    "企业": "enterprise",
    "集团": "enterprise",
    "SP": "sp",
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code(text: str) -> str:
    return _BY_NAME.get(text, text)


def _error_words(exc: DomainError, lang: str) -> str:
    return exc.message(lang)


def import_ports(
    uow: UnitOfWork, path: Path, actor: Actor, now: datetime, lang: str
) -> PortImportResult:
    """Ports from a .xlsx or .csv list: a new number is registered, a known one updated; an
    empty status cell leaves a known port's status as it is. All or nothing: any row error,
    named by row and column in words, imports nothing, so the file is fixed and imported
    again — a row that would reopen a closed port, or one a case suspended, is such an
    error."""
    permissions.check_permission("spam.ports", actor.role)
    rows = spreadsheet_rows(path)
    header = next(rows, None)
    columns = [_PORT_LOOKUP.get(_cell(h).lower()) for h in (header or [])]
    if "number" not in columns or "owner_name" not in columns:
        raise DomainError(
            "import_file_rejected",
            field="file",
            reason_zh="表头缺少「端口号码」或「归属客户」列",
            reason_en="the header needs a port number and an owner column",
        )
    t = Translator(lang)
    result = PortImportResult()
    drafts: list[tuple[int, PortDraft, bool]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        values = {c: _cell(v) for c, v in zip(columns, raw, strict=False) if c is not None}
        if not any(values.values()):
            continue
        kinds = [
            _code(k.strip())
            for k in values.get("allowed_kinds", "").replace("、", ",").split(",")
            if k.strip()
        ]
        draft = PortDraft(
            number=values.get("number", ""),
            owner_kind=_code(values.get("owner_kind") or "enterprise"),
            owner_name=values.get("owner_name", ""),
            owner_code=values.get("owner_code") or None,
            contract_ref=values.get("contract_ref") or None,
            allowed_kinds=kinds or ["notification"],
            status=_code(values.get("status") or "active"),
            note=values.get("note") or None,
        )
        try:
            checked = _checked(draft)
        except DomainError as exc:
            column = exc.field if exc.field in PORT_HEADERS else _column_of(exc)
            result.errors.append(RowError(number, column, _error_words(exc, lang)))
            continue
        if checked["number"] in seen:
            result.errors.append(
                RowError(
                    number,
                    "number",
                    t("spam_port.import.duplicate", row=seen[checked["number"]]),
                )
            )
            continue
        seen[checked["number"]] = number
        drafts.append((number, draft, bool(values.get("status"))))
    if result.errors:
        return result
    existing = {
        p.number: p
        for p in uow.session.scalars(select(SpamPort).where(SpamPort.number.in_(list(seen))))
    }
    held = _held_by_cases(uow, list(seen))
    planned: list[tuple[dict[str, Any], SpamPort | None]] = []
    for row_number, draft, stated in drafts:
        values = _checked(draft)
        port = existing.get(values["number"])
        if not stated:  # no status in the file: the registry's stands, else a case's
            found = port.status if port is not None else held.get(values["number"], ("",))[0]
            values["status"] = found or values["status"]
        try:
            _check_not_reopening(values["number"], values["status"], held.get(values["number"]))
            if port is not None and port.status == "closed" and values["status"] != "closed":
                zh, en = rules.STATUSES[values["status"]]
                raise SpamError("closed_port", number=port.number, status_zh=zh, status_en=en)
        except DomainError as exc:
            result.errors.append(RowError(row_number, "status", _error_words(exc, lang)))
            continue
        planned.append((values, port))
    if result.errors:
        return result
    for values, found in planned:
        port = found
        if port is None:
            port = SpamPort(version=1, created_at=now, updated_at=now, **values)
            uow.session.add(port)
            uow.session.flush()
            _history(uow, port, actor, "import", now, None, note=path.name[:200])
            result.created += 1
            continue
        before = _snapshot(port)
        for name, value in values.items():
            setattr(port, name, value)
        if _snapshot(port) == before:
            result.unchanged += 1
            continue
        port.updated_at = now
        _history(uow, port, actor, "import_update", now, before, note=path.name[:200])
        _tell_open_case(uow, port, before["status"], actor, now, "import")
        result.updated += 1
    uow.commit()
    return result


def _column_of(exc: DomainError) -> str:
    """Which column a refusal concerns, from the words it was raised with."""
    label = str(exc.params.get("label_zh", ""))
    t = Translator("zh")  # the domain's refusals carry their Chinese words
    for column, zh in _field_words(t).items():
        if zh in label:
            return column
    if "端口" in label:
        return "number"
    if isinstance(exc, InvalidInput):
        return str(exc.field or "")
    return str(exc.field or "")


def import_ports_content(
    uow: UnitOfWork, content: bytes, actor: Actor, now: datetime, lang: str
) -> PortImportResult:
    """``import_ports`` of an uploaded file's bytes: an .xlsx (a zip) or a UTF-8 CSV."""
    permissions.check_permission("spam.ports", actor.role)
    suffix = ".xlsx" if content[:2] == b"PK" else ".csv"
    with tempfile.TemporaryDirectory(prefix="careloop-ports-") as folder:
        path = Path(folder) / f"ports{suffix}"
        path.write_bytes(content)
        return import_ports(uow, path, actor, now, lang)
