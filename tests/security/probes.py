"""What the attack suite shares: the app's routes as data, clients, and every answer as text.

Routes are read from the running app (``app.openapi()`` for the API, the route table for the
pages), so a route added tomorrow is probed tomorrow without anyone editing a list here.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts
from openpyxl import load_workbook
from starlette.routing import Mount

from tests.conftest import Api

SESSION_COOKIE = "careloop_session"
HIDDEN_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]*)"')


@dataclass(frozen=True)
class RouteInfo:
    """One method of one route, as the prober needs it."""

    method: str
    path: str
    api: bool
    """In the OpenAPI document (else a page, a static mount or the document itself)."""
    path_params: tuple[str, ...]
    query: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)
    """OpenAPI query parameters by name (their schema and whether required)."""
    mount: bool = False


def _declared_query(dependant: Any) -> dict[str, dict[str, Any]]:
    """The query parameters a page declares (its own and its dependencies'), in the shape
    of OpenAPI parameters: pages are not in the document."""
    found: dict[str, dict[str, Any]] = {}
    for param in dependant.query_params:
        found[param.alias] = {
            "name": param.alias,
            "in": "query",
            "required": param.field_info.is_required(),
            "schema": {},
        }
    for sub in dependant.dependencies:
        found.update(_declared_query(sub))
    return found


def _path_params(path: str) -> tuple[str, ...]:
    return tuple(re.findall(r"{([^}:]+)(?::[^}]*)?}", path))


def routes_of(app: Any) -> list[RouteInfo]:
    """Every method of every route the app serves: the OpenAPI operations with their query
    parameters, and the routes outside the document (pages, mounts, the document itself)."""
    schema = app.openapi()
    documented: dict[tuple[str, str], dict[str, Any]] = {}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                documented[(method.upper(), path)] = operation
    found: list[RouteInfo] = []
    seen: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path
        if path is None:
            continue
        if isinstance(route, Mount):
            found.append(RouteInfo("GET", path, False, (), mount=True))
            continue
        for method in sorted((context.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, path) in seen:
                continue
            seen.add((method, path))
            operation = documented.get((method, path))
            query = {}
            if operation is not None:
                for param in operation.get("parameters", []):
                    if param.get("in") == "query":
                        query[param["name"]] = param
            elif getattr(context, "dependant", None) is not None:
                query = _declared_query(context.dependant)
            found.append(RouteInfo(method, path, operation is not None, _path_params(path), query))
    missing = set(documented) - seen
    assert not missing, f"operations in the OpenAPI document the route table lacks: {missing}"
    return found


def fill(path: str, values: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        return str(values[match.group(1)])

    return re.sub(r"{([^}:]+)(?::[^}]*)?}", one, path)


def enum_of(param: dict[str, Any]) -> list[str]:
    schema = param.get("schema", {})
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    for option in schema.get("anyOf", []):
        if "enum" in option:
            return [str(v) for v in option["enum"]]
    return []


def format_of(schema: dict[str, Any]) -> str | None:
    if "format" in schema:
        return str(schema["format"])
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        if "format" in option:
            return str(option["format"])
    return None


def reference_values(app: Any, api: Api, route: RouteInfo) -> list[dict[str, Any]]:
    """Path values for parameters naming something every caller may read: each report kind
    (from the document's enum), a real SLA policy, a language."""
    options: list[dict[str, Any]] = [{}]
    for param in route.path_params:
        if param == "kind":
            operation = app.openapi()["paths"][route.path][route.method.lower()]
            spec = next(p for p in operation["parameters"] if p["name"] == "kind")
            kinds = enum_of(spec)
            assert kinds, f"{route.path}: no enum for kind"
            options = [{**o, "kind": k} for o in options for k in kinds]
        elif param == "policy_id":
            policies = api.as_("admin").get("/api/v1/sla/policies").json()
            assert policies, "no SLA policy seeded"
            options = [{**o, "policy_id": policies[0]["id"]} for o in options]
        elif param == "code":
            options = [{**o, "code": "zh"} for o in options]
        elif param == "study_id":  # a CSI study (its scope: tests/integration/csi)
            options = [{**o, "study_id": 1} for o in options]
        elif param == "year":
            options = [{**o, "year": 2027} for o in options]
        elif param == "fmt":  # an export's renderings: the same rows in each
            options = [{**o, "fmt": f} for o in options for f in ("csv", "xlsx")]
        elif param == "port_id":  # the spam port registry (province-wide reference)
            options = [{**o, "port_id": 1} for o in options]
        elif param == "token":  # a survey's one-time link (public): an unknown one
            options = [{**o, "token": "not-a-survey-link"} for o in options]
    return options


# --- clients ----------------------------------------------------------------------------


def api_client(api: Api, username: str) -> httpx.Client:
    return api.as_(username)


def web_client(
    api: Api, username: str | None, lang: str = "zh", fresh: bool = False
) -> httpx.Client:
    """A browser with the staff member's session cookie (the login's token, as the login form
    sets it), or an anonymous one. No redirects are followed: a test sees the redirect.
    `fresh` logs in again (after the clock has moved past a session's end)."""
    cookies = {"careloop_lang": lang}
    if username is not None:
        token = api.token(username, refresh=fresh)
        assert token, f"{username} cannot log in"
        cookies[SESSION_COOKIE] = token
    return httpx.Client(base_url=api.base_url, timeout=60, cookies=cookies)


def csrf_token(client: httpx.Client, page: str) -> str | None:
    """The anti-forgery token of the forms on `page` (None when the page has no such field);
    the page also sets the anonymous token cookie a browser would keep."""
    response = client.get(page)
    found = HIDDEN_CSRF.search(response.text)
    return found.group(1) if found else None


def post_form(client: httpx.Client, path: str, token: str | None, **data: Any) -> httpx.Response:
    body = {k: str(v) for k, v in data.items()}
    if token is not None:
        body["csrf_token"] = token
    return client.post(path, data=body)


# --- every answer as text ---------------------------------------------------------------

XLSX_MEDIA = "spreadsheetml"


def xlsx_cells(content: bytes) -> list[Any]:
    """Every cell of every sheet (openpyxl cells, with data_type and value)."""
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            cells.extend(row)
    return cells


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(content)
        done = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            timeout=120,
            check=True,
        )
    return done.stdout.decode("utf-8", errors="replace")


def text_of(response: httpx.Response) -> str:
    """What a person (or a parser) reads in an answer: JSON, HTML and CSV as text, the cells
    of a workbook, the text layer of a PDF."""
    media = response.headers.get("content-type", "")
    if XLSX_MEDIA in media:
        return "\n".join(str(c.value) for c in xlsx_cells(response.content) if c.value is not None)
    if "pdf" in media:
        return pdf_text(response.content)
    return response.content.decode("utf-8", errors="replace")


def where(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url} -> {response.status_code}"
