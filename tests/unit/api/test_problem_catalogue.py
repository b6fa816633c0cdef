"""Every status the API titles and every word its problems say exist in both languages."""

from __future__ import annotations

from careloop.http.problems import title, titles
from careloop.i18n import LANGUAGES, MISSING_MARK, Translator, catalogue
from careloop.i18n.checks import gaps


def test_every_status_has_a_title_in_each_language_and_the_catalogue_no_stray_one():
    by_lang = {lang: titles(Translator(lang)) for lang in LANGUAGES}
    statuses = set(by_lang["zh"])
    assert {400, 401, 403, 404, 409, 413, 422, 429, 500, 503} <= statuses
    for lang, said in by_lang.items():
        assert set(said) == statuses
        assert all(text.strip() and MISSING_MARK not in text for text in said.values()), said
        defined = {key for key in catalogue(lang) if key.startswith("problem.title.")}
        assert defined == {f"problem.title.{status}" for status in statuses} | {
            "problem.title.other"
        }
    assert all(by_lang["zh"][status] != by_lang["en"][status] for status in statuses)


def test_a_status_without_a_title_of_its_own_is_an_error_in_words():
    assert title(418, "zh") == "错误"
    assert title(418, "en-US") == "Error"
    assert title(404, "en") == "Not found" and title(404, "zh-CN") == "未找到"


def test_the_problems_and_api_areas_are_whole_in_both_languages():
    ours = {
        lang: {k: v for k, v in catalogue(lang).items() if k.startswith(("problem.", "api."))}
        for lang in LANGUAGES
    }
    assert len(ours["zh"]) > 40
    assert gaps(ours) == []
