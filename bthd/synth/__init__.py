"""Synthetic premises, roads and copper plant for communes whose real layers are not open data.

Brittany's premises positions, its rural road network and Orange's copper plant are not
available offline (see ``data/README.md``). This module generates them **deterministically**
from the real commune data (polygon, reference point, Arcep *locaux* and *établissements*), so
that the whole pipeline runs on one command. Every generated feature carries ``synthetic=True``.

The model follows Brittany's settlement pattern (dispersed housing):

* a **bourg** around the commune's reference point: a street grid (spacing
  ``street_spacing_m``, random orientation) clipped to the commune, with addresses along its
  streets (collective buildings of several dwellings in larger towns);
* **hamlets** (*lieux-dits*) spread over the rest of the commune, each with one or two short
  spur streets carrying its houses; their sizes follow a skewed distribution (many isolated
  houses and small hamlets, a few large ones);
* **rural roads** joining bourgs and hamlets, inside and across communes: a minimum spanning
  tree of their Delaunay triangulation plus a share of the shorter extra Delaunay edges (loops),
  never across the sea (islands stay islands);
* a **copper plant**: an NRA in each commune that is large or far from any other NRA, every
  commune attached to its nearest NRA, and SRs (sub-distributors) grouping hamlets and
  the bourgs of communes without an NRA.

Measured realism (metres of road per premise, share of premises in bourgs by commune size) is
written in ``data/README.md`` and recomputed by :func:`realism_table`.

Not for: real data (read it with :mod:`bthd.io`), or the FTTH design (:mod:`bthd.network`).

**Where each step lives.** :func:`generate` runs the steps in a fixed order, all drawing from one
random generator (the order of the draws is part of the output of a seed):

1. ``_settlements``: the bourgs' street grids and addresses, the hamlets, their spur streets;
2. ``_roads``: the rural roads between settlements (never across the sea), the noding of every
   segment into the road layers, and :func:`landmasses`;
3. ``_premises``: the premises layer (inside their commune, one per position, businesses);
4. ``_copper``: the copper plant (NRAs, SRs);
5. :mod:`bthd.synth.realism`: :func:`realism_table`, which measures the result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd.settings import SYNTH, WORK_CRS, WORK_EPSG, SynthSettings
from bthd.synth._copper import copper_plant
from bthd.synth._premises import assemble_premises
from bthd.synth._roads import Roads, Settlements, landmasses, road_layers, rural_roads
from bthd.synth._settlements import bourg_share, bourgs, hamlets, spurs
from bthd.synth.realism import realism_table

log = logging.getLogger(__name__)

#: Version of the generator: bumped whenever its output changes for the same seed.
GENERATOR_VERSION = "2"

__all__ = ["GENERATOR_VERSION", "SyntheticRegion", "generate", "landmasses", "realism_table"]


@dataclass
class SyntheticRegion:
    """What :func:`generate` returns: premises, the road network as two layers, the copper plant.

    Attributes
    ----------
    premises
        One row per address point (:data:`bthd.schema.PREMISES` columns, plus ``settlement``
        — ``bourg`` or ``hamlet`` —, ``settlement_id``, ``nra_id``, ``sr_id``).
    road_nodes
        Road graph nodes: ``node_id`` (int), ``x``, ``y`` and a Point geometry.
    road_edges
        Road edges (undirected, one row each): ``u``, ``v``, ``length`` (m), ``highway``,
        ``insee_code`` and a LineString geometry.
    copper_sites
        NRA and SR sites (:data:`bthd.schema.SITES` columns, plus ``nra_id`` of an SR).
    """

    premises: gpd.GeoDataFrame
    road_nodes: gpd.GeoDataFrame
    road_edges: gpd.GeoDataFrame
    copper_sites: gpd.GeoDataFrame


def generate(
    communes: gpd.GeoDataFrame,
    *,
    seed: int | None = None,
    settings: SynthSettings = SYNTH,
    zone_types: tuple[str, ...] | None = None,
    only: set[str] | None = None,
) -> SyntheticRegion:
    """Generate premises, roads and a copper plant for communes.

    Parameters
    ----------
    communes
        Communes with ``insee_code``, ``locaux``, ``etablissements``, ``centre_x``, ``centre_y``
        and polygons in Lambert-93 (the embedded layer or a subset of it).
    seed
        Random seed; the same communes and seed give the same output. Default: settings.seed.
    settings
        Generator parameters.
    zone_types
        Generate premises only in communes of these zone types (e.g. ``("RIP",)``); roads
        and copper are generated for the same communes. Default: all.
    only
        Generate only for these INSEE codes; the other communes given are used as land
        (roads between generated communes may cross them) but get nothing.

    Returns
    -------
    SyntheticRegion
    """
    s = settings
    seed = s.seed if seed is None else seed
    com, land, com_land = _communes(communes, zone_types=zone_types, only=only)
    n_com = len(com)
    rng = np.random.default_rng(seed)
    polys = com.geometry.to_numpy()
    shapely.prepare(polys)
    locaux = com["locaux"].to_numpy(np.int64)
    etab = np.minimum(com["etablissements"].to_numpy(np.int64), locaux)
    cx = com["centre_x"].to_numpy(float)
    cy = com["centre_y"].to_numpy(float)
    insee = com["insee_code"].to_numpy()

    share = bourg_share(locaux, s, rng)
    n_bourg_locaux = np.round(locaux * share).astype(np.int64)
    roads = Roads()
    bg = bourgs(polys, cx, cy, locaux, n_bourg_locaux, s, rng, roads)
    ham = hamlets(polys, cx, cy, locaux - n_bourg_locaux, bg.grid_nodes, s, rng)
    rows = [*bg.rows, spurs(ham, s, rng, roads)]
    settlements = Settlements(
        x=np.r_[bg.node_xy[:, 0], ham.x],
        y=np.r_[bg.node_xy[:, 1], ham.y],
        commune=np.r_[np.arange(n_com), ham.commune],
        is_bourg=np.r_[np.ones(n_com, bool), np.zeros(len(ham.x), bool)],
        grid_nodes=bg.grid_nodes,
    )
    rural_roads(settlements, land, roads, rng)
    road_nodes, road_edges = road_layers(roads, insee, com_land)
    premises, P = assemble_premises(rows, polys, cx, cy, etab, insee, rng)
    copper_sites, nra_of, sr_of = copper_plant(com, bg.node_xy, P, ham, s, rng)
    premises["nra_id"] = nra_of
    premises["sr_id"] = sr_of
    log.info(
        "synthetic region: %d communes, %d premises (%d locaux), %d road edges, %d nodes",
        n_com,
        len(premises),
        int(P["locaux"].sum()),
        len(road_edges),
        len(road_nodes),
    )
    return SyntheticRegion(premises, road_nodes, road_edges, copper_sites)


def _communes(
    communes: gpd.GeoDataFrame,
    *,
    zone_types: tuple[str, ...] | None,
    only: set[str] | None,
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """The communes to generate for (sorted by INSEE code, Lambert-93), the land polygons of
    every commune given, and the landmass label of each commune generated.

    Raises
    ------
    ValueError
        When no commune is left after the subset and the zone types.
    """
    com = communes
    all_com = communes.to_crs(WORK_CRS) if communes.crs is not None else communes
    land = all_com.geometry.to_numpy()
    land_label = pd.Series(landmasses(land), index=all_com["insee_code"].to_numpy())
    if zone_types is not None:
        com = com[com["zone_type"].isin(zone_types)]
    if only is not None:
        com = com[com["insee_code"].isin(only)]
    com = com.sort_values("insee_code").reset_index(drop=True)
    if com.crs is None or com.crs.to_epsg() != WORK_EPSG:
        com = com.to_crs(WORK_CRS)
    if len(com) == 0:
        raise ValueError("no commune to generate premises for (check the subset and zone types)")
    com_land = land_label.reindex(com["insee_code"].to_numpy()).to_numpy()
    return com, land, com_land
