"""Input checks of the backbone package: links, sites, PoPs, premises, CRSs, ids.

Each check raises a :class:`bthd.ValidationError`, :class:`bthd.InputError` or
:class:`bthd.ParameterError` that names the input, the rows and the fix.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import CRSError, InputError, ParameterError, Problem, ValidationError, join_ids
from bthd.i18n import did_you_mean
from bthd.network.backbone.constants import CUT_KINDS, LINK_TYPE, PREMISE_COLUMNS


def check_links(df: pd.DataFrame, source: str) -> gpd.GeoDataFrame:
    """The CO links of ``df`` validated against the links schema, with string ends."""
    from bthd.schema import validate

    links = validate(df, "links", source=source)
    other = links["link_type"].astype(str) != LINK_TYPE
    if other.any():
        raise ValidationError(
            source,
            [
                Problem(
                    f"links that are not {LINK_TYPE} (collecte/backbone): "
                    f"{', '.join(sorted(set(links.loc[other, 'link_type'].astype(str))))}",
                    join_ids(links.loc[other, "link_id"]),
                    "keep only the CO links in this layer",
                )
            ],
            "links",
        )
    missing = links["from_site"].isna() | links["to_site"].isna()
    if missing.any():
        raise ValidationError(
            source,
            [
                Problem(
                    "links without from_site or to_site",
                    join_ids(links.loc[missing, "link_id"]),
                    "give both ends of every link",
                )
            ],
            "links",
        )
    links["from_site"] = links["from_site"].astype(str)
    links["to_site"] = links["to_site"].astype(str)
    return links


def check_sites_of_type(df: gpd.GeoDataFrame, site_type: str, source: str) -> gpd.GeoDataFrame:
    """The rows of ``df`` of one site type, with unique ids and Point geometries."""
    if not isinstance(df, gpd.GeoDataFrame):
        raise InputError(f"{source}: expected a GeoDataFrame of sites, got {type(df).__name__}.")
    if "site_type" in df.columns:
        df = df.loc[df["site_type"].astype(str).eq(site_type).to_numpy()]
    if "site_id" not in df.columns:
        raise InputError(
            f"{source}: no `site_id` column; it has {', '.join(map(str, df.columns))}."
        )
    if len(df) == 0:
        raise InputError(f"{source}: no {site_type} site (site_type {site_type!r}).")
    problems = []
    dup = df["site_id"].duplicated(keep=False)
    if dup.any():
        problems.append(
            Problem(
                "duplicated site_id values",
                join_ids(sorted(set(df.loc[dup, "site_id"]))),
                "give every site a unique id",
            )
        )
    geoms = df.geometry.to_numpy()
    not_point = shapely.is_missing(geoms) | (shapely.get_type_id(geoms) != 0)
    if not_point.any():
        problems.append(
            Problem(
                "rows without a Point geometry",
                join_ids(df.loc[not_point, "site_id"]),
                "give every site a point",
            )
        )
    if problems:
        raise ValidationError(source, problems, "sites")
    out = df.copy()
    out["site_id"] = out["site_id"].astype(str)
    return out


def check_pops(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """The PoP sites of ``df``, validated against the sites schema."""
    from bthd.schema import validate

    pop = check_sites_of_type(df, "POP", "pops")
    if "site_type" not in pop.columns:
        pop = pop.assign(site_type="POP")
    return validate(pop, "sites", source="pops")


def check_premises(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """``df`` when it has :data:`PREMISE_COLUMNS` and counts of locaux 0 or more."""
    missing = [c for c in PREMISE_COLUMNS if c not in df.columns]
    if missing:
        fix = (
            " Attach the premises to NROs first (the design writes `nro_id`)."
            if "nro_id" in missing
            else ""
        )
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; the premises need "
            f"{', '.join(PREMISE_COLUMNS)}.{fix} It has {', '.join(map(str, df.columns))}."
        )
    problems = []
    for col in ("logements", "locaux_pro"):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            problems.append(
                Problem(
                    f"`{col}` empty, negative or not a number",
                    join_ids(df.loc[bad, "premise_id"]),
                    f"give every premise a count of {col} (0 or more)",
                )
            )
    if problems:
        raise ValidationError(source, problems, "premises")
    return df


def check_same_projected_crs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    """Raise unless the NROs and the PoPs share one projected CRS."""
    for name, g in (("nros", a), ("pops", b)):
        if g.crs is None:
            raise CRSError(f"{name}: the layer has no CRS. Set it (e.g. .set_crs('EPSG:2154')).")
        if g.crs.is_geographic:
            raise CRSError(
                f"{name}: the CRS {g.crs.to_string()} is geographic; distances need "
                "metres. Reproject it with .to_crs('EPSG:2154')."
            )
    if a.crs != b.crs:
        raise CRSError(
            f"nros are in {a.crs.to_string()} but pops in {b.crs.to_string()}. "
            "Reproject one of them (e.g. pops.to_crs(nros.crs))."
        )


def check_distance_matrix(
    m: pd.DataFrame | np.ndarray, nro_ids: pd.Series, pop_ids: pd.Series
) -> np.ndarray:
    """The NRO × PoP road distances in the rows' order (inf where no path)."""
    if isinstance(m, pd.DataFrame):
        idx = m.index.astype(str)
        cols = m.columns.astype(str)
        miss_n = sorted(set(nro_ids) - set(idx))
        miss_p = sorted(set(pop_ids) - set(cols))
        if miss_n or miss_p:
            raise ParameterError(
                "road_distance_m: the matrix lacks "
                + "; ".join(
                    x
                    for x in (
                        f"NRO rows {', '.join(miss_n[:10])}" if miss_n else "",
                        f"PoP columns {', '.join(miss_p)}" if miss_p else "",
                    )
                    if x
                )
                + ". Index it by NRO site_id with one column per PoP site_id."
            )
        frame = pd.DataFrame(m.to_numpy(), index=idx, columns=cols)
        out = frame.loc[list(nro_ids), list(pop_ids)].to_numpy(dtype=float)
    else:
        out = np.asarray(m, dtype=float)
        if out.shape != (len(nro_ids), len(pop_ids)):
            raise ParameterError(
                f"road_distance_m: expected shape ({len(nro_ids)} NROs, {len(pop_ids)} PoPs), "
                f"got {out.shape}. Give one row per NRO and one column per PoP, in order."
            )
    if (out < 0).any():
        raise ParameterError("road_distance_m: negative distances. Give metres (0 or more).")
    return np.where(np.isnan(out), np.inf, out)


