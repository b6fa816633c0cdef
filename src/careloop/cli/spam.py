"""`careloop spam`: the spam-SMS commands. `train` fits and evaluates the text classifier and
keeps a new model version; `classify` reads one message per line and prints one JSON object
per line, for batch checks and other tools.

Other contexts add their own subcommands to ``spam_app``. scikit-learn is imported inside the
commands, never when the CLI starts (docs/testing.md).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from careloop.cli.shell import LANG
from careloop.domain.language import normalise

if TYPE_CHECKING:
    from careloop.analytics.spam.sources import TrainingSource

spam_app = typer.Typer(
    help="Spam-SMS governance (垃圾短信治理): the text classifier and its training.",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="CARELOOP_DATA_DIR",
        help="CareLoop's data directory (as for the database); models go to spam-models/",
    ),
]
Lang = Annotated[
    str | None, typer.Option("--lang", help="zh-CN (default) or en; else CARELOOP_LANG")
]


def _say(speak: str, zh: str, en: str) -> str:
    return en if speak == "en" else zh


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _read_labelled(path: Path, speak: str) -> list[tuple[str, bool, str | None]]:
    """Staff labels exported as CSV (columns text, spam, kind; spam as 1/0, true/false, 是/否)."""
    truthy = {"1", "true", "yes", "y", "spam", "是"}
    falsy = {"0", "false", "no", "n", "ham", "否"}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"text", "spam"} - set(reader.fieldnames or ())
            if missing:
                _fail(
                    _say(
                        speak,
                        f"{path} 缺少列：{', '.join(sorted(missing))}（需要 text, spam, kind）",
                        f"{path} lacks the columns {', '.join(sorted(missing))} "
                        "(needs text, spam, kind)",
                    )
                )
            rows: list[tuple[str, bool, str | None]] = []
            for number, row in enumerate(reader, start=2):
                flag = (row.get("spam") or "").strip().lower()
                if flag not in truthy | falsy:
                    _fail(
                        _say(
                            speak,
                            f"{path} 第 {number} 行：spam 列应为 1 或 0，而不是「{flag}」",
                            f"{path} line {number}: the spam column must be 1 or 0, not '{flag}'",
                        )
                    )
                rows.append((row.get("text") or "", flag in truthy, row.get("kind") or None))
            return rows
    except OSError as exc:
        _fail(
            _say(speak, f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}")
        )
    except (UnicodeDecodeError, csv.Error) as exc:
        _fail(_say(speak, f"{path} 不是 UTF-8 CSV：{exc}", f"{path} is not a UTF-8 CSV: {exc}"))


@spam_app.command("train")
def train(
    data_dir: DataDir = Path("var"),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder of model versions (default: <data dir>/spam-models)"),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="sms-spam-collection, careloop-examples or staff-labels; repeat for several "
            "(default: every source at hand)",
        ),
    ] = None,
    labelled: Annotated[
        Path | None,
        typer.Option("--labelled", help="Staff labels as CSV (text, spam, kind): staff-labels"),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the held-out split")] = 0,
    test_size: Annotated[
        float, typer.Option("--test-size", help="Share of each source held out")
    ] = 0.2,
    lang: Lang = None,
) -> None:
    """Train the classifier; print precision, recall, F1 per class and the confusion matrix
    on a held-out split of each source; keep the model, its metadata and this evaluation as a
    new version."""
    from careloop.analytics.spam import sources as src
    from careloop.analytics.spam.model_store import models_root

    speak = normalise(lang) if lang else LANG
    wanted = list(dict.fromkeys(source or ()))
    unknown = [s for s in wanted if s not in src.SOURCE_NAMES]
    if unknown:
        _fail(
            _say(
                speak,
                f"未知的训练来源：{', '.join(unknown)}（可选 {', '.join(src.SOURCE_NAMES)}）",
                f"unknown training source: {', '.join(unknown)} "
                f"(choose from {', '.join(src.SOURCE_NAMES)})",
            )
        )
    if src.STAFF in wanted and labelled is None:
        _fail(
            _say(speak, "staff-labels 需要 --labelled 文件", "staff-labels needs --labelled FILE")
        )
    staff = _read_labelled(labelled, speak) if labelled is not None else []
    try:
        chosen: list[src.TrainingSource] = []
        if not wanted or src.COLLECTION in wanted:
            collection = src.sms_spam_collection()
            if collection is not None:
                chosen.append(collection)
            elif wanted:
                _fail(
                    _say(
                        speak,
                        "未安装英文语料（pip install 'careloop[spam-corpus]'）",
                        "the English collection is not installed "
                        "(pip install 'careloop[spam-corpus]')",
                    )
                )
            else:
                typer.echo(
                    _say(
                        speak,
                        "提示：未安装英文语料 sms-spam-collection，本次不使用",
                        "note: the English sms-spam-collection is not installed; training "
                        "without it",
                    ),
                    err=True,
                )
        if not wanted or src.EXAMPLES in wanted:
            chosen.append(src.careloop_examples())
        if staff:
            chosen.append(src.labelled_reports(staff))
        _train_and_save(chosen, out or models_root(data_dir), seed, test_size, speak, echo=True)
    except src.TrainingDataError as exc:
        _fail(exc.message(speak))


def _train_and_save(
    chosen: Sequence[TrainingSource],
    root: Path,
    seed: int,
    test_size: float,
    speak: str,
    echo: bool,
) -> Path:
    from careloop.analytics.spam import model_store, report, training

    run = training.train(chosen, seed=seed, test_size=test_size)
    text = report.render(run, speak)
    try:
        saved = model_store.save(run, root, datetime.now(UTC), text)
    except OSError as exc:
        where = exc.filename or root
        _fail(_say(speak, f"无法保存模型到 {where}：{exc.strerror}",
                   f"cannot save the model to {where}: {exc.strerror}"))  # fmt: skip
    if echo:
        typer.echo(text)
        typer.echo(report.word("version", speak).format(version=saved.name, path=saved))
    return saved


@spam_app.command("classify")
def classify(
    file: Annotated[str, typer.Argument(help="Messages, one per line (UTF-8); - for stdin")],
    data_dir: DataDir = Path("var"),
    models: Annotated[
        Path | None,
        typer.Option("--models", help="Folder of model versions (default: <data dir>/spam-models)"),
    ] = None,
    features: Annotated[
        bool, typer.Option("--features", help="Add the features behind each verdict")
    ] = False,
    lang: Lang = None,
) -> None:
    """Print one JSON object per input line: {"spam": …, "kind": …, "score": …}. Without a
    trained model, the default one is trained first (a few seconds) and kept."""
    from careloop.analytics.spam import model_store
    from careloop.analytics.spam.sources import default_sources

    speak = normalise(lang) if lang else LANG
    try:
        if file == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = Path(file).read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        _fail(
            _say(speak, f"无法读取 {file}：{exc.strerror}", f"cannot read {file}: {exc.strerror}")
        )
    except UnicodeDecodeError:
        _fail(_say(speak, f"{file} 不是 UTF-8 文本", f"{file} is not UTF-8 text"))
    root = models or model_store.models_root(data_dir)
    try:
        classifier = model_store.load_version(model_store.latest_version(root))
    except model_store.NoModelError:
        typer.echo(
            _say(
                speak,
                f"{root} 中还没有模型：先用默认来源训练一个（约数秒），训练结果已保存",
                f"no model in {root} yet: training the default one first (a few seconds); "
                "it is kept",
            ),
            err=True,
        )
        saved = _train_and_save(list(default_sources()), root, 0, 0.2, speak, echo=False)
        classifier = model_store.load_version(saved)
    except model_store.UnreadableModelError as exc:
        _fail(exc.message(speak))
    for verdict in classifier.classify(lines):
        item: dict[str, object] = {
            "spam": verdict.spam,
            "kind": verdict.kind,
            "score": verdict.score,
        }
        if features:
            item["features"] = list(verdict.features)
        typer.echo(json.dumps(item, ensure_ascii=False))
