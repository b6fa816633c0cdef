"""The complaint filter, declared once for every channel that lists complaints.

NetBox's filterset idea: each field is declared once (its query parameter, its label, how a
value parses, how it is shown as a chip), and the API list, the export and the web list all
build their ``ComplaintFilter`` from this one declaration, so a new filter, or a stricter
rule for one, reaches all three at once.

Two spellings of the same fields reach us: the API's (repeated ``status`` parameters,
``true``/``false`` flags, times already parsed by the framework) and the web form's
(``status`` as one comma-separated value, ``1``/``0`` flags, ``open=1`` for every open
status, times as ISO 8601 text). Both go through the same fields in the same order, so the
first invalid value named in an answer is the same whichever channel asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Final, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from careloop.domain import complaints as rules
from careloop.domain import time_bounds
from careloop.domain.categories import get_category
from careloop.domain.errors import InvalidInput
from careloop.domain.field_labels import FIELD_LABELS
from careloop.domain.lifecycle.tickets import OPEN_STATUSES, STATUS_LABELS, Status
from careloop.domain.vocabulary import CHANNELS, label


@dataclass(frozen=True)
class ComplaintFilter:
    status: list[str] = field(default_factory=list)
    category: str | None = None
    unit: str | None = None
    channel: str | None = None
    region: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    escalated: bool | None = None
    repeat: bool | None = None
    text: str | None = None
    customer_phone: str | None = None
    sla: str | None = None
    """A clock state (breached, warning, ...): complaints with any clock in it *now*."""
    worst: str | None = None
    """The worst live clock *now* (``WORST_STATES``): what the web list's rows show and
    colour, so its filter picks rows by the very state they are marked with."""
    personal_search: bool = False
    """Whether ``text`` also searches customer names and descriptions: set from the reader's
    role by ``queries.personal_data_filters``, never by a caller."""


Kind = Literal["statuses", "code", "instant", "flag", "text", "phone"]
ChipStyle = Literal["value", "category", "clock_state", "yes_no", "status", "channel", "instant"]


@dataclass(frozen=True)
class FilterField:
    """One filter: the ``ComplaintFilter`` attribute, its query parameter, how it parses
    (``kind``) and how a chip shows its value (``chip``)."""

    attr: str
    param: str
    kind: Kind
    chip: ChipStyle = "value"
    on_form: bool = True
    """Whether the web list's query string offers it (due times and the phone are API-only:
    the pages look a number up through their own search, never through a list URL)."""

    @property
    def label(self) -> tuple[str, str]:
        """(zh, en): the words 4xx answers use for this parameter (domain.field_labels)."""
        return FIELD_LABELS[self.param]


FIELDS: tuple[FilterField, ...] = (
    FilterField("status", "status", "statuses", chip="status"),
    FilterField("category", "category", "code", chip="category"),
    FilterField("unit", "unit", "code"),
    FilterField("channel", "channel", "code", chip="channel"),
    FilterField("region", "region", "code"),
    FilterField("created_from", "created_from", "instant", chip="instant"),
    FilterField("created_to", "created_to", "instant", chip="instant"),
    FilterField("due_from", "due_from", "instant", on_form=False),
    FilterField("due_to", "due_to", "instant", on_form=False),
    FilterField("escalated", "escalated", "flag", chip="yes_no"),
    FilterField("repeat", "repeat", "flag", chip="yes_no"),
    FilterField("text", "q", "text"),
    FilterField("customer_phone", "phone", "phone", on_form=False),
    FilterField("sla", "sla", "text", chip="clock_state"),
)
"""Every complaint filter, in the order their values are checked."""

BY_PARAM: dict[str, FilterField] = {f.param: f for f in FIELDS}
FORM_PARAMS: tuple[str, ...] = tuple(f.param for f in FIELDS if f.on_form)

WORST_STATES: Final = ("breached", "warning", "on_time")
"""The web list's clock filter (超时 / 即将超时 / 正常): a complaint's worst live clock,
breached before warning; an open complaint with neither is on time."""

OPEN_PARAM = "open"
"""The web form's shortcut: ``open=1`` selects every open status (it replaces ``status``)."""

FORM_CHIPS: dict[str, ChipStyle] = {OPEN_PARAM: "yes_no"} | {f.param: f.chip for f in FIELDS}


