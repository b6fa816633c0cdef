"""What the intake form can fill in for the agent (受理): fewer fields typed per call.

The product a complaint concerns follows from most categories (a broadband fault is about
broadband); where it does not (a bill, a rude clerk), the caller's last complaint or the
agent decides. The form pre-selects it; the agent may always change it.
"""

from __future__ import annotations

from typing import Final

from careloop.domain.categories import first_level, leaf_categories

PRODUCT_OF_CATEGORY: Final[dict[str, str]] = {
    "broadband": "broadband",
    "installation": "broadband",
    "network": "mobile",
    "spam": "mobile",
    "portability": "mobile",
}
"""First-level category → product, where the category settles it."""

DEFAULT_PRODUCT: Final = "mobile"


def product_for(category: str) -> str | None:
    """The product ``category`` (either level) implies; None where it does not say."""
    return PRODUCT_OF_CATEGORY.get(first_level(category)) if category else None


def products_by_category() -> dict[str, str]:
    """Leaf category code → implied product, for the form's picker."""
    found = {c.code: product_for(c.code) for c in leaf_categories()}
    return {code: product for code, product in found.items() if product}
