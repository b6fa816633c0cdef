"""`careloop inspections`: plan a rotation and a daily dial test, check and import an Excel
file of results (refused rows named by row, column and reason; a second run imports nothing
twice), and print the store ranking with 达标率 — in process, on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careloop import bootstrap
from careloop.cli.main import app
from careloop.services.access.actors import actor_for
from careloop.services.supervision import plans
from tests.integration.cli.test_cli import sqlite_url  # noqa: F401
from tests.integration.supervision.test_inspection_import import visit_rows, workbook
from tests.integration.supervision.test_inspection_path import STORES


def careloop(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["inspections", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shop_floor(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """Two stores and a hotline to inspect, in a database the commands use."""
    monkeypatch.setenv("CARELOOP_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CARELOOP_LANG", raising=False)
    moment = datetime(2026, 7, 1, tzinfo=UTC)
    with bootstrap.platform(sqlite_url).unit_of_work() as uow:
        actor = actor_for(uow, "super1")
        for code, name, unit in STORES:
            plans.add_subject(uow, plans.NewSubject("store", code, name, unit), actor, moment)
        plans.add_subject(
            uow, plans.NewSubject("hotline", "C1-10000", "甲市10000号", "C1-HOT", "", "057110000"),
            actor, moment,
        )  # fmt: skip
    return sqlite_url


def test_plans_imports_once_and_ranks_from_the_shell(shop_floor: str, tmp_path: Path):
    code, out, err = careloop(
        "plan", "--as", "super1", "--quarter", "2026Q3", "--inspectors", "net1,net2"
    )
    assert code == 0, err
    assert "已建检查计划" in out and "2026年第三季度营业厅明察暗访" in out and "共 2 次检查" in out
    code, out, err = careloop(
        "plan", "--as", "super1", "--kind", "dial_test", "--inspectors", "agent1",
        "--start", "2026-09-01", "--end", "2026-09-07", "--json",
    )  # fmt: skip
    assert code == 0, err
    daily = json.loads(out)
    assert (daily["cadence"], daily["slots"]) == ("daily", 7)

    good = visit_rows("C1-K1-S1", "2026-09-20 10:00", "net2") + visit_rows(
        "C1-K2-S1", "2026-09-21 15:30", "net1", tariff_disclosure=0
    )
    bad = [list(r) for r in good]
    bad[3][5] = 99
    bad[12][0] = "NO-SUCH-STORE"
    refused_file, good_file = tmp_path / "bad.xlsx", tmp_path / "q3.xlsx"
    refused_file.write_bytes(workbook(bad))
    good_file.write_bytes(workbook(good))

    code, out, _ = careloop("import", str(refused_file), "--as", "super1")
    assert code == 2
    lines = out.splitlines()
    assert any(line.split()[:2] == ["5", "得分"] and "告知资费" in line for line in lines)
    assert any(line.split()[:2] == ["14", "检查对象编码"] for line in lines)
    assert "未导入：2 处问题" in out
    code, out, _ = careloop("import", str(refused_file), "--as", "super1", "--lang", "en")
    assert code == 2 and "row" in out and "points" in out and "nothing imported" in out

    code, out, err = careloop("import", str(good_file), "--as", "super1", "--dry-run")
    assert code == 0, err
    assert "可导入 2 次检查（未写入）" in out
    code, out, err = careloop("import", str(good_file), "--as", "super1")
    assert (code, out.strip()) == (0, "已导入 2 次检查"), err
    code, out, _ = careloop("import", str(good_file), "--as", "super1")
    assert code == 2 and out.count("这次检查已导入过") == 2

    code, out, err = careloop("scores", "--as", "super1", "--json")
    assert code == 0, err
    ranking = json.loads(out)
    assert [(s["code"], s["rank"]) for s in ranking["stores"]] == [("C1-K1-S1", 1), ("C1-K2-S1", 2)]
    assert ranking["stores"][0]["compliance_rate"] == 100.0
    assert ranking["stores"][1]["compliance_rate"] == 0.0  # 告知资费 is mandatory
    code, out, _ = careloop("scores", "--as", "super1", "--region", "C1-K2")
    assert code == 0 and "达标率" in out and "C1-K2-S1" in out and "C1-K1-S1" not in out
    code, out, _ = careloop("scores", "--as", "super1", "--quarter", "2025Q1", "--lang", "en")
    assert code == 0 and "2025Q1" in out and "no submitted inspections" in out


def test_refusals_are_one_line_in_the_reader_s_language(
    shop_floor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    code, _, err = careloop("scores", "--as", "super1", "--quarter", "2026Q5")
    assert code == 1 and "应为年份加季度" in err and err.count("\n") == 1
    monkeypatch.setenv("CARELOOP_LANG", "en")
    code, _, err = careloop("scores", "--as", "super1", "--quarter", "2026Q5")
    assert code == 1 and "a quarter such as 2026Q3" in err and "应为" not in err
    monkeypatch.delenv("CARELOOP_LANG")
    code, _, err = careloop("scores", "--as", "super1", "--region", "NOWHERE", "--lang", "en")
    assert code == 1 and "unknown unit" in err and err.count("\n") == 1
    code, _, err = careloop("plan", "--as", "agent1", "--inspectors", "net1")
    assert code == 1 and "无权执行" in err and err.count("\n") == 1
    other = tmp_path / "q3.xlsx"
    other.write_bytes(workbook(visit_rows("C1-K1-S1", "2026-09-20 10:00", "net2")))
    code, _, err = careloop("import", str(other), "--as", "agent1", "--dry-run")
    assert code == 1 and "无权执行" in err
    code, _, err = careloop("import", str(tmp_path / "missing.xlsx"), "--as", "super1")
    assert code == 1 and "无法读取" in err
