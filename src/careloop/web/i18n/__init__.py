"""The pages' translation catalogue: zh (default, the users' language) and en.

Keys are dotted names (``queue.title``); each language is ``<lang>.json`` beside this module
plus one fragment per page area in ``<lang>/*.json``, so that areas own their words and a
key defined twice is an error, not a silent override. A missing key renders as ``⟦key⟧``
rather than failing, so a forgotten translation is visible on the page and caught by
``tests/integration/web/test_i18n.py``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final, get_args

from careloop.domain.language import Language, normalise

LANGUAGES: Final = get_args(Language)
"""One catalogue per language CareLoop speaks (domain.language)."""
MISSING_MARK: Final = "⟦"
_HERE = Path(__file__).parent


@cache
def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((_HERE / f"{lang}.json").read_text(encoding="utf-8"))
    for fragment in sorted((_HERE / lang).glob("*.json")):
        part: dict[str, str] = json.loads(fragment.read_text(encoding="utf-8"))
        twice = data.keys() & part.keys()
        if twice:
            raise ValueError(f"{fragment.name} defines keys already defined: {sorted(twice)}")
        data.update(part)
    return data


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = normalise(lang)
        self._messages = catalogue(self.lang)

    def __call__(self, key: str, **params: Any) -> str:
        template = self._messages.get(key)
        if template is None:
            return f"{MISSING_MARK}{key}⟧"
        return template.format(**params) if params else template

    def get(self, key: str, default: str) -> str:
        """For keys built from data other modules own (event actions): the code itself
        when nobody has translated a new one yet, never the missing-key mark."""
        return self._messages.get(key, default)
