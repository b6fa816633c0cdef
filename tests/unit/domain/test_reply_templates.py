"""Reply templates: a closed placeholder set, filled strictly, refused in the reader's words."""

from __future__ import annotations

import pytest

from careloop.domain import reply_templates as rules
from careloop.domain.attachments import UploadRefused, check_upload, size_text
from careloop.domain.errors import DomainError

VALUES = {
    "客户称呼": "孙女士",
    "投诉编号": "TS2026092800000012",
    "受理时间": "2026年9月28日 10:00",
    "投诉分类": "宽带断网",
    "处理单位": "东区网络部",
    "答复日期": "2026年9月29日",
}


def test_placeholders_are_filled_with_the_complaints_facts():
    text = "{客户称呼}您好，您{受理时间}反映的问题（{投诉编号}）已由{处理单位}处理。"
    assert rules.render(text, VALUES) == (
        "孙女士您好，您2026年9月28日 10:00反映的问题（TS2026092800000012）已由东区网络部处理。"
    )


def test_full_width_braces_typed_by_an_input_method_mean_the_same_placeholder():
    assert rules.render("｛客户称呼｝您好", VALUES) == "孙女士您好"


def test_doubled_braces_stay_literal_braces():
    assert rules.render("{{备注}} {投诉编号}", VALUES) == "{备注} TS2026092800000012"


@pytest.mark.parametrize(
    "text",
    ["{客户电话}", "{投诉编号.__class__}", "{0}", "{}", "{投诉编号!r}", "{投诉编号:>30}"],
)
def test_anything_outside_the_set_is_refused_naming_the_allowed_ones(text):
    with pytest.raises(DomainError) as refused:
        rules.placeholders_in(text)
    assert refused.value.status == 422
    zh, en = refused.value.message("zh"), refused.value.message("en")
    assert "不认识占位符" in zh and "{客户称呼}" in zh
    assert "unknown placeholder" in en and "{投诉编号}" in en


def test_an_unpaired_brace_is_refused_with_how_to_write_one():
    with pytest.raises(DomainError) as refused:
        rules.placeholders_in("您好 {客户称呼")
    assert "花括号不成对" in refused.value.message("zh")
    assert "unpaired brace" in refused.value.message("en")


def test_a_missing_value_is_refused_rather_than_left_in_braces():
    with pytest.raises(DomainError):
        rules.render("{处理单位}", {"投诉编号": "x"})


@pytest.mark.parametrize(
    ("name", "said"),
    [("孙女士", "孙女士"), ("孙丽", "孙先生/女士"), ("", "客户"), (None, "客户")],
)
def test_the_customer_is_addressed_by_surname_only(name, said):
    assert rules.customer_salutation(name) == said


def test_a_first_level_template_serves_its_subcategories_only():
    assert rules.applies_to("broadband", "broadband.outage")
    assert rules.applies_to("broadband.outage", "broadband.outage")
    assert not rules.applies_to("broadband.speed", "broadband.outage")
    assert not rules.applies_to("billing", "broadband.outage")


def _refusal(filename: str, data: bytes, limit: int = 10 * 1024 * 1024) -> str:
    with pytest.raises(UploadRefused) as refused:
        check_upload(filename, data, limit)
    assert refused.value.status == 422
    return refused.value.message("zh")


def test_uploads_are_judged_by_extension_content_and_size():
    assert check_upload("光猫.jpg", b"\xff\xd8\xff\xe0rest").content_type == "image/jpeg"
    assert "不支持这种文件类型" in _refusal("run.exe", b"MZ\x90\x00")
    assert "与扩展名不符" in _refusal("invoice.pdf", b"MZ\x90\x00")
    assert "文件过大：3 KB，最大 2 KB" in _refusal("a.txt", b"x" * 3000, limit=2048)
    with pytest.raises(UploadRefused) as empty:
        check_upload("a.txt", b"")
    assert "Choose a file" in empty.value.message("en")
    assert size_text(1536 * 1024) == "1.5 MB" and size_text(2048) == "2 KB"
