"""The study's refusals: what is wrong with a file or a setting, in the reader's language."""

from __future__ import annotations

from careloop.domain.errors import InvalidInput


class StudyInputError(InvalidInput):
    """A survey file, model file or study setting a person has to correct (422), said in
    Chinese first and in English when asked; the reason names columns and rows as the
    reader wrote them, never an internal code."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(field, en)

    def message(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


def told_apart(exc: InvalidInput) -> InvalidInput:
    """The engine words a refusal as "中文 / English" in one reason; split it so a reader is
    answered in one language, as every other CareLoop message is."""
    from careloop.domain.field_labels import field_label

    if isinstance(exc, StudyInputError):
        return exc
    reason = str(exc.params.get("reason", ""))
    if " / " not in reason:
        return exc
    zh, en = reason.split(" / ", 1)
    field = exc.field or "file"
    return StudyInputError(
        field,
        f"{field_label(field, 'zh')}无效：{zh}",
        f"The {field_label(field, 'en')} is invalid: {en}",
    )
