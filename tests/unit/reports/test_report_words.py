"""A report's own words (section headings, status words, chart legends, the satisfaction
study's headings and sheet names) come from the catalogues, in the language asked for."""

from __future__ import annotations

import io
from datetime import date

from careloop.i18n import MISSING_MARK, Translator
from careloop.reports.model import Column, Headline, Report, Table, both
from careloop.reports.render import to_html, to_xlsx


def small_report() -> Report:
    return Report(
        kind="daily",
        title_zh="日报",
        title_en="Daily report",
        subtitle="2026-11-27",
        tables=[
            Table("counts", "投诉量", "Complaints", [Column("n", "件数", "Count", "int")], [[3]]),
            Table("empty", "空表", "Empty table", [Column("n", "件数", "Count", "int")]),
        ],
        headline=[Headline("及时率", "On-time rate", "96.50%", "breached", 0.125, "up")],
        compared_with=("较前一日", "against the day before"),
        brief=True,
    )


def test_the_brief_is_headed_in_chinese_from_the_catalogue() -> None:
    html = to_html(small_report(), "zh").decode()
    t = Translator("zh")
    for text in (
        t("reports.figures"),
        t("reports.alerts"),
        t("reports.no_alerts"),
        t("reports.status.breached"),
        t("reports.change.up"),
        t("reports.back"),
    ):
        assert text in html
    assert "关键指标" in html and "超标" in html and "上升 +12.5%" in html
    assert "以下部分本期无数据, 未列出: 空表" in html
    assert "Key figures" not in html and MISSING_MARK not in html


def test_the_brief_is_headed_in_english_from_the_catalogue() -> None:
    html = to_html(small_report(), "en").decode()
    assert "Key figures" in html and "Early warnings and hot spots" in html
    assert "breached" in html and "up +12.5%" in html
    assert "Sections without data, left out: Empty table" in html
    assert "关键指标" not in html and "超标" not in html and MISSING_MARK not in html


def test_the_workbook_heads_its_columns_in_the_language_asked_for() -> None:
    from openpyxl import load_workbook

    for lang, head in (("zh", "件数"), ("en", "Count")):
        book = load_workbook(io.BytesIO(to_xlsx(small_report(), lang)))
        assert book["counts"]["A1"].value == head


def test_every_word_of_the_satisfaction_report_is_in_both_catalogues() -> None:
    from careloop.reports import csi

    for lang, title, sep in (
        ("zh", "用户满意度指数测评报告", "、"),
        ("en", "Customer satisfaction index study", ", "),
    ):
        t = Translator(lang)
        assert t("csi_report.title") == title
        assert t("csi_report.separator") == sep
        assert csi.column_word(" Region ", lang) == ("地区" if lang == "zh" else "region")
        assert csi.column_word("片区", lang) == "片区"
        for stratum in csi.STRATA:
            assert MISSING_MARK not in csi.column_word(stratum, lang)


def test_the_spam_monthly_tables_speak_the_language_asked_for() -> None:
    from careloop.services.spam.monthly_report import kind_table

    for lang, heading, note, unclassified in (
        ("zh", "类型", "类型为举报入库时垃圾短信分类模型的判定。", "未判定"),
        ("en", "Kind name", "Kind as the spam classifier judged each report when it was stored.",
         "not classified"),
    ):  # fmt: skip
        table = kind_table([(None, 3)], lang)
        assert table.note == note
        assert table.rows[0][1] == unclassified
        html = to_html(Report("spam", "月报", "Monthly", "", tables=[table]), lang).decode()
        assert f'<th scope="col">{heading}</th>' in html
        assert ("按类型统计的举报" in html) == (lang == "zh")
        assert ("Reports by kind" in html) == (lang == "en")
        assert MISSING_MARK not in html


def test_a_note_written_for_both_readers_is_printed_in_the_readers_language() -> None:
    from careloop.services.monitoring.reports import burst_table

    assert burst_table(None).note_in("zh") == "该日尚未到来, 无端口举报。"
    assert burst_table(None).note_in("en") == "The day has not come yet: no port reports."
    table = small_report().tables[0]
    table.note, table.note_en = "只算已受理的投诉。", "Accepted complaints only."
    report = Report("daily", "日报", "Daily report", "", tables=[table])
    assert "只算已受理的投诉。" in to_html(report, "zh").decode()
    english = to_html(report, "en").decode()
    assert "Accepted complaints only." in english and "只算" not in english


def test_a_subtitle_written_for_both_readers_is_printed_in_the_readers_language() -> None:
    report = small_report()
    report.subtitle, report.subtitle_en = "2026-11-27 (北京时间)", "2026-11-27 (Beijing time)"
    assert "2026-11-27 (北京时间)" in to_html(report, "zh").decode()
    english = to_html(report, "en").decode()
    assert "2026-11-27 (Beijing time)" in english and "北京时间" not in english


def test_alerts_written_for_both_readers_are_listed_in_the_readers_language() -> None:
    report = small_report()
    report.alerts = ["⚠ 端口举报突增 · 端口 10657: 当日 12 人举报 (12 条), 新端口, 绝对门限 5 人"]
    report.alerts_en = ["⚠ Port report burst · port 10657: 12 reporters (12 reports) on the day"]
    assert "⚠ 端口举报突增" in to_html(report, "zh").decode()
    english = to_html(report, "en").decode()
    assert "⚠ Port report burst" in english and "端口举报突增" not in english


def test_a_summary_written_for_both_readers_is_listed_in_the_readers_language() -> None:
    report = small_report()
    report.brief = False
    report.summary, report.summary_en = ["投诉量 3 件"], ["Complaints: 3"]
    assert "<li>投诉量 3 件</li>" in to_html(report, "zh").decode()
    english = to_html(report, "en").decode()
    assert "<li>Complaints: 3</li>" in english and "投诉量 3 件" not in english


def test_a_figure_with_a_word_for_its_unit_is_shown_in_the_readers_language() -> None:
    report = small_report()
    report.headline = [Headline("投诉量", "Complaints", "1,234 件", "none", value_en="1,234")]
    assert ">1,234 件<" in to_html(report, "zh").decode()
    english = to_html(report, "en").decode()
    assert ">1,234<" in english and "1,234 件" not in english


def test_a_reports_dates_are_written_as_each_language_writes_them():
    zh, en = both.t(
        "monitoring.subtitle", period="2026-11", start=date(2026, 11, 1), end=date(2026, 11, 30)
    )
    assert zh == "2026-11（2026年11月1日至2026年11月30日，北京时间）"
    assert en == "2026-11 (November 1, 2026 – November 30, 2026, Beijing time)"
