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
from typing import TYPE_CHECKING, Annotated

import typer

from careloop.cli.shell import LANG, platform, refuse
from careloop.config import data_dir as settings_data_dir
from careloop.domain.language import normalise
from careloop.i18n import Translator

if TYPE_CHECKING:
    from careloop.analytics.spam.sources import TrainingSource

spam_app = typer.Typer(
    help="Spam-SMS governance (垃圾短信治理): the text classifier and its training.",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="CareLoop's data directory (default: the data_dir setting, CARELOOP_DATA_DIR); "
        "models go to spam-models/",
    ),
]
Lang = Annotated[
    str | None, typer.Option("--lang", help="zh-CN (default) or en; else CARELOOP_LANG")
]


def _read_labelled(path: Path, speak: str) -> list[tuple[str, bool, str | None]]:
    """Staff labels exported as CSV (columns text, spam, kind; spam as 1/0, true/false, 是/否)."""
    t = Translator(speak)
    truthy = {"1", "true", "yes", "y", "spam", "是"}
    falsy = {"0", "false", "no", "n", "ham", "否"}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"text", "spam"} - set(reader.fieldnames or ())
            if missing:
                refuse(
                    t("cli.spam.missing_columns", path=path, columns=", ".join(sorted(missing))),
                    speak,
                )
            rows: list[tuple[str, bool, str | None]] = []
            for number, row in enumerate(reader, start=2):
                flag = (row.get("spam") or "").strip().lower()
                if flag not in truthy | falsy:
                    refuse(t("cli.spam.bad_flag", path=path, number=number, flag=flag), speak)
                rows.append((row.get("text") or "", flag in truthy, row.get("kind") or None))
            return rows
    except OSError as exc:
        refuse(t("cli.file.unreadable", file=path, reason=exc.strerror), speak)
    except (UnicodeDecodeError, csv.Error) as exc:
        refuse(t("cli.spam.not_utf8_csv", path=path, error=exc), speak)


@spam_app.command("train")
def train(
    data_dir: DataDir = None,
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
    t = Translator(speak)
    wanted = list(dict.fromkeys(source or ()))
    unknown = [s for s in wanted if s not in src.SOURCE_NAMES]
    if unknown:
        refuse(
            t(
                "cli.spam.unknown_source",
                unknown=", ".join(unknown),
                choices=", ".join(src.SOURCE_NAMES),
            ),
            speak,
        )
    if src.STAFF in wanted and labelled is None and no_database:
        refuse(t("cli.spam.staff_needs_database"), speak)
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
                refuse(t("cli.spam.no_collection"), speak)
            else:
                typer.echo(t("cli.spam.no_collection_note"), err=True)
        if not wanted or src.EXAMPLES in wanted:
            chosen.append(src.careloop_examples())
        if staff:
            chosen.append(src.labelled_reports(staff, provenance))
        elif src.STAFF in wanted:
            typer.echo(t("cli.spam.no_staff_labels"), err=True)
        _train_and_save(
            chosen,
            out or models_root(data_dir or settings_data_dir()),
            seed,
            test_size,
            speak,
            echo=True,
        )
    except src.TrainingDataError as exc:
        refuse(exc.message(speak), speak)


def _database_labels(
    speak: str, *, required: bool
) -> tuple[list[tuple[str, bool, str | None]], dict[str, object]]:
    """The latest label of each labelled report in the configured database. A database
    that cannot be read is a refusal when staff-labels was asked for by name, else a note
    (a first training run may precede the database)."""
    from careloop.services.spam.reports import staff_labels

    t = Translator(speak)
    try:
        with platform().unit_of_work() as uow:
            found = staff_labels(uow)
    except Exception as exc:  # unreachable, not migrated, locked: all "cannot read"
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if required:
            refuse(t("cli.spam.database_unreadable", reason=reason), speak)
        typer.echo(t("cli.spam.database_unreadable_note", reason=reason), err=True)
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
        t = Translator(speak)
        refuse(t("cli.spam.cannot_save", where=exc.filename or root, reason=exc.strerror), speak)

    if echo:
        typer.echo(text)
        typer.echo(report.word("version", speak).format(version=saved.name, path=saved))
    return saved


@spam_app.command("classify")
def classify(
    file: Annotated[str, typer.Argument(help="Messages, one per line (UTF-8); - for stdin")],
    data_dir: DataDir = None,
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
    t = Translator(speak)
    try:
        if file == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = Path(file).read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        refuse(t("cli.file.unreadable", file=file, reason=exc.strerror), speak)
    except UnicodeDecodeError:
        refuse(t("cli.spam.not_utf8_text", file=file), speak)
    root = models or model_store.models_root(data_dir or settings_data_dir())
    try:
        classifier = model_store.load_version(model_store.latest_version(root))
    except model_store.NoModelError:
        typer.echo(t("cli.spam.training_default", root=root), err=True)

        saved = _train_and_save(list(default_sources()), root, 0, 0.2, speak, echo=False)
        classifier = model_store.load_version(saved)
    except model_store.UnreadableModelError as exc:
        refuse(exc.message(speak), speak)
    for verdict in classifier.classify(lines):
        item: dict[str, object] = {
            "spam": verdict.spam,
            "kind": verdict.kind,
            "score": verdict.score,
        }
        if features:
            item["features"] = list(verdict.features)
        typer.echo(json.dumps(item, ensure_ascii=False))
