"""Loading a study's model: a shipped one by name or a YAML file, refused in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from careloop.domain.csi.model import ACSI, ECSI
from careloop.domain.errors import InvalidInput
from careloop.services.csi.errors import StudyInputError, told_apart
from careloop.services.csi.model_files import load_model, model_from_yaml

SMALL = """
name: small
scheme: centroid
standardised: false
index: [Satisfaction]
latent:
  Quality: {mode: A, items: [PERQ1, PERQ2], label_zh: 感知质量}
  Satisfaction: {mode: A, items: [CUSA1, CUSA2, CUSA3], label_zh: 顾客满意}
paths:
  - [Quality, Satisfaction]
"""


def said(action: Callable[[], object]) -> str:
    """The Chinese words of the refusal ``action`` meets."""
    with pytest.raises(StudyInputError) as caught:
        action()
    return caught.value.message()


def test_shipped_models_load_by_name_in_any_case() -> None:
    assert load_model("ecsi") is ECSI
    assert load_model(" ACSI ") is ACSI


def test_a_yaml_file_loads_as_a_model(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    model = load_model(str(path))
    assert model.name == "small"
    assert model.scheme == "centroid" and model.standardised is False
    assert model.latents == ("Quality", "Satisfaction")
    assert model.paths == (("Quality", "Satisfaction"),)
    assert model.index_latents == ("Satisfaction",)


def test_a_nameless_yaml_model_is_named_after_its_file(tmp_path: Path) -> None:
    path = tmp_path / "城市调查.yml"
    path.write_text(SMALL.replace("name: small\n", ""), encoding="utf-8")
    assert load_model(str(path)).name == "城市调查"


def test_broken_yaml_is_refused_with_its_line() -> None:
    with pytest.raises(StudyInputError) as caught:
        model_from_yaml("latent:\n  Quality: {mode: A, items: [PERQ1\n", "bad.yaml")
    assert caught.value.message().startswith("模型文件「bad.yaml」不是有效的 YAML（第 ")
    assert "is not valid YAML near line" in caught.value.message("en")


def test_yaml_that_is_not_a_model_is_refused() -> None:
    assert "应包含 latent" in said(lambda: model_from_yaml("- just\n- a list\n"))


def test_an_unknown_model_name_says_what_is_shipped() -> None:
    with pytest.raises(StudyInputError) as caught:
        load_model("scsi")
    assert caught.value.message() == (
        "未知的模型「scsi」：请用内置模型（ecsi、acsi）或 YAML 模型文件的路径"
    )


def test_a_missing_model_file_is_refused(tmp_path: Path) -> None:
    assert "无法读取模型文件「nowhere.yaml」" in said(
        lambda: load_model(str(tmp_path / "nowhere.yaml"))
    )


def test_a_model_the_engine_refuses_is_said_in_one_language() -> None:
    text = SMALL.replace("[Quality, Satisfaction]", "[Quality, Loyalty]")
    with pytest.raises(InvalidInput) as caught:
        model_from_yaml(text)
    told = told_apart(caught.value)
    assert " / " not in told.message() and " / " not in told.message("en")
    assert told.message().startswith("满意度模型无效：")
    assert told.message("en").startswith("The satisfaction model is invalid: ")
