"""/csi: the satisfaction-index study (用户满意度指数测评) for quality staff — upload the
survey, choose the shipped model or upload one, see the strata, the path diagram and the
index with its grade per stratum, download the HTML and Excel reports; past studies of
one's scope are listed. The same services as `careloop csi run`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.domain.permissions import check_permission
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.csi import archive
from careloop.services.csi.model_files import shipped_models
from careloop.services.csi.uploads import PAGE_MAX_RESAMPLES, UploadedStudy, run_uploaded_study
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import in_both, see_other
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The mailed report's own stylesheet is inline: allowed for it alone, and nothing else."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        check_permission(archive.PERMISSION, actor.role)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return render(
        request,
        "csi.html",
        lang,
        actor,
        status_code=status_code,
        studies=archive.list_studies(uow, actor),
        models=shipped_models(),
        values=values or {},
        error=error,
        max_resamples=PAGE_MAX_RESAMPLES,
    )


@router.get("/csi", response_class=HTMLResponse)
def csi_page(request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep) -> Response:
    return _list_page(request, uow, actor, lang)


def _number(text: str, default: int) -> int | None:
    text = text.strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return None


@router.post("/csi", response_class=HTMLResponse)
def run_csi_study(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    data: Annotated[UploadFile | None, File()] = None,
    model_file: Annotated[UploadFile | None, File()] = None,
    model: Annotated[str, Form()] = "ecsi",
    title: Annotated[str, Form()] = "",
    strata: Annotated[str, Form()] = "",
    weight: Annotated[str, Form()] = "",
    bootstrap: Annotated[str, Form()] = "100",
) -> Response:
    values = {
        "model": model, "title": title, "strata": strata, "weight": weight,
        "bootstrap": bootstrap,
    }  # fmt: skip
    limit = int(request.app.state.settings.max_body_bytes)
    resamples = _number(bootstrap, 100)
    try:
        if resamples is None:
            from careloop.services.csi.errors import StudyInputError

            raise StudyInputError("bootstrap", *in_both(lambda t: t("csi.bootstrap_not_whole")))
        spec = UploadedStudy(
            data_name=(data.filename or "") if data is not None else "",
            data=data.file.read(limit + 1) if data is not None else b"",
            model=model.strip().lower() or "ecsi",
            model_name=(model_file.filename or "") if model_file is not None else "",
            model_text=model_file.file.read(limit + 1) if model_file is not None else b"",
            strata=strata,
            weight=weight.strip(),
            resamples=resamples,
            title=title,
        )
        saved = run_uploaded_study(uow, actor, now, spec)
    except DomainError as exc:
        uow.rollback()
        return _list_page(request, uow, actor, lang, values, exc.message(lang), exc.status)
    return see_other(f"/csi/studies/{saved.id}")


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=exc.message(lang)
    )


@router.get("/csi/studies/{study_id}", response_class=HTMLResponse)
def csi_study_page(
    study_id: int, request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    from careloop.reports.csi import body_html, column_word

    try:
        summary, result = archive.load_study(uow, actor, study_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return render(
        request,
        "csi_study.html",
        lang,
        actor,
        study=summary,
        result=result,
        strata_words=[column_word(c, lang) for c in result.strata_columns],
        report_body=body_html(result, lang),
    )


def _report(
    study_id: int, fmt: str, request: Request, uow: UnitOfWork, actor: Actor, lang: str
) -> Response:
    from careloop.reports.csi import to_html, to_xlsx

    try:
        summary, result = archive.load_study(uow, actor, study_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    name = f"csi-study-{summary.id}.{fmt}"
    headers = {"Content-Disposition": f"attachment; filename={name}"}
    if fmt == "html":
        headers["Content-Security-Policy"] = REPORT_CSP
        return Response(to_html(result, lang), media_type="text/html; charset=utf-8",
                        headers=headers)  # fmt: skip
    return Response(to_xlsx(result, lang), media_type=XLSX, headers=headers)


@router.get("/csi/studies/{study_id}/report.html")
def csi_study_html(
    study_id: int, request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    """The study's report as one self-contained HTML file, to keep or mail."""
    return _report(study_id, "html", request, uow, actor, lang)


@router.get("/csi/studies/{study_id}/report.xlsx")
def csi_study_xlsx(
    study_id: int, request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    """The study's tables as an Excel workbook."""
    return _report(study_id, "xlsx", request, uow, actor, lang)
