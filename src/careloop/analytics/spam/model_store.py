"""Trained models on disk, one directory per version, with their evaluation beside them.

    <data dir>/spam-models/
      20261128T101500Z/
        model.joblib       the fitted scikit-learn pipelines (spam, kind)
        metadata.json      version, trained at, seed, sources (rows, SHA-256, licence), metrics
        evaluation.txt     the report `careloop spam train` printed, in the language it used

A version is the UTC time of training, so names sort by age and the newest is the latest;
a directory is written under a temporary name and renamed when complete, so a reader never
loads half a model. joblib files are pickles: load only models this installation wrote.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from careloop.analytics.spam.classifier import SpamClassifier
from careloop.analytics.spam.training import TrainingRun

MODELS_FOLDER: Final = "spam-models"
MODEL_FILE: Final = "model.joblib"
METADATA_FILE: Final = "metadata.json"
EVALUATION_FILE: Final = "evaluation.txt"
FORMAT: Final = 1


class NoModelError(LookupError):
    """No trained model in the folder asked for."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root))
        self.root = root

    def message(self, lang: str) -> str:
        if lang == "en":
            return f"no trained spam model in {self.root}"
        return f"{self.root} 中没有训练好的垃圾短信模型"


def models_root(data_dir: Path) -> Path:
    return Path(data_dir) / MODELS_FOLDER


def metadata_of(run: TrainingRun, version: str, trained_at: datetime) -> dict[str, Any]:
    import sklearn  # type: ignore[import-untyped]

    return {
        "format": FORMAT,
        "version": version,
        "trained_at": trained_at.astimezone(UTC).isoformat(),
        "seed": run.seed,
        "test_size": run.test_size,
        "scikit_learn": sklearn.__version__,
        "sources": [
            {
                "name": s.name,
                "rows": len(s.rows),
                "spam_rows": sum(r.spam for r in s.rows),
                "sha256": s.digest,
                "licence": s.licence,
                "evaluated": s.name not in run.unevaluated,
                **s.provenance,
            }
            for s in run.sources
        ],
        "kinds_learnt": [] if run.models.kind is None else list(run.models.kind.classes_),
        "evaluation": [asdict(e) for e in run.evaluations],
    }


def save(run: TrainingRun, root: Path, trained_at: datetime, report: str) -> Path:
    """Write a new version under ``root``; returns its directory."""
    import joblib  # type: ignore[import-untyped]

    root.mkdir(parents=True, exist_ok=True)
    base = trained_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    version, n = base, 1
    while (root / version).exists():
        n += 1
        version = f"{base}-{n}"
    staging = root / f".{version}.partial"
    staging.mkdir()
    joblib.dump({"spam": run.models.spam, "kind": run.models.kind}, staging / MODEL_FILE)
    meta = metadata_of(run, version, trained_at)
    (staging / METADATA_FILE).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (staging / EVALUATION_FILE).write_text(report, encoding="utf-8")
    final = root / version
    os.replace(staging, final)
    return final


def latest_version(root: Path) -> Path:
    found = sorted(p for p in (root.iterdir() if root.is_dir() else ()) if _complete(p))
    if not found:
        raise NoModelError(root)
    return found[-1]


class UnreadableModelError(ValueError):
    """A version directory whose files cannot be loaded (damaged, or written by an
    incompatible scikit-learn)."""

    def __init__(self, directory: Path, reason: str) -> None:
        super().__init__(f"{directory}: {reason}")
        self.directory = directory
        self.reason = reason

    def message(self, lang: str) -> str:
        if lang == "en":
            return f"cannot load the spam model {self.directory}: {self.reason}"
        return f"无法加载垃圾短信模型 {self.directory}：{self.reason}"


def load_version(directory: Path) -> SpamClassifier:
    """Read one version; the same directory read again is served from memory, since a
    version never changes once it is in place (save() renames it in complete)."""
    return _load(str(Path(directory).resolve()))


@lru_cache(maxsize=4)
def _load(directory: str) -> SpamClassifier:
    import joblib

    path = Path(directory)
    try:
        models = joblib.load(path / MODEL_FILE)
        meta = json.loads((path / METADATA_FILE).read_text(encoding="utf-8"))
        return SpamClassifier(models["spam"], models["kind"], meta)
    except Exception as exc:  # unpickling can fail in many ways; all mean "unreadable"
        raise UnreadableModelError(path, f"{type(exc).__name__}: {exc}") from exc


def _complete(path: Path) -> bool:
    return (
        path.is_dir()
        and not path.name.startswith(".")
        and (path / MODEL_FILE).is_file()
        and (path / METADATA_FILE).is_file()
    )
