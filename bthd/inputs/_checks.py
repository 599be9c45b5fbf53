"""What a set of files gives for a design, every problem at once (:func:`check_inputs`, the
report of ``bthd region check``)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import BthdError, Problem
from bthd.inputs._assemble import _Inputs, region_from_inputs
from bthd.inputs._readers import premises_format
from bthd.region import Region
from bthd.settings import DEFAULT_SEED


@dataclass
class InputsCheck:
    """What :func:`check_inputs` found in a set of files.

    Attributes
    ----------
    files
        One row per file: ``path``, ``role`` (data, premises, roads, copper, communes),
        ``format``, ``crs``, ``rows``, ``inside`` (share of its features in the area).
    layers
        One row per layer of a design: ``layer``, ``status`` (``real``, ``embedded`` or
        ``missing: generated``), ``count`` and ``detail``.
    problems
        What stops a design (unreadable files, schema problems...): every one.
    warnings
        What a design runs with but should be looked at: premises farther than
        :data:`FAR_FROM_ROAD_M` from any road, duplicated addresses, INSEE codes that do not
        match the commune a premise lies in, roads in several parts, CRSs reprojected.
    region
        The region a design would run on, or None when there are problems.
    """

    files: pd.DataFrame
    layers: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem]
    region: Region | None

    @property
    def ok(self) -> bool:
        """Whether a design can run on these files."""
        return not self.problems and self.region is not None


#: Distance (m) from every road beyond which a premise cannot be connected (the design's drop).
FAR_FROM_ROAD_M = 500.0


def classify_input(path: str | os.PathLike[str]) -> str:
    """The role of a file in a region: ``data``, ``premises``, ``roads``, ``copper`` or
    ``communes`` (from its suffix, its layers, its columns and its geometry)."""
    from bthd import io
    from bthd.io.pbf import is_osm_file
    from bthd.region import REGION_LAYERS

    p = Path(path)
    if not p.exists():
        from bthd._errors import InputNotFoundError

        raise InputNotFoundError(p)
    if is_osm_file(p):
        return "roads"
    if p.is_dir():
        return "data"
    if p.suffix.lower() == ".gpkg" and "communes" in io.list_layers(p):
        layers = set(io.list_layers(p))
        if len(layers & set(REGION_LAYERS)) > 1 or layers == {"communes"}:
            return "data" if len(layers & set(REGION_LAYERS)) > 1 else "communes"
    if premises_format(p) in ("BAN", "IPE"):
        return "premises"
    gdf = io.read(p)
    cols = {str(c).lower() for c in gdf.columns}
    kinds = set(gdf.geom_type.dropna().unique())
    if kinds and kinds <= {"LineString", "MultiLineString"}:
        return "roads"
    if kinds and kinds <= {"Polygon", "MultiPolygon"}:
        return "communes"
    if "site_type" in cols:
        return "copper"
    return "premises"


def check_inputs(
    paths: list[str | os.PathLike[str]],
    *,
    epci: str | None = None,
    departement: str | None = None,
    seed: int = DEFAULT_SEED,
) -> InputsCheck:
    """Report on what a set of files gives for a design, every problem at once.

    Each file's role is found (:func:`classify_input`), the region is assembled as
    :func:`region_from_inputs` would, and the real layers are checked against each other.
    """
    got = _Inputs()
    roles: dict[str, Path] = {}
    for path in paths:
        try:
            role = classify_input(path)
        except BthdError as exc:
            got.add(path, exc)
            continue
        if role in roles:
            got.problems.append(
                Problem(
                    f"{path}: a second {role} file (after {roles[role]})",
                    fix=f"give one {role} file (merge them first)",
                )
            )
            continue
        roles[role] = Path(path)
    region = None
    warn: list[Problem] = []
    if not got.problems:
        import warnings as _w

        with _w.catch_warnings(record=True) as caught, _LogCapture() as logged:
            _w.simplefilter("always")
            try:
                region = region_from_inputs(
                    **roles,
                    epci=epci,
                    departement=departement,
                    seed=seed,
                )
            except BthdError as exc:
                got.add("", exc)
        warn += [Problem(str(w.message)) for w in caught]
        warn += [Problem(m) for m in logged.messages]
    if region is not None:
        warn += _cross_checks(region)
    files = pd.DataFrame(
        [
            {
                "path": str(p),
                "role": r,
                **_file_facts(region, r),
            }
            for r, p in roles.items()
        ],
        columns=["path", "role", "format", "crs", "rows", "inside"],
    )
    return InputsCheck(files, _layer_table(region), got.problems, warn, region)


class _LogCapture(logging.Handler):
    """Warnings logged by bthd while a region is assembled, kept as messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _LogCapture:
        # the messages go into the report instead of the terminal (restored on exit)
        logger = logging.getLogger("bthd")
        self._saved = logger.handlers[:]
        logger.handlers[:] = [self]
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("bthd").handlers[:] = self._saved


