"""Stage ``summary``: locaux by commune, EPCI, département and zone type; generator realism."""

from __future__ import annotations

from bthd.coverage import locaux_summary
from bthd.region import Region
from bthd.stages._registry import Stage, StageContext, register
from bthd.synth import SyntheticRegion, realism_table


def run(ctx: StageContext) -> None:
    region: Region = ctx.get("region")
    for k, v in locaux_summary(region).items():
        ctx.add_table(f"locaux_{k}", v)
    generated = region.meta.get("layers", {}).get("premises", "synthetic") == "synthetic"
    if region.premises is not None and generated and "settlement" in region.premises.columns:
        # how the generator's premises compare with the real counts (generated premises only)
        with_premises = region.communes["insee_code"].isin(region.premises["insee_code"].unique())
        synth = SyntheticRegion(region.premises, region.road_nodes, region.road_edges, region.sites)
        ctx.add_table("synthetic_realism", realism_table(synth, region.communes[with_premises]))


register(
    Stage(
        name="summary",
        run=run,
        needs=("artifact:region",),
        provides=(
            "table:locaux_by_commune",
            "table:locaux_by_epci",
            "table:locaux_by_departement",
            "table:locaux_by_zone_type",
            "table:synthetic_realism",
        ),
        order=20,
        description="Locaux by commune, EPCI, département and zone type; realism of the "
        "synthetic generator",
    )
)
