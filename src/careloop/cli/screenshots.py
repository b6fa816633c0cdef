"""`careloop screenshots`: the main pages as PNGs at 1366×768 and 390×844.

Serves the configured database (the demo is loaded first if it is empty, as `careloop up`
does) on a free loopback port and drives Debian's Chromium with Playwright's Python
package (test extra). The pictures are for reviews and docs; the folder is git-ignored.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from careloop import bootstrap
from careloop.cli.shell import refuse
from careloop.config import Settings
from careloop.i18n import Translator

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Cast:
    """Who to log in as, and which complaint to show: picked from the data, not guessed."""

    agent: str
    handler: str
    supervisor: str
    complaint_id: int | None
    customer_phone: str | None


def pick_cast(settings: Settings) -> Cast:
    from careloop.services.access.actors import SYSTEM
    from careloop.services.complaints import queries
    from careloop.services.complaints.filters import ComplaintFilter
    from careloop.services.org.staff import list_staff

    platform = bootstrap.build(settings.database_url)
    try:
        with platform.unit_of_work() as uow:
            page = queries.list_complaints(
                uow,
                ComplaintFilter(status=["in_progress"]),
                50,
                0,
                "-accepted_at",
                actor=SYSTEM,
            )
            chosen = next((c for c in page.items if c.work_orders), None)
            chosen = chosen or (page.items[0] if page.items else None)
            staff = list_staff(uow)

            def first(role: str, unit_id: int | None = None) -> str:
                for s in staff:
                    if s.role == role and (unit_id is None or s.org_unit_id == unit_id):
                        return s.username
                return next((s.username for s in staff if s.role == role), "admin")

            unit = chosen.work_orders[-1].unit_id if chosen and chosen.work_orders else None
            return Cast(
                agent=chosen.first_owner.username if chosen else first("agent"),
                handler=first("handler", unit),
                supervisor=first("supervisor"),
                complaint_id=chosen.id if chosen else None,
                customer_phone=chosen.customer_phone if chosen else None,
            )
    finally:
        platform.dispose()


SHOW_UNIT_PICKER = """() => {
  const picker = document.querySelector('.unit-picker');
  if (!picker) return;
  for (let d = picker.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
  picker.scrollIntoView({block: 'center'});
}"""
"""Unfold and show the dispatch form's unit picker (it may sit among the folded actions)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def take(
    settings: Settings,
    out: Path,
    password: str,
    chromium: str = "/usr/bin/chromium",
    echo: Callable[[str], None] = print,
) -> list[Path]:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from careloop.api.app import create_app
    from careloop.notify.adapters import RecordingAdapter

    cast = pick_cast(settings)
    app = create_app(settings)
    app.state.notify_adapters = {"sms": _CodeKeeper(), "email": RecordingAdapter()}
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    complaint = f"/complaints/{cast.complaint_id}" if cast.complaint_id else "/complaints?open=1"
    customer = f"/customers/{cast.complaint_id}" if cast.complaint_id else "/complaints?open=1"
    yesterday = datetime.fromordinal(datetime.now(UTC).toordinal() - 1).date().isoformat()
    shots: list[tuple[str, str | None, str, str]] = [
        ("login", None, "/login", "zh"),
        ("login-en", None, "/login", "en"),
        ("intake", cast.agent, "/agent/intake", "zh"),
        ("my-queue", cast.agent, "/agent/queue", "zh"),
        ("my-queue-breached", cast.agent, "/agent/queue?view=breached", "zh"),
        ("complaint", cast.agent, complaint, "zh"),
        ("complaint-en", cast.agent, complaint, "en"),
        ("dispatch-picker", cast.agent, complaint, "zh"),
        ("unit-queue", cast.handler, "/unit/queue", "zh"),
        ("supervisor", cast.supervisor, "/supervisor", "zh"),
        ("supervisor-en", cast.supervisor, "/supervisor", "en"),
        ("breached-list", cast.supervisor, "/complaints?sla=breached", "zh"),
        ("complaint-list", cast.supervisor, "/complaints?open=1&category=broadband", "zh"),
        ("reply-templates", cast.supervisor, "/reply-templates", "zh"),
        ("customer", cast.agent, customer, "zh"),
        ("shortcuts", cast.agent, "/agent/queue", "zh"),
        ("daily-brief", cast.supervisor, f"/api/v1/reports/daily?date={yesterday}", "zh"),
    ]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for size, (width, height) in VIEWPORTS.items():
                for name, user, path, lang in shots:
                    context = browser.new_context(
                        base_url=base, viewport={"width": width, "height": height}
                    )
                    context.add_cookies([{"name": "careloop_lang", "value": lang, "url": base}])
                    page = context.new_page()
                    if user:
                        _login(page, user, password)
                    page.goto(path)
                    if name == "intake" and cast.customer_phone:
                        page.fill("#phone", cast.customer_phone)
                        page.wait_for_selector("#customer-history ul, #customer-history p")
                    if name == "shortcuts":
                        page.keyboard.press("?")
                    if name == "dispatch-picker":
                        page.evaluate(SHOW_UNIT_PICKER)
                    target = out / f"{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=False)
                    written.append(target)
                    echo(str(target))
                    context.close()
                if cast.customer_phone:
                    written.append(
                        _self_service(
                            browser, base, app, cast.customer_phone, out, size, (width, height)
                        )
                    )
                    echo(str(written[-1]))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.platform.dispose()
    return written