def _api_flag(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidInput(name, "应为 true 或 false / must be true or false")


def _form_instant(name: str, value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "ISO 8601") from None


def _api_value(f: FilterField, value: Any) -> Any:
    """A value as the API's query parser hands it over, checked by the field's rule."""
    if f.kind == "statuses":
        return list(value or [])
    if value is None:
        return None
    if f.kind == "instant":
        return time_bounds.instant(f.param, value)  # the one rule for outside times
    if f.kind in ("flag", "phone") and value == "":
        return None
    if f.kind == "flag":
        return _api_flag(f.param, value)
    if f.kind == "phone":
        return rules.normalize_phone(value)
    return value


def _form_day(f: FilterField, value: str, zone: ZoneInfo) -> datetime | None:
    """A date picker's day (``2026-11-03``) as the local midnight that bounds it: the start
    of the day for a "from", the start of the next day for a "to" (the day is included)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    if f.param.endswith("_to"):
        day += timedelta(days=1)
    return datetime.combine(day, time.min, zone)


def _form_value(f: FilterField, value: str | None, zone: ZoneInfo | None = None) -> Any:
    """A value as a web form sends it: one string per parameter, flags as ``1``/``0``,
    times as ISO instants or, from the filter bar's date pickers, local calendar days."""
    if f.kind == "statuses":
        return [s for s in (value or "").split(",") if s]
    if f.kind == "flag":
        return None if value in (None, "") else value == "1"
    if not value:
        return None
    if f.kind == "instant":
        day = _form_day(f, value, zone or ZoneInfo("Asia/Shanghai")) if len(value) == 10 else None
        return time_bounds.instant(f.param, day or _form_instant(f.param, value))
    if f.kind == "phone":
        return rules.normalize_phone(value)
    return value


def _build(values: Mapping[str, Any], parse: Callable[[FilterField, Any], Any]) -> ComplaintFilter:
    return ComplaintFilter(
        **{f.attr: parse(f, values[f.param]) for f in FIELDS if f.param in values}
    )


def from_api(**values: Any) -> ComplaintFilter:
    """The filter from API query parameters, keyed by parameter name (``q``, ``phone``,
    ``sla``, ``status`` …); a parameter the endpoint does not offer is simply left out."""
    unknown = set(values) - set(BY_PARAM)
    if unknown:
        raise TypeError(f"not complaint filters: {sorted(unknown)}")
    return _build(values, _api_value)


def from_form(params: Mapping[str, str], tz: str = "Asia/Shanghai") -> ComplaintFilter:
    """The filter from a web list's query string (``open=1``, ``status=a,b``, flags ``1``,
    days as local calendar days of ``tz``); parameters that are not filters (page, lang …)
    are ignored.

    The web list's rows show each complaint's worst live clock, so its ``sla`` of breached,
    warning or on_time selects by that clock (``worst``): a complaint with one clock in
    warning and another breached is a breached row, never one in the warning list. Other
    states keep the API's meaning (any clock in that state).
    """
    zone = ZoneInfo(tz)
    offered = {p: params[p] for p in FORM_PARAMS if p in params}
    found = _build(offered, lambda f, v: _form_value(f, v, zone))
    if found.sla in WORST_STATES:
        found = replace(found, sla=None, worst=found.sla)
    if params.get(OPEN_PARAM) == "1":
        return replace(found, status=sorted(s.value for s in OPEN_STATUSES))
    return found


def _status_label(code: str, lang: str) -> str:
    try:
        zh, en = STATUS_LABELS[Status(code)]
    except ValueError:
        return code
    return en if lang == "en" else zh


def _local_text(value: str, zone: ZoneInfo) -> str:
    """A day as given, an instant as local time (a chip never shows a UTC ISO stamp)."""
    if len(value) == 10:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Chip:
    """One filter in force, as a removable chip: the page translates ``label_key`` (and
    ``value_key`` when set, falling back to ``value``) and links ``remove_query``."""

    param: str
    value: str
    label_key: str
    value_key: str | None
    remove_query: str


def chips(
    params: Mapping[str, str],
    lang: str,
    names: Mapping[str, str] | None = None,
    tz: str = "Asia/Shanghai",
) -> list[Chip]:
    """The chips for a list's query string, in its order; empty values are not filters.

    Category codes are shown by their label in ``lang``, unit codes (region, unit) by the
    name ``names`` gives them (a person knows 杭州市, not ZJ-HZ); clock states and flags by
    a key of the page's catalogue (``filter.sla.<state>``, ``common.yes``/``common.no``).
    """
    names = names or {}
    zone = ZoneInfo(tz)
    shown = []
    for key, value in params.items():
        if not value or key not in FORM_CHIPS:
            continue
        style = FORM_CHIPS[key]
        value_key = None
        if style == "category":
            category = get_category(value)
            value = category.label(lang) if category else value
        elif key in ("region", "unit"):
            value = names.get(value, value)
        elif style == "clock_state":
            value_key = f"filter.sla.{value}" if value in WORST_STATES else f"clock.state.{value}"
        elif style == "yes_no":
            value_key = "common.yes" if value == "1" else "common.no"
        elif style == "status":
            value = "、".join(_status_label(s, lang) for s in value.split(",") if s)
        elif style == "channel":
            value = label(CHANNELS, value, lang)
        elif style == "instant":
            value = _local_text(value, zone)
        rest = {k: v for k, v in params.items() if k != key and v}
        shown.append(Chip(key, value, f"filter.{key}", value_key, urlencode(rest)))
    return shown
