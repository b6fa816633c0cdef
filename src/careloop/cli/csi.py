"""`careloop csi run`: a satisfaction-index study from the shell — the survey file and the
model in, the results tables on screen, an HTML and an Excel report in --out (and with
--json a machine-readable result for other tools on stdout)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from careloop.cli.shell import LANG, fail, refuse
from careloop.domain.errors import DomainError
from careloop.domain.language import normalise
from careloop.i18n import Translator

csi_app = typer.Typer(
    help="Customer satisfaction index studies (用户满意度指数测评): PLS path model, index, grade.",
    no_args_is_help=True,
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(width - _width(text), 0)
    return space + text if right else text + space


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
          numeric_from: int) -> str:  # fmt: skip
    """A plain-text table whose columns line up with Chinese text in a terminal."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            _pad(c, widths[i], i >= numeric_from) for i, c in enumerate(cells)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([f"== {title} ==", line(headers), rule, *(line(r) for r in rows), ""])


def _text_report(result: Any, lang: str) -> str:
    from careloop.reports.csi import column_word, stratum_rows, summary_rows

    # The tables' words are the study report's own (the reports_csi catalogue).
    t = Translator(lang)

    def label(name: str) -> str:
        row = result.latent(name)
        return str(row.label_en if lang == "en" else row.label_zh)

    def num(value: float | None, digits: int = 3) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    latent, ci, grade = t("csi_report.latent"), t("csi_report.ci"), t("csi_report.grade")
    communality, r_squared = t("csi_report.communality"), t("csi_report.r_squared")
    parts = [
        table(
            t("csi_report.summary"),
            [t("csi_report.what"), t("csi_report.value")],
            summary_rows(result, lang),
            9,
        ),
        table(
            t("csi_report.paths"),
            [t("csi_report.from"), t("csi_report.to"), t("csi_report.estimate"),
             t("csi_report.se"), t("csi_report.t"), t("csi_report.ci_low"),
             t("csi_report.ci_high")],
            [
                [label(p.source), label(p.target), num(p.estimate), num(p.std_error),
                 num(p.t_value, 2), num(p.ci_low), num(p.ci_high)]
                for p in result.paths
            ],
            2,
        ),
        table(
            r_squared,
            [latent, r_squared],
            [[label(k), num(v)] for k, v in result.r_squared.items()],
            1,
        ),
        table(
            t("csi_report.outer"),
            [latent, t("csi_report.item"), t("csi_report.weight"), t("csi_report.loading"),
             communality, t("csi_report.redundancy"), t("csi_report.mean"),
             t("csi_report.index_weight")],
            [
                [label(o.latent), o.item, num(o.weight), num(o.loading), num(o.communality),
                 num(o.redundancy), num(o.mean, 2), num(o.index_weight)]
                for o in result.outer
            ],
            2,
        ),
        table(
            t("csi_report.quality"),
            [latent, t("csi_report.mode"), t("csi_report.items"), t("csi_report.alpha"),
             t("csi_report.rho"), t("csi_report.ave"), communality, r_squared],
            [
                # csi_report.mode_A / csi_report.mode_B: the measurement mode's name.
                [label(q.latent), t(f"csi_report.mode_{q.mode}"), str(q.items),
                 num(q.cronbach_alpha), num(q.dillon_goldstein_rho), num(q.ave),
                 num(q.communality), num(q.r_squared)]
                for q in result.quality
            ],
            2,
        ),
        table(
            t("csi_report.index"),
            [latent, t("csi_report.index"), ci, grade],
            [
                [label(r.latent), f"{r.value:.1f}",
                 "—" if r.ci_low is None else f"{r.ci_low:.1f} – {r.ci_high:.1f}",
                 r.grade_en if lang == "en" else r.grade_zh]
                for r in result.index
            ],
            1,
        ),
    ]  # fmt: skip
    strata_head = [
        *(column_word(c, lang) for c in result.strata_columns),
        latent, t("csi_report.n"), t("csi_report.effective_n"), t("csi_report.index"), ci, grade,
    ]  # fmt: skip
    k = len(result.strata_columns) + 1
    if result.strata:
        parts.append(
            table(
                t("csi_report.by_stratum"),
                strata_head,
                stratum_rows(result, result.strata, lang),
                k,
            )
        )
    if result.margins:
        parts.append(
            table(
                t("csi_report.by_margin"),
                strata_head,
                stratum_rows(result, result.margins, lang),
                k,
            )
        )
    return "\n".join(parts)


def _file_stem(model_name: str, data: Path) -> str:
    raw = f"csi-{model_name or 'model'}-{data.stem}"
    return re.sub(r"[^\w.-]+", "_", raw)


