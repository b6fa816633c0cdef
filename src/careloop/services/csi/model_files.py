"""Which path model a study estimates: a shipped one by name (ecsi, acsi) or the YAML file a
quality department keeps with its questionnaire (docs/csi.md shows one)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import yaml

from careloop.domain.csi.model import SHIPPED, PathModel, model_from_mapping
from careloop.services.csi.errors import StudyInputError

MAX_MODEL_BYTES: Final = 256 * 1024
"""A model file lists a few dozen items; anything larger is not one."""


def shipped_models() -> tuple[str, ...]:
    return tuple(SHIPPED)


def model_from_yaml(text: str, source: str = "") -> PathModel:
    """A model from YAML text (safe_load: plain data only, no Python objects)."""
    where_zh = f"「{source}」" if source else ""
    where_en = f" '{source}'" if source else ""
    if len(text.encode("utf-8")) > MAX_MODEL_BYTES:
        raise StudyInputError(
            "model",
            f"模型文件{where_zh}过大（上限 {MAX_MODEL_BYTES // 1024} KB）",
            f"the model file{where_en} is larger than {MAX_MODEL_BYTES // 1024} KB",
        )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line_zh = f"第 {mark.line + 1} 行附近" if mark is not None else ""
        line_en = f" near line {mark.line + 1}" if mark is not None else ""
        raise StudyInputError(
            "model",
            f"模型文件{where_zh}不是有效的 YAML{('（' + line_zh + '）') if line_zh else ''}",
            f"the model file{where_en} is not valid YAML{line_en}",
        ) from None
    if not isinstance(data, dict):
        raise StudyInputError(
            "model",
            f"模型文件{where_zh}应包含 latent（潜变量及题项）和 paths（路径）两部分",
            f"the model file{where_en} must hold a 'latent' section and a 'paths' list",
        )
    model = model_from_mapping(data)
    if not model.name and source:
        model = PathModel(
            blocks=model.blocks,
            paths=model.paths,
            scheme=model.scheme,
            standardised=model.standardised,
            index_latents=model.index_latents,
            name=Path(source).stem,
        )
    return model


def load_model(spec: str) -> PathModel:
    """``ecsi`` / ``acsi`` (any case), or the path of a .yaml/.yml file."""
    key = spec.strip().lower()
    if key in SHIPPED:
        return SHIPPED[key]
    path = Path(spec.strip())
    if path.suffix.lower() not in (".yaml", ".yml"):
        names = "、".join(SHIPPED)
        raise StudyInputError(
            "model",
            f"未知的模型「{spec}」：请用内置模型（{names}）或 YAML 模型文件的路径",
            f"unknown model '{spec}': use a shipped model ({', '.join(SHIPPED)}) "
            "or the path of a YAML model file",
        )
    try:
        raw = path.read_bytes()
    except OSError:
        raise StudyInputError(
            "model", f"无法读取模型文件「{path.name}」", f"cannot read the model file '{path.name}'"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StudyInputError(
            "model",
            f"模型文件「{path.name}」不是 UTF-8 编码",
            f"the model file '{path.name}' is not UTF-8 text",
        ) from None
    return model_from_yaml(text, path.name)
