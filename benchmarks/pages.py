"""Page loads of the workbench through the live server (issue 5: "pages load with a few
thousand complaints without visible delay"; issue 7 measures it at every size).

`careloop serve` as a subprocess (measures.Server), logged in through the login form as a
person would (POST /login, the session cookie), then GET of each page a member of staff
opens most: the supervisor's board, the agent's queue, the breached list and one complaint.
Baseline: GET /healthz on the same server in the same run (the floor of one request through
uvicorn and the app's middleware). The target, < 1 s a page, is informational: the issue
asks for "no visible delay", not a ratio.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial

import httpx
from sqlalchemy import Engine, select

from benchmarks.measures import PASSWORD, Figure, Server, timed
from careloop.services.complaints import queries
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_session_factory
from careloop.store.models import Complaint

BOARD_USER = "admin"
"""The province-wide board: the heaviest /supervisor and breached list there are."""
AGENT_USER = "hz_agent1"
TARGET_MS = 1000.0


def _prepare(engine: Engine, now: datetime) -> int:
    """Passwords for the two people; the complaint to open: the newest open one (it has
    its work orders, events and clock, as the ones people open do)."""
    from careloop.services.access import auth

    with UnitOfWork(make_session_factory(engine)) as uow:
        for username in (BOARD_USER, AGENT_USER):
            auth.set_password(uow, username, PASSWORD, now)
        complaint_id = uow.session.scalar(
            select(Complaint.id)
            .where(queries.open_term())
            .order_by(Complaint.accepted_at.desc())
            .limit(1)
        )
        uow.commit()
    assert complaint_id is not None
    return int(complaint_id)


_CSRF_TOKEN = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def _logged_in(base: str, username: str) -> httpx.Client:
    """A browser's login: the form's anti-forgery token first, then the post."""
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    token = _CSRF_TOKEN.search(client.get("/login").text)
    if token is None:
        raise RuntimeError("the login page carries no anti-forgery token")
    reply = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    if reply.status_code != 303:
        raise RuntimeError(f"login of {username} answered {reply.status_code}")
    return client


def page_loads(
    engine: Engine,
    url: str,
    size: int,
    now: datetime,
    repeat: int = 5,
    server: Server | None = None,
) -> list[Figure]:
    """``server``: a running one to use (and leave running), else one started for this."""
    complaint_id = _prepare(engine, now)
    own = server is None
    server = server or Server(url)
    try:
        board = _logged_in(server.base, BOARD_USER)
        agent = _logged_in(server.base, AGENT_USER)
        pages = [
            ("/supervisor", board, BOARD_USER),
            ("/agent/queue", agent, AGENT_USER),
            ("/complaints?sla=breached", board, BOARD_USER),
            (f"/complaints/{complaint_id}", board, BOARD_USER),
        ]
        sizes: dict[str, int] = {}

        def get(client: httpx.Client, path: str) -> None:
            reply = client.get(path)
            if reply.status_code != 200:
                raise RuntimeError(f"GET {path} answered {reply.status_code}: {reply.text[:300]}")
            sizes[path] = len(reply.content)

        # --quick (repeat=1): one load of each page, the server warmed by one request of
        # each person rather than a warm-up load of every page (/supervisor takes seconds).
        warm = repeat == 1
        if warm:
            get(board, pages[-1][0])
            get(agent, "/agent/queue")
        health = timed(lambda: get(board, "/healthz"), repeat=max(repeat, 3)) * 1000
        measured = [
            (path, who, timed(partial(get, client, path), repeat=repeat, warm=warm) * 1000)
            for path, client, who in pages
        ]
        rss = server.peak_rss_mib()
        board.close()
        agent.close()
    finally:
        if own:
            server.stop()
    name = engine.dialect.name
    return [
        Figure(
            f"page load GET {path if 'complaints/' not in path else '/complaints/{id}'}",
            name,
            size,
            ms,
            "ms",
            baseline=health,
            baseline_label="GET /healthz, same server",
            target=f"< {TARGET_MS:.0f} ms (informational)",
            peak_mib=rss,
            note=f"as {who}, session cookie from POST /login; {sizes[path] / 1024:.0f} KiB of "
            f"HTML; {'within' if ms < TARGET_MS else 'OVER'} 1 s; "
            f"{f'median of {repeat} after a warm-up' if repeat > 1 else 'one load'}; "
            "peak = server RSS (VmHWM, since it started)",
        )
        for path, who, ms in measured
    ]
