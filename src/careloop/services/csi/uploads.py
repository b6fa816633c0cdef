"""A study run from the page: the uploaded survey (and model file) in, a stored study out."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from careloop.domain.csi.model import PathModel
from careloop.domain.permissions import check_permission
from careloop.services.access.actors import Actor
from careloop.services.csi import archive
from careloop.services.csi.errors import StudyInputError
from careloop.services.csi.model_files import load_model, model_from_yaml
from careloop.services.csi.study import MAX_RESAMPLES, run_study
from careloop.services.csi.survey import prepare_survey, read_survey_file
from careloop.services.unit_of_work import UnitOfWork

PAGE_MAX_RESAMPLES = 1000
"""The page waits for its answer: more resamples belong to `careloop csi run`."""


@dataclass(frozen=True)
class UploadedStudy:
    """What the page's form hands in."""

    data_name: str
    data: bytes
    model: str  # a shipped model's name, or "yaml" for the uploaded file
    model_name: str = ""
    model_text: bytes = b""
    strata: str = ""  # comma-separated; "": the standard columns present; "none": one stratum
    weight: str = ""
    resamples: int = 100
    seed: int = 0
    title: str = ""


def _model(spec: UploadedStudy) -> PathModel:
    if spec.model != "yaml":
        return load_model(spec.model)
    if not spec.model_text:
        raise StudyInputError("model", "请选择 YAML 模型文件", "choose a YAML model file")
    try:
        text = spec.model_text.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StudyInputError(
            "model", "模型文件不是 UTF-8 编码", "the model file is not UTF-8 text"
        ) from None
    return model_from_yaml(text, PurePath(spec.model_name or "model.yaml").name)


def run_uploaded_study(
    uow: UnitOfWork, actor: Actor, now: datetime, spec: UploadedStudy
) -> archive.StudySummary:
    """Check who asks before any work, read the file as the CLI does, estimate, keep."""
    check_permission(archive.PERMISSION, actor.role)
    if not spec.data:
        raise StudyInputError("file", "请选择调查数据文件（CSV 或 XLSX）", "choose a survey file")
    if not 0 <= spec.resamples <= min(PAGE_MAX_RESAMPLES, MAX_RESAMPLES):
        raise StudyInputError(
            "bootstrap",
            f"页面上的重抽样次数应在 0 到 {PAGE_MAX_RESAMPLES} 之间（更多请用命令行）",
            f"bootstrap resamples on the page are 0 to {PAGE_MAX_RESAMPLES} (more: the CLI)",
        )
    model = _model(spec)
    name = PurePath(spec.data_name or "survey.csv").name
    suffix = PurePath(name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"survey{suffix}"
        path.write_bytes(spec.data)
        table = read_survey_file(path)
    strata: list[str] | None = None
    wanted = spec.strata.replace("，", ",").replace("、", ",").strip()
    if wanted.lower() in ("none", "无"):
        strata = []
    elif wanted:
        strata = [s for s in wanted.split(",") if s.strip()]
    survey = prepare_survey(table, model, strata=strata, weight=spec.weight or None)
    result = run_study(survey, model, resamples=spec.resamples, seed=spec.seed, source=name)
    return archive.save_study(uow, actor, now, result, spec.title)
