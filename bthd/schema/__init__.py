"""Schemas of bthd's layers: the only place that names their columns, kinds, IDs and geometry.

Use :func:`validate` at entry points (readers, public functions) to check a layer and bring it
to the working CRS (Lambert-93). Column names are used through the constants of this module
(``COMMUNES.id_column``, ``PREMISES.column_names``...), never spelled again elsewhere.

Glossary of the trade words used in columns:

* *locaux*: logements (dwellings) plus locaux professionnels: the lines an FTTH network serves.
* ZTD / AMII / RIP: very dense zone; zone where a private operator committed to build (L.33-13);
  public-initiative network (the BTHD perimeter).
* NRO / PM / PBO: optical central office; point de mutualisation (street cabinet);
  point de branchement optique (the box a drop starts from).
* NRA / SR: copper central office; copper sub-distributor.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from bthd._validate import ColumnSpec as C
from bthd._validate import LayerSpec, validate_layer
from bthd.settings import WORK_CRS

ZONE_TYPES = ("ZTD", "AMII", "RIP")
PREMISE_KINDS = ("residential", "business", "mixed")
SITE_TYPES = ("POP", "NRO", "PM", "PBO", "NRA", "SR", "NRAMED", "NRAZO")
#: GraceTHD ``l_infra_type_log`` codes, plus CU for copper lines.
LINK_TYPES = ("CO", "TR", "DI", "RA", "CU")
ZONE_KINDS = ("ZNRO", "ZPM", "ZPBO", "ZDEP")
EPCI_TYPES = ("CC", "CA", "CU", "METRO", "MET69")
#: Civil-works types of a road edge (issue: trenching view of the road graph).
WORKS_TYPES = ("aerial", "duct_reuse", "new_trench", "road_crossing")

_POLY = ("Polygon", "MultiPolygon")

COMMUNES = LayerSpec(
    "communes",
    "insee_code",
    (
        C("insee_code", "str", description="INSEE code (COG)"),
        C("name", "str"),
        C("departement", "str"),
        C("epci_siren", "str", nullable=True, description="SIREN of the EPCI; empty for islands"),
        C("population", "int", min=0, description="population municipale"),
        C("logements", "int", min=0, required=False, description="Arcep 2018: INSEE dwellings"),
        C(
            "etablissements",
            "int",
            min=0,
            required=False,
            description="Arcep 2018: establishments with at least one employee",
        ),
        C("locaux", "int", min=0, description="logements + etablissements: lines to serve"),
        C("zone_type", "str", codes=ZONE_TYPES, description="ZTD, AMII or RIP"),
        C(
            "locaux_raccordables_2018",
            "int",
            min=0,
            required=False,
            description="Arcep T1 2018 FTTH raccordables",
        ),
    ),
    _POLY,
    "Communes (COG) with their locaux and zone type",
)

EPCI = LayerSpec(
    "epci",
    "epci_siren",
    (
        C("epci_siren", "str"),
        C("name", "str"),
        C(
            "epci_type",
            "str",
            codes=EPCI_TYPES,
            description="CC, CA, CU, METRO (métropole) or MET69 (Lyon)",
        ),
        C("population", "int", min=0, description="population of its Breton communes"),
    ),
    _POLY,
    "EPCI à fiscalité propre",
)

DEPARTEMENTS = LayerSpec(
    "departements",
    "departement",
    (C("departement", "str"), C("name", "str")),
    _POLY,
    "Départements",
)

PREMISES = LayerSpec(
    "premises",
    "premise_id",
    (
        C("premise_id", "str"),
        C("insee_code", "str"),
        C("logements", "int", min=0, description="dwellings at the address"),
        C("locaux_pro", "int", min=0, description="business premises at the address"),
        C("kind", "str", codes=PREMISE_KINDS),
        C("synthetic", "bool", description="True when generated, not observed"),
    ),
    ("Point",),
    "Premises (locaux): one row per address point",
)

ROADS = LayerSpec(
    "roads",
    None,
    (
        C("u", "int", required=False, description="start node id"),
        C("v", "int", required=False, description="end node id"),
        C("length", "float", required=False, min=0, description="length in metres"),
        C("highway", "str", required=False, nullable=True, description="OSM highway class"),
        C(
            "works",
            "str",
            required=False,
            nullable=True,
            codes=WORKS_TYPES,
            description="civil-works type",
        ),
    ),
    ("LineString", "MultiLineString"),
    "Road edges (LineStrings); a graph is built from them",
)

ROAD_NODES = LayerSpec(
    "road_nodes",
    "node_id",
    (
        C("node_id", "int", min=0, description="node id, referenced by roads.u and roads.v"),
        C("x", "float", required=False),
        C("y", "float", required=False),
    ),
    ("Point",),
    "Road graph nodes",
)

SITES = LayerSpec(
    "sites",
    "site_id",
    (
        C("site_id", "str"),
        C("site_type", "str", codes=SITE_TYPES),
        C("name", "str", required=False, nullable=True),
        C(
            "capacity",
            "int",
            required=False,
            nullable=True,
            min=0,
            description="lines (PM, NRO, NRA, SR) or locaux (PBO)",
        ),
        C(
            "tv",
            "bool",
            required=False,
            nullable=True,
            description="NRA equipped for TV over DSL (empty for other sites)",
        ),
        C("synthetic", "bool", required=False),
    ),
    ("Point",),
    "Network sites: PoP, NRO, PM, PBO, NRA, SR",
)

LINKS = LayerSpec(
    "links",
    "link_id",
    (
        C("link_id", "str"),
        C(
            "link_type",
            "str",
            codes=LINK_TYPES,
            description="CO collecte/backbone, TR transport, DI distribution, RA drop, CU copper",
        ),
        C("from_site", "str", nullable=True),
        C("to_site", "str", nullable=True),
        C("capacity_gbps", "float", required=False, nullable=True, min=0),
        C("fibres", "int", required=False, nullable=True, min=0),
        C("length_m", "float", required=False, min=0),
        C("synthetic", "bool", required=False),
    ),
    ("LineString", "MultiLineString"),
    "Links between sites",
)

ZONES = LayerSpec(
    "zones",
    "zone_id",
    (
        C("zone_id", "str"),
        C("zone_kind", "str", codes=ZONE_KINDS),
        C("parent_id", "str", required=False, nullable=True),
        C("phase", "int", required=False, nullable=True, min=0),
        C("tranche", "int", required=False, nullable=True, min=0),
        C("year", "int", required=False, nullable=True, min=1990),
    ),
    _POLY,
    "Zones: ZNRO, PM zones, ZPBO, deployment zones with phase, tranche and year",
)

LAYERS: dict[str, LayerSpec] = {
    s.name: s
    for s in (COMMUNES, EPCI, DEPARTEMENTS, PREMISES, ROADS, ROAD_NODES, SITES, LINKS, ZONES)
}


def validate(
    data: gpd.GeoDataFrame | pd.DataFrame,
    kind: str,
    *,
    source: str = "<in-memory>",
    repair: bool = False,
) -> gpd.GeoDataFrame:
    """Validate a layer and return it in Lambert-93.

    Parameters
    ----------
    data
        The layer to check.
    kind
        One of :data:`LAYERS` (``communes``, ``epci``, ``departements``, ``premises``, ``roads``,
        ``road_nodes``, ``sites``, ``links``, ``zones``).
    source
        Name of the input in messages.
    repair
        Repair invalid geometries with ``make_valid`` (a warning counts them).

    Returns
    -------
    geopandas.GeoDataFrame
        A validated copy in EPSG:2154.

    Raises
    ------
    bthd.ValidationError
        Listing every problem found: missing columns, wrong kinds, nulls, duplicated IDs,
        unknown codes, missing CRS, null/empty/invalid geometries, wrong geometry types.
    """
    if kind not in LAYERS:
        raise ValueError(f"unknown layer kind {kind!r}; use one of {', '.join(LAYERS)}")
    return validate_layer(data, LAYERS[kind], source=source, repair=repair, target_crs=WORK_CRS)


__all__ = [
    "COMMUNES",
    "DEPARTEMENTS",
    "EPCI",
    "LAYERS",
    "LINKS",
    "LINK_TYPES",
    "PREMISES",
    "PREMISE_KINDS",
    "ROADS",
    "ROAD_NODES",
    "SITES",
    "SITE_TYPES",
    "WORKS_TYPES",
    "ZONES",
    "ZONE_KINDS",
    "ZONE_TYPES",
    "LayerSpec",
    "validate",
]
