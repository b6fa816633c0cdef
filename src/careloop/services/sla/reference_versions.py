"""Whether cached reference data (SLA policies, the working calendar) is still current.

Intake and the clocks cache the active policies and the calendar per process, keyed by a
stamp that moves whenever the tables behind them change. The stamp is the change counters
that database triggers keep in ``reference_versions`` (migration 0007): one tiny read per
use case, and exact, since the triggers also see changes made by hand in SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import ReferenceVersion


def stamps(uow: UnitOfWork) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(policy stamp, calendar stamp): each names the database and its tables' counters."""
    rows = uow.session.execute(select(ReferenceVersion.name, ReferenceVersion.version))
    versions = {name: version for name, version in rows}
    url = str(uow.session.get_bind().url)
    return (
        (url, versions.get("sla_policies")),
        (url, versions.get("calendar_days"), versions.get("calendar_years")),
    )
