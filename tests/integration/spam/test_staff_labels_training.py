"""Staff's labels flow back into training: `careloop spam train` reads the latest label of
each labelled report from the configured database (SQLite and PostgreSQL), so a correction
replaces the label it corrects; too few labels are learnt without evaluation, and said so."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from careloop.analytics.spam.sources import labelled_reports
from careloop.cli.main import app
from careloop.services.access.actors import SYSTEM, actor_for
from careloop.services.spam import reports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import OrgUnit

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
SPAM = [f"加微信 vx{i}{i} 领取内部彩票计划，稳赚不赔，名额仅剩{i}个" for i in range(6)]
HAM = [f"明天上午{i}点在{i}楼会议室开会，请准时参加" for i in range(6)]


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _train(database_url: str, out: Path, *sources: str) -> tuple[int, str, str, dict]:  # type: ignore[type-arg]
    args = ["spam", "train", "--out", str(out), "--lang", "en"]
    for name in sources:
        args += ["--source", name]
    result = CliRunner().invoke(app, args, env={"CARELOOP_DATABASE_URL": database_url})
    versions = sorted(out.iterdir()) if out.is_dir() else []
    meta = (
        json.loads((versions[-1] / "metadata.json").read_text(encoding="utf-8")) if versions else {}
    )
    return result.exit_code, result.stdout, result.stderr, meta


def _label(factory, report_id: int, spam: bool, kind: str | None, at: datetime) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        reports.label_report(
            uow,
            report_id,
            spam=spam,
            kind=kind,
            note=None,
            actor=actor_for(uow, "agent1"),
            now=at,
            lang="en",
        )


def _staff_source(meta: dict) -> dict:  # type: ignore[type-arg]
    return next(s for s in meta["sources"] if s["name"] == "staff-labels")


def test_a_correction_replaces_the_label_it_corrects_in_the_next_training_run(
    factory, database_url: str, tmp_path: Path
):
    with UnitOfWork(factory) as uow:
        region = uow.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "C1-K1"))
        assert region is not None
        drafts = [
            reports.NewReport("forwarded", f"gw-{i}", "10657000111", text, NOW, region, "139")
            for i, text in enumerate(SPAM + HAM)
        ]
        ids = reports.record_reports(uow, drafts, SYSTEM, NOW, action="test").created
    spam_ids, ham_ids = ids[:6], ids[6:]

    # Three labels: too few for a held-out split, learnt all the same and said so.
    _label(factory, spam_ids[0], True, "gambling", NOW)
    _label(factory, spam_ids[1], True, "gambling", NOW)
    _label(factory, ham_ids[0], False, None, NOW)
    code, out, err, meta = _train(database_url, tmp_path / "first", "staff-labels")
    assert code == 0, err
    assert "Training source: staff-labels" in out and "3 rows: too few" in out
    assert "precision" not in out and meta["evaluation"] == []
    first = _staff_source(meta)
    assert (first["rows"], first["evaluated"], first["from"], first["labels"]) == (
        3,
        False,
        "database",
        3,
    )

    # Everything labelled, one ham report first mislabelled spam, then corrected.
    for i, report_id in enumerate(spam_ids[2:]):
        _label(factory, report_id, True, "gambling", NOW + timedelta(minutes=i))
    for i, report_id in enumerate(ham_ids[1:]):
        wrong = report_id == ham_ids[1]
        _label(
            factory, report_id, wrong, "advertising" if wrong else None, NOW + timedelta(minutes=i)
        )
    corrected_at = NOW + timedelta(hours=1)
    _label(factory, ham_ids[1], False, None, corrected_at)

    code, out, err, meta = _train(
        database_url, tmp_path / "second", "careloop-examples", "staff-labels"
    )
    assert code == 0, err
    staff_part = out[out.index("== Training source: staff-labels ==") :]
    assert "12 rows:" in staff_part and "held out" in staff_part
    for words in ("precision", "recall", "F1", "not spam", "Confusion matrix"):
        assert words in staff_part
    staff = _staff_source(meta)
    expected = labelled_reports(
        [(t, True, "gambling") for t in SPAM] + [(t, False, "none") for t in HAM]
    )
    assert (staff["rows"], staff["spam_rows"], staff["evaluated"]) == (12, 6, True)
    assert (staff["labels"], staff["reports"]) == (13, 12)
    assert staff["sha256"] == expected.digest
    assert datetime.fromisoformat(staff["latest_labelled_at"]) == corrected_at
    evaluated = {e["source"]: e for e in meta["evaluation"]}
    assert evaluated["staff-labels"]["test_rows"] > 0

    # Asking for the database's labels while leaving the database alone is refused.
    result = CliRunner().invoke(
        app,
        ["spam", "train", "--source", "staff-labels", "--no-database", "--lang", "en"],
        env={"CARELOOP_DATABASE_URL": database_url},
    )
    assert result.exit_code == 1 and "not --no-database" in result.stderr


def test_an_unreadable_database_is_refused_in_one_line_when_its_labels_are_asked_for(
    tmp_path: Path,
):
    absent = f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"
    result = CliRunner().invoke(
        app,
        ["spam", "train", "--source", "staff-labels", "--out", str(tmp_path / "m"), "--lang", "en"],
        env={"CARELOOP_DATABASE_URL": absent},
    )
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: cannot read staff labels from the database (")
    assert result.stderr.strip().endswith("use --labelled FILE") and result.stderr.count("\n") == 1
    assert "no such table" in result.stderr and not (tmp_path / "m").exists()
