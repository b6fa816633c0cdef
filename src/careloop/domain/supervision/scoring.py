"""Scoring one inspection against its checklist version, and the evidence it needs.

Score = points earned ÷ points possible × 100, so a checklist whose weights do not add to
100 still scores out of 100. A visit is compliant (达标) when its score reaches the
checklist's pass mark and no mandatory item failed (一票否决: a store that misleads on
tariffs fails however tidy it is). An item fails when it earns less than its pass share of
its weight; every failed item is a finding the rectification loop takes up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from careloop.domain.errors import InvalidInput
from careloop.domain.supervision.checklists import EVIDENCE_KINDS, Checklist, ChecklistItem

EVIDENCE_MAX_CHARS = 200
NOTE_MAX_CHARS = 500


@dataclass(frozen=True)
class ItemResult:
    """What the inspector found for one item."""

    code: str
    awarded: float | None
    """Points given (0 … the item's weight); None: not answered yet (a draft)."""
    evidence: Mapping[str, str] = field(default_factory=dict)
    """Evidence kind → reference (photo file name, recording id, the times noted)."""
    note: str = ""


@dataclass(frozen=True)
class ItemVerdict:
    code: str
    awarded: float
    weight: float
    failed: bool
    mandatory: bool


@dataclass(frozen=True)
class VisitScore:
    checklist_kind: str
    checklist_version: int
    score: float
    """0–100, one decimal."""
    pass_mark: float
    compliant: bool
    items: tuple[ItemVerdict, ...]

    @property
    def failed_items(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.items if v.failed)

    @property
    def failed_mandatory(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.items if v.failed and v.mandatory)


@dataclass(frozen=True)
class Problem:
    """One reason a result cannot be submitted yet, in the inspector's words."""

    item: str
    zh: str
    en: str


def item_failed(item: ChecklistItem, awarded: float) -> bool:
    return awarded < item.weight * item.pass_share


def check_awarded(item: ChecklistItem, awarded: float | None, field_name: str = "items") -> None:
    if awarded is None:
        return
    if not 0 <= awarded <= item.weight or awarded != awarded:  # NaN is not a score
        raise InvalidInput(
            field_name,
            f"「{item.name_zh}」的得分须在 0 到 {item.weight:g} 分之间 / "
            f"{item.name_en}: points must lie between 0 and {item.weight:g}",
        )


def check_results(checklist: Checklist, results: Sequence[ItemResult]) -> None:
    """Each result names an item of this checklist, once, with points in range and evidence
    of known kinds; what a draft must satisfy already."""
    seen: set[str] = set()
    for result in results:
        item = checklist.item(result.code)
        if item is None:
            raise InvalidInput(
                "items",
                f"检查表中没有检查项「{result.code}」 / no item {result.code!r} on this checklist",
            )
        if result.code in seen:
            raise InvalidInput(
                "items", f"检查项「{item.name_zh}」重复填写 / item {result.code!r} given twice"
            )
        seen.add(result.code)
        check_awarded(item, result.awarded)
        for kind, ref in result.evidence.items():
            if kind not in EVIDENCE_KINDS:
                raise InvalidInput(
                    "items", f"未知的佐证类型「{kind}」 / unknown evidence kind {kind!r}"
                )
            if len(ref) > EVIDENCE_MAX_CHARS or not ref.isprintable():
                raise InvalidInput(
                    "items",
                    f"「{item.name_zh}」的{EVIDENCE_KINDS[kind][0]}过长或含不可见字符 / "
                    f"{item.name_en}: {EVIDENCE_KINDS[kind][1]} too long or not plain text",
                )
        if len(result.note) > NOTE_MAX_CHARS:
            raise InvalidInput(
                "items",
                f"「{item.name_zh}」的说明最多 {NOTE_MAX_CHARS} 字 / note too long",
            )


def missing_for_submit(checklist: Checklist, results: Sequence[ItemResult]) -> list[Problem]:
    """What stops a result from being submitted: an item not scored, or required evidence
    not referenced. Empty when it may be submitted."""
    given = {r.code: r for r in results}
    problems: list[Problem] = []
    for item in checklist.items:
        result = given.get(item.code)
        if result is None or result.awarded is None:
            problems.append(
                Problem(item.code, f"「{item.name_zh}」未评分", f"{item.name_en}: not scored")
            )
            continue
        for kind in item.evidence:
            if not (result.evidence.get(kind) or "").strip():
                zh, en = EVIDENCE_KINDS[kind]
                problems.append(
                    Problem(
                        item.code, f"「{item.name_zh}」缺少{zh}", f"{item.name_en}: {en} missing"
                    )
                )
    return problems


def score_visit(checklist: Checklist, results: Sequence[ItemResult]) -> VisitScore:
    """The visit's score and verdict; every item must be scored (``missing_for_submit``)."""
    check_results(checklist, results)
    given = {r.code: r for r in results}
    verdicts = []
    for item in checklist.items:
        result = given.get(item.code)
        if result is None or result.awarded is None:
            raise InvalidInput("items", f"「{item.name_zh}」未评分 / {item.name_en}: not scored")
        verdicts.append(
            ItemVerdict(
                item.code,
                result.awarded,
                item.weight,
                item_failed(item, result.awarded),
                item.mandatory,
            )
        )
    earned = sum(v.awarded for v in verdicts)
    score = round(earned / checklist.total_weight * 100, 1)
    vetoed = any(v.failed and v.mandatory for v in verdicts)
    return VisitScore(
        checklist.kind,
        checklist.version,
        score,
        checklist.pass_mark,
        compliant=score >= checklist.pass_mark and not vetoed,
        items=tuple(verdicts),
    )
