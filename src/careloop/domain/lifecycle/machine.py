"""A lifecycle as data: the generic transition machine every kind of record shares.

Modelled on Request Tracker's lifecycles: each status change is a named transition with the
statuses it may start from, the status it leads to and the roles that may fire it. A table
is checked once, when it is built, so a typo in a status or an unreachable status fails at
import rather than in front of a customer. Complaints and work orders run on it today;
inspections, enforcement cases and spam cases are meant to as well.

Services apply a transition here and record its event; pages, API endpoints and CLI
commands iterate the same table in its order, so every channel offers what the services
enforce. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, Literal, TypeVar

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.field_labels import field_label
from careloop.domain.text import clean_text

StatusT = TypeVar("StatusT", bound=StrEnum)

InputKind = Literal["text", "line", "integer", "number", "boolean", "datetime", "unit", "choice"]
"""What a channel asks for: `text` is free text over several lines, `line` one line,
`unit` the code of an organisation unit, `choice` one of the field's `choices`."""


@dataclass(frozen=True, slots=True)
class InputField:
    """One thing a person must give to fire a transition (a reply's text, a merge's target).

    Declared with the transition so that generated endpoints, commands and forms ask for the
    same things the services read; the label comes from the one field-label catalogue.
    """

    name: str
    kind: InputKind
    required: bool = True
    max_chars: int | None = None
    choices: tuple[tuple[str, str, str], ...] = ()
    """For a `choice`: (code, zh label, en label) of each option, in the order offered."""

    def label(self, lang: str) -> str:
        return field_label(self.name, lang)

    def options(self, lang: str) -> list[tuple[str, str]]:
        """A choice's (code, label) pairs in `lang`, for a form's select or a CLI's help."""
        en = lang.startswith("en")
        return [(code, en_label if en else zh) for code, zh, en_label in self.choices]

    def choose(self, value: str | None) -> str:
        """The code a person picked, if it is one of the choices; a 422 naming them otherwise."""
        codes = [code for code, _, _ in self.choices]
        if value not in codes:
            raise InvalidInput(
                self.name,
                "请从以下选项中选择 / choose one of: "
                + "、".join(f"{zh} ({code})" for code, zh, _ in self.choices),
            )
        return value

    def clean(self, value: str | None) -> str | None:
        """A text or line as it may be stored, by this field's limits (`domain.text`);
        None only for an optional field left empty."""
        if self.kind not in ("text", "line") or self.max_chars is None:
            raise TypeError(f"{self.name!r} is not a bounded text field")
        return clean_text(
            value,
            self.name,
            self.max_chars,
            multiline=self.kind == "text",
            required=self.required,
        )


