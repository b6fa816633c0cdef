"""The message keys the code and the templates use, found by Babel's extractors.

``t("queue.title")`` in Python and in Jinja templates is the one way CareLoop asks for a
fixed text; Babel finds every literal key (keys built from data, ``"clock.state." ~ s``,
are checked by rendering pages in every state). The result is the ``.pot`` template a
translator starts from (``scripts/i18n.py extract``) and what the tests hold against both
languages' catalogues.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

KEYWORDS: Final = {"t": None}
"""The translator is called ``t`` everywhere (pages, charts, the CLI, reports)."""
KEY: Final = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_-]+)+$")
"""A catalogue key: dotted lower-case words. Anything else a function named ``t`` gets
(a table alias in SQL, say) is not a message."""
METHODS: Final = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]


def extract(package_dir: Path) -> Catalog:
    """Every literal key under ``package_dir`` with where it is used."""
    catalog = Catalog(project="CareLoop", domain="careloop")
    # Babel warns on stderr of every t(f"…") it skips: those keys are built from data on
    # purpose and checked by rendering, so the warnings are noise here.
    with contextlib.redirect_stderr(io.StringIO()):
        found = list(_found(package_dir))
    for filename, lineno, message, comments, context in found:
        if isinstance(message, str) and KEY.match(message):
            catalog.add(
                message,
                locations=[(filename, lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def _found(package_dir: Path) -> Iterator[tuple[str, int, Any, list[str], str | None]]:
    return extract_from_dir(
        str(package_dir),
        method_map=METHODS,
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
