"""Read models filled from rows: one way to copy a row's values into a frozen dataclass.

A read model names its fields after the columns it shows, so most of it is a copy; what a
reader sees differently (a masked text, a name in their language) is passed by name.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Any, TypeVar

Model = TypeVar("Model")


@cache
def _field_names(model: type[Any]) -> tuple[str, ...]:
    # Read models are built on every answer (intake's among them): look them up once.
    return tuple(f.name for f in fields(model) if f.init)


def snapshot(model: type[Model], row: object, **values: Any) -> Model:
    """``model`` with each field read from ``row``'s attribute of that name, except those
    given in ``values``."""
    copied = {name: getattr(row, name) for name in _field_names(model) if name not in values}
    return model(**copied, **values)
