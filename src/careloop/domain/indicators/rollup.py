"""Roll-up along the org tree: Σ numerators ÷ Σ denominators, never the average of rates.

§4: "pool operators (sum ÷ sum), never average their rates". A province's on-time rate is
all its stages on time over all its stages finished, whatever the size of each city.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators.formulas import IndicatorValue, make_value


def pool(values: Iterable[IndicatorValue]) -> IndicatorValue | None:
    """Σ numerators ÷ Σ denominators of values of one indicator; None if nothing to pool."""
    items = list(values)
    if not items:
        return None
    ids = {v.indicator_id for v in items}
    definitions = {v.denominator_definition for v in items}
    scales = {v.scale for v in items}
    if len(ids) > 1 or len(scales) > 1:
        raise InvalidInput("indicator", f"cannot pool different indicators: {sorted(ids)}")
    if len(definitions) > 1:
        raise InvalidInput(
            "denominator_definition",
            f"cannot pool different denominators: {sorted(definitions)}",
        )
    return make_value(
        items[0].indicator_id,
        sum(v.numerator for v in items),
        sum(v.denominator for v in items),
        items[0].denominator_definition,
        items[0].scale,
    )


def roll_up(
    leaf_values: Mapping[str, IndicatorValue],
    parent_of: Mapping[str, str | None],
) -> dict[str, IndicatorValue]:
    """Values for every leaf and every ancestor, each ancestor pooled from the leaves below it.

    ``parent_of`` maps a region code to its parent's code (None or absent at the root). A leaf
    counts once for each ancestor (no double counting through intermediate nodes, since
    numerators and denominators are summed straight from the leaves). Giving a value for a
    unit *and* for a unit below it is refused, as it would count the lower unit twice.
    """
    below: dict[str, list[IndicatorValue]] = defaultdict(list)
    for leaf, value in leaf_values.items():
        node: str | None = leaf
        seen: set[str] = set()
        while node is not None:
            if node in seen:
                raise InvalidInput("parent_of", f"cycle in the org tree at {node}")
            if node != leaf and node in leaf_values:
                raise InvalidInput("leaf_values", f"{node} is above {leaf}: give leaves only")
            seen.add(node)
            below[node].append(value)
            node = parent_of.get(node)
    result: dict[str, IndicatorValue] = {}
    for node, values in below.items():
        pooled = pool(values)
        if pooled is not None:
            result[node] = pooled
    return result
