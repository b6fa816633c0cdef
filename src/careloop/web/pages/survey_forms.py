"""The survey pages' forms and words: a template as numbered question rows and back, a
sending rule as text fields and back, a rule and a question in a sentence, and the results
table as a spreadsheet's rows. No rule is decided here: ``domain.surveys.parse_template``
and ``parse_rule`` check what the forms produce, and their refusals are what the page says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from careloop.domain.surveys import (
    SATISFIED_FROM,
    SCALE_TOP,
    Question,
    SendingRule,
    SurveyError,
    Template,
)
from careloop.i18n import Translator
from careloop.services.surveys.read_models import ResultRow, RuleView
from careloop.web.answers import in_both

KINDS = ("score10", "score5", "yes_no", "choice", "text")
BLANK_ROWS = 2
"""Empty question rows under the template's own: room to add questions without script."""
MAX_ROWS = 30
DONE = frozenset({"survey_template_saved", "survey_rule_saved"})
SATISFIED_WORDS = frozenset({"满意", "satisfied", "是", "yes", "y", "✓"})


def done_of(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


def _invalid(kind: str, reason: Callable[[Translator], str]) -> SurveyError:
    zh, en = in_both(reason)
    return SurveyError(f"survey_{kind}_invalid", reason_zh=zh, reason_en=en)


# --- templates ------------------------------------------------------------------------


@dataclass
class QuestionForm:
    key: str = ""
    kind: str = "score10"
    text_zh: str = ""
    text_en: str = ""
    required: bool = True
    satisfied_from: str = ""
    choices: str = ""
    """One choice a line: 中文 | English | 满意 (the last part marks a satisfied choice)."""
    remove: bool = False

    @property
    def blank(self) -> bool:
        return not (self.key or self.text_zh.strip() or self.text_en.strip())


@dataclass
class TemplateForm:
    purpose: str
    name_zh: str
    name_en: str
    overall: str
    """The row number (from 0) of the question that says whether the customer is satisfied."""
    questions: list[QuestionForm] = field(default_factory=list)


def _choices_text(q: Question) -> str:
    return "\n".join(
        f"{c.text_zh} | {c.text_en}" + (" | 满意" if c.satisfied else "") for c in q.choices
    )


def form_of(template: Template) -> TemplateForm:
    """The edit form of a template: its questions, then two blank rows."""
    rows = [
        QuestionForm(
            q.key,
            q.kind,
            q.text_zh,
            q.text_en,
            q.required,
            str(q.satisfied_from) if q.satisfied_from is not None else "",
            _choices_text(q),
        )
        for q in template.questions
    ]
    overall = next((i for i, q in enumerate(template.questions) if q.key == template.overall), 0)
    rows += [QuestionForm() for _ in range(BLANK_ROWS)]
    return TemplateForm(template.purpose, template.name_zh, template.name_en, str(overall), rows)


def template_form(fields: Mapping[str, str]) -> TemplateForm:
    """What was posted, kept as typed (a refused form comes back exactly so)."""
    try:
        count = min(int(fields.get("count", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = [
        QuestionForm(
            key=fields.get(f"q{i}_key", "").strip(),
            kind=fields.get(f"q{i}_kind", "score10"),
            text_zh=fields.get(f"q{i}_text_zh", ""),
            text_en=fields.get(f"q{i}_text_en", ""),
            required=bool(fields.get(f"q{i}_required")),
            satisfied_from=fields.get(f"q{i}_satisfied_from", "").strip(),
            choices=fields.get(f"q{i}_choices", ""),
            remove=bool(fields.get(f"q{i}_remove")),
        )
        for i in range(count)
    ]
    return TemplateForm(
        fields.get("purpose", "").strip(),
        fields.get("name_zh", ""),
        fields.get("name_en", ""),
        fields.get("overall", "0"),
        rows,
    )


def _choices(text: str, n: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        zh = parts[0]
        en = parts[1] if len(parts) > 1 else ""
        flag = parts[2] if len(parts) > 2 else ""
        found.append(
            {
                "key": f"c{len(found) + 1}",
                "text_zh": zh,
                "text_en": en,
                "satisfied": flag.lower() in SATISFIED_WORDS,
            }
        )
    return found


def _new_key(taken: set[str]) -> str:
    n = 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def _satisfied_from(text: str, n: int) -> int:
    try:
        return int(text)
    except ValueError:
        raise _invalid(
            "template", lambda t: t("survey_pages.invalid.satisfied_from", n=n)
        ) from None


def template_data(form: TemplateForm) -> dict[str, Any]:
    """The template's JSON form (``Template.to_json``) from the rows that are kept: a row
    ticked for removal or left blank is dropped; a new row gets a key of its own."""
    kept = [(i, q) for i, q in enumerate(form.questions) if not q.remove and not q.blank]
    taken = {q.key for _, q in kept if q.key}
    questions = []
    overall_key: str | None = None
    for n, (i, q) in enumerate(kept, start=1):
        key = q.key or _new_key(taken)
        taken.add(key)
        satisfied_from = _satisfied_from(q.satisfied_from, n) if q.satisfied_from else None
        questions.append(
            {
                "key": key,
                "kind": q.kind,
                "text_zh": q.text_zh,
                "text_en": q.text_en,
                "required": q.required,
                "choices": _choices(q.choices, n) if q.kind == "choice" else [],
                "satisfied_from": satisfied_from if q.kind in SCALE_TOP else None,
            }
        )
        if str(i) == form.overall:
            overall_key = key
    if overall_key is None and questions:
        raise _invalid("template", lambda t: t("survey_pages.invalid.no_overall"))
    return {
        "purpose": form.purpose,
        "name_zh": form.name_zh,
        "name_en": form.name_en,
        "overall": overall_key,
        "questions": questions,
    }


def kind_choices(t: Translator) -> list[tuple[str, str]]:
    return [(k, t(f"survey_pages.kind.{k}")) for k in KINDS]


def question_line(q: Question, template: Template, t: Translator) -> dict[str, Any]:
    """A question as the list reads it: its wording, its scale in words, whether it must be
    answered, and for the overall question what counts as satisfied."""
    lang = t.lang
    scale = t(f"survey_pages.kind.{q.kind}")
    if q.kind == "choice":
        names = [
            (c.text_en if lang == "en" else c.text_zh)
            + (t("survey_pages.choice_satisfied") if c.satisfied else "")
            for c in q.choices
        ]
        scale = t(
            "survey_pages.choice_scale", scale=scale, choices=t("common.list_sep").join(names)
        )
    overall = q.key == template.overall
    rule = ""
    if overall:
        if q.kind in SCALE_TOP:
            line = q.satisfied_from or SATISFIED_FROM[q.kind]
            rule = t("survey_pages.satisfied_from", n=line, top=SCALE_TOP[q.kind])
        elif q.kind == "yes_no":
            rule = t("survey_pages.satisfied_yes")
        else:
            rule = t("survey_pages.satisfied_choice")
    return {
        "text": q.text(lang),
        "scale": scale,
        "required": q.required,
        "overall": overall,
        "rule": rule,
    }


# --- sending rules ------------------------------------------------------------------------

RULE_FIELDS = (
    "region",
    "version",
    "enabled",
    "delay_minutes",
    "quiet_days",
    "daily_cap",
    "link_days",
    "channel",
    "night_start",
    "night_end",
    "template_purpose",
    "new",
)
NUMBERS: dict[str, Callable[[Translator], str]] = {
    "delay_minutes": lambda t: t("survey_pages.number.delay_minutes"),
    "quiet_days": lambda t: t("survey_pages.number.quiet_days"),
    "link_days": lambda t: t("survey_pages.number.link_days"),
    "daily_cap": lambda t: t("survey_pages.number.daily_cap"),
}
"""The rule's number fields, each named as its refusal says it."""


def rule_form(view: RuleView, region: str | None = None) -> dict[str, str]:
    """A rule's fields as the form shows them (``region`` overrides, for the new-rule form
    that starts from the global rule's values)."""
    data = view.rule.to_json()
    return {
        "region": (view.region_code or "") if region is None else region,
        "version": str(view.version) if region is None else "0",
        "enabled": "1" if data["enabled"] else "",
        "delay_minutes": str(data["delay_minutes"]),
        "quiet_days": str(data["quiet_days"]),
        "daily_cap": "" if data["daily_cap"] is None else str(data["daily_cap"]),
        "link_days": str(data["link_days"]),
        "channel": data["channel"],
        "night_start": data["night_start"],
        "night_end": data["night_end"],
        "template_purpose": data["template_purpose"],
        "new": "" if region is None else "1",
    }


def rule_values(fields: Mapping[str, str]) -> dict[str, str]:
    return {name: fields.get(name, "").strip() for name in RULE_FIELDS}


def _whole(text: str, what: Callable[[Translator], str]) -> int:
    try:
        return int(text)
    except ValueError:
        raise _invalid(
            "rule", lambda t: t("survey_pages.invalid.not_whole", what=what(t))
        ) from None


def rule_data(values: Mapping[str, str]) -> tuple[dict[str, Any], int | None]:
    """The rule's JSON form and the version the form was read at (None: not sent)."""
    data: dict[str, Any] = {
        "enabled": bool(values.get("enabled")),
        "channel": values.get("channel") or "sms",
        "night_start": values.get("night_start") or None,
        "night_end": values.get("night_end") or None,
        "template_purpose": values.get("template_purpose") or None,
    }
    data = {k: v for k, v in data.items() if v is not None}
    for name, what in NUMBERS.items():
        text = values.get(name, "")
        if not text:
            if name == "daily_cap":
                data[name] = None
            continue
        data[name] = _whole(text, what)
    version = values.get("version", "")
    return data, int(version) if version.isdigit() else None


def rule_summary(rule: SendingRule, t: Translator) -> list[str]:
    """The rule in short phrases, the way a supervisor would say it."""
    return [
        t("survey_pages.rule.on") if rule.enabled else t("survey_pages.rule.off"),
        t("survey_pages.rule.delay", n=rule.delay_minutes),
        t("survey_pages.rule.quiet", n=rule.quiet_days),
        t("survey_pages.rule.cap", n=rule.daily_cap)
        if rule.daily_cap is not None
        else t("survey_pages.rule.no_cap"),
        t("survey_pages.rule.link", n=rule.link_days),
        t(
            "survey_pages.rule.night",
            start=rule.night_start.strftime("%H:%M"),
            end=rule.night_end.strftime("%H:%M"),
        ),
        t(f"survey_pages.channel.{rule.channel}"),
    ]


# --- results ------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def mean_text(value: float | None, kind: str, t: Translator) -> str:
    """A question's mean: a score to one decimal, a yes/no question as its share of yes."""
    if value is None:
        return "—"
    if kind == "yes_no":
        return t("survey_pages.yes_share", p=f"{value * 100:.1f}")
    return f"{value:.2f}"


def export_table(
    rows: list[ResultRow], total: ResultRow, by: str, t: Translator
) -> tuple[list[str], list[list[Any]]]:
    """The results table as the page shows it: headers in words, rates in percent (numbers,
    so a spreadsheet can sum them), each question's mean, the total last."""
    headers = [
        t(f"survey_pages.col.{by}"),
        t("survey_pages.col.sent"),
        t("survey_pages.col.answered"),
        t("survey_pages.col.response_rate"),
        t("survey_pages.col.satisfaction"),
        *[m.question for m in total.means],
    ]

    def cells(r: ResultRow) -> list[Any]:
        return [
            r.name,
            r.sent,
            r.answered,
            None if r.response_rate is None else round(r.response_rate, 1),
            None if r.satisfaction is None else round(r.satisfaction, 1),
            *[None if m.mean is None else round(m.mean, 2) for m in r.means],
        ]

    return headers, [cells(r) for r in [*rows, total]]
