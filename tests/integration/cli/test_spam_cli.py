"""`careloop spam train` and `careloop spam classify`: a model trained and kept from the shell,
its evaluation printed per source, verdicts as JSON lines for other tools, readable refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careloop.cli.main import app

MESSAGES = [
    "【XX银行】您的账户已被冻结，请点击 bank-safe.xyz 解冻",
    "妈，我今晚加班，不回家吃饭了",
    "",
    "WINNER!! You have won a 900 prize. Call 09061701461 to claim",
]


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["spam", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def first_classify(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, str]:
    """The first classify on an empty data directory: it trains the default model (the
    expensive step of this file, done once)."""
    data_dir = tmp_path_factory.mktemp("data")
    messages = data_dir / "messages.txt"
    messages.write_text("\n".join(MESSAGES) + "\n", encoding="utf-8")
    code, out, err = _run("classify", str(messages), "--data-dir", str(data_dir))
    return data_dir, code, out, err


def test_classify_without_a_model_trains_the_default_keeps_it_and_says_so(
    first_classify: tuple[Path, int, str, str],
) -> None:
    data_dir, code, out, err = first_classify
    assert code == 0, err
    assert "还没有模型" in err and "训练" in err
    [version] = (data_dir / "spam-models").iterdir()
    assert {p.name for p in version.iterdir()} == {
        "model.joblib",
        "metadata.json",
        "evaluation.txt",
    }
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == len(MESSAGES)
    assert all(set(v) == {"spam", "kind", "score"} for v in lines)
    assert lines[0]["spam"] is True and lines[0]["kind"] != "none"
    assert lines[1] == {**lines[1], "spam": False, "kind": "none"}
    assert lines[3]["spam"] is True
    assert all(0 <= v["score"] <= 1 for v in lines)


def test_classify_reads_standard_input_and_adds_features_on_request(
    first_classify: tuple[Path, int, str, str],
) -> None:
    data_dir = first_classify[0]
    code, out, err = _run(
        "classify", "-", "--features", "--data-dir", str(data_dir), stdin="\n".join(MESSAGES[:2])
    )
    assert code == 0 and err == ""
    fraud, family = (json.loads(line) for line in out.splitlines())
    assert set(fraud) == {"spam", "kind", "score", "features"}
    assert fraud["spam"] and "⟨网址⟩" in fraud["features"]
    assert family["spam"] is False and family["features"]


def test_train_prints_metrics_per_source_and_keeps_a_new_version(tmp_path: Path) -> None:
    code, out, err = _run(
        "train", "--source", "careloop-examples", "--out", str(tmp_path), "--seed", "2"
    )
    assert code == 0, err
    assert "训练来源: careloop-examples" in out and "分层抽样，种子 2" in out
    for header in ("精确率", "召回率", "F1", "混淆矩阵", "垃圾短信类别", "钓鱼链接"):
        assert header in out
    [version] = tmp_path.iterdir()
    assert f"模型版本 {version.name}" in out
    meta = json.loads((version / "metadata.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in meta["sources"]] == ["careloop-examples"]
    assert meta["evaluation"][0]["test_rows"] > 0
    assert (version / "evaluation.txt").read_text(encoding="utf-8") in out


def test_staff_labels_join_the_next_training_run_in_english(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    rows = ["text,spam,kind"]
    rows += [f"加微信 vx{i} 领取内部彩票计划，稳赚不赔,1,gambling" for i in range(6)]
    rows += [f"明天上午{i}点开会，请准时参加,0," for i in range(6)]
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = _run(
        "train", "--source", "careloop-examples", "--source", "staff-labels",
        "--labelled", str(labels), "--out", str(tmp_path / "models"), "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    assert "Training source: staff-labels" in out and "12 rows" in out and "precision" in out
    [version] = (tmp_path / "models").iterdir()
    meta = json.loads((version / "metadata.json").read_text(encoding="utf-8"))
    staff = next(s for s in meta["sources"] if s["name"] == "staff-labels")
    assert (staff["rows"], staff["spam_rows"]) == (12, 6)


def test_unknown_sources_bad_labels_and_missing_files_are_refused_in_one_line(
    tmp_path: Path,
) -> None:
    code, out, err = _run("train", "--source", "tweets", "--out", str(tmp_path))
    assert code == 1 and out == ""
    assert err.strip() == (
        "错误：未知的训练来源：tweets（可选 sms-spam-collection, careloop-examples, staff-labels）"
    )
    labels = tmp_path / "labels.csv"
    labels.write_text("text,spam,kind\n中奖了,1,lottery\n", encoding="utf-8")
    code, _, err = _run("train", "--labelled", str(labels), "--out", str(tmp_path), "--lang", "en")
    assert code == 1 and err.strip() == "error: staff-labels row 1: unknown spam kind 'lottery'"
    labels.write_text("text,spam\n中奖了,maybe\n", encoding="utf-8")
    code, _, err = _run("train", "--labelled", str(labels), "--out", str(tmp_path))
    assert code == 1 and "第 2 行：spam 列应为 1 或 0" in err
    code, _, err = _run("classify", str(tmp_path / "absent.txt"), "--lang", "en")
    assert code == 1 and err.startswith("error: cannot read") and "\n" not in err.strip()
    assert not any(p.is_dir() for p in tmp_path.iterdir())


def test_a_damaged_model_is_refused_in_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "20261128T101500Z"
    damaged.mkdir()
    (damaged / "model.joblib").write_bytes(b"not a pickle")
    (damaged / "metadata.json").write_text("{}", encoding="utf-8")
    code, out, err = _run("classify", "-", "--models", str(tmp_path), stdin="你好\n")
    assert code == 1 and out == ""
    assert err.startswith(f"错误：无法加载垃圾短信模型 {damaged}") and err.count("\n") == 1


def test_starting_the_cli_does_not_import_scikit_learn() -> None:
    probe = "import sys, careloop.cli.main; print(sorted(m for m in sys.modules if m.startswith(('sklearn', 'joblib'))))"  # noqa: E501
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"