def check_ends(links: pd.DataFrame, pop_ids: set[str], source: str) -> None:
    """Raise unless every backbone link joins two of ``pop_ids``."""
    bad = ~links["from_site"].isin(pop_ids) | ~links["to_site"].isin(pop_ids)
    if bad.any():
        raise ValidationError(
            source,
            [
                Problem(
                    "backbone links whose ends are not PoPs",
                    join_ids(links.loc[bad, "link_id"]),
                    f"join two of the PoPs ({', '.join(sorted(pop_ids))}) or add the missing PoP",
                )
            ],
            "links",
        )


def collecte_ends(collecte: pd.DataFrame, pop_index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """The NRO end and the PoP end of each collecte link (either may be ``from_site``)."""
    f = collecte["from_site"].astype(str).to_numpy(dtype=object)
    t = collecte["to_site"].astype(str).to_numpy(dtype=object)
    f_pop = pop_index.get_indexer(pd.Index(f)) >= 0
    t_pop = pop_index.get_indexer(pd.Index(t)) >= 0
    bad = f_pop == t_pop
    if bad.any():
        raise ValidationError(
            "collecte",
            [
                Problem(
                    "collecte links that do not join one NRO to one PoP",
                    join_ids(collecte["link_id"].to_numpy()[bad]),
                    "a collecte link goes from an NRO (from_site) to a PoP (to_site); "
                    f"the PoPs are {', '.join(map(str, pop_index))}",
                )
            ],
            "links",
        )
    return np.where(t_pop, f, t), np.where(t_pop, t, f)


def check_uplinks(uplinks: Sequence[str], pop_ids: np.ndarray) -> None:
    """Raise unless every uplink is one of the PoPs (with close matches)."""
    if isinstance(uplinks, str):
        uplinks = (uplinks,)
    known = list(pop_ids)
    if not uplinks and known:
        raise ParameterError(
            "uplinks: no uplink PoP given; name at least one PoP where the "
            f"network leaves for the Internet/Renater ({', '.join(known)})."
        )
    unknown = [u for u in uplinks if u not in set(known)]
    if unknown:
        hints = "; ".join(f"{u!r}: did you mean {close_match(u, known)}" for u in unknown)
        raise ParameterError(f"uplinks: not PoPs: {hints}. The PoPs are {', '.join(known)}.")


def check_cut_ids(ids: list[str], kinds: dict[str, str], site_type: dict[str, str]) -> None:
    """Raise unless every cut id is of a kind :func:`outage` accepts (with close matches)."""
    problems = []
    for c in ids:
        if c in kinds:
            continue
        if c in site_type:
            problems.append(f"{c!r} is a {site_type[c]} site, which outage does not cut")
        else:
            problems.append(f"{c!r} is unknown (did you mean {close_match(c, kinds)})")
    if problems:
        accepted = "; ".join(CUT_KINDS.values())
        raise ParameterError(f"cut ids: {'; '.join(problems)}. Accepted kinds of id: {accepted}.")


def close_match(word: str, choices: Collection[str]) -> str:
    """The choices closest in spelling to ``word`` (:func:`bthd.i18n.did_you_mean`), quoted
    and joined by "or", or "nothing close"."""
    close = did_you_mean(word, choices)
    return " or ".join(repr(c) for c in close) if close else "nothing close"


def site_names(df: pd.DataFrame) -> list[Any]:
    """The ``name`` of each row (None when absent or null)."""
    if "name" not in df.columns:
        return [None] * len(df)
    return [None if pd.isna(v) else str(v) for v in df["name"]]
