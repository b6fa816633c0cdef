"""Is this process fit to take traffic? The checks behind ``/readyz``, each named.

Liveness (``/livez``) asks nothing of the database: a database outage must take the pods
out of the load balancer (not ready), not get healthy processes restarted (not live).
Readiness asks three things, in order, and stops at the first that fails, so the answer
names the cause rather than its consequences:

- ``database``: the database answers ``SELECT 1``;
- ``migrations``: the schema is at the migrations' head(s) (an upgrade not yet run, or a
  newer schema from a later release, makes every request a gamble);
- ``job_queue``: the queue's table is readable (PostgreSQL: Procrastinate's
  ``procrastinate_jobs``; SQLite: the in-process queue, nothing to reach).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from careloop.store.migrate import MIGRATIONS

CHECKS = ("database", "migrations", "job_queue")


@dataclass(frozen=True)
class Check:
    """One named check; ``message`` is (zh, en), words for the operator, not a stack."""

    name: str
    ok: bool
    message: tuple[str, str]


@cache
def migration_heads() -> frozenset[str]:
    """The head revisions this release ships (read once per process)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def readiness(session_factory: sessionmaker[Session]) -> list[Check]:
    """The checks in order; after the first failure the rest are not run."""
    checks: list[Check] = []
    with session_factory() as session:
        for name, probe in (
            ("database", _database),
            ("migrations", _migrations),
            ("job_queue", _job_queue),
        ):
            try:
                message, ok = probe(session)
            except Exception as exc:  # any failure is "not ready", named, never a 500
                session.rollback()
                checks.append(Check(name, False, _failure(name, exc)))
                break
            checks.append(Check(name, ok, message))
            if not ok:
                break
    return checks


def _database(session: Session) -> tuple[tuple[str, str], bool]:
    session.execute(text("SELECT 1"))
    return ("数据库应答正常", "the database answers"), True


def _migrations(session: Session) -> tuple[tuple[str, str], bool]:
    # Alembic's own table, read directly: its MigrationContext logs a line per probe.
    current = frozenset(session.scalars(text("SELECT version_num FROM alembic_version")))
    wanted = migration_heads()
    if current == wanted:
        return ("数据库结构为最新版本", "the schema is at the latest migration"), True
    found, expected = ", ".join(sorted(current)) or "-", ", ".join(sorted(wanted))
    return (
        f"数据库结构版本为 {found}，应为 {expected}：请运行 careloop migrate",
        f"the schema is at {found}, this release needs {expected}: run careloop migrate",
    ), False


def _job_queue(session: Session) -> tuple[tuple[str, str], bool]:
    if session.get_bind().dialect.name != "postgresql":
        return ("任务在本进程内运行（SQLite）", "jobs run in this process (SQLite)"), True
    session.execute(text("SELECT 1 FROM procrastinate_jobs LIMIT 1"))
    return ("任务队列可读", "the job queue is readable"), True


def _failure(name: str, exc: BaseException) -> tuple[str, str]:
    """The exception's class only: a driver's message may carry a host or a password."""
    kind = type(exc).__name__
    words = {
        "database": ("数据库无应答", "the database does not answer"),
        "migrations": ("无法读取数据库结构版本", "the schema version cannot be read"),
        "job_queue": ("任务队列不可读", "the job queue cannot be read"),
    }[name]
    return f"{words[0]}（{kind}）", f"{words[1]} ({kind})"
