"""GIS exports of a run folder: GeoPackage with QGIS styles, GeoJSON, GeoParquet, Shapefile.

The run's layers are split into the layers an engineer opens: ``sites`` becomes ``nro``, ``pm``,
``pbo``, ``pop``, ``nra``, ``sr``; ``links`` becomes ``transport_cables`` and
``distribution_cables``; ``zones`` becomes ``znro``, ``zpm``, ``zpbo``. Every output is
reproducible: the same run gives byte-identical files (GeoPackage timestamps come from the
run's manifest through ``OGR_CURRENT_DATE``, the DBF date of a Shapefile likewise), and every
output appears whole or not at all.

* ``gpkg``: ``bthd.gpkg``, every layer in Lambert-93, a ``layer_styles`` table that QGIS
  applies on opening (QML and SLD per styled layer).
* ``geojson``: ``geojson/<layer>.geojson``, RFC 7946 (WGS 84, lon/lat), 7 decimals (about 1 cm).
* ``parquet``: ``parquet/<layer>.parquet``, GeoParquet in Lambert-93.
* ``shp``: ``shp/<layer>.shp`` in Lambert-93 with UTF-8 ``.cpg``; column names longer than
  10 characters are renamed after ``bthd/resources/export/dbf_names.csv`` (a derived name
  otherwise), and ``shp/fields.csv`` lists every layer's column → DBF name.

Not for: the GraceTHD delivery (:mod:`bthd.export.gracethd`).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from bthd._errors import OutputExistsError, ParameterError
from bthd.export import FORMATS, GRACETHD_VERSIONS
from bthd.export._dbf import DbfField, write_shapefile
from bthd.export._run import RunLayers, load_run
from bthd.export.styles import STYLES, qml, sld
from bthd.io import atomic_dir
from bthd.io._gdal import DEFAULT_STAMP, _stamp, reproducible_gpkg_env  # noqa: F401

log = logging.getLogger(__name__)

#: Decimals of GeoJSON coordinates in degrees (1e-7° is about 1 cm).
GEOJSON_DECIMALS = 7

#: How a run layer splits into exported layers: column, value → exported name and title.
SPLITS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "sites": (
        "site_type",
        {
            "NRO": ("nro", "NRO: nœuds de raccordement optique"),
            "PM": ("pm", "PM: points de mutualisation"),
            "PBO": ("pbo", "PBO: points de branchement optique"),
            "POP": ("pop", "PoP: points of presence of the backbone"),
            "NRA": ("nra", "NRA: copper central offices"),
            "SR": ("sr", "SR: copper sub-distributors"),
            "NRAMED": ("nra_med", "NRA-MED: montée en débit cabinets"),
            "NRAZO": ("nra_zo", "NRA-ZO: zone d'ombre cabinets"),
        },
    ),
    "links": (
        "link_type",
        {
            "TR": ("transport_cables", "Transport cables (NRO to PM), by size"),
            "DI": ("distribution_cables", "Distribution cables (PM to PBO), by size"),
            "RA": ("drops", "Drops (PBO to premise)"),
            "CO": ("collecte_links", "Collecte links"),
            "CU": ("copper_lines", "Copper lines"),
        },
    ),
    "zones": (
        "zone_kind",
        {
            "ZNRO": ("znro", "ZNRO: NRO zones"),
            "ZPM": ("zpm", "ZPM: PM zones (zones arrière de PM)"),
            "ZPBO": ("zpbo", "ZPBO: PBO zones"),
            "ZDEP": ("zdep", "Deployment zones (phase, tranche, year)"),
        },
    ),
}

#: Titles of the layers exported as they are.
TITLES = {
    "premises": "Premises (locaux), one row per address point",
    "backbone": "Backbone (collecte) links between PoPs and NROs",
    "roads": "Road edges used for routing",
    "road_nodes": "Road graph nodes",
    "communes": "Communes",
    "epci": "EPCI",
    "departements": "Départements",
    "zdep": "Deployment zones of the plan (phase, tranche, year)",
}


@dataclass
class ExportResult:
    """What :func:`export` wrote: ``files`` per format (relative to ``out``) and row counts."""

    out: Path
    files: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    #: GraceTHD version → the check report of its delivery (when checked).
    checks: dict[str, Any] = field(default_factory=dict)


def export_layers(run: RunLayers) -> dict[str, tuple[gpd.GeoDataFrame, str]]:
    """The run's layers as exported: split by type, empty columns of a split dropped.

    Returns
    -------
    dict
        Exported name → (layer in EPSG:2154, title), in a fixed order.
    """
    out: dict[str, tuple[gpd.GeoDataFrame, str]] = {}
    for name in run.layer_names():
        gdf = run.layer(name)
        if name in SPLITS:
            column, parts = SPLITS[name]
            for value, (new, title) in parts.items():
                sub = gdf[gdf[column] == value]
                if len(sub):
                    keep = [
                        c for c in sub.columns if c == sub.geometry.name or sub[c].notna().any()
                    ]
                    out[new] = (sub[keep].reset_index(drop=True), title)
            others = sorted(set(gdf[column].dropna()) - set(parts))
            for value in others:
                sub = gdf[gdf[column] == value].reset_index(drop=True)
                out[f"{name}_{str(value).lower()}"] = (sub, f"{name}: {value}")
        else:
            out[name] = (gdf, TITLES.get(name, name))
    for name, (gdf, title) in out.items():
        if "synthetic" in gdf.columns and gdf["synthetic"].fillna(False).astype(bool).any():
            out[name] = (gdf, f"{title} [SYNTHETIC rows: column synthetic = 1]")
    return out


def _readme(run: RunLayers, layers: Mapping[str, tuple[gpd.GeoDataFrame, str]]) -> str:
    """What an export holds, and the run's note on synthetic data."""
    note = ""
    sources = run.path / "SOURCES.txt"
    if sources.is_file():
        note = sources.read_text(encoding="utf-8").strip()
    elif isinstance(run.manifest.get("synthetic"), dict):
        note = str(run.manifest["synthetic"].get("note", ""))
    lines = [
        f"Export of the bthd run {run.path.name} (created {run.created}).",
        "bthd.gpkg, parquet/, shp/: EPSG:2154 (Lambert-93). geojson/: WGS 84 (RFC 7946).",
        "shp/fields.csv: column name -> DBF field name of every Shapefile.",
        "gracethd-v2.0.1/, gracethd-v3.0.1/: GraceTHD deliveries (statut AVP; v3 at container "
        "C2), see their README.txt.",
        "",
        "Layers:",
        *(f"  {n}: {len(g)} rows, {t}" for n, (g, t) in layers.items()),
    ]
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def _clean(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns with no values at all typed as text (GDAL cannot guess a type from nothing)."""
    out = gdf.copy()
    for c in out.columns:
        if c != out.geometry.name and out[c].dtype == object and out[c].isna().all():
            out[c] = pd.Series([None] * len(out), index=out.index, dtype="str")
    return out


def _styles_table(names: Sequence[str], stamp: str) -> pd.DataFrame:
    rows = []
    for name in names:
        if name in STYLES:
            rows.append(
                {
                    "f_table_catalog": "",
                    "f_table_schema": "",
                    "f_table_name": name,
                    "f_geometry_column": "geom",
                    "styleName": f"bthd {name}",
                    "styleQML": qml(name),
                    "styleSLD": sld(name),
                    "useAsDefault": True,
                    "description": f"bthd style of {name}",
                    "owner": "bthd",
                    "ui": "",
                    "update_time": stamp.replace("T", " ").replace(".000Z", ""),
                }
            )
    return pd.DataFrame(rows)


def write_gpkg(
    layers: Mapping[str, tuple[gpd.GeoDataFrame, str]], path: Path, *, stamp: str
) -> None:
    """Write layers and their QGIS styles into a new GeoPackage at ``path`` (not atomic)."""
    with reproducible_gpkg_env(stamp) as gpkg_stamp:
        for i, (name, (gdf, title)) in enumerate(layers.items()):
            pyogrio.write_dataframe(
                _clean(gdf),
                path,
                layer=name,
                driver="GPKG",
                append=i > 0,
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
                layer_options={"IDENTIFIER": title, "DESCRIPTION": title, "GEOMETRY_NAME": "geom"},
            )
        styles = _styles_table(list(layers), gpkg_stamp)
        if len(styles):
            pyogrio.write_dataframe(
                styles,
                path,
                layer="layer_styles",
                driver="GPKG",
                append=True,
                layer_options={"FID": "id", "DESCRIPTION": "QGIS layer styles"},
            )


def write_geojson(layers: Mapping[str, tuple[gpd.GeoDataFrame, str]], folder: Path) -> list[Path]:
    """Write one RFC 7946 GeoJSON per layer (WGS 84) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (gdf, _) in layers.items():
        p = folder / f"{name}.geojson"
        pyogrio.write_dataframe(
            _clean(gdf).to_crs("EPSG:4326"),
            p,
            driver="GeoJSON",
            layer_options={
                "RFC7946": "YES",
                "COORDINATE_PRECISION": str(GEOJSON_DECIMALS),
                "WRITE_BBOX": "NO",
            },
        )
        paths.append(p)
    return paths


def write_parquet(layers: Mapping[str, tuple[gpd.GeoDataFrame, str]], folder: Path) -> list[Path]:
    """Write one GeoParquet per layer (Lambert-93) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (gdf, _) in layers.items():
        p = folder / f"{name}.parquet"
        gdf.to_parquet(p, index=False)
        paths.append(p)
    return paths


def _known_dbf_names() -> dict[str, str]:
    text = resources.files("bthd.resources").joinpath("export/dbf_names.csv").read_text("utf-8")
    return {r["column"]: r["dbf_name"] for r in csv.DictReader(io.StringIO(text))}


def dbf_names(columns: Sequence[str]) -> dict[str, str]:
    """DBF field names (at most 10 characters, unique ignoring case) for a layer's columns.

    Names of 10 characters or fewer are kept; longer ones take the name written in
    ``bthd/resources/export/dbf_names.csv``, or else a name derived from the column (each word's
    first letters), numbered when two would clash.

    Parameters
    ----------
    columns
        The layer's column names (without the geometry).

    Returns
    -------
    dict
        Column → DBF name, for every column.
    """
    known = _known_dbf_names()
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        if len(col) <= 10:
            out[col] = col
            used.add(col.lower())
    for col in columns:
        if col in out:
            continue
        name = known.get(col)
        if name is None or name.lower() in used:
            words = [w for w in re.split(r"[^0-9A-Za-z]+", col) if w]
            name = "_".join(w[:3] for w in words)[:10] if words else "field"
        base, n = name, 1
        while name.lower() in used:
            n += 1
            name = f"{base[: 10 - len(str(n)) - 1]}_{n}"
        out[col] = name
        used.add(name.lower())
    return out


def _dbf_kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "L"
    if pd.api.types.is_integer_dtype(s):
        return "N"
    if pd.api.types.is_float_dtype(s):
        return "F"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "D"
    return "C"


def write_shapefiles(
    layers: Mapping[str, tuple[gpd.GeoDataFrame, str]], folder: Path, *, stamp: str
) -> list[Path]:
    """Write one Shapefile per layer (UTF-8 ``.cpg``) and ``fields.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str]] = []
    paths = []
    for name, (gdf, _) in layers.items():
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        mapping = dbf_names(cols)
        rows.extend((name, c, mapping[c]) for c in cols)
        p = folder / f"{name}.shp"
        fields = [
            DbfField(mapping[c], _dbf_kind(gdf[c]), gdf[c].to_numpy(dtype=object)) for c in cols
        ]
        try:
            written = write_shapefile(
                gdf.geometry, p, fields, updated=_stamp(stamp).date(), encoding="utf-8"
            )
        except ValueError as exc:
            raise ParameterError(
                f"layer {name}: cannot be a Shapefile ({exc}); export it as gpkg or parquet, "
                "which have no such limit."
            ) from exc
        paths.extend(written)
    table = folder / "fields.csv"
    with table.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["layer", "column", "dbf_name"])
        w.writerows(rows)
    paths.append(table)
    return paths


