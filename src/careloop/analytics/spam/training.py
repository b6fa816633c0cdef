"""Train the two models and measure them on a held-out split of each source.

Two linear models over the same features (features.py):

- **spam or not**: logistic regression with balanced class weights (spam is the minority in
  every real stream), whose probability is the verdict's score;
- **kind of spam**: multinomial logistic regression over the spam messages whose kind is
  known (the English collection's spam has none, so it does not vote here).

Evaluation: each source is split on its own, stratified by its labels (kind where known,
else spam or not) and seeded, ``test_size`` of every label held out (labels with a single
message stay in training). The models are fitted on the union of the training parts and
scored on each source's held-out part: precision, recall, F1 per class and the confusion
matrix, for spam-or-not and for the kind. The model that is kept is then fitted again on every
row, so that no staff correction is left out of it; the evaluation kept beside it is the
held-out one of the same recipe.

A source too small to hold anything out (fewer than ``MIN_EVALUATED_ROWS`` rows, or no label
with two messages: a handful of staff labels in a new installation) is learnt from in full
and not evaluated: the run names it in ``unevaluated`` rather than print metrics of one or
two messages, or refuse to train.
"""

from __future__ import annotations

import random
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from careloop.analytics.spam.features import build_vectoriser
from careloop.analytics.spam.kinds import NOT_SPAM
from careloop.analytics.spam.sources import LabelledMessage, TrainingDataError, TrainingSource

SPAM_LABELS = ("spam", "ham")
MIN_EVALUATED_ROWS = 10
"""Below this a source's held-out part would be two or three messages: no measurement."""


@dataclass(frozen=True)
class ClassMetrics:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class TaskEvaluation:
    """One task (``spam`` or ``kind``) on one source's held-out rows."""

    task: str
    labels: tuple[str, ...]
    classes: tuple[ClassMetrics, ...]
    confusion: tuple[tuple[int, ...], ...]
    """Rows: the true label, columns: the predicted one, both in ``labels`` order."""

    def metrics(self, label: str) -> ClassMetrics:
        return next(c for c in self.classes if c.label == label)


@dataclass(frozen=True)
class SourceEvaluation:
    source: str
    train_rows: int
    test_rows: int
    spam: TaskEvaluation
    kind: TaskEvaluation | None
    """None when the source's held-out rows hold no spam of a known kind."""


@dataclass(frozen=True)
class FittedModels:
    """What classifier.py needs: the fitted spam pipeline and the kind pipeline (None when
    fewer than two kinds were seen)."""

    spam: Any
    kind: Any | None


@dataclass(frozen=True)
class TrainingRun:
    models: FittedModels
    evaluations: tuple[SourceEvaluation, ...]
    sources: tuple[TrainingSource, ...]
    seed: int
    test_size: float
    unevaluated: tuple[str, ...] = ()
    """Sources too small for a held-out split: learnt from in full, not evaluated."""


def train(
    sources: Sequence[TrainingSource], seed: int = 0, test_size: float = 0.2, refit: bool = True
) -> TrainingRun:
    """Evaluate on held-out splits, then fit the kept models on all rows (``refit=False``:
    keep the evaluated models themselves, which saw only the training parts)."""
    if not 0 < test_size < 1:
        raise TrainingDataError(
            f"留出比例须在 0 与 1 之间：{test_size}",
            f"test size must be between 0 and 1: {test_size}",
        )
    everything = [row for source in sources for row in source.rows]
    if len({row.spam for row in everything}) < 2:
        raise TrainingDataError(
            "训练数据须同时包含垃圾短信和正常短信", "training data needs both spam and not-spam"
        )
    splits = {s.name: split(s.rows, seed, test_size) for s in sources}
    unevaluated = tuple(
        s.name for s in sources if len(s.rows) < MIN_EVALUATED_ROWS or not splits[s.name][1]
    )
    training_rows = [
        row
        for name, (train_part, test_part) in splits.items()
        for row in (train_part + test_part if name in unevaluated else train_part)
    ]
    held_out_models = fit(training_rows, seed)
    evaluations = tuple(
        evaluate(name, held_out_models, train_part, test_part)
        for name, (train_part, test_part) in splits.items()
        if name not in unevaluated
    )
    kept = fit(everything, seed) if refit else held_out_models
    return TrainingRun(kept, evaluations, tuple(sources), seed, test_size, unevaluated)


