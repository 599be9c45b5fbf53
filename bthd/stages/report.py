"""Stage ``report``: the commission report of the run, as ``report.html`` and ``report.pdf``.

Options (``options["report"]``): ``departement`` (one département; default the run's whole
area), ``lang`` (``"fr"`` default, ``"en"``), ``formats`` (default ``["html", "pdf"]``). Reads
only tables (and the map's layers when present), so it also runs on a run folder
(``bthd report RUN``). The printed map is embedded when the run has the design layers.
"""

from __future__ import annotations

from typing import Any

from bthd.stages._registry import Stage, StageContext, register

#: Formats the stage can write.
FORMATS = ("html", "pdf")

_MAP_LAYERS = ("layer:communes", "layer:sites", "layer:links", "layer:zones")


def build(
    source: Any,
    *,
    departement: str | None,
    lang: str,
    formats: tuple[str, ...],
    manifest: dict[str, Any] | None = None,
) -> dict[str, bytes]:
    """The report files (name → bytes) of ``source`` (a run folder or a stage context).

    ``manifest``: for a running job, the manifest entries not written yet (credits, synthetic).
    Raises :class:`bthd.InputError` / :class:`bthd.ParameterError` for a bad language, format,
    département or a run lacking the coverage tables, before anything is drawn.
    """
    from bthd._errors import ParameterError
    from bthd.i18n import check_lang
    from bthd.reports.content import check_departement, check_tables, report_content

    check_lang(lang, "report")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(
            f"report formats {', '.join(bad) or '(none)'}: use html, pdf or html,pdf"
        )
    check_tables(source)
    check_departement(source, departement)
    png, year = None, None
    has = source.has if hasattr(source, "add_layer") else lambda k: source.has_layer(k[6:])
    if all(has(k) for k in _MAP_LAYERS):
        from bthd.maps.content import map_content
        from bthd.maps.static import static_bytes

        mc = map_content(source)
        png, year = static_bytes(mc, ("png",), lang=lang)["png"], mc.year
    rc = report_content(
        source,
        departement=departement,
        lang=lang,
        map_png=png,
        map_year=year,
        manifest=manifest,
    )
    out: dict[str, bytes] = {}
    if "html" in formats:
        from bthd.reports.html import render_html

        out["report.html"] = render_html(rc).encode("utf-8")
    if "pdf" in formats:
        from bthd.reports.pdf import render_pdf

        out["report.pdf"] = render_pdf(rc)
    return out


def _pending_manifest(ctx: StageContext) -> dict[str, Any]:
    """Credits and synthetic note of a job whose manifest is not written yet."""
    if ctx.source is not None or not ctx.has("artifact:region"):
        return {}
    from bthd.pipeline import credits_of, synthetic_note  # the pipeline's own wording

    region = ctx.get("region")
    note = synthetic_note(region, ctx.seed, bool(ctx.parameters.get("inputs")))
    return {
        "credits": credits_of(region),
        "synthetic": {"layers": list(region.synthetic), "note": note},
    }


def run(ctx: StageContext) -> None:
    opts = ctx.stage_options
    dep = opts.get("departement")
    files = build(
        ctx,
        departement=None if dep is None else str(dep),
        lang=str(opts.get("lang", "fr")),
        formats=tuple(opts.get("formats", FORMATS)),
        manifest=_pending_manifest(ctx),
    )
    for name, data in files.items():
        ctx.add_file(name, data)


register(
    Stage(
        name="report",
        run=run,
        needs=(
            "table:coverage_by_region",
            "table:coverage_by_departement",
            "table:coverage_by_epci",
        ),
        optional_needs=(
            "table:locaux_by_epci",
            "table:locaux_by_departement",
            "table:locaux_by_commune",
            "table:plan_by_year",
            "table:plan_by_departement_year",
            "table:plan_zdep",
            "table:med_selected",
            "table:design_cost_by_departement",
            "table:design_cost_by_epci",
            *_MAP_LAYERS,
        ),
        provides=("file:report.html", "file:report.pdf"),
        order=95,
        description="Commission report (French by default): key figures, coverage by year and "
        "EPCI, map, plan and funding, MED, method, sources; HTML and A4 PDF",
    )
)
