"""Stage ``load``: the region, validated: the user's files where given (``inputs``), the
embedded Brittany data otherwise, and generated (labelled synthetic) only where nothing is given.
"""

from __future__ import annotations

from dataclasses import replace

from bthd.inputs import region_from_inputs
from bthd.region import Region
from bthd.schema import validate
from bthd.settings import DEFAULT_DEMO_EPCI
from bthd.stages._registry import Stage, StageContext, register

#: Region attribute → layer kind of :mod:`bthd.schema`.
_KINDS = {
    "communes": "communes",
    "epci": "epci",
    "departements": "departements",
    "premises": "premises",
    "road_edges": "roads",
    "sites": "sites",
    "links": "links",
}


def validated(region: Region) -> Region:
    """Validate every layer of a region against its schema (every problem at once)."""
    changes = {}
    for attr, kind in _KINDS.items():
        g = getattr(region, attr)
        if g is not None and len(g):
            changes[attr] = validate(g, kind, source=f"{region.name}:{attr}")
    return replace(region, **changes)


#: Keys of ``parameters["inputs"]``: the user's files (see :func:`bthd.inputs.region_from_inputs`).
INPUT_KEYS = ("data", "premises", "roads", "copper", "communes")


def user_inputs(parameters: dict[str, object]) -> dict[str, str]:
    """The user's files among a run's parameters (empty: the embedded sample)."""
    given = parameters.get("inputs") or {}
    assert isinstance(given, dict)
    return {k: str(v) for k, v in given.items() if k in INPUT_KEYS and v is not None}


def run(ctx: StageContext) -> None:
    p = ctx.parameters
    epci, departement = p.get("epci"), p.get("departement")
    files = user_inputs(p)
    if files:
        region = region_from_inputs(**files, epci=epci, departement=departement, seed=ctx.seed)
    else:
        if not p.get("whole_region") and epci is None and departement is None:
            epci = DEFAULT_DEMO_EPCI
        zone_types = p.get("zone_types", ("RIP",))
        region = Region.embedded(
            epci=epci,
            departement=departement,
            zone_types=tuple(zone_types) if zone_types else None,
            seed=ctx.seed,
        )
    region = validated(region)
    ctx.put("region", region)
    for name, gdf in region.layers().items():
        ctx.add_layer("backbone" if name == "links" else name, gdf)


register(
    Stage(
        name="load",
        run=run,
        provides=(
            "artifact:region",
            "layer:communes",
            "layer:epci",
            "layer:departements",
            "layer:premises",
            "layer:sites",
            "layer:backbone",
            "layer:roads",
            "layer:road_nodes",
        ),
        order=10,
        description="Load the region (embedded data; synthetic premises, roads, copper) and "
        "validate every layer",
    )
)
