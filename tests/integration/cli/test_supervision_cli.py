"""`careloop accountability list|show` and `careloop rectification list|show`: the cases and
tasks a member of staff may see, as a table in Chinese (English when asked) or JSON, and
refusals as one line with exit code 1. The Typer app runs in this process (CliRunner) over
one SQLite database seeded once for the module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careloop.cli.main import app
from careloop.services.access.actors import actor_for
from careloop.services.supervision import accountability as cases
from careloop.services.supervision import rectification as tasks
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[dict]:  # type: ignore[type-arg]
    """A decided case against 东区 naming 王坐席, an open one against the city, a task."""
    target = tmp_path_factory.mktemp("supervision-cli") / "cli.sqlite3"
    target.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        boss = actor_for(uow, "super1")
        decided = cases.open_case_by_codes(
            uow, source=cases.FindingRef("inspection", 12, "S-03"), unit_code="C1-K1",
            staff_username=None, rule="inspection_failure", summary="暗访发现营业厅未公示资费标准",
            actor=boss, now=NOW,
        )  # fmt: skip
        cases.decide(
            uow, decided.id, cases.Decision(decided.version, 1.0, Decimal("100.00"), False),
            boss, NOW,
        )  # fmt: skip
        opened = cases.open_case_by_codes(
            uow, source=cases.FindingRef("manual", 7), unit_code="C1", staff_username="agent1",
            rule="service_attitude", summary="用户反映坐席服务态度差", actor=boss, now=NOW,
        )  # fmt: skip
        task, _ = tasks.open_rectification_by_code(
            uow, source=tasks.FindingRef("inspection", 12, "S-03"), unit_code="C1-K1",
            title="未公示资费标准", detail="营业厅资费公示牌缺失", actor=boss, now=NOW,
        )  # fmt: skip
    yield {"url": url, "decided": decided, "opened": opened, "task": task}
    engine.dispose()


def _run(database: dict, *args: str, lang: str | None = None) -> tuple[int, str, str]:  # type: ignore[type-arg]
    env = {"CARELOOP_DATABASE_URL": database["url"]}
    if lang:
        env["CARELOOP_LANG"] = lang
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_the_supervisor_lists_cases_as_a_chinese_table_and_filters_them(database) -> None:  # type: ignore[no-untyped-def]
    code, out, err = _run(database, "accountability", "list", "--as", "super1")
    assert code == 0, err
    assert "认定编号" in out and "违反条款" in out and "共 2 件" in out
    assert database["decided"].number in out and "扣 1 分 · ¥100.00" in out
    assert "待认定" in out and "甲市东区" in out and "+00:00" not in out
    code, out, _ = _run(database, "accountability", "list", "--as", "super1", "--status", "open",
                        "--json")  # fmt: skip
    listed = json.loads(out)
    assert code == 0 and [c["id"] for c in listed["items"]] == [database["opened"].id]
    code, out, _ = _run(database, "accountability", "list", "--as", "super1", "--unit", "C1-K1",
                        "--json")  # fmt: skip
    assert [c["id"] for c in json.loads(out)["items"]] == [database["decided"].id]


def test_english_when_asked_by_option_or_environment(database) -> None:  # type: ignore[no-untyped-def]
    _, by_option, _ = _run(database, "accountability", "list", "--as", "super1", "--lang", "en")
    _, by_env, _ = _run(database, "accountability", "list", "--as", "super1", lang="en")
    for out in (by_option, by_env):
        assert "Rule" in out and "1 points off · ¥100.00" in out and "East district" in out
        assert "认定编号" not in out


def test_show_prints_the_case_and_its_trail_and_hides_it_from_others(database) -> None:  # type: ignore[no-untyped-def]
    case_id = str(database["opened"].id)
    code, out, err = _run(database, "accountability", "show", case_id, "--as", "agent1")
    assert code == 0, err
    assert "用户反映坐席服务态度差" in out and "王坐席" in out and "服务态度" in out
    assert "== 处理记录 ==" in out and "立案" in out and "待认定" in out
    decided = _run(
        database, "accountability", "show", str(database["decided"].id), "--as", "super1"
    )
    assert "申诉截止：" in decided[1] and " 24:00" in decided[1]
    code, out, err = _run(database, "accountability", "show", case_id, "--as", "agent2")
    assert code == 1 and out == "" and err.count("\n") == 1 and "责任认定不存在" in err


def test_bad_filters_are_refused_in_one_line(database) -> None:  # type: ignore[no-untyped-def]
    code, _, err = _run(database, "accountability", "list", "--as", "super1", "--unit", "NOPE")
    assert code == 1 and err.count("\n") == 1 and "NOPE" in err and "责任单位" in err
    code, _, err = _run(database, "accountability", "list", "--as", "super1", "--status", "x",
                        lang="en")  # fmt: skip
    assert code == 1 and err.count("\n") == 1 and "decided" in err
    code, _, err = _run(database, "rectification", "list", "--as", "super1", "--status", "x")
    assert code == 1 and err.count("\n") == 1 and err.startswith("错误：")


def test_rectification_tasks_list_and_show_read_only(database) -> None:  # type: ignore[no-untyped-def]
    task = database["task"]
    code, out, err = _run(database, "rectification", "list", "--as", "super1")
    assert code == 0, err
    assert "任务编号" in out and task.number in out and "未公示资费标准" in out and "共 1 项" in out
    code, out, _ = _run(database, "rectification", "list", "--as", "super1", "--unit", "C2",
                        "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["total"] == 0
    code, out, err = _run(database, "rectification", "show", str(task.id), "--as", "lead1")
    assert code == 0, err
    assert "营业厅资费公示牌缺失" in out and "== 处理记录 ==" in out and "待整改" in out
    code, out, _ = _run(database, "rectification", "show", str(task.id), "--as", "lead1",
                        "--json", "--lang", "en")  # fmt: skip
    shown = json.loads(out)
    assert shown["number"] == task.number and shown["status_label"] == "To rectify"
    assert shown["trail"] and shown["trail"][0]["action"] == "open"
