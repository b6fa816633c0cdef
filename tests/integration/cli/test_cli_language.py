"""The shell speaks the operator's language: CARELOOP_LANG picks Chinese (the default) or
English for every fixed message, taken from the gettext catalogues. Each command runs in
its own process, as an operator runs it: the language is read when the CLI starts."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "careloop.cli"]


def _careloop(url: str, lang: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url}
    env.pop("CARELOOP_LANG", None)
    if lang is not None:
        env["CARELOOP_LANG"] = lang
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "language.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (None, "错误：找不到文件 {file}\n"),
        ("zh", "错误：找不到文件 {file}\n"),
        ("en", "error: no such file {file}\n"),
    ],
)
def test_a_missing_import_file_is_named_in_the_operators_language(
    sqlite_url: str, tmp_path: Path, lang: str | None, said: str
):
    missing = tmp_path / "nowhere.csv"
    result = _careloop(sqlite_url, lang, "complaint", "import", str(missing), "--as", "agent1")
    assert result.returncode == 1
    assert result.stderr == said.format(file=missing)


@pytest.mark.parametrize(
    ("lang", "done"),
    [
        ("zh", "新建 1 件，已导入过 0 件，出错 0 件"),
        ("en", "created 1, replayed 0, errors 0"),
    ],
)
def test_an_import_ends_with_its_counts_in_words(
    sqlite_url: str, tmp_path: Path, lang: str, done: str
):
    path = tmp_path / "feed.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["phone", "category", "region", "description"])
        writer.writerow(["13812340001", "billing.dispute", "C1-K1", "话费多扣了"])
    result = _careloop(sqlite_url, lang, "complaint", "import", str(path), "--as", "agent1")
    assert result.returncode == 0, result.stderr
    *rows, last = result.stdout.splitlines()
    assert last == done
    # The row lines stay codes for scripts, whatever the language.
    assert rows[0].startswith("row 2\tcreated\t")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("zh", "错误：无法读取 {file}："),
        ("en", "error: cannot read {file}: "),
    ],
)
def test_spam_classify_says_which_file_it_cannot_read(
    sqlite_url: str, tmp_path: Path, lang: str, said: str
):
    missing = tmp_path / "messages.txt"
    result = _careloop(
        sqlite_url, lang, "spam", "classify", str(missing), "--data-dir", str(tmp_path)
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(said.format(file=missing))
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("lang", "due", "rule"),
    [
        ("zh", "到期：2026-10-08 24:00（Asia/Shanghai）", "计算规则：15 个自然日"),
        ("en", "due: 2026-10-08 24:00 (Asia/Shanghai)", "Rule: 15 calendar"),
    ],
)
def test_sla_due_answers_in_one_language(sqlite_url: str, lang: str, due: str, rule: str):
    result = _careloop(
        sqlite_url, lang, "sla", "due", "--from", "2026-09-20T10:00+08:00", "--limit", "15 days"
    )
    assert result.returncode == 0, result.stderr
    first, second, *_ = result.stdout.splitlines()
    assert first.startswith(due)
    assert second.startswith(rule)
    other = "Rule:" if lang == "zh" else "计算规则"
    assert other not in result.stdout


@pytest.mark.parametrize(
    ("lang", "said", "unsaid"),
    [
        ("zh", "请给出 --limit 或 --policy", "give --limit"),
        ("en", "give --limit or --policy", "请给出"),
    ],
)
def test_sla_due_without_a_limit_is_refused_in_one_language(
    sqlite_url: str, lang: str, said: str, unsaid: str
):
    result = _careloop(sqlite_url, lang, "sla", "due", "--from", "2026-09-20T10:00+08:00")
    assert result.returncode == 1
    assert said in result.stderr and unsaid not in result.stderr
    assert result.stderr.startswith({"zh": "错误：", "en": "error: "}[lang])
    assert "invalid_input" not in result.stderr


@pytest.mark.parametrize(
    ("lang", "said", "unsaid"),
    [
        ("zh", "应为年份加季度，如 2026Q3", "a quarter such as"),
        ("en", "a quarter such as 2026Q3", "应为"),
    ],
)
def test_a_bad_quarter_is_refused_in_one_language(
    sqlite_url: str, lang: str, said: str, unsaid: str
):
    result = _careloop(
        sqlite_url, lang, "inspections", "scores", "--as", "admin", "--quarter", "2026Q9"
    )
    assert result.returncode == 1
    assert said in result.stderr and unsaid not in result.stderr


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("zh", "请从以下状态中选择：待认定 (open)、已认定 (decided)"),
        ("en", "choose one of: Open (open), Decided (decided)"),
    ],
)
def test_an_unknown_case_status_lists_the_choices_in_the_readers_words(
    sqlite_url: str, lang: str, said: str
):
    result = _careloop(
        sqlite_url, lang, "accountability", "list", "--as", "admin", "--status", "nope"
    )
    assert result.returncode == 1
    assert said in result.stderr


@pytest.mark.parametrize(
    ("lang", "said"),
    [("zh", "数据库结构已是最新："), ("en", "schema up to date: ")],
)
def test_migrate_says_the_schema_is_current(sqlite_url: str, lang: str, said: str):
    result = _careloop(sqlite_url, lang, "migrate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(said) and "sqlite" in result.stdout


@pytest.mark.parametrize(
    ("lang", "heading", "day"),
    [
        ("zh", "2027 年：放假通知未录入", "2027-10-01 周五  休 国庆节  [法定]"),
        ("en", "2027: notice not entered", "2027-10-01 Fri  rest day 国庆节  [statutory rule]"),
    ],
)
def test_the_holiday_calendar_speaks_one_language(
    sqlite_url: str, lang: str, heading: str, day: str
):
    result = _careloop(
        sqlite_url, lang, "sla", "calendar", "show", "2027", "--now", "2026-11-30T12:00+08:00"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(heading)
    assert day in result.stdout
