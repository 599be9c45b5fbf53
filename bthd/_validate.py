"""The validation engine: checks a GeoDataFrame against a layer spec and collects every problem.

Layer specs live in :mod:`bthd.schema`; this module knows nothing of FTTH. Tabular checks
(nullability, uniqueness, codes, ranges) run through pandera with ``lazy=True`` so that all
failures come back at once; geometry and CRS checks are ours.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa
import shapely
from pyproj import CRS

from bthd._errors import Problem, ValidationError

log = logging.getLogger(__name__)

Kind = Literal["str", "int", "float", "bool"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a layer.

    Parameters
    ----------
    name
        Column name.
    kind
        Value kind: ``str``, ``int``, ``float`` or ``bool``.
    required
        Whether the column must be present.
    nullable
        Whether missing values are allowed.
    codes
        Allowed values (for code lists), or None.
    min
        Smallest allowed value (numbers), or None.
    description
        What the column means (units in the prose).
    """

    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    codes: tuple[Any, ...] | None = None
    min: float | None = None
    description: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """The schema of one layer: columns, ID, geometry types."""

    name: str
    id_column: str | None
    columns: tuple[ColumnSpec, ...]
    geometry_types: tuple[str, ...]
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"layer {self.name!r} has no column {name!r}")


#: Text dtype keeping missing values missing (pandas >= 3 "str"; "string" before).
_STR: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else "string"


def _row_labels(gdf: pd.DataFrame, spec: LayerSpec, positions: np.ndarray) -> tuple[str, ...]:
    """Labels of rows for messages: their IDs when the ID column is usable, else 'row N'."""
    idc = spec.id_column
    if idc and idc in gdf.columns:
        vals = gdf[idc].iloc[positions]
        return tuple(
            f"row {p + 1}" if pd.isna(v) else f"row {p + 1} {idc}={v}"
            for p, v in zip(positions, vals, strict=True)
        )
    return tuple(f"row {p + 1}" for p in positions)


def _coerce_column(
    s: pd.Series, spec: ColumnSpec, source: str
) -> tuple[pd.Series | None, Problem | None]:
    """Bring a column to its kind when that loses nothing; else report a wrong dtype."""
    got = str(s.dtype)
    fix = f"give `{spec.name}` {spec.kind} values"
    if spec.kind == "str":
        if isinstance(s.dtype, pd.StringDtype):
            return s, None
        if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            non_null = s.dropna()
            if len(non_null) and not non_null.map(lambda v: isinstance(v, str)).all():
                # mixed objects: make them strings only when they are whole numbers or strings
                ok = non_null.map(lambda v: isinstance(v, str | int | np.integer)).all()
                if not ok:
                    return None, Problem(f"column `{spec.name}` has non-text values", fix=fix)
                s = s.map(lambda v: v if pd.isna(v) else str(v))
            return s.astype(_STR), None
        if pd.api.types.is_integer_dtype(s.dtype):
            log.info("%s: column %s read as integers, used as text", source, spec.name)
            return s.astype("Int64").astype(_STR), None
        return None, Problem(f"column `{spec.name}` is {got}, expected text", fix=fix)
    if spec.kind in ("int", "float"):
        if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
            num = pd.to_numeric(s, errors="coerce")
            bad = num.isna() & s.notna()
            if bad.any() and not pd.api.types.is_bool_dtype(s.dtype):
                # numbers written the French way in text files: "1 234", "12,5"
                txt = s.astype("str").str.replace(r"[\s\u00a0\u202f]", "", regex=True)
                french = bad & txt.str.fullmatch(r"[+-]?\d+(,\d+)?").fillna(False).astype(bool)
                fixed = pd.to_numeric(
                    txt.str.replace(",", ".", regex=False).where(french), errors="coerce"
                )
                num = num.where(~french, fixed)
                bad = num.isna() & s.notna()
            if bad.any():
                return None, Problem(
                    f"column `{spec.name}` is {got} with non-numeric values "
                    f"(e.g. {s[bad].iloc[0]!r}), expected {spec.kind}",
                    fix=fix,
                )
            s = num
        if spec.kind == "int":
            non_null = s.dropna()
            if pd.api.types.is_float_dtype(s.dtype) and not np.all(
                np.equal(np.mod(non_null.to_numpy(), 1), 0)
            ):
                return None, Problem(
                    f"column `{spec.name}` has fractional values, expected whole numbers", fix=fix
                )
            if s.isna().any():
                return s.astype("Int64"), None
            return s.astype("int64"), None
        return s.astype("float64"), None
    # bool
    if pd.api.types.is_bool_dtype(s.dtype):
        return s, None
    if (
        s.dtype == object
        and s.map(
            lambda v: (
                v is None
                or isinstance(v, bool | np.bool_)
                or (isinstance(v, float) and np.isnan(v))
            )
        ).all()
    ):
        return s.astype("boolean"), None
    uniq = set(pd.unique(s.dropna()))
    truthy = {1, 0, "1", "0", "true", "false", "True", "False", "oui", "non", "O", "N"}
    if uniq <= truthy:
        mapping = {1: True, "1": True, "true": True, "True": True, "oui": True, "O": True}
        out = s.map(lambda v: None if pd.isna(v) else mapping.get(v, False))
        return out.astype("boolean" if out.isna().any() else "bool"), None
    return None, Problem(f"column `{spec.name}` is {got}, expected true/false (or 0/1)", fix=fix)


