"""Compiling the ``.po`` catalogues into ``.mo`` files, for the wheel and for checks.

Kept free of CareLoop imports: ``setup.py`` loads this file by path while building, when
the package itself is not importable yet.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogues(locale_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Every ``<lang>/LC_MESSAGES/<area>.po`` under ``locale_dir`` compiled beside it (or
    into the same layout under ``out_dir``). A catalogue that does not parse stops the
    build: a broken translation must not ship."""
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, abort_invalid=True)
        target = (out_dir / po.relative_to(locale_dir)) if out_dir else po
        target = target.with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as compiled:
            write_mo(compiled, catalog, use_fuzzy=False)
        written.append(target)
    return written
