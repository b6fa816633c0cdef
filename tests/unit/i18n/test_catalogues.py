"""The gettext catalogues: whole in both languages, compiled faithfully, read by gettext."""

from __future__ import annotations

import gettext
import os
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from careloop.i18n import LANGUAGES, LOCALE_DIR, Translator, areas, catalogue
from careloop.i18n import catalogues as loading
from careloop.i18n.checks import gaps
from careloop.i18n.compiling import compile_catalogues
from careloop.i18n.extraction import extract

PACKAGE = Path(__file__).parents[3] / "src" / "careloop"


def test_every_message_exists_in_both_languages_and_every_used_key_is_defined():
    used = extract(PACKAGE)
    assert len(used) > 500, "the extractors found the t('…') calls in code and templates"
    assert "queue.title" in used and "app.name" in used
    assert gaps({lang: catalogue(lang) for lang in LANGUAGES}, used) == []
    assert set(areas("zh")) == set(areas("en"))


def test_the_check_reports_each_kind_of_gap():
    used = Catalog()
    used.add("ghost.key", locations=[("web/x.py", 3)])
    problems = gaps(
        {
            "zh": {"a.b": "共 {n} 条", "c.d": "好", "e.f": " "},
            "en": {"a.b": "{count} items", "e.f": "Fine"},
        },
        used,
    )
    assert problems == [
        "a.b: placeholders differ {'zh': {'n'}, 'en': {'count'}}",
        "en: c.d is missing",
        "zh: e.f is empty",
        "ghost.key is used (web/x.py:3) but in no catalogue",
    ]


def test_compiled_catalogues_say_the_same_through_standard_gettext(tmp_path: Path):
    written = compile_catalogues(LOCALE_DIR, tmp_path)
    assert len(written) == len(areas("zh")) * len(LANGUAGES)
    for lang in LANGUAGES:
        merged: dict[str, str] = {}
        for area in areas(lang):
            with (tmp_path / lang / "LC_MESSAGES" / f"{area}.mo").open("rb") as compiled:
                translations = gettext.GNUTranslations(compiled)
            for key in catalogue(lang):
                said = translations.gettext(key)
                if said != key:
                    merged[key] = said
        assert merged == catalogue(lang)


def test_a_compiled_file_is_read_unless_its_source_is_newer(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(loading, "LOCALE_DIR", locale)
    po = locale / "en" / "LC_MESSAGES" / "careloop.po"
    compile_catalogues(locale)
    mo = po.with_suffix(".mo")
    source = po.read_text("utf-8")
    po.write_text(source.replace('msgstr "CareLoop"', 'msgstr "CareLoop (edited)"'), "utf-8")
    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    edited = {m.id: m.string for m in loading.read_area("en", "careloop")}
    assert edited["app.name"] == "CareLoop (edited)", "a stale .mo does not hide the edit"
    os.utime(mo, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))
    compiled = {m.id: m.string for m in loading.read_area("en", "careloop")}
    assert compiled["app.name"] == "CareLoop", "an up-to-date .mo is what is read"


def test_a_key_two_areas_define_is_refused(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo"))
    twin = locale / "zh" / "LC_MESSAGES" / "twin.po"
    twin.write_text('msgid "app.name"\nmsgstr "另一个名字"\n', "utf-8")
    monkeypatch.setattr(loading, "LOCALE_DIR", locale)
    loading.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"app\.name"):
            loading.catalogue("zh")
    finally:
        loading.catalogue.cache_clear()


def test_the_translator_formats_and_marks_what_is_missing():
    zh, en = Translator("zh-CN"), Translator("en-GB")
    assert (zh.lang, en.lang) == ("zh", "en")
    assert zh("app.name") == "客服质量闭环" and en("app.name") == "CareLoop"
    assert zh("no.such.key") == "⟦no.such.key⟧"
    assert en.get("no.such.key", "fallback") == "fallback"