def _prepare_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutputExistsError(out)
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(out)
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()  # an empty folder is no output yet: atomic_dir replaces it


def export(
    run: str | os.PathLike[str] | Any,
    formats: Sequence[str],
    out: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    check: bool = False,
    gracethd_versions: Sequence[str] = GRACETHD_VERSIONS,
) -> ExportResult:
    """Export a run folder into ``out``, one subfolder (or file) per format.

    Parameters
    ----------
    run
        A run folder (path, :class:`bthd.io.runs.Run` or :class:`RunLayers`).
    formats
        Some of ``gpkg``, ``geojson``, ``parquet``, ``shp``, ``gracethd``.
    out
        Output folder; refused when it exists and is not empty, unless ``overwrite``. It is
        written in a temporary folder beside it and renamed into place when every format is
        written (a failed export leaves nothing).
    overwrite
        Replace an existing ``out`` (once the new export is complete).
    check
        Check each GraceTHD delivery read back from its files
        (:func:`bthd.export.gracethd.deliveries.check_delivery_any`) and put the reports in
        ``result.checks``.
    gracethd_versions
        GraceTHD versions the ``gracethd`` format writes: ``2.0.1`` into
        ``gracethd-v2.0.1/``, ``3.0.1`` (container C2) into ``gracethd-v3.0.1/``; both by
        default.

    Returns
    -------
    ExportResult
        The files written per format, relative to ``out``, and the exported layers' row counts.

    Raises
    ------
    bthd.ParameterError
        For an unknown format.
    bthd.OutputExistsError
        If ``out`` is not empty and ``overwrite`` is false; nothing is written.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ParameterError(
            f"unknown export format(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"use one or more of {', '.join(FORMATS)}."
        )
    versions = list(dict.fromkeys(gracethd_versions))
    bad = [v for v in versions if v not in GRACETHD_VERSIONS]
    if bad or not versions:
        raise ParameterError(
            f"unknown GraceTHD version(s) {', '.join(map(repr, bad)) or '(none given)'}; "
            f"use {' or '.join(GRACETHD_VERSIONS)}."
        )
    rl = load_run(run)
    dest = Path(out)
    _prepare_out(dest, overwrite)
    stamp = rl.created
    wanted = list(dict.fromkeys(formats))
    result = ExportResult(dest)
    gis = [f for f in wanted if f != "gracethd"]
    layers = export_layers(rl) if gis else {}
    result.rows = {n: len(g) for n, (g, _) in layers.items()}
    with atomic_dir(dest, overwrite=True) as tmp:
        written: dict[str, list[Path]] = {}
        (tmp / "README.txt").write_text(_readme(rl, layers), encoding="utf-8")
        for fmt in wanted:
            if fmt == "gpkg":
                write_gpkg(layers, tmp / "bthd.gpkg", stamp=stamp)
                written[fmt] = [tmp / "bthd.gpkg"]
            elif fmt == "geojson":
                written[fmt] = write_geojson(layers, tmp / "geojson")
            elif fmt == "parquet":
                written[fmt] = write_parquet(layers, tmp / "parquet")
            elif fmt == "shp":
                written[fmt] = write_shapefiles(layers, tmp / "shp", stamp=stamp)
            elif fmt == "gracethd":
                from bthd.export.gracethd.deliveries import check_delivery_any, write_version

                written[fmt] = []
                for version in versions:
                    folder = tmp / delivery_folder(version)
                    written[fmt] += write_version(rl, folder, version)
                    if check:
                        report = check_delivery_any(folder)
                        report.folder = dest / delivery_folder(version)
                        result.checks[version] = report
            log.info("export %s: %d files", fmt, len(written[fmt]))
        result.files = {f: sorted(str(p.relative_to(tmp)) for p in ps) for f, ps in written.items()}
    return result


def delivery_folder(version: str) -> str:
    """The folder of an export that holds the GraceTHD delivery of ``version``."""
    return f"gracethd-v{version}"
