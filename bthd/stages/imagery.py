"""Stage ``imagery``: one site view in the run, the network of a PM zone over SYNTHETIC
orthophotos generated for it (``imagery/site_view.png``); real tiles go through ``bthd imagery``.

Options (``options["imagery"]``): ``pm`` (the PM zone; default the one with the most aerial
distribution within ``max_km2``, 6 km²), ``resolution_m`` (1.0: the view shows about a metre
per pixel).
"""

from __future__ import annotations

from bthd.imagery.site_view import pm_with_most_aerial, synthetic_site_view
from bthd.stages._registry import Stage, StageContext, register

NEEDS = ("layer:zones", "layer:sites", "layer:links", "layer:premises", "layer:roads")


def run(ctx: StageContext) -> None:
    opts = ctx.stage_options
    layers = {k.partition(":")[2]: ctx.layer(k.partition(":")[2]) for k in NEEDS}
    if ctx.has("layer:departements"):
        layers["departements"] = ctx.layer("departements")
    pm = opts.get("pm") or pm_with_most_aerial(
        layers["links"], layers["zones"], max_km2=float(opts.get("max_km2", 6.0))
    )
    if pm is None:  # no aerial distribution in the area: nothing to look at
        ctx.note("Imagery: no PM zone with aerial distribution, no site view.")
        return
    region = ctx.artifacts.get("region")
    if region is not None:
        made = list(region.synthetic)
    elif ctx.source is not None:
        made = list((ctx.source.manifest.get("synthetic") or {}).get("layers", []))
    else:
        made = []
    credit = "bthd run" + (f": SYNTHETIC {', '.join(made)} (seeded)" if made else "")
    png = synthetic_site_view(
        layers,
        str(pm),
        data_credit=credit,
        synthetic_data=bool(made),
        resolution_m=float(opts.get("resolution_m", 1.0)),
        seed=ctx.seed,
    )
    ctx.add_file("imagery/site_view.png", png)
    ctx.note(
        f"Imagery: imagery/site_view.png shows PM zone {pm} over SYNTHETIC orthophotos generated "
        "by bthd (not a survey of the place)."
    )


register(
    Stage(
        name="imagery",
        run=run,
        needs=NEEDS,
        optional_needs=("layer:departements",),
        provides=("file:imagery/site_view.png",),
        order=92,
        description="A site view: the network of one PM zone over SYNTHETIC orthophotos",
    )
)
