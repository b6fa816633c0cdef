"""`careloop csi run`: a quality department's study from the shell — tables on screen, the
HTML and Excel reports on disk, a JSON result for other tools, one-line refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from careloop.cli.main import app
from tests.unit.services.csi.synthetic import SHIPPED_CSV

BAD_YAML = "latent:\n  Quality: {mode: A, items: [PERQ1\npaths: []\n"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["csi", "run", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_result_has_the_documented_shape_and_the_reports_are_written(tmp_path: Path) -> None:
    code, out, err = _run(
        "--data", str(SHIPPED_CSV), "--model", "ecsi", "--weight", "weight",
        "--bootstrap", "10", "--seed", "4", "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert code == 0, err
    view = json.loads(out)
    assert {"paths", "r_squared", "outer", "gof", "index", "grade"} <= view.keys()
    first = view["paths"][0]
    assert (first["from"], first["to"]) == ("Image", "Expectation")
    assert isinstance(first["estimate"], float) and first["std_error"] > 0
    assert set(view["r_squared"]) == {
        "Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"
    }  # fmt: skip
    assert {"item", "latent", "weight", "loading"} <= view["outer"][0].keys()
    assert len(view["outer"]) == 24 and 0 < view["gof"] < 1
    index = view["index"]["Satisfaction"]
    assert 0 < index < 100 and view["grade"]["Satisfaction"] in ("一般", "较满意", "不太满意")
    assert (view["n"], view["dropped"], len(view["strata"])) == (120, 0, 12)
    assert view["strata"][0]["values"] == {
        "operator": "移动",
        "service": "移动业务",
        "region": "杭州",
    }
    html, xlsx = (Path(p) for p in view["files"])
    assert html == tmp_path / "csi-ecsi-survey.html"
    assert f"{index:.1f}" in html.read_text(encoding="utf-8")
    assert load_workbook(xlsx).sheetnames[-1] == "分层指数"


def test_tables_print_index_and_grade_per_stratum_in_chinese(tmp_path: Path) -> None:
    code, out, _ = _run(
        "--data", str(SHIPPED_CSV), "--model", "ACSI", "--bootstrap", "0",
        "--strata", "operator，", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert "== 路径系数 ==" in out and "== 分层满意度指数 ==" in out
    assert "运营商" in out and "顾客满意" in out and "== 按单一维度汇总 ==" not in out
    assert out.rstrip().endswith("csi-acsi-survey.xlsx")


def test_english_tables_when_asked(tmp_path: Path) -> None:
    code, out, _ = _run(
        "--data", str(SHIPPED_CSV), "--model", "ecsi", "--bootstrap", "0",
        "--strata", "none", "--out", str(tmp_path), "--lang", "en",
    )  # fmt: skip
    assert code == 0
    assert "== Path coefficients ==" in out and "customer satisfaction" in out
    assert "Index per stratum" not in out


def test_a_yaml_model_file_runs(tmp_path: Path) -> None:
    model = tmp_path / "two.yaml"
    model.write_text(
        "latent:\n  Quality: {items: [PERQ1, PERQ2, PERQ3]}\n"
        "  Satisfaction: {items: [CUSA1, CUSA2, CUSA3], label_zh: 满意}\n"
        "paths: [[Quality, Satisfaction]]\n",
        encoding="utf-8",
    )
    code, out, err = _run(
        "--data", str(SHIPPED_CSV), "--model", str(model), "--bootstrap", "0",
        "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert code == 0, err
    view = json.loads(out)
    assert view["model"]["name"] == "two"
    assert [(p["from"], p["to"]) for p in view["paths"]] == [("Quality", "Satisfaction")]
    assert set(view["index"]) == {"Quality", "Satisfaction"}


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh-CN", "模型文件「bad.yaml」不是有效的 YAML"), ("en", "is not valid YAML near line")],
)
def test_a_bad_yaml_model_is_one_line_and_exit_1(tmp_path: Path, lang: str, words: str) -> None:
    model = tmp_path / "bad.yaml"
    model.write_text(BAD_YAML, encoding="utf-8")
    code, out, err = _run(
        "--data", str(SHIPPED_CSV), "--model", str(model), "--out", str(tmp_path / "r"),
        "--lang", lang,
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_a_miscoded_survey_is_refused_in_one_line(tmp_path: Path) -> None:
    lines = SHIPPED_CSV.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[-1] = "12"
    lines[3] = ",".join(cells)
    data = tmp_path / "survey.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = _run("--data", str(data), "--model", "ecsi", "--out", str(tmp_path))
    assert code == 1
    assert err == "错误：题项得分超出 1–10 分：第 4 行「CUSL3」为「12」\n"


def test_an_unknown_model_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    code, _, err = _run("--data", str(SHIPPED_CSV), "--model", "scsi", "--lang", "en")
    assert code == 1 and "unknown model 'scsi'" in err and err.count("\n") == 1
    code, _, err = _run("--data", str(tmp_path / "none.csv"), "--model", "ecsi")
    assert code == 1 and "无法读取文件" in err and err.count("\n") == 1


MOBI = Path(__file__).parents[4] / "shared" / "data" / "ecsi-mobi" / "mobi.csv"


@pytest.mark.skipif(not MOBI.exists(), reason="the shared ECSI mobile data is not here")
def test_the_published_ecsi_mobile_survey_runs_as_one_stratum(tmp_path: Path) -> None:
    code, out, err = _run(
        "--data", str(MOBI), "--model", "ecsi", "--bootstrap", "0", "--out", str(tmp_path),
        "--json", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    view = json.loads(out)
    assert (view["n"], view["dropped"], view["strata"], view["strata_columns"]) == (250, 0, [], [])
    assert len(view["outer"]) == 24 and view["grade"]["Satisfaction"] in (
        "fairly satisfied", "satisfied", "average"
    )  # fmt: skip


def test_plan_prints_needed_and_allocated_interviews(tmp_path: Path) -> None:
    frame = tmp_path / "frame.csv"
    frame.write_text(
        "operator,population,sd\n移动,6000,10\n电信,3000,20\n联通,1000,30\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["csi", "plan", "--frame", str(frame), "--margin", "2", "--total", "500",
              "--method", "neyman"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "合计需 900 份" in result.stdout
    assert re.search(r"移动\s+6000\s+10\s+95\s+200\s+30\.00", result.stdout)
    refused = CliRunner().invoke(
        app, ["csi", "plan", "--frame", str(frame), "--margin", "2", "--total", "20000"]
    )
    assert refused.exit_code == 1
    assert refused.stderr == "错误：样本量 20000 超过了总体数量 10000\n"
