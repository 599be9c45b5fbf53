"""A Region: the validated layers of an area plus its road graph.

A :class:`Region` holds communes, EPCI, départements, premises, the road network (as node and
edge layers, with an osmnx-compatible ``MultiDiGraph`` built on demand), network sites (backbone
PoPs, copper NRA/SR) and links. It loads from a folder or GeoPackage of a user's layers, or from
the embedded Brittany data with synthetic premises, roads and copper plant
(:meth:`Region.embedded`), and can be cut down to an EPCI or a département (:meth:`Region.subset`).

Not for: computing the design or any figure (see :mod:`bthd.network` and the analysis modules).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from bthd._errors import InputError, InputNotFoundError, Problem, ValidationError
from bthd.settings import DEFAULT_SEED, SYNTH, WORK_CRS, SynthSettings

log = logging.getLogger(__name__)

#: Layer name in a region GeoPackage → schema kind.
REGION_LAYERS: dict[str, str] = {
    "communes": "communes",
    "epci": "epci",
    "departements": "departements",
    "premises": "premises",
    "roads": "roads",
    "road_nodes": "road_nodes",
    "sites": "sites",
    "backbone": "links",
    "links": "links",
}


@dataclass
class Region:
    """Validated layers of an area and its road network.

    Attributes
    ----------
    communes, epci, departements
        Administrative layers (:mod:`bthd.schema`); ``epci``/``departements`` may be empty.
    premises
        Address points with their locaux; None when not loaded.
    road_nodes, road_edges
        The road network as layers: nodes (``node_id``, ``x``, ``y``) and undirected edges
        (``u``, ``v``, ``length`` in metres, ``highway``).
    sites, links
        Network sites (PoP, NRA, SR...) and links (backbone...).
    name
        A label for outputs.
    synthetic
        Names of the layers that were generated, not observed.
    meta
        Provenance: seed, generator version, credits, sources.
    """

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    premises: gpd.GeoDataFrame | None = None
    road_nodes: gpd.GeoDataFrame | None = None
    road_edges: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    links: gpd.GeoDataFrame | None = None
    name: str = "region"
    synthetic: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    _graph: nx.MultiDiGraph | None = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------------------------ constructors
    @classmethod
    def embedded(
        cls,
        *,
        epci: str | None = None,
        departement: str | None = None,
        communes: list[str] | None = None,
        zone_types: tuple[str, ...] | None = ("RIP",),
        seed: int = DEFAULT_SEED,
        settings: SynthSettings = SYNTH,
    ) -> Region:
        """The embedded Brittany data, with synthetic premises, roads and copper plant.

        Parameters
        ----------
        epci, departement
            Keep one EPCI (SIREN) or one département (code); both None = the whole region.
        communes
            Keep these communes (INSEE codes) only.
        zone_types
            Generate premises in communes of these zone types (default: the RIP, i.e. the
            public network's area); None = every commune.
        seed
            Seed of the synthetic generator.
        """
        from bthd import data, synth

        all_communes = data.load_communes()
        region = cls(
            communes=all_communes,
            epci=data.load_epci(),
            departements=data.load_departements(),
            sites=data.load_pops(),
            links=data.load_backbone(),
            name="bretagne",
            meta={"credits": data.CREDITS, "source": str(data.embedded_gpkg())},
        )
        if epci is not None or departement is not None:
            region = region.subset(epci=epci, departement=departement)
        if communes is not None:
            region = region.subset(communes=communes)
        # the communes around are land for the generator, so roads can cross other zones
        sy = synth.generate(
            _with_neighbours(all_communes, region.communes),
            seed=seed,
            settings=settings,
            zone_types=zone_types,
            only=set(region.communes["insee_code"]),
        )
        sites = pd.concat([region.sites, sy.copper_sites], ignore_index=True)
        return replace(
            region,
            premises=sy.premises,
            road_nodes=sy.road_nodes,
            road_edges=sy.road_edges,
            sites=gpd.GeoDataFrame(sites, geometry="geometry", crs=WORK_CRS),
            synthetic=("premises", "roads", "copper sites"),
            meta={
                **region.meta,
                "seed": seed,
                "generator_version": synth.GENERATOR_VERSION,
                "zone_types": list(zone_types) if zone_types else "all",
                "synth_settings": settings.model_dump(),
            },
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, repair: bool = False) -> Region:
        """Load a region from a GeoPackage (or a folder of files) of layers.

        The GeoPackage holds layers named after :data:`REGION_LAYERS` (``communes`` required;
        ``epci``, ``departements``, ``premises``, ``roads``, ``sites``, ``links`` optional); a
        folder holds one file per layer, named after the layer (``communes.gpkg``,
        ``premises.parquet``...). Every layer is validated and every problem of every layer is
        reported at once.
        """
        from bthd import io

        p = Path(path)
        if not p.exists():
            raise InputNotFoundError(p, "region file or folder")
        files: dict[str, tuple[Path, str | None]] = {}
        if p.is_dir():
            for f in sorted(p.iterdir()):
                if f.stem in REGION_LAYERS and f.suffix.lower() in (
                    io.VECTOR_SUFFIXES | io.PARQUET_SUFFIXES | io.CSV_SUFFIXES
                ):
                    files[f.stem] = (f, None)
        else:
            for name in io.list_layers(p):
                if name in REGION_LAYERS:
                    files[name] = (p, name)
        if "communes" not in files:
            raise InputError(
                f"{p}: no `communes` layer; a region needs at least communes "
                f"(layers it may hold: {', '.join(REGION_LAYERS)})."
            )
        layers: dict[str, gpd.GeoDataFrame] = {}
        problems: list[Problem] = []
        for name, (f, layer) in files.items():
            try:
                layers[name] = io.read(f, kind=REGION_LAYERS[name], layer=layer, repair=repair)
            except ValidationError as exc:
                problems.extend(
                    Problem(f"layer {name}: {pr.what}", pr.rows, pr.fix) for pr in exc.problems
                )
        if problems:
            raise ValidationError(str(p), problems)
        empty = gpd.GeoDataFrame(geometry=[], crs=WORK_CRS)
        nodes, roads = road_layers(layers.get("roads"), layers.get("road_nodes"), source=str(p))
        links = layers.get("links")
        if "backbone" in layers:
            links = (
                layers["backbone"]
                if links is None
                else gpd.GeoDataFrame(
                    pd.concat([links, layers["backbone"]], ignore_index=True), crs=WORK_CRS
                )
            )
        return cls(
            communes=layers["communes"],
            epci=layers.get("epci", empty),
            departements=layers.get("departements", empty),
            premises=layers.get("premises"),
            road_nodes=nodes,
            road_edges=roads,
            sites=layers.get("sites"),
            links=links,
            name=p.stem,
            synthetic=tuple(
                n
                for n in ("premises", "roads", "sites")
                if n in layers and "synthetic" in layers[n] and layers[n]["synthetic"].any()
            ),
            meta={"source": str(p)},
        )

    # ------------------------------------------------------------------------------ views
    @property
    def graph(self) -> nx.MultiDiGraph:
        """The road network as an osmnx-compatible ``MultiDiGraph`` (built once, then cached).

        Nodes carry ``x``/``y`` (Lambert-93), edges ``length`` (m) and ``highway``, in both
        directions like osmnx's two-way streets; the graph attribute ``crs`` is EPSG:2154.
        Do not modify it: copy it first (``G.copy()``).
        """
        if self._graph is None:
            if self.road_nodes is None or self.road_edges is None:
                raise InputError(f"region {self.name!r} has no road network")
            self._graph = graph_from_layers(self.road_nodes, self.road_edges)
        return self._graph

    def subset(
        self,
        *,
        epci: str | None = None,
        departement: str | None = None,
        communes: list[str] | None = None,
    ) -> Region:
        """The part of the region in one EPCI (SIREN), one département and/or some communes.

        Raises
        ------
        ValueError
            For an unknown EPCI or département, naming the valid ones.
        """
        c = self.communes
        mask = np.ones(len(c), bool)
        if epci is not None:
            epci = str(epci)
            known = set(c["epci_siren"].dropna())
            if epci not in known:
                names = self.epci.set_index("epci_siren")["name"] if len(self.epci) else pd.Series()
                listing = ", ".join(f"{k} ({names.get(k, '?')})" for k in sorted(known)[:80])
                raise InputError(f"unknown EPCI {epci!r}. Known EPCI SIRENs: {listing}")
            mask &= (c["epci_siren"] == epci).to_numpy()
        if departement is not None:
            departement = str(departement).zfill(2)
            known = set(c["departement"])
            if departement not in known:
                raise InputError(
                    f"unknown département {departement!r}; "
                    f"this region has {', '.join(sorted(known))}"
                )
            mask &= (c["departement"] == departement).to_numpy()
        if communes is not None:
            wanted = {str(x) for x in communes}
            unknown_codes = sorted(wanted - set(c["insee_code"]))
            if unknown_codes:
                raise InputError(f"unknown INSEE codes: {', '.join(unknown_codes[:20])}")
            mask &= c["insee_code"].isin(wanted).to_numpy()
        label = "-".join(
            x
            for x in (
                f"epci-{epci}" if epci else "",
                f"dep-{departement}" if departement else "",
                f"{len(communes)}-communes" if communes is not None else "",
            )
            if x
        )
        kept = c[mask].reset_index(drop=True)
        codes = set(kept["insee_code"])
        epci_keep = (
            self.epci[self.epci["epci_siren"].isin(kept["epci_siren"])]
            if len(self.epci)
            else self.epci
        )
        dep_keep = (
            self.departements[self.departements["departement"].isin(kept["departement"])]
            if len(self.departements)
            else self.departements
        )
        premises = None
        if self.premises is not None:
            premises = self.premises[self.premises["insee_code"].isin(codes)].reset_index(drop=True)
        nodes, edges = self.road_nodes, self.road_edges
        if edges is not None and nodes is not None:
            if "insee_code" in edges.columns:
                edges = edges[edges["insee_code"].isin(codes)]
            else:
                area = kept.union_all()
                edges = edges[edges.intersects(area)]
            used = np.unique(np.r_[edges["u"].to_numpy(), edges["v"].to_numpy()])
            nodes = nodes[nodes["node_id"].isin(used)]
            edges, nodes = edges.reset_index(drop=True), nodes.reset_index(drop=True)
        sites = self.sites
        if sites is not None and len(sites):
            area = kept.union_all()
            keep = sites.within(area.buffer(1.0))
            if "site_type" in sites.columns:
                keep |= sites["site_type"].eq("POP")  # the backbone serves every subset
            sites = sites[keep].reset_index(drop=True)
        return replace(
            self,
            communes=kept,
            epci=epci_keep.reset_index(drop=True),
            departements=dep_keep.reset_index(drop=True),
            premises=premises,
            road_nodes=nodes,
            road_edges=edges,
            sites=sites,
            name=f"{self.name}-{label}",
            _graph=None,
        )

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The region's non-empty layers by name (for writing)."""
        out: dict[str, gpd.GeoDataFrame] = {
            "communes": self.communes,
            "epci": self.epci,
            "departements": self.departements,
        }
        for name in ("premises", "sites", "links"):
            g = getattr(self, name)
            if g is not None and len(g):
                out[name] = g
        if self.road_edges is not None:
            out["roads"] = self.road_edges
            out["road_nodes"] = self.road_nodes
        return {k: v for k, v in out.items() if v is not None and len(v)}

    def to_gpkg(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the region's layers into one GeoPackage (atomically)."""
        from bthd.io import write_layers

        return write_layers(self.layers(), path, overwrite=overwrite)


def road_layers(
    roads: gpd.GeoDataFrame | None,
    nodes: gpd.GeoDataFrame | None,
    *,
    source: str = "<in-memory>",
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Node and edge layers of a road network from what a file gives.

    A roads layer with ``u``/``v`` and a ``road_nodes`` layer (as bthd writes them) are used as
    they are, after checking that every ``u``/``v`` is a node; plain LineStrings are noded at
    their intersections (:func:`bthd.io.osm.graph_from_lines`).
    """
    if roads is None:
        return None, None
    if nodes is not None and {"u", "v"} <= set(roads.columns):
        known = pd.Index(nodes["node_id"])
        bad = ~roads["u"].isin(known) | ~roads["v"].isin(known)
        if bad.any():
            raise ValidationError(
                source,
                [
                    Problem(
                        "road edges whose u or v is not in road_nodes",
                        tuple(f"row {i + 1}" for i in np.flatnonzero(bad.to_numpy())),
                        "write roads and road_nodes together, or drop u/v to rebuild the graph",
                    )
                ],
                "roads",
            )
        if "length" not in roads.columns or roads["length"].isna().any():
            roads = roads.assign(length=roads.length.round(2))
        return nodes, roads
    from bthd.io.osm import graph_from_lines

    G = graph_from_lines(roads)
    return layers_from_graph(G)


def layers_from_graph(G: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Node and undirected edge layers from an osmnx-style graph (nodes relabelled 0..n-1)."""
    import shapely

    ids = list(G.nodes)
    index = {n: i for i, n in enumerate(ids)}
    xs = np.array([G.nodes[n]["x"] for n in ids], float)
    ys = np.array([G.nodes[n]["y"] for n in ids], float)
    seen: set[tuple[int, int, int]] = set()
    us, vs, lens, hws, geoms = [], [], [], [], []
    for a, b, k, d in G.edges(keys=True, data=True):
        ia, ib = index[a], index[b]
        key = (min(ia, ib), max(ia, ib), k)
        if key in seen:
            continue
        seen.add(key)
        us.append(ia)
        vs.append(ib)
        lens.append(float(d.get("length", np.nan)))
        hw = d.get("highway")
        hws.append(hw if isinstance(hw, str) or hw is None else ";".join(map(str, hw)))
        geoms.append(d.get("geometry") or shapely.LineString([(xs[ia], ys[ia]), (xs[ib], ys[ib])]))
    crs = G.graph.get("crs", WORK_CRS)
    nodes = gpd.GeoDataFrame(
        {"node_id": np.arange(len(ids), dtype=np.int64), "x": xs, "y": ys},
        geometry=shapely.points(xs, ys),
        crs=crs,
    )
    edges = gpd.GeoDataFrame(
        {
            "u": np.array(us, np.int64),
            "v": np.array(vs, np.int64),
            "length": np.array(lens),
            "highway": hws,
        },
        geometry=geoms,
        crs=crs,
    )
    return nodes, edges


def graph_from_layers(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> nx.MultiDiGraph:
    """An osmnx-compatible ``MultiDiGraph`` from node and undirected edge layers.

    Each undirected edge gives two directed edges (u→v and v→u) with key 0, ``length``,
    ``highway`` and ``osmid`` (the edge's row number); nodes carry ``x`` and ``y``.
    """
    G = nx.MultiDiGraph(crs=WORK_CRS, name="roads")
    ids = nodes["node_id"].to_numpy()
    xs, ys = nodes["x"].to_numpy(), nodes["y"].to_numpy()
    G.add_nodes_from(
        (int(i), {"x": float(x), "y": float(y)}) for i, x, y in zip(ids, xs, ys, strict=True)
    )
    u = edges["u"].to_numpy()
    v = edges["v"].to_numpy()
    length = edges["length"].to_numpy(float)
    hw = edges["highway"].to_numpy() if "highway" in edges.columns else np.full(len(edges), None)
    rows = np.arange(len(edges))
    G.add_edges_from(
        (int(a), int(b), 0, {"osmid": int(r), "length": float(l_), "highway": h})
        for a, b, l_, h, r in zip(u, v, length, hw, rows, strict=True)
    )
    G.add_edges_from(
        (int(b), int(a), 0, {"osmid": int(r), "length": float(l_), "highway": h, "reversed": True})
        for a, b, l_, h, r in zip(u, v, length, hw, rows, strict=True)
    )
    return G


def _with_neighbours(all_communes: gpd.GeoDataFrame, chosen: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The chosen communes plus those that touch them (land for roads at the edges)."""
    if len(chosen) == len(all_communes):
        return all_communes
    hits = all_communes.sindex.query(chosen.geometry.buffer(50.0), predicate="intersects")[1]
    keep = np.zeros(len(all_communes), bool)
    keep[hits] = True
    return all_communes[keep | all_communes["insee_code"].isin(chosen["insee_code"]).to_numpy()]
