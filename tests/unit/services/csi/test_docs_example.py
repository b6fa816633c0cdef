"""docs/csi.md stays true: its YAML model loads and runs on the shipped survey, and the
sample sizes it quotes are the ones the sampling module gives."""

from __future__ import annotations

import re
from pathlib import Path

from careloop.domain.csi.sampling import sample_size
from careloop.services.csi.model_files import model_from_yaml
from careloop.services.csi.study import run_study
from careloop.services.csi.survey import prepare_survey, read_survey_file
from tests.unit.services.csi.synthetic import SHIPPED_CSV

DOC = Path(__file__).parents[4] / "docs" / "csi.md"


def _yaml_example() -> str:
    (block,) = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return block


def test_the_documented_model_loads_as_described() -> None:
    model = model_from_yaml(_yaml_example(), "example.yaml")
    assert model.name == "broadband-2026"
    assert model.latents == ("Quality", "Value", "Satisfaction", "Loyalty")
    assert model.paths == (
        ("Quality", "Value"),
        ("Quality", "Satisfaction"),
        ("Value", "Satisfaction"),
        ("Satisfaction", "Loyalty"),
    )
    assert model.block("Loyalty").mode == "A" and model.block("Loyalty").label_zh == "顾客忠诚"
    assert model.index_latents == ("Satisfaction",)


def test_the_documented_model_runs_on_the_shipped_survey() -> None:
    model = model_from_yaml(_yaml_example())
    result = run_study(prepare_survey(read_survey_file(SHIPPED_CSV), model), model)
    assert [r.latent for r in result.index] == ["Satisfaction"]
    assert 0 < result.index[0].value < 100


def test_the_documented_sample_sizes_are_the_modules() -> None:
    text = DOC.read_text(encoding="utf-8")
    quoted = (
        f"{sample_size(2, sd=15)} interviews, {sample_size(2, sd=15, population=2000)} in a "
        f"population of 2 000, {sample_size(2, sd=15, design_effect=1.5)} with a design effect"
    )
    assert quoted in " ".join(text.split())
    assert f"±5 points at 50 %: {sample_size(0.05, proportion=0.5)})" in text
