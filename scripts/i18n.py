"""Translation chores: ``extract`` the keys into a template, ``check`` both languages,
``compile`` the catalogues (the wheel build compiles them by itself; see docs/translations.md).

    python scripts/i18n.py extract [OUT.pot]   # default: build/careloop.pot
    python scripts/i18n.py check               # exit 1 listing every gap
    python scripts/i18n.py compile             # .mo beside each .po (a checkout needs none)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import write_po

from careloop.i18n import LANGUAGES, LOCALE_DIR, catalogue
from careloop.i18n.checks import gaps
from careloop.i18n.compiling import compile_catalogues
from careloop.i18n.extraction import extract

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "careloop"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        out = Path(argv[1]) if len(argv) > 1 else Path("build/careloop.pot")
        out.parent.mkdir(parents=True, exist_ok=True)
        template = extract(PACKAGE)
        for key, text in sorted(catalogue("zh").items()):
            if key in template:
                template[key].auto_comments.append(f"zh: {text}")
        with out.open("wb") as fh:
            write_po(fh, template, width=96, sort_output=True)
        print(f"{len(template)} keys → {out}")
        return 0
    if command == "check":
        problems = gaps({lang: catalogue(lang) for lang in LANGUAGES}, extract(PACKAGE))
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    if command == "compile":
        written = compile_catalogues(LOCALE_DIR)
        print(f"{len(written)} catalogues compiled")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
