"""`careloop spam`: the spam-SMS commands. `train` fits and evaluates the text classifier and
keeps a new model version; `classify` reads one message per line and prints one JSON object
per line, for batch checks and other tools.

`train` learns staff's labels from the configured database (the latest label of each
labelled report, so a correction replaces the label it corrects), or from a CSV export of
them (``--labelled``); ``--no-database`` leaves the database alone.

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

from careloop.cli.shell import LANG, platform
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
        typer.Option(
            "--labelled",
            help="Staff labels as CSV (text, spam, kind) instead of the database's: staff-labels",
        ),
    ] = None,
    no_database: Annotated[
        bool,
        typer.Option(
            "--no-database",
            help="Do not read staff labels from the database (CARELOOP_DATABASE_URL)",
        ),
    ] = False,
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
    if src.STAFF in wanted and labelled is None and no_database:
        _fail(
            _say(
                speak,
                "staff-labels 需要数据库或 --labelled 文件，不能与 --no-database 同用",
                "staff-labels needs the database or --labelled FILE, not --no-database",
            )
        )
    staff: list[tuple[str, bool, str | None]] = []
    provenance: dict[str, object] = {}
    if labelled is not None:
        staff = _read_labelled(labelled, speak)
        provenance = {"from": "file", "file": labelled.name, "labels": len(staff)}
    elif not no_database and (not wanted or src.STAFF in wanted):
        staff, provenance = _database_labels(speak, required=src.STAFF in wanted)
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
            chosen.append(src.labelled_reports(staff, provenance))
        elif src.STAFF in wanted:
            typer.echo(
                _say(
                    speak,
                    "提示：还没有员工标注过举报，本次没有 staff-labels 数据",
                    "note: no report has been labelled by staff yet; no staff-labels this time",
                ),
                err=True,
            )
        _train_and_save(chosen, out or models_root(data_dir), seed, test_size, speak, echo=True)
    except src.TrainingDataError as exc:
        _fail(exc.message(speak))


def _database_labels(
    speak: str, *, required: bool
) -> tuple[list[tuple[str, bool, str | None]], dict[str, object]]:
    """The latest label of each labelled report in the configured database. A database
    that cannot be read is a refusal when staff-labels was asked for by name, else a note
    (a first training run may precede the database)."""
    from careloop.services.spam.reports import staff_labels

    try:
        with platform().unit_of_work() as uow:
            found = staff_labels(uow)
    except Exception as exc:  # unreachable, not migrated, locked: all "cannot read"
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        zh = f"无法从数据库读取员工标注（{reason}）"
        en = f"cannot read staff labels from the database ({reason})"
        if required:
            _fail(_say(speak, zh + "；可用 --labelled 文件代替", en + "; use --labelled FILE"))
        typer.echo(
            _say(speak, f"提示：{zh}，本次不使用", f"note: {en}; training without them"),
            err=True,
        )
        return [], {}
    latest = found.latest_at.isoformat() if found.latest_at else None
    return found.rows, {
        "from": "database",
        "labels": found.labels,
        "reports": len(found.rows),
        "latest_labelled_at": latest,
    }


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
