"""The domain is pure rules: it imports only itself, the standard library, numpy and scipy.

import-linter's contract names the packages the domain must not use; this test states the
rule the other way round, so a new third-party import cannot slip past an incomplete list.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import careloop.domain

ALLOWED_THIRD_PARTY = frozenset({"numpy", "scipy"})
DOMAIN = Path(careloop.domain.__file__).parent


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_domain_imports_only_the_domain_the_standard_library_numpy_and_scipy() -> None:
    offending = []
    for path in sorted(DOMAIN.rglob("*.py")):
        for name in _imported_modules(path):
            top = name.split(".")[0]
            if top == "careloop":
                if not (name == "careloop.domain" or name.startswith("careloop.domain.")):
                    offending.append(f"{path.relative_to(DOMAIN)}: {name}")
            elif top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY:
                offending.append(f"{path.relative_to(DOMAIN)}: {name}")
    assert offending == []


def test_the_purity_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text("import sqlalchemy\nfrom careloop.store import models\n", encoding="utf-8")
    assert _imported_modules(module) == ["sqlalchemy", "careloop.store"]