@dataclass(frozen=True, slots=True)
class Transition(Generic[StatusT]):
    name: str
    sources: frozenset[StatusT]
    target: StatusT | None
    """None: the action keeps the status (a note, an attachment)."""
    roles: frozenset[str]
    name_zh: str
    name_en: str
    fields: tuple[InputField, ...] = ()

    def label(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh

    def field(self, name: str) -> InputField:
        """The declared field `name`; a KeyError for a field the transition does not take."""
        for declared in self.fields:
            if declared.name == name:
                return declared
        raise KeyError(f"{self.name!r} takes no field {name!r}")


def transition(
    name: str,
    sources: Iterable[StatusT],
    target: StatusT | None,
    roles: Iterable[str],
    zh: str,
    en: str,
    fields: Iterable[InputField] = (),
) -> Transition[StatusT]:
    """A table row, from any iterables (sets read best in a table)."""
    return Transition(name, frozenset(sources), target, frozenset(roles), zh, en, tuple(fields))


class InvalidLifecycle(ValueError):
    """A transition table that cannot be right: a programming error, raised at import."""


class Lifecycle(Generic[StatusT]):
    """One kind of record's statuses and transitions, validated, in table order.

    `subject` names a transition in the `not_found` error ("transition", "work order
    transition") and `illegal_code` is the error raised for a transition fired from a status
    it does not start from; both are part of the API's error contract. `audit_prefix` tells
    one kind of record's events from another's on a shared audit trail ("work_order_").
    """

    def __init__(
        self,
        statuses: type[StatusT],
        labels: Mapping[StatusT, tuple[str, str]],
        initial: StatusT,
        table: Sequence[Transition[StatusT]],
        *,
        subject: str,
        illegal_code: str,
        audit_prefix: str = "",
    ) -> None:
        self.statuses = statuses
        self.initial = initial
        self.subject = subject
        self.illegal_code = illegal_code
        self.audit_prefix = audit_prefix
        self._labels = MappingProxyType(dict(labels))
        self._table = tuple(table)
        self._by_name = MappingProxyType({t.name: t for t in self._table})
        self._validate()

    def _validate(self) -> None:
        problems: list[str] = []
        names = [t.name for t in self._table]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(f"duplicate transition names {duplicates}")
        for t in self._table:
            unknown = [s for s in t.sources if not isinstance(s, self.statuses)]
            if t.target is not None and not isinstance(t.target, self.statuses):
                unknown.append(t.target)
            if unknown:
                problems.append(f"{t.name!r} names unknown statuses {sorted(map(str, unknown))}")
            if not t.sources:
                problems.append(f"{t.name!r} starts from no status")
            if not t.roles:
                problems.append(f"{t.name!r} may be fired by nobody")
            for f in t.fields:
                if (f.kind == "choice") != bool(f.choices):
                    problems.append(f"{t.name!r}: only a choice field has choices ({f.name!r})")
        if not isinstance(self.initial, self.statuses):
            problems.append(f"unknown initial status {self.initial!r}")
        unlabelled = [s.value for s in self.statuses if s not in self._labels]
        if unlabelled:
            problems.append(f"statuses without a label {unlabelled}")
        unreachable = [s.value for s in self.statuses if s not in self.reachable]
        if unreachable:
            problems.append(f"statuses unreachable from {str(self.initial)!r}: {unreachable}")
        if problems:
            raise InvalidLifecycle(f"{self.statuses.__name__} lifecycle: " + "; ".join(problems))

    @property
    def reachable(self) -> frozenset[StatusT]:
        """Every status some sequence of transitions leads to from the initial one."""
        seen = {self.initial}
        frontier = [self.initial]
        while frontier:
            current = frontier.pop()
            for t in self._table:
                if current in t.sources and t.target is not None and t.target not in seen:
                    seen.add(t.target)
                    frontier.append(t.target)
        return frozenset(seen)

    def __iter__(self) -> Iterator[Transition[StatusT]]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def transitions(self) -> Mapping[str, Transition[StatusT]]:
        """By name, in table order (read-only)."""
        return self._by_name

    @property
    def labels(self) -> Mapping[StatusT, tuple[str, str]]:
        """Status → (zh, en) label."""
        return self._labels

    def label(self, status: StatusT | str, lang: str) -> str:
        zh, en = self._labels[self.status(status)]
        return en if lang.startswith("en") else zh

    def status(self, value: StatusT | str) -> StatusT:
        """`value` as a status of this lifecycle (a stored row holds a plain string)."""
        return self.statuses(value)

    def get(self, name: str) -> Transition[StatusT]:
        transition = self._by_name.get(name)
        if transition is None:
            raise DomainError("not_found", what=self.subject, ident=name)
        return transition

    def audit_action(self, name: str) -> str:
        """The `action` the event of transition `name` is recorded under."""
        return self.audit_prefix + self.get(name).name

    def clean_field(self, name: str, field: str, value: str | None) -> str | None:
        """The text a person gave for `field` of transition `name`, cleaned by the limits its
        table row declares, so the table a channel is generated from is what is enforced."""
        return self.get(name).field(field).clean(value)

    def check_role(self, name: str, role: str) -> Transition[StatusT]:
        """The transition if `role` may ever fire it. Checked before anything about the
        record is read, so someone without the right learns nothing about its state."""
        transition = self.get(name)
        if role not in transition.roles:
            raise DomainError("role_not_allowed", role=role, action=name).said_as(
                action=(transition.label("zh"), transition.label("en"))
            )
        return transition

    def check(self, status: StatusT | str, name: str, role: str) -> Transition[StatusT]:
        """The transition if `role` may fire it from `status`: role first, then state."""
        transition = self.check_role(name, role)
        current = self.status(status)
        if current not in transition.sources:
            raise DomainError(self.illegal_code, status=current.value, action=name).said_as(
                status=self._labels[current],
                action=(transition.label("zh"), transition.label("en")),
            )
        return transition

    def apply(self, status: StatusT | str, name: str, role: str) -> StatusT:
        """The status after `role` fires `name` from `status` (the same status for an action
        that keeps it); a DomainError if the table does not allow it."""
        transition = self.check(status, name, role)
        return self.status(status) if transition.target is None else transition.target

    def allowed(self, status: StatusT | str, role: str) -> list[Transition[StatusT]]:
        """What a person in `role` may do now, in table order (pages offer exactly these)."""
        current = self.status(status)
        return [t for t in self._table if current in t.sources and role in t.roles]