def _pandera_schema(spec: LayerSpec, present: Sequence[str]) -> pa.DataFrameSchema:
    cols: dict[str, pa.Column] = {}
    for c in spec.columns:
        if c.name not in present:
            continue
        checks = []
        if c.codes is not None:
            checks.append(pa.Check.isin(list(c.codes)))
        if c.min is not None:
            checks.append(pa.Check.ge(c.min))
        cols[c.name] = pa.Column(
            None, checks=checks, nullable=c.nullable, unique=(c.name == spec.id_column)
        )
    return pa.DataFrameSchema(cols, strict=False)


def _tabular_problems(df: pd.DataFrame, spec: LayerSpec) -> list[Problem]:
    schema = _pandera_schema(spec, list(df.columns))
    try:
        schema.validate(pd.DataFrame(df.drop(columns="geometry", errors="ignore")), lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        problems = []
        for (column, check), grp in fc.groupby(["column", "check"], sort=False, dropna=False):
            idx = pd.to_numeric(grp["index"], errors="coerce").dropna().astype(int).unique()
            positions = np.flatnonzero(df.index.isin(idx))
            rows = _row_labels(df, spec, positions)
            cs = spec.column(str(column))
            if check == "field_uniqueness":
                values = sorted({str(v) for v in grp["failure_case"]})
                problems.append(
                    Problem(
                        f"duplicated {column} values {', '.join(values[:10])}"
                        + (f" and {len(values) - 10} more" if len(values) > 10 else ""),
                        rows,
                        f"give every row a unique `{column}`",
                    )
                )
            elif check == "not_nullable":
                problems.append(
                    Problem(f"missing values in `{column}`", rows, f"fill `{column}` on these rows")
                )
            elif str(check).startswith("isin"):
                values = sorted({str(v) for v in grp["failure_case"]})
                problems.append(
                    Problem(
                        f"unknown codes in `{column}`: {', '.join(values[:10])}",
                        rows,
                        f"use one of {', '.join(map(str, cs.codes or ()))}",
                    )
                )
            elif str(check).startswith("greater_than"):
                problems.append(
                    Problem(
                        f"values of `{column}` below {cs.min:g}",
                        rows,
                        f"`{column}` must be at least {cs.min:g}",
                    )
                )
            else:  # pragma: no cover - a check we did not anticipate
                problems.append(Problem(f"`{column}` fails {check}", rows))
        return problems
    return []


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygonal part of repaired geometries (make_valid may return collections)."""
    out = geoms.copy()
    kinds = shapely.get_type_id(geoms)
    coll = np.flatnonzero(kinds == 7)
    for i in coll:
        parts = [
            g for g in shapely.get_parts(geoms[i]) if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        out[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


def validate_layer(
    data: gpd.GeoDataFrame | pd.DataFrame,
    spec: LayerSpec,
    *,
    source: str = "<in-memory>",
    repair: bool = False,
    target_crs: str | int | None = "EPSG:2154",
) -> gpd.GeoDataFrame:
    """Check a layer against its spec; return a validated copy in ``target_crs``.

    Every problem is collected and raised at once in one :class:`ValidationError`.

    Parameters
    ----------
    data
        The layer.
    spec
        Its schema.
    source
        Name of the input in messages (usually the file path).
    repair
        Repair invalid geometries with ``shapely.make_valid`` instead of reporting them; a
        warning counts what was repaired.
    target_crs
        CRS of the result: inputs in any other CRS are reprojected (None keeps the CRS).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with columns brought to their kinds, optionally repaired, in ``target_crs``.
    """
    problems: list[Problem] = []
    if not isinstance(data, gpd.GeoDataFrame):
        raise ValidationError(
            source,
            [
                Problem(
                    f"expected a GeoDataFrame, got {type(data).__name__}",
                    fix="read it with bthd.io.read",
                )
            ],
            spec.name,
        )
    gdf = data.copy()
    if len(gdf) == 0:
        raise ValidationError(
            source,
            [Problem("the layer is empty (no rows)", fix="check the file and the layer name")],
            spec.name,
        )
    # --- columns -----------------------------------------------------------------------------
    missing = [c.name for c in spec.columns if c.required and c.name not in gdf.columns]
    for name in missing:
        problems.append(
            Problem(
                f"missing required column `{name}` "
                f"({spec.column(name).description or spec.column(name).kind})",
                fix=f"add `{name}`; the layer has {', '.join(map(str, gdf.columns))}",
            )
        )
    for cs in spec.columns:
        if cs.name in gdf.columns:
            new, prob = _coerce_column(gdf[cs.name], cs, source)
            if prob is not None:
                problems.append(prob)
            else:
                gdf[cs.name] = new
    problems.extend(_tabular_problems(gdf, spec))
    # --- CRS ---------------------------------------------------------------------------------
    if gdf.crs is None:
        problems.append(
            Problem(
                "the layer has no CRS",
                fix="set it in the file (e.g. `ogr2ogr -a_srs EPSG:2154`) "
                "or with GeoDataFrame.set_crs",
            )
        )
    # --- geometry ----------------------------------------------------------------------------
    geoms = gdf.geometry.to_numpy()
    is_null = shapely.is_missing(geoms)
    is_empty = ~is_null & shapely.is_empty(geoms)
    if is_null.any():
        problems.append(
            Problem(
                "rows without geometry",
                _row_labels(gdf, spec, np.flatnonzero(is_null)),
                "give these rows a geometry or remove them",
            )
        )
    if is_empty.any():
        problems.append(
            Problem(
                "empty geometries",
                _row_labels(gdf, spec, np.flatnonzero(is_empty)),
                "remove these rows or give them a real geometry",
            )
        )
    present = ~is_null & ~is_empty
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        if repair:
            fixed = shapely.make_valid(geoms[invalid])
            if any(t in spec.geometry_types for t in ("Polygon", "MultiPolygon")):
                fixed = _polygonal(fixed)
            geoms = geoms.copy()
            geoms[invalid] = fixed
            gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
            warnings.warn(
                f"{source}: repaired {int(invalid.sum())} invalid geometr"
                f"{'y' if invalid.sum() == 1 else 'ies'} with make_valid",
                UserWarning,
                stacklevel=2,
            )
        else:
            reasons = [shapely.is_valid_reason(g) for g in geoms[np.flatnonzero(invalid)[:3]]]
            problems.append(
                Problem(
                    f"invalid geometries (e.g. {'; '.join(reasons)})",
                    _row_labels(gdf, spec, np.flatnonzero(invalid)),
                    "repair them (bthd validate --repair, or repair=True) or in QGIS",
                )
            )
    types = shapely.get_type_id(gdf.geometry.to_numpy())
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ]
    )
    ok_ids = [i for i, n in enumerate(names) if n in spec.geometry_types]
    wrong = present & ~np.isin(types, ok_ids)
    if wrong.any():
        found = sorted({names[t] for t in types[wrong] if t >= 0})
        problems.append(
            Problem(
                f"wrong geometry type {', '.join(found)}; the {spec.name} layer takes "
                f"{' or '.join(spec.geometry_types)}",
                _row_labels(gdf, spec, np.flatnonzero(wrong)),
                "check that this is the right file for this layer",
            )
        )
    if problems:
        raise ValidationError(source, problems, spec.name)
    if (
        target_crs is not None
        and gdf.crs is not None
        and not CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(target_crs))
    ):
        log.info("%s: reprojected from %s to %s", source, gdf.crs.to_string(), target_crs)
        gdf = gdf.to_crs(target_crs)
    return gdf