def _file_facts(region: Region | None, role: str) -> dict[str, Any]:
    if region is None:
        return {}
    rec: dict[str, Any] = next((i for i in region.meta["inputs"] if i["role"] == role), {})
    inside = None
    layer = {"premises": region.premises, "roads": region.road_edges, "copper": region.sites}
    g = layer.get(role)
    if g is not None and len(g) and region.meta["layers"].get(_LAYER_OF.get(role, "")) == "real":
        inside = round(float(g.intersects(region.communes.geometry.union_all()).mean()), 4)
    return {k: rec.get(k) for k in ("format", "crs", "rows")} | {"inside": inside}


_LAYER_OF = {"premises": "premises", "roads": "roads", "copper": "copper sites"}


def _layer_table(region: Region | None) -> pd.DataFrame:
    cols = ["layer", "status", "count", "detail"]
    if region is None:
        return pd.DataFrame(columns=cols)
    st = region.meta["layers"]
    prem, edges = region.premises, region.road_edges
    sites = region.sites if region.sites is not None else gpd.GeoDataFrame()
    copper = sites[sites["site_type"].isin(["NRA", "SR"])] if len(sites) else sites
    locaux = int((prem["logements"] + prem["locaux_pro"]).sum()) if prem is not None else 0
    km = float(edges["length"].sum()) / 1000 if edges is not None else 0.0
    parts = len(region.meta.get("road_components", []))
    rows = [
        ("communes", st.get("communes"), len(region.communes), region.meta["area"]["rule"]),
        ("premises", st.get("premises"), len(prem) if prem is not None else 0, f"{locaux} locaux"),
        (
            "roads",
            st.get("roads"),
            len(edges) if edges is not None else 0,
            f"{km:.1f} km, {parts} part{'s' if parts > 1 else ''}",
        ),
        ("copper sites", st.get("copper sites"), len(copper), "NRA and SR"),
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["status"] = out["status"].map(
        lambda v: "missing: generated (synthetic)" if v == "synthetic" else v
    )
    return out


def _cross_checks(region: Region) -> list[Problem]:
    """Premises far from the roads, duplicated addresses, INSEE codes against positions."""
    out: list[Problem] = []
    prem, edges = region.premises, region.road_edges
    st = region.meta["layers"]
    if prem is None or edges is None or st.get("premises") != "real":
        return out
    ids = prem["premise_id"].astype(str).to_numpy()
    tree = shapely.STRtree(edges.geometry.to_numpy())
    pts = prem.geometry.to_numpy()
    near = np.zeros(len(pts), bool)
    near[tree.query(pts, predicate="dwithin", distance=FAR_FROM_ROAD_M)[0]] = True
    if (~near).any():
        out.append(
            Problem(
                f"premises farther than {FAR_FROM_ROAD_M:g} m from any road (not connectable)",
                tuple(f"premise_id={i}" for i in ids[~near]),
                "check their coordinates, or give roads that reach them",
            )
        )
    key = [c for c in ("numero", "rep", "nom_voie", "insee_code") if c in prem.columns]
    same_pos = prem.geometry.to_wkb().duplicated(keep=False).to_numpy()
    same_addr = (
        prem[key].astype(str).duplicated(keep=False).to_numpy()
        if "nom_voie" in key
        else np.zeros(len(prem), bool)
    )
    dup = same_pos | same_addr
    if dup.any():
        out.append(
            Problem(
                "duplicated addresses (same position or same number and street)",
                tuple(f"premise_id={i}" for i in ids[dup]),
                "remove the repeats, or check that the file was not concatenated twice",
            )
        )
    com = region.communes
    pi, ci = shapely.STRtree(com.geometry.to_numpy()).query(pts, predicate="within")
    located = pd.Series(com["insee_code"].to_numpy()[ci], index=pi)
    located = located[~located.index.duplicated()]
    code = prem["insee_code"].astype(str).to_numpy()
    unknown = ~np.isin(code, com["insee_code"].to_numpy())
    wrong = np.zeros(len(prem), bool)
    wrong[located.index] = located.to_numpy() != code[located.index]
    if (unknown | wrong).any():
        out.append(
            Problem(
                "INSEE codes that do not match the commune the premise lies in "
                "(an old commune code, a merged commune, or a wrong position)",
                tuple(
                    f"premise_id={i} ({c})"
                    for i, c in zip(ids[unknown | wrong], code[unknown | wrong], strict=True)
                ),
                "use the current (COG) codes, or check the positions",
            )
        )
    return out