class _CodeKeeper:
    """Keeps the last one-time code so the screenshot can sign in as the customer."""

    name = "screenshots"
    last_body = ""

    def send(self, message: Any) -> None:
        _CodeKeeper.last_body = message.body


def _login(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_load_state()


def _self_service(
    browser: Any, base: str, app: Any, phone: str, out: Path, size: str, viewport: tuple[int, int]
) -> Path:
    import re

    context = browser.new_context(
        base_url=base, viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    page.goto("/self-service")
    page.fill("#phone", phone)
    page.press("#phone", "Enter")
    page.wait_for_selector("#code")
    found = re.search(r"\b(\d{6})\b", _CodeKeeper.last_body)
    if found:
        page.fill("#code", found.group(1))
        page.press("#code", "Enter")
        page.wait_for_load_state()
    target = out / f"self-service-{size}.png"
    page.screenshot(path=str(target))
    context.close()
    return target


def screenshots_command(
    out: Annotated[Path, typer.Option(help="Folder for the PNGs (git-ignored)")] = Path(
        "screenshots"
    ),
    password: Annotated[
        str, typer.Option(envvar="CARELOOP_DEMO_PASSWORD", help="Password of the demo staff")
    ] = "careloop-demo",
    chromium: Annotated[str, typer.Option(help="Chromium executable")] = "/usr/bin/chromium",
) -> None:
    """Render the main pages at 1366×768 and 390×844 into PNGs (Chromium + playwright)."""
    t = Translator(Settings.cli_language())
    try:
        import playwright  # noqa: F401
    except ImportError:
        refuse(t("cli.screenshots.no_playwright"), t.lang)
    if not Path(chromium).exists():
        refuse(t("cli.screenshots.no_chromium", chromium=chromium), t.lang)
    settings = Settings.from_env()
    from careloop.demo.load import load_demo

    platform = bootstrap.build(settings.database_url)
    try:
        bootstrap.migrate(platform)
        load_demo(
            platform.session_factory,
            count=3000,
            days=90,
            seed=20261123,
            end=datetime.now(UTC),
            only_if_empty=True,
            progress=lambda msg: typer.echo(msg),
        )
    finally:
        platform.dispose()
    written = take(settings, out, password, chromium, typer.echo)
    typer.echo(t("cli.screenshots.done", n=len(written), out=out))
