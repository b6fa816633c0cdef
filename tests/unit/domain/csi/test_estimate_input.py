"""Survey data the engine cannot use is refused in words, naming the item."""

from __future__ import annotations

import numpy as np
import pytest

from careloop.domain.csi.model import Block, PathModel
from careloop.domain.csi.pls import estimate
from careloop.domain.errors import InvalidInput

MODEL = PathModel((Block("X", ("x1", "x2")), Block("Y", ("y1", "y2"))), (("X", "Y"),))
COLUMNS = ["x1", "x2", "y1", "y2"]


def _data(seed: int = 3, n: int = 50) -> np.ndarray:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    return common + rng.normal(size=(n, 4))


def _refusal(data: np.ndarray, columns: list[str] = COLUMNS, **kw: int) -> str:
    with pytest.raises(InvalidInput) as caught:
        estimate(data, columns, MODEL, **kw)
    return caught.value.message("zh")


def test_a_missing_value_is_refused_naming_the_item() -> None:
    data = _data()
    data[7, 2] = np.nan
    message = _refusal(data)
    assert "「y1」有缺失值" in message
    assert message.startswith("调查数据无效")


def test_an_item_everyone_answered_alike_is_refused_naming_it() -> None:
    data = _data()
    data[:, 1] = 8.0
    assert "「x2」所有答案都相同" in _refusal(data)


def test_a_missing_column_is_refused_naming_it() -> None:
    assert "y2" in _refusal(_data()[:, :3], COLUMNS[:3])


def test_no_convergence_is_refused_rather_than_returned() -> None:
    assert "未收敛" in _refusal(_data(), max_iter=1)


def test_collinear_formative_items_are_refused() -> None:
    model = PathModel((Block("X", ("x1", "x2", "x3"), "B"), Block("Y", ("y1",))), (("X", "Y"),))
    data = _data()
    data[:, 2] = data[:, 0] + data[:, 1]
    with pytest.raises(InvalidInput, match="collinear"):
        estimate(data, ["x1", "x2", "x3", "y1"], model)
