"""What a release must not ship: a key missing from a language, an empty text, a
placeholder one language has and the other lacks, a key the code uses that no catalogue
defines."""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from babel.messages.catalog import Catalog


def placeholders(text: str) -> set[str]:
    """``{n}`` and ``{d}`` in ``"{n} 条，{d}"``; a text that is not a valid format string
    answers with itself, so the mismatch is reported rather than crashing the check."""
    try:
        return {field for _, field, _, _ in Formatter().parse(text) if field is not None}
    except ValueError:
        return {f"<unparseable: {text}>"}


def gaps(languages: Mapping[str, Mapping[str, str]], used: Catalog | None = None) -> list[str]:
    """Every problem found, one line each (empty: the catalogues are whole)."""
    problems: list[str] = []
    every = set().union(*(set(messages) for messages in languages.values()))
    for key in sorted(every):
        texts = {lang: messages.get(key) for lang, messages in languages.items()}
        for lang, text in texts.items():
            if text is None:
                problems.append(f"{lang}: {key} is missing")
            elif not text.strip():
                problems.append(f"{lang}: {key} is empty")
        fields = {lang: placeholders(text) for lang, text in texts.items() if text}
        if len({frozenset(found) for found in fields.values()}) > 1:
            problems.append(f"{key}: placeholders differ {fields}")
    if used is not None:
        for message in used:
            if message.id and message.id not in every:
                where = ", ".join(f"{path}:{line}" for path, line in message.locations[:3])
                problems.append(f"{message.id} is used ({where}) but in no catalogue")
    return problems
