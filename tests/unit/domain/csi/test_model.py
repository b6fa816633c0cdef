"""A CSI path model is read from its YAML shape, and a wrong one is refused in words."""

from __future__ import annotations

import pytest

from careloop.domain.csi.model import ACSI, ECSI, SHIPPED, Block, PathModel, model_from_mapping
from careloop.domain.errors import InvalidInput


def _mapping(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "mini",
        "scheme": "centroid",
        "index": ["Satisfaction"],
        "latent": {
            "Quality": {"mode": "B", "items": ["Q1", "Q2"], "label_zh": "感知质量"},
            "Satisfaction": {"mode": "A", "items": ["S1", "S2"]},
        },
        "paths": [["Quality", "Satisfaction"]],
    }
    data.update(changes)
    return data


def _refusal(data: dict[str, object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        model_from_mapping(data)
    return caught.value


def test_a_model_is_read_from_its_yaml_shape_in_order() -> None:
    model = model_from_mapping(_mapping())
    assert model.latents == ("Quality", "Satisfaction")
    assert model.items == ("Q1", "Q2", "S1", "S2")
    assert model.block("Quality") == Block("Quality", ("Q1", "Q2"), "B", "感知质量", "")
    assert model.paths == (("Quality", "Satisfaction"),)
    assert (model.scheme, model.standardised, model.name) == ("centroid", True, "mini")
    assert model.index_latents == ("Satisfaction",)


def test_paths_may_be_written_as_from_to_mappings_and_defaults_apply() -> None:
    data = _mapping(paths=[{"from": "Quality", "to": "Satisfaction"}])
    del data["scheme"], data["index"], data["name"]
    model = model_from_mapping(data)
    assert model.paths == (("Quality", "Satisfaction"),)
    assert (model.scheme, model.index_latents, model.name) == ("path", (), "")


def test_a_path_to_an_unknown_latent_is_refused_naming_it() -> None:
    error = _refusal(_mapping(paths=[["Quality", "Loyalty"]]))
    assert "「Loyalty」" in error.message("zh")
    assert "满意度模型" in error.message("zh")
    assert "csi_model" not in error.message("zh")
    assert "undefined latent 'Loyalty'" in error.message("en")


def test_an_empty_block_is_refused() -> None:
    latent = {"Quality": {"mode": "A", "items": []}, "Satisfaction": {"items": ["S1"]}}
    error = _refusal(_mapping(latent=latent))
    assert "「Quality」没有题项" in error.message("zh")


def test_a_cycle_is_refused_and_shown() -> None:
    paths = [["Quality", "Satisfaction"], ["Satisfaction", "Quality"]]
    error = _refusal(_mapping(paths=paths))
    assert "循环" in error.message("zh")
    assert "Quality → Satisfaction → Quality" in error.message("en")
    assert error.message("zh").count("Quality → Satisfaction") == 1  # said once, in Chinese


def test_a_longer_cycle_is_found_too() -> None:
    blocks = tuple(Block(n, (f"{n}1",)) for n in "ABCD")
    with pytest.raises(InvalidInput, match="A → B → C → A"):
        PathModel(blocks, (("A", "B"), ("B", "C"), ("C", "A"), ("C", "D")))


def test_a_bad_mode_or_scheme_is_refused() -> None:
    latent = {"Quality": {"mode": "C", "items": ["Q1"]}, "Satisfaction": {"items": ["S1"]}}
    assert "A（反映型）或 B（形成型）" in _refusal(_mapping(latent=latent)).message("zh")
    assert "centroid, factorial or path" in _refusal(_mapping(scheme="pls")).message("en")


def test_an_item_in_two_blocks_is_refused_naming_both() -> None:
    latent = {"Quality": {"items": ["Q1", "X"]}, "Satisfaction": {"items": ["S1", "X"]}}
    message = _refusal(_mapping(latent=latent)).message("zh")
    assert "「X」同时属于「Quality」和「Satisfaction」" in message


def test_unknown_settings_and_an_unknown_index_latent_are_refused() -> None:
    assert "weighting" in _refusal(_mapping(weighting="x")).message("en")
    assert "「Loyalty」" in _refusal(_mapping(index=["Loyalty"])).message("zh")


def test_the_shipped_ecsi_model_has_seven_latents_and_twelve_paths() -> None:
    assert ECSI.latents == (
        "Image",
        "Expectation",
        "Quality",
        "Value",
        "Satisfaction",
        "Complaints",
        "Loyalty",
    )
    assert len(ECSI.items) == 24
    assert len(ECSI.paths) == 12
    assert ECSI.predecessors("Satisfaction") == ("Image", "Expectation", "Quality", "Value")
    assert ECSI.block("Satisfaction").label_zh == "顾客满意"


def test_the_shipped_acsi_model_drops_image_and_keeps_nine_paths() -> None:
    assert "Image" not in ACSI.latents
    assert len(ACSI.paths) == 9
    assert set(ACSI.items) <= set(ECSI.items)
    assert SHIPPED == {"ecsi": ECSI, "acsi": ACSI}
