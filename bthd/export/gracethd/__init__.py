"""A GraceTHD v2.0.1 delivery of a design, at AVP level (statut AVANT-PROJET), in Lambert-93.

GraceTHD is the French data model for exchanging FTTH networks between public networks,
contractors and operators. :func:`write_delivery` writes the tables t_organisme, t_reference,
t_adresse, t_noeud, t_sitetech, t_ltech, t_ptech, t_znro, t_zsro, t_zpbo, t_suf, t_ebp,
t_cheminement, t_cable and t_cableline of a run's design, with every mandatory field filled,
every list-valued field drawn from the official lists and every foreign key resolving; codes
are built from the run's ids, so they are the same on every export of the same run.
:mod:`bthd.export.gracethd.check` reads a delivery back and checks it.

Not for: GraceTHD v3 (not written yet), or reading a contractor's delivery into bthd's layers.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bthd.export._run import load_run
from bthd.export.gracethd.network import build_network
from bthd.export.gracethd.schema import SPATIAL, STATUT, TABLES, VERSION
from bthd.export.gracethd.tables import adresses, organismes, references, sufs, zone_tables
from bthd.export.gracethd.write import conform, write_csv, write_shp

_README = """GraceTHD v{version} delivery written by bthd {bthd}
Statut: {statut} (avant-projet): a design, not an as-built network.
CRS: EPSG:2154 (RGF93 / Lambert-93).
Spatial tables: ESRI Shapefile, Windows-1252 (declared in .cpg). Other tables: CSV, ';', header
line, UTF-8, no text delimiters.
Run: {run}, created {created}.
{synthetic}
Tables and rows:
{rows}
"""


#: The columns of the run's layers a delivery reads (the others are not read: faster).
PREMISE_COLUMNS = (
    "premise_id",
    "insee_code",
    "logements",
    "locaux_pro",
    "kind",
    "synthetic",
    "settlement_id",
    "pm_id",
    "pbo_id",
    "drop_m",
    "raccordement_long",
    "ftth_year",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
)
SITE_COLUMNS = ("site_id", "site_type", "capacity", "parent_id", "synthetic")
LINK_COLUMNS = ("link_type", "tree", "cable_size", "n_cables", "fibres", "length_m", "works")


def delivery_tables(run: str | os.PathLike[str] | Any) -> dict[str, Any]:
    """The delivery's tables as (Geo)DataFrames, every field in the standard's order.

    Parameters
    ----------
    run
        A run folder with a design (layers premises, sites, links, zones).

    Returns
    -------
    dict
        Table name → DataFrame (GeoDataFrame in EPSG:2154 for the spatial tables), in
        :data:`bthd.export.gracethd.schema.TABLES` order.
    """
    rl = load_run(run)
    created = datetime.fromisoformat(rl.created).astimezone(UTC)
    sites = rl.layer("sites", columns=SITE_COLUMNS, arrow=True)
    premises = rl.layer("premises", columns=PREMISE_COLUMNS, arrow=True)
    road_nodes = (
        rl.layer("road_nodes", columns=("node_id", "x", "y"), geometry=False, arrow=True)
        if rl.has_layer("road_nodes")
        else None
    )
    communes = (
        rl.layer("communes", columns=("insee_code", "name"), geometry=False, arrow=True)
        if rl.has_layer("communes")
        else None
    )
    net = build_network(rl.layer("links", columns=LINK_COLUMNS, arrow=True), sites, road_nodes)
    schedule = rl.table("plan_schedule") if rl.has_table("plan_schedule") else None
    znro, zsro, zpbo = zone_tables(rl.layer("zones"), net, premises, sites, schedule)
    raw = {
        "t_organisme": organismes(),
        "t_reference": references(net),
        "t_adresse": adresses(premises, communes, net),
        "t_noeud": net.noeud,
        "t_sitetech": net.sitetech,
        "t_ltech": net.ltech,
        "t_ptech": net.ptech,
        "t_znro": znro,
        "t_zsro": zsro,
        "t_zpbo": zpbo,
        "t_suf": sufs(premises),
        "t_ebp": net.ebp,
        "t_cheminement": net.cheminement,
        "t_cable": net.cable,
        "t_cableline": net.cableline,
    }
    return {t: conform(t, raw[t], created=created) for t in TABLES}


def write_delivery(run: str | os.PathLike[str] | Any, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the GraceTHD delivery of a run's design into a new folder.

    Parameters
    ----------
    run
        A run folder with a design.
    folder
        Folder to create (it must not exist; :func:`bthd.export.gis.export` writes it
        atomically inside its output).

    Returns
    -------
    list of Path
        Every file written (Shapefile parts, CSV files and ``README.txt``).
    """
    from bthd import __version__

    rl = load_run(run)
    created = datetime.fromisoformat(rl.created).astimezone(UTC)
    tables = delivery_tables(rl)
    out = Path(folder)
    out.mkdir(parents=True)
    paths: list[Path] = []
    for name, df in tables.items():
        if name in SPATIAL:
            paths.extend(write_shp(name, df, out, created=created))
        else:
            paths.append(write_csv(name, df, out))
    synthetic = ""
    synthetic_premises = rl.layer("premises", columns=["synthetic"], geometry=False, arrow=True)
    if bool(synthetic_premises["synthetic"].astype(bool).any()):
        synthetic = (
            "SYNTHETIC DATA: the addresses (t_adresse, t_suf) of this run are generated by "
            "bthd.synth, not observed; the network is designed on them."
        )
    readme = _README.format(
        version=VERSION,
        bthd=__version__,
        statut=STATUT,
        run=rl.path.name,
        created=rl.created,
        synthetic=synthetic,
        rows="\n".join(f"  {t}: {len(df)}" for t, df in tables.items()),
    )
    (out / "README.txt").write_text(readme, encoding="utf-8")
    paths.append(out / "README.txt")
    return sorted(paths)


__all__ = ["delivery_tables", "write_delivery"]
