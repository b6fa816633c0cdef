"""Scheduled and queued work (DESIGN.md): the SLA sweep, notification delivery and the
queued handlers of domain events (services/events.py).

Two ways to run the same jobs, which both call ``services.sla.sweep``:

- :mod:`careloop.jobs.runner` — an in-process scheduler, the default (SQLite or one process);
- :mod:`careloop.jobs.queue` — Procrastinate on PostgreSQL, shared by several
  ``careloop worker`` processes (see docs/sla.md for why Procrastinate).

The retention purge (:mod:`careloop.cli.privacy`, ``careloop privacy purge``) is a daily
job the operator schedules (cron, a systemd timer): it acts as a named administrator, not
as the system, and once a day rather than every round.
"""