@csi_app.command("run")
def run(
    data: Annotated[Path, typer.Option("--data", help="Survey file: .csv (UTF-8) or .xlsx")],
    model: Annotated[
        str, typer.Option("--model", help="ecsi, acsi, or a YAML model file (docs/csi.md)")
    ],
    strata: Annotated[
        str | None,
        typer.Option(
            "--strata",
            help="Strata columns, comma-separated (default: operator,service,region where "
            "present; 'none' for one stratum)",
        ),
    ] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Design-weight column (N_h/n_h)")
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples (0: none)")
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap random seed")] = 0,
    level: Annotated[float, typer.Option("--level", help="Confidence level")] = 0.95,
    out: Annotated[Path, typer.Option("--out", help="Directory for the reports")] = Path("reports"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON (for other tools)")
    ] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh-CN (default) or en; else CARELOOP_LANG")
    ] = None,
) -> None:
    """Estimate the model on the survey; print paths, R², outer model, quality and the index
    with its grade per latent and stratum; write the HTML and Excel reports."""
    from careloop.reports.csi import to_html, to_xlsx
    from careloop.services.csi.model_files import load_model
    from careloop.services.csi.study import machine_view, run_study
    from careloop.services.csi.survey import prepare_survey, read_survey_file

    speak = normalise(lang) if lang else LANG
    chosen: list[str] | None = None
    if strata is not None:
        wanted = strata.replace("，", ",").replace("、", ",").strip()
        chosen = [] if wanted.lower() in ("", "none", "无") else wanted.split(",")
    try:
        path_model = load_model(model)
        survey = prepare_survey(read_survey_file(data), path_model, strata=chosen, weight=weight)
        result = run_study(
            survey, path_model, resamples=bootstrap, seed=seed, level=level, source=data.name
        )
    except DomainError as exc:
        fail(exc, speak)
    stem = _file_stem(result.model_name, data)
    files = [out / f"{stem}.html", out / f"{stem}.xlsx"]
    try:
        out.mkdir(parents=True, exist_ok=True)
        files[0].write_bytes(to_html(result, speak))
        files[1].write_bytes(to_xlsx(result, speak))
    except OSError as exc:
        t = Translator(speak)
        refuse(t("cli.csi.cannot_write", where=exc.filename or out, reason=exc.strerror), speak)
    if as_json:
        view = machine_view(result, speak)
        view["files"] = [str(f) for f in files]
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    typer.echo(_text_report(result, speak))
    for f in files:
        typer.echo(str(f))


@csi_app.command("plan")
def plan(
    frame: Annotated[
        Path,
        typer.Option(
            "--frame",
            help="Sampling frame (.csv/.xlsx): stratum columns, population, optional sd",
        ),
    ],
    margin: Annotated[
        float, typer.Option("--margin", help="Target margin of error (index points, or a share)")
    ],
    sd: Annotated[
        float | None, typer.Option("--sd", help="Index sd where the frame gives none")
    ] = None,
    proportion: Annotated[
        float | None, typer.Option("--proportion", help="Plan for a share instead of a mean")
    ] = None,
    level: Annotated[float, typer.Option("--level", help="Confidence level")] = 0.95,
    deff: Annotated[float, typer.Option("--deff", help="Design effect (≥ 1)")] = 1.0,
    total: Annotated[
        int | None, typer.Option("--total", help="Interviews to share over the strata")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="proportional or neyman (needs each stratum's sd)")
    ] = "proportional",
    minimum: Annotated[int, typer.Option("--minimum", help="At least this many per stratum")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON")] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh-CN (default) or en; else CARELOOP_LANG")
    ] = None,
) -> None:
    """Sample sizes per stratum for a target margin of error (Cochran), and with --total its
    proportional or Neyman allocation with the design weights N_h/n_h."""
    from dataclasses import asdict

    from careloop.services.csi.planning import plan_from_file

    speak = normalise(lang) if lang else LANG
    try:
        found = plan_from_file(
            frame, margin=margin, sd=sd, proportion=proportion, level=level,
            design_effect=deff, total=total, method=method, minimum=minimum,  # type: ignore[arg-type]
        )  # fmt: skip
    except DomainError as exc:
        fail(exc, speak)
    if as_json:
        typer.echo(json.dumps({**asdict(found), "needed": found.needed}, ensure_ascii=False,
                              indent=2))  # fmt: skip
        return
    from careloop.reports.csi import column_word

    t = Translator(speak)
    head = [
        *(column_word(c, speak) for c in found.label_columns),
        t("cli.csi.col.population"),
        t("cli.csi.col.sd"),
        t("cli.csi.col.needed"),
    ]
    if found.total is not None:
        head += [t("cli.csi.col.allocated"), t("cli.csi.col.weight")]
    rows = []
    for s in found.strata:
        row = [*s.values, f"{s.population}", "—" if s.sd is None else f"{s.sd:g}", f"{s.needed}"]
        if found.total is not None:
            row += [f"{s.allocated}", "—" if s.weight is None else f"{s.weight:.2f}"]
        rows.append(row)
    title = t("cli.csi.plan_title", margin=f"{margin:g}", level=f"{level:.0%}", needed=found.needed)

    typer.echo(table(title, head, rows, len(found.label_columns)))
