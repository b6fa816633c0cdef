"""`careloop privacy purge` from the shell: one readable line per outcome, in both languages."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from careloop.store.models import Complaint
from tests.integration.retention.helpers import DAYS, Data

T0 = datetime(2022, 9, 27, 1, 0, tzinfo=UTC)
"""Years back: the command refuses to evaluate at a later instant than the wall clock."""
NOW = T0 + timedelta(days=DAYS + 10)


def _careloop(
    url: str, *args: str, lang: str, now: datetime = NOW
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": lang}
    env.pop("CARELOOP_RETENTION_DAYS", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "careloop.cli",
            "privacy",
            "purge",
            *args,
            "--now",
            now.isoformat(),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def data(database_url: str) -> Iterator[Data]:
    d = Data(database_url)
    yield d
    d.engine.dispose()


def test_purge_prints_a_line_per_complaint_and_a_summary_in_chinese_and_english(
    data: Data, database_url: str
):
    cid = data.archived(1, T0 + timedelta(days=1), accepted_at=T0)
    with data.uow() as uow:
        number = uow.session.get(Complaint, cid).number  # type: ignore[union-attr]

    dry = _careloop(database_url, "--as", "admin", "--dry-run", lang="en")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"would anonymise {number} (id {cid}, archived 2022-09-28)",
        "dry run, cutoff 2022-10-07 01:00 UTC (kept 1095 days): would anonymise 1 complaint(s);"
        " nothing was changed",
    ]

    done = _careloop(database_url, "--as", "admin", lang="zh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"已匿名化 {number}（id {cid}，归档于 2022-09-28）",
        "截止 2022-10-07 01:00 UTC（保留 1095 天）：已匿名化 1 件投诉，共 1 批，已记入安全审计",
    ]

    again = _careloop(database_url, "--as", "admin", lang="en")
    assert again.stdout.splitlines() == [
        "cutoff 2022-10-07 01:00 UTC (kept 1095 days): anonymised 0 complaint(s) in 0 batch(es),"
        " recorded in the security audit",
    ]
    assert [e.detail["anonymised"] for e in data.security_events()] == [1, 0]  # type: ignore[index]


def test_a_refused_purge_is_one_line_exit_1_and_changes_nothing(data: Data, database_url: str):
    cid = data.archived(1, T0 + timedelta(days=1), accepted_at=T0)
    before = data.dump(cid)
    for lang, message in (
        ("zh", "错误：角色「质量监督员」无权执行「清除过期个人信息」"),
        (
            "en",
            "error: Role 'Quality supervisor' may not purge expired personal data",
        ),
    ):
        refused = _careloop(database_url, "--as", "super1", lang=lang)
        assert refused.returncode == 1
        assert refused.stderr.strip() == message and refused.stdout == ""
    future = datetime.now(UTC) + timedelta(days=30)
    ahead = _careloop(database_url, "--as", "admin", lang="en", now=future)
    assert ahead.returncode == 1
    assert ahead.stderr.strip() == ("error: Field --now is invalid: must not be later than now")
    assert data.security_events() == []
    assert data.dump(cid) == before