def split(
    rows: Sequence[LabelledMessage], seed: int, test_size: float
) -> tuple[list[LabelledMessage], list[LabelledMessage]]:
    """Stratified, seeded: the same rows and seed give the same split on every machine."""
    by_label: dict[str, list[LabelledMessage]] = defaultdict(list)
    for row in rows:
        by_label[_stratum(row)].append(row)
    rng = random.Random(seed)
    train_part: list[LabelledMessage] = []
    test_part: list[LabelledMessage] = []
    for label in sorted(by_label):
        members = by_label[label][:]
        rng.shuffle(members)
        held = round(len(members) * test_size) if len(members) >= 2 else 0
        held = min(max(held, 1 if len(members) >= 2 else 0), len(members) - 1)
        test_part.extend(members[:held])
        train_part.extend(members[held:])
    return train_part, test_part


def fit(rows: Sequence[LabelledMessage], seed: int) -> FittedModels:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]

    spam_model = Pipeline(
        [
            ("features", build_vectoriser()),
            ("model", LogisticRegression(C=20.0, class_weight="balanced", max_iter=2000)),
        ]
    )
    spam_model.fit([r.text for r in rows], [int(r.spam) for r in rows])
    kinded = [r for r in rows if r.spam and r.kind not in (None, NOT_SPAM)]
    kind_model = None
    if len({r.kind for r in kinded}) >= 2:
        kind_model = Pipeline(
            [
                ("features", build_vectoriser()),
                ("model", LogisticRegression(C=20.0, max_iter=2000, random_state=seed)),
            ]
        )
        kind_model.fit([r.text for r in kinded], [r.kind for r in kinded])
    return FittedModels(spam_model, kind_model)


def evaluate(
    source: str,
    models: FittedModels,
    train_part: Sequence[LabelledMessage],
    test_part: Sequence[LabelledMessage],
) -> SourceEvaluation:
    spam_truth = ["spam" if r.spam else "ham" for r in test_part]
    spam_guess = (
        ["spam" if p else "ham" for p in models.spam.predict([r.text for r in test_part])]
        if test_part
        else []
    )
    spam_eval = _task("spam", SPAM_LABELS, spam_truth, spam_guess)
    kinded = [r for r in test_part if r.spam and r.kind not in (None, NOT_SPAM)]
    kind_eval = None
    if kinded and models.kind is not None:
        truth = [str(r.kind) for r in kinded]
        guess = [str(k) for k in models.kind.predict([r.text for r in kinded])]
        labels = tuple(sorted(set(truth) | set(guess)))
        kind_eval = _task("kind", labels, truth, guess)
    return SourceEvaluation(source, len(train_part), len(test_part), spam_eval, kind_eval)


def _task(
    task: str, labels: Sequence[str], truth: Sequence[str], guess: Sequence[str]
) -> TaskEvaluation:
    from sklearn.metrics import (  # type: ignore[import-untyped]
        confusion_matrix,
        precision_recall_fscore_support,
    )

    if not truth:
        empty = tuple(ClassMetrics(label, 0.0, 0.0, 0.0, 0) for label in labels)
        zero = tuple(tuple(0 for _ in labels) for _ in labels)
        return TaskEvaluation(task, tuple(labels), empty, zero)
    with warnings.catch_warnings():
        # A held-out part with a single label (a small staff source) is a fair question; the
        # labels are passed, so the matrix keeps its shape.
        warnings.simplefilter("ignore", UserWarning)
        p, r, f, s = precision_recall_fscore_support(
            truth, guess, labels=list(labels), zero_division=0
        )
        matrix = confusion_matrix(truth, guess, labels=list(labels))
    classes = tuple(
        ClassMetrics(label, float(p[i]), float(r[i]), float(f[i]), int(s[i]))
        for i, label in enumerate(labels)
    )
    return TaskEvaluation(
        task, tuple(labels), classes, tuple(tuple(int(v) for v in row) for row in matrix)
    )


def _stratum(row: LabelledMessage) -> str:
    if row.kind not in (None, NOT_SPAM):
        return str(row.kind)
    return "spam" if row.spam else "ham"
