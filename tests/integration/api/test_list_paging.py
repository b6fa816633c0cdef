"""Lists that stay flat at any size (issue 7): keyset cursors and a capped total."""

from __future__ import annotations

from sqlalchemy import text

from careloop.services.access.actors import actor_for
from careloop.services.complaints import queries
from careloop.services.complaints.filters import ComplaintFilter
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem, create

OPEN = ["accepted", "in_progress", "pending_customer", "replied"]


def _complaints(api: Api, clock: MovableClock, n: int) -> list[dict]:  # type: ignore[type-arg]
    agent = api.as_("agent1")
    made = []
    for i in range(n):
        # Two share an acceptance time (ties are broken by id, cursors must keep them apart).
        if i != 3:
            clock.advance(hours=1)
        escalated = i % 2 == 0  # 48 h instead of 15 days: due order differs from accepted
        made.append(create(agent, customer={"phone": f"1390000{i:04d}"}, escalated=escalated))
    return made


def _walk(client, params: dict, limit: int) -> tuple[list[int], list[int]]:  # type: ignore[no-untyped-def,type-arg]
    """Every page by next_cursor: (ids in order, page sizes)."""
    ids: list[int] = []
    sizes: list[int] = []
    after = None
    while True:
        query = {**params, "limit": limit} | ({"after": after} if after else {})
        reply = client.get("/api/v1/complaints", params=query)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        ids += [c["id"] for c in body["items"]]
        sizes.append(len(body["items"]))
        after = body["next_cursor"]
        if after is None:
            return ids, sizes


def test_cursor_pages_follow_the_offset_order_in_every_sort(api: Api, clock: MovableClock):
    _complaints(api, clock, 7)
    agent = api.as_("agent1")
    for sort in ("reply_due_at", "-reply_due_at", "accepted_at", "-accepted_at", "id", "-id"):
        whole = agent.get("/api/v1/complaints", params={"sort": sort, "limit": 200}).json()
        assert whole["next_cursor"] is None and whole["total_capped"] is False
        expected = [c["id"] for c in whole["items"]]
        ids, sizes = _walk(agent, {"sort": sort, "status": OPEN}, 3)
        assert ids == expected, sort
        assert sizes == [3, 3, 1], sort


def test_cursor_errors_name_the_parameter(api: Api, clock: MovableClock):
    _complaints(api, clock, 3)
    agent = api.as_("agent1", lang="en")
    first = agent.get("/api/v1/complaints", params={"limit": 1, "sort": "id"}).json()
    cursor = first["next_cursor"]
    assert cursor
    for params in (
        {"after": cursor, "sort": "id", "offset": 1},
        {"after": cursor, "sort": "-accepted_at"},
        {"after": "not-a-cursor", "sort": "id"},
        {"after": "WzEsMiwzXQ", "sort": "id"},
    ):
        problem = assert_problem(
            agent.get("/api/v1/complaints", params=params), 422, "invalid_input"
        )
        assert "after" in [e["field"] for e in problem["errors"]], (params, problem)


def test_total_is_counted_up_to_a_cap_and_says_so(api: Api, clock: MovableClock, database_url: str):
    _complaints(api, clock, 6)
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            actor = actor_for(uow, "agent1")
            f = ComplaintFilter(status=OPEN)
            capped = queries.list_complaints(uow, f, 2, 0, "id", actor=actor, count_limit=3)
            assert (capped.total, capped.total_capped, len(capped.items)) == (3, True, 2)
            # Always counted past the page asked for: a deep page knows if another follows.
            deep = queries.list_complaints(uow, f, 2, 2, "id", actor=actor, count_limit=3)
            assert (deep.total, deep.total_capped) == (5, True)
            exact = queries.list_complaints(uow, f, 2, 0, "id", actor=actor, count_limit=6)
            assert (exact.total, exact.total_capped) == (6, False)
    finally:
        engine.dispose()
    reply = api.as_("agent1").get("/api/v1/complaints")
    assert reply.headers["X-Total-Count"] == "6" and "X-Total-Capped" not in reply.headers
    assert reply.json()["total_capped"] is False


def test_open_lists_use_the_partial_due_index(api: Api, clock: MovableClock, database_url: str):
    """The breached list can walk open complaints in due order, not every complaint ever
    (SQLite: INDEXED BY fails unless the partial index fits the query as written)."""
    _complaints(api, clock, 2)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET enable_seqscan = off"))
                conn.execute(text("SET enable_sort = off"))
                explain = "EXPLAIN "
            else:
                explain = "EXPLAIN QUERY PLAN "
            indexed = " INDEXED BY ix_complaints_open_due" if explain.endswith("PLAN ") else ""
            sql = (
                f"SELECT id FROM complaints{indexed} WHERE status IN ('accepted', 'in_progress', "
                "'pending_customer', 'replied') AND reply_due_at < '2030-01-01' "
                "ORDER BY reply_due_at, id LIMIT 50"
            )
            plan = " ".join(str(row) for row in conn.execute(text(explain + sql)))
        assert "ix_complaints_open_due" in plan, plan
    finally:
        engine.dispose()
