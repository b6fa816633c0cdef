"""The PDF as a reader gets it: every page carries text, and every cell is printed whole,
however long (wrapped in its column, the table going on over pages with its header)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from careloop.reports import charts
from careloop.reports.model import Column, Headline, Report, Table
from careloop.reports.render import display, to_pdf, visible_columns, wrap_text

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or charts.cjk_font() is None,
    reason="needs poppler-utils and a CJK font (fonts-noto-cjk)",
)

LONG = (
    "用户反映家中宽带自昨晚起频繁掉线, 光猫 LOS 灯闪红, 已重启多次无效, 要求尽快上门维修并"
    "说明原因; 客户情绪激动, 称已是本月第三次, 如不解决将向工信部申诉。"
)


def demo_like_report() -> Report:
    """A daily report shaped like the demo's: flags, complaints behind them with long
    texts, a wide indicator table, and sections without rows."""
    flags = Table(
        "warnings",
        "预警 (类别 × 地区 × 产品)",
        "Flags",
        [
            Column("no", "序号", "No.", "int"),
            Column("category", "类别代码", "Category", code=True),
            Column("category_name", "类别", "Category name"),
            Column("region_name", "地区", "Region name"),
            Column("product", "产品", "Product"),
            Column("observed", "实际", "Observed", "int"),
            Column("expected", "基线期望", "Expected", "float"),
            Column("p_value", "p 值", "p-value", "float"),
        ],
        [
            [
                i,
                "broadband.outage",
                "宽带故障-断网",
                f"杭州市西湖区第{i}网格",
                "宽带",
                40 + i,
                3.25,
                0.0001,
            ]
            for i in range(1, 6)
        ],
        note="检验: 负二项分布上尾 (离散度按基线拟合, 按星期调整), 区县/地市/全省逐级检验。" * 3,
    )
    behind = Table(
        "warning_complaints",
        "预警背后的投诉",
        "Complaints behind each flag",
        [
            Column("no", "预警序号", "Flag no.", "int"),
            Column("number", "投诉单号", "Complaint number"),
            Column("channel", "渠道", "Channel"),
            Column("description", "内容", "Description"),
        ],
        [
            [1 + i % 5, f"TS2026112700{i:04d}", "热线 10000", f"{LONG} (第 {i} 件)"]
            for i in range(70)
        ],
    )
    wide = Table(
        "indicators",
        "质量指标 — 浙江省",
        "Quality indicators",
        [Column(f"c{i}", f"指标列{i}名称较长", f"Column {i}", "float") for i in range(14)]
        + [Column("definition", "分母口径", "Denominator definition")],
        [
            [1234.5 + i + j for j in range(14)] + ["移动 + 固话 + 宽带用户 (示例口径, 按月导入)"]
            for i in range(12)
        ],
    )
    empty = Table("hotspots", "热点问题", "Hot spots", [Column("topic", "主题", "Topic")], [])
    report = Report(
        "daily",
        "投诉预警日报 — 浙江省",
        "Daily — Zhejiang",
        "2026-11-27 (北京时间)",
        tables=[flags, behind, empty, wide],
        alerts=["⚠ 宽带故障-断网 · 宽带 · 区县 西湖区: 当日 45 件, 期望 3.2 件"],
        headline=[
            Headline("投诉量", "Complaints", "1,234 件", "none", 0.12),
            Headline("及时率", "On-time rate", "91.20%", "breached", -0.05, "up"),
            Headline("回访满意率", "Callback satisfaction", "97.00%", "met", 0.01, "up"),
        ],
        compared_with=("较前一日 (2026-11-26)", "vs the previous day"),
        brief=True,
    )
    return report


def test_the_daily_pdf_has_no_empty_page_and_no_cut_cell(tmp_path: Path) -> None:
    report = demo_like_report()
    path = tmp_path / "daily.pdf"
    path.write_bytes(to_pdf(report))
    raw = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    pages = raw.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    assert len(pages) >= 3  # the 70 complaints do not fit one page: the table goes on
    assert all(page.strip() for page in pages), "a page without text"
    squeezed = re.sub(r"\s+", "", raw)
    assert "…" not in raw
    for table in report.tables:
        if not table.rows:
            assert table.title_zh in raw  # named as left out, not printed as an empty grid
            continue
        for row in table.rows:
            for i in visible_columns(table):
                text = re.sub(r"\s+", "", display(row[i], table.columns[i]))
                assert text in squeezed, f"cell {text!r} of {table.name} is cut"
    assert raw.count("内容") >= 2  # the complaints' header is repeated on the next page
    assert "broadband.outage" not in raw  # codes stay in the XLSX


def test_a_long_text_wraps_without_losing_a_character() -> None:
    lines = wrap_text(LONG * 2, 120, 7.5)
    assert len(lines) > 2
    assert "".join(lines).replace(" ", "") == (LONG * 2).replace(" ", "")


def test_a_latin_text_breaks_at_a_space_not_inside_a_word() -> None:
    lines = wrap_text("denominator definition of the pooled regions", 60, 7.5)
    assert all(not line.startswith(" ") for line in lines)
    assert " ".join(lines) == "denominator definition of the pooled regions"


def test_an_english_pdf_has_english_headings(tmp_path: Path) -> None:
    """A reader who asked for English gets English titles and column headers in the PDF,
    as in the HTML and the workbook, whatever fonts the server has."""
    report = demo_like_report()
    path = tmp_path / "daily-en.pdf"
    path.write_bytes(to_pdf(report, "en"))
    raw = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "Daily — Zhejiang" in raw
    assert "Complaints behind each flag" in raw
    assert "投诉预警日报" not in raw and "预警背后的投诉" not in raw
