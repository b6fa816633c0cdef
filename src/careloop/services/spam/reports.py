"""Spam reports: recording them from every source and counting them per port and day."""

from __future__ import annotations

from datetime import date

from careloop.domain.spam.reports import PortDayCounts
from careloop.services.unit_of_work import UnitOfWork


def port_day_counts(uow: UnitOfWork, day: date) -> list[PortDayCounts]:
    """Per attributed port, what the reports received on business day ``day`` say.

    Enforcement's thresholds read this; the query follows with the report records.
    """
    del uow, day
    return []
