"""The evaluation as text: per source and task, precision, recall and F1 per class and the
confusion matrix, in Chinese or English (columns line up with Chinese names in a terminal)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from careloop.analytics.spam.kinds import NOT_SPAM, is_kind, kind
from careloop.analytics.spam.training import (
    MIN_EVALUATED_ROWS,
    SourceEvaluation,
    TaskEvaluation,
    TrainingRun,
)

_WORDS = {
    "zh": {
        "source": "训练来源",
        "rows": "共 {rows} 条：训练 {train} 条，留出 {test} 条（分层抽样，种子 {seed}）",
        "spam": "是否垃圾短信",
        "kind": "垃圾短信类别",
        "class": "类别",
        "precision": "精确率",
        "recall": "召回率",
        "f1": "F1",
        "support": "样本数",
        "confusion": "混淆矩阵（行：真实，列：预测）",
        "confusion_kind": "混淆矩阵（行：真实，列：预测的类别代码）",
        "spam_label": "垃圾短信",
        "ham_label": "正常短信",
        "no_kind": "（留出部分没有已标类别的垃圾短信）",
        "version": "模型版本 {version}，已保存到 {path}",
        "unevaluated": "共 {rows} 条：数量太少，无法留出评估样本（至少需要 {least} 条），"
        "全部用于训练，本次不评估",
    },
    "en": {
        "source": "Training source",
        "rows": "{rows} rows: {train} for training, {test} held out (stratified, seed {seed})",
        "spam": "Spam or not",
        "kind": "Kind of spam",
        "class": "class",
        "precision": "precision",
        "recall": "recall",
        "f1": "F1",
        "support": "support",
        "confusion": "Confusion matrix (rows: true, columns: predicted)",
        "confusion_kind": "Confusion matrix (rows: true, columns: the predicted kind's code)",
        "spam_label": "spam",
        "ham_label": "not spam",
        "no_kind": "(no spam of a known kind among the held-out rows)",
        "version": "model version {version}, saved to {path}",
        "unevaluated": "{rows} rows: too few to hold any out for evaluation (at least {least} "
        "needed); all used for training, not evaluated",
    },
}


def word(key: str, lang: str) -> str:
    return _WORDS["en" if lang == "en" else "zh"][key]


def render(run: TrainingRun, lang: str) -> str:
    rows = {s.name: len(s.rows) for s in run.sources}
    parts = [_source(e, rows.get(e.source, 0), run.seed, lang) for e in run.evaluations]
    parts += [
        f"== {word('source', lang)}: {name} ==\n"
        + word("unevaluated", lang).format(rows=rows.get(name, 0), least=MIN_EVALUATED_ROWS)
        + "\n"
        for name in run.unevaluated
    ]
    return "\n".join(parts)


def label_name(label: str, lang: str) -> str:
    if label == "spam":
        return word("spam_label", lang)
    if label in ("ham", NOT_SPAM):
        return word("ham_label", lang)
    return kind(label).name(lang) if is_kind(label) else label


def _source(e: SourceEvaluation, total: int, seed: int, lang: str) -> str:
    head = (
        f"== {word('source', lang)}: {e.source} ==\n"
        + word("rows", lang).format(rows=total, train=e.train_rows, test=e.test_rows, seed=seed)
        + "\n"
    )
    body = [_task(e.spam, lang)]
    body.append(_task(e.kind, lang) if e.kind else f"-- {word('kind', lang)} --\n"
                + word("no_kind", lang) + "\n")  # fmt: skip
    return head + "\n".join(body)


def _task(t: TaskEvaluation, lang: str) -> str:
    names = [label_name(label, lang) for label in t.labels]
    metrics = _table(
        [word(k, lang) for k in ("class", "precision", "recall", "f1", "support")],
        [
            [names[i], f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.support)]
            for i, c in enumerate(t.classes)
        ],
    )
    # Columns by code: the names side by side would not fit a terminal's width.
    columns = list(t.labels) if t.task == "kind" else names
    matrix = _table(
        ["", *columns], [[names[i], *(str(v) for v in row)] for i, row in enumerate(t.confusion)]
    )
    title = word(t.task, lang)
    caption = word("confusion_kind" if t.task == "kind" else "confusion", lang)
    return f"-- {title} --\n{metrics}\n{caption}\n{matrix}\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - _width(cell))
            out.append(cell + pad if i == 0 else pad + cell)
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])
