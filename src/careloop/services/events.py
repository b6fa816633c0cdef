"""Handlers of domain events, run after the change that raised them has committed.

A use case records its audit row in its own transaction; the unit of work turns those rows
into `DomainEvent`s and, only once the commit succeeded, hands them to the registry. Each
handler is registered in `careloop.bootstrap`, never in the lifecycle, so a new system hangs
on an event instead of editing the use case. A handler's failure is logged and never undoes
the committed change. Handlers that do I/O are `queued`: delivered through a job queue (the
in-process one by default, Procrastinate on PostgreSQL), so a slow gateway never holds a
request.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from careloop.domain.events import DomainEvent

log = logging.getLogger("careloop.events")

Handler = Callable[[DomainEvent], None]


def handler_key(handler: Handler) -> str:
    """How a queued job names its handler: stable across processes (module and name), so
    a queued handler is a module-level function (or one instance of its class)."""
    name = getattr(handler, "__qualname__", type(handler).__qualname__)
    return f"{handler.__module__}:{name}"


class JobQueue(Protocol):
    def defer(self, handler: str, event: DomainEvent) -> None:
        """Deliver `event` to the registered queued handler named `handler`, some time soon."""

    def defer_all(self, jobs: list[tuple[str, DomainEvent]]) -> None:
        """Queue every (handler, event) of one commit: a sweep that breaches a thousand
        complaints queues its handlers over one connection, not a thousand."""


@dataclass
class InProcessQueue:
    """The default queue: delivers at once, in this process, right after the commit."""

    registry: EventRegistry

    def defer(self, handler: str, event: DomainEvent) -> None:
        self.registry.deliver(handler, event)

    def defer_all(self, jobs: list[tuple[str, DomainEvent]]) -> None:
        for handler, event in jobs:
            self.defer(handler, event)


@dataclass
class EventRegistry:
    """Who listens to which event; `publish` runs them, each failure logged and contained."""

    _inline: dict[str, list[Handler]] = field(default_factory=lambda: defaultdict(list))
    _queued: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _by_key: dict[str, Handler] = field(default_factory=dict)
    queue: JobQueue | None = None
    """Where queued handlers go; None: the in-process queue."""

    def on(self, name: str, handler: Handler, *, queued: bool = False) -> None:
        if queued:
            key = handler_key(handler)
            self._by_key[key] = handler
            self._queued[name].append(key)
        else:
            self._inline[name].append(handler)

    def handlers(self, name: str) -> list[str]:
        """The names of everything listening to `name` (documentation, tests)."""
        return [handler_key(h) for h in self._inline.get(name, [])] + list(
            self._queued.get(name, [])
        )

    def publish(self, events: Iterable[DomainEvent]) -> None:
        jobs: list[tuple[str, DomainEvent]] = []
        for event in events:
            for handler in list(self._inline.get(event.name, [])):
                self._run(handler, event)
            jobs.extend((key, event) for key in self._queued.get(event.name, []))
        if not jobs:
            return
        try:
            (self.queue or InProcessQueue(self)).defer_all(jobs)
        except Exception:  # the change is committed: a lost notice is logged, not raised
            log.exception("could not queue %d handlers: %s", len(jobs), _names(jobs))

    def deliver(self, key: str, event: DomainEvent) -> None:
        """Run the queued handler `key` (what a queue worker calls)."""
        handler = self._by_key.get(key)
        if handler is None:
            log.error("no handler %s registered for %s", key, event.name)
            return
        self._run(handler, event)

    @staticmethod
    def _run(handler: Handler, event: DomainEvent) -> None:
        try:
            handler(event)
        except Exception:
            log.exception("handler %s failed on %s", handler_key(handler), event.name)


def _names(jobs: list[tuple[str, DomainEvent]]) -> str:
    return ", ".join(sorted({f"{key} for {event.name}" for key, event in jobs}))


class Publisher(Protocol):
    def publish(self, events: Iterable[DomainEvent]) -> None: ...
