"""Stage ``map``: the interactive web map of the run (and, on request, the printed maps).

Options (``options["map"]``): ``year`` (coverage year; default the first year half the locaux
are FTTH), ``epci`` (one EPCI at the detail scale), ``static`` (``["png", "pdf"]``). Needs only
layers and tables, so it also runs on an existing run folder (``bthd map RUN`` does so through
:meth:`bthd.io.runs.Run.add`). The page (and pictures) are handed on as artifacts
``map_html`` (str) and ``map_static`` (format → bytes); a context that can write files
(``add_file``) also gets ``map.html`` / ``map.png`` / ``map.pdf``.
"""

from __future__ import annotations

from bthd.stages._registry import Stage, StageContext, register

#: Tables and layers the map reads when the run has them.
OPTIONAL = (
    "layer:epci",
    "layer:departements",
    "layer:backbone",
    "layer:zdep",
    "table:eligibility_by_year",
    "table:eligibility_by_premise",
    "table:coverage_by_commune",
    "table:ftth_schedule",
    "table:design_cost_by_commune",
    "table:design_cost_by_pm",
    "table:med_selected",
)


def run(ctx: StageContext) -> None:
    from bthd.maps.content import map_content
    from bthd.maps.static import static_bytes
    from bthd.maps.web import render_html

    opts = ctx.stage_options
    year = opts.get("year")
    mc = map_content(ctx, year=int(year) if year is not None else None, epci=opts.get("epci"))
    page = render_html(mc)
    formats = tuple(opts.get("static", ()))
    pictures = static_bytes(mc, formats) if formats else {}
    ctx.put("map_html", page)
    ctx.put("map_static", pictures)
    ctx.add_file("map.html", page.encode("utf-8"))
    for fmt, data in pictures.items():
        ctx.add_file(f"map.{fmt}", data)
    ctx.note(
        "Map: " + " ".join(mc.aggregated) + " Base maps: OpenStreetMap contributors; IGN "
        "Géoplateforme orthophotos (WMTS ORTHOIMAGERY.ORTHOPHOTOS)."
    )


register(
    Stage(
        name="map",
        run=run,
        needs=("layer:communes", "layer:sites", "layer:links", "layer:zones", "layer:premises"),
        optional_needs=OPTIONAL,
        provides=("artifact:map_html", "artifact:map_static", "file:map.html"),
        order=90,
        description="Interactive web map (self-contained HTML, offline) and printed maps of "
        "coverage by commune and the network",
    )
)
