"""docs/settings.md lists every setting as the model defines it (scripts/settings_table.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from careloop.config import environment_variables

ROOT = Path(__file__).resolve().parents[3]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "settings_table", ROOT / "scripts/settings_table.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _load_script()


def test_the_settings_doc_holds_the_table_the_model_generates():
    document = (ROOT / "docs/settings.md").read_text("utf-8")
    assert script.rendered(document) == document, "run: python scripts/settings_table.py"


def test_the_table_has_one_row_per_variable_and_every_row_a_description():
    rows = script.rows()
    named = {row.split("`")[1] for row in rows}
    assert named == environment_variables() and len(rows) == len(named)
    assert "CARELOOP_OIDC_ROLE_MAP" in named and "CARELOOP_PORT" in named
    assert all(not row.endswith("|  |") for row in rows)  # no setting left undescribed


def test_the_check_mode_finds_a_stale_doc(tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    stale = tmp_path / "settings.md"
    stale.write_text(f"# Settings\n\n{script.BEGIN}\n| old |\n{script.END}\n", "utf-8")
    monkeypatch.setattr(script, "DOC", stale)
    monkeypatch.setattr(script, "ROOT", tmp_path)
    assert script.main(["--check"]) == 1
    assert script.main([]) == 0
    assert script.main(["--check"]) == 0
    assert "| `CARELOOP_PORT` | integer | `8000` |" in stale.read_text("utf-8")
