"""A GraceTHD v3.0.1 delivery of a design at container C2 (engineering and design), statut AVP.

The official v3.0.1 schema is not available offline: the writer follows the open control suite
dbt-grace-thd (MIT, digi-studio for Gironde Numérique; :mod:`.schema`), writing every one of its
24 tables and every field in its order, filling every field the suite makes mandatory in C2
and every conditional field whose condition holds, with list values from its lists, so that its
C2 controls pass, plus primary-key uniqueness and cable end nodes.

* network (:mod:`.network`): nodes, RESEAU sites, NRO/SRO locals and their racks, reception
  points, technical points, trenches, boxes (PBO and splice boxes), paths, cables running box to
  box, their geometry and the paths each runs in;
* addresses and clients (:mod:`.tables`): one address per premise, one CLIENT site per address
  (on its own node) with one local per dwelling or business premise served by its PBO box;
* zones: ZNRO and ZSRO; when the run has a plan (layer ``zdep``, table ``plan_schedule``), one
  deployment zone (``t_zdep``) per PM zone planned: ``zd_r2_code`` the plan's deployment zone
  (ZDEP-...), ``zd_r3_code`` its phase, ``zd_r4_code`` ``<tranche>/<year>`` (``<year>`` when the
  plan has no tranche);
* values the suite requires and the design does not choose are documented defaults
  (:data:`.network.RACK_UNITS`, :data:`.network.FIBRE_TYPE`, :data:`.network.NEW_DUCTS`,
  :data:`.network.POLE_HEIGHT_M`), listed in the delivery's README.txt;
* t_tiroir, t_cassette, t_fibre, t_position, t_point_leve and t_love are not required in C2 and
  are written with their fields only;
* a PBO the design places at its own PM's node is a box in the PM's local, fed from the PM's
  rack by a cable without geometry (``<PBO>-R``: the design draws no path between them). The
  suite's metier_0003 takes a cable end's support from its box only and would report it; bthd's
  checker takes the support of a rack end from its local (see
  :mod:`bthd.export.gracethd.v3.rules_metier`), so the cable joins two equipments in one place.

Codes are built from the run's ids (prefixes as in v2), so every export of the same run gives
the same codes and byte-identical files. :func:`bthd.export.gracethd.v3.read.read_delivery_v3`
reads a delivery back.

Not for: GraceTHD v2.0.1 (:mod:`bthd.export.gracethd`).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from bthd.export._run import load_run
from bthd.export.gracethd.addresses import postal_addresses
from bthd.export.gracethd.v3 import network as nw
from bthd.export.gracethd.v3.network import build_network3
from bthd.export.gracethd.v3.schema import CONTAINER, SPATIAL, STATUT, TABLES, VERSION
from bthd.export.gracethd.v3.tables import (
    adresses,
    clients,
    organismes,
    references,
    reseau_addresses,
    zdep,
    zone_tables,
)
from bthd.export.gracethd.v3.write import conform, write_csv, write_shp

_README = """GraceTHD v{version} delivery written by bthd {bthd}
Container: {container} (ingenierie et conception). Statut: {statut} (avant-projet): a design,
not an as-built network.
This delivery follows the open control suite dbt-grace-thd (MIT, digi-studio for Gironde
Numerique, github.com/vlebert/dbt-grace-thd): its 24 tables and their fields, types and lists.
It does not follow the full official GraceTHD v3.0.1 schema, which was not available.
CRS: EPSG:2154 (RGF93 / Lambert-93).
Spatial tables: ESRI Shapefile, Windows-1252 (declared in .cpg). Other tables: CSV, ';', header
line, UTF-8, no text delimiters; booleans 0/1, dates aaaa-mm-jj.
Run: {run}, created {created}.
{synthetic}
Values the suite requires that the design does not choose (defaults, not design output):
  ba_nb_u = {units} (a standard 19-inch 42U rack, EIA-310);
  cb_fo_type = {fibre} (bend-insensitive single-mode fibre, compatible G.652.D);
  tr_compo, cm_compo of the paths built = "{ducts}", tr_couptyp = {trench};
  pa_a_haut = {pole_h} m, pa_a_struc = {pole_s} for the reused poles (not surveyed).
Other fields: ad_nblent = ad_nblpub = 0 (the design counts dwellings and business premises
only), ad_nbfotth = ad_nblres + ad_nblpro (one fibre per local), ad_codtemp = bthd-<premise>;
zs_lgmaxln = longest line of the PM zone (links from the PM to the PBO plus the drop, m),
zs_znllong = number of its premises with a long drop (raccordement long).
Owners: what the project builds is OR-MEGALIS's; reused ducts and poles OR-ORANGE's; a point
both new and reused paths reach is one or the other, so that no path joins two points of
another owner (rule metier_0014).
PBOs at their PM: a PBO the design places at its own PM's node is a box in the PM's local
(bp_lc_code), fed from the PM's rack by a cable without geometry (CB-<PBO>-R, nd1 = nd2). The
suite's metier_0003 SQL takes a cable end's support from its box only (cb_bp1) and reports such
a cable; bthd's checker takes a rack end's support from its local (ba_lc_code) and accepts it.
A checker reading the SQL to the letter will list these {in_pm} cables under metier_0003.
Codes: AD- address, ND- node, ST- site, LC- local, BA- rack, PA- reception point, PT- technical
point, TR- trench, ZN-/ZS-/ZD- zones, BP- box, CM- path, CB- cable, CL- cable line, RF- reference,
OR- organisation; r1 = BTHD, r2 = NRO, r3 = PM.
{zdep}
Tables and rows:
{rows}
"""


#: Columns of the run's layers the delivery is built from (the others are not read).
_COLUMNS = {
    "premises": [
        "premise_id",
        "insee_code",
        "logements",
        "locaux_pro",
        "synthetic",
        "pbo_id",
        "pm_id",
        "drop_m",
        "raccordement_long",
        "numero",
        "rep",
        "nom_voie",
        "code_postal",
        "settlement_id",
    ],
    "sites": ["site_id", "site_type", "name", "capacity", "parent_id"],
    "links": ["link_type", "tree", "cable_size", "n_cables", "fibres", "length_m", "works"],
    "road_nodes": ["node_id", "x", "y"],
    "communes": ["insee_code", "name"],
    "zones": ["zone_id", "zone_kind", "parent_id"],
}


def _date(created: str) -> str:
    return datetime.fromisoformat(created).astimezone(UTC).strftime("%Y-%m-%d")


def delivery_tables(run: str | os.PathLike[str] | Any) -> dict[str, pd.DataFrame]:
    """The delivery's 24 tables as (Geo)DataFrames, every field in the suite's order.

    Parameters
    ----------
    run
        A run folder with a design (layers premises, sites, links, zones; optionally the
        plan's layer ``zdep`` and table ``plan_schedule``).

    Returns
    -------
    dict
        Table name → DataFrame (GeoDataFrame in EPSG:2154 for the spatial tables), in
        :data:`bthd.export.gracethd.v3.schema.TABLES` order.

    Raises
    ------
    bthd.InputError
        If the run has no design (no TR/DI links), or its sites are not on its links.
    """
    rl = load_run(run)
    names = set(rl.layer_names())
    sites = rl.layer("sites", columns=_COLUMNS["sites"], arrow=True)
    premises = rl.layer("premises", columns=_COLUMNS["premises"], arrow=True)
    road_nodes = (
        rl.layer("road_nodes", columns=_COLUMNS["road_nodes"], geometry=False, arrow=True)
        if "road_nodes" in names
        else None
    )
    communes = (
        rl.layer("communes", columns=_COLUMNS["communes"], geometry=False, arrow=True)
        if "communes" in names
        else None
    )
    links = rl.layer("links", columns=_COLUMNS["links"], arrow=True)
    net = build_network3(links, sites, road_nodes)
    znro, zsro = zone_tables(
        rl.layer("zones", columns=_COLUMNS["zones"], arrow=True), net, premises, sites
    )
    post = postal_addresses(premises.sort_values("premise_id", kind="mergesort"))
    cl_sites, cl_locaux, cl_nodes = clients(premises)
    zd: pd.DataFrame = pd.DataFrame()
    if "zdep" in names and rl.has_table("plan_schedule"):
        zd = zdep(rl.table("plan_schedule"), zsro)
    raw: dict[str, pd.DataFrame] = {
        "t_organisme": organismes(),
        "t_reference": references(net),
        "t_adresse": adresses(
            premises, communes, net, post, date=datetime.fromisoformat(_date(rl.created)).date()
        ),
        "t_noeud": gpd.GeoDataFrame(
            pd.concat([net.noeud, cl_nodes], ignore_index=True), crs=net.noeud.crs
        ),
        "t_site": pd.concat(
            [reseau_addresses(net, premises, communes, post), cl_sites], ignore_index=True
        ),
        "t_local": pd.concat([net.locaux, cl_locaux], ignore_index=True),
        "t_baie": net.baies,
        "t_pointaccueil": net.pointaccueil,
        "t_ptech": net.ptech,
        "t_tranchee": net.tranchee,
        "t_znro": znro,
        "t_zsro": zsro,
        "t_zdep": zd,
        "t_ebp": net.ebp,
        "t_cheminement": net.cheminement,
        "t_cable": net.cable,
        "t_cableline": net.cableline,
        "t_cab_chem": net.cab_chem,
    }
    return {t: conform(t, raw.get(t, pd.DataFrame())) for t in TABLES}


def write_delivery(run: str | os.PathLike[str] | Any, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the GraceTHD v3.0.1 delivery (C2, AVP) of a run's design into a new folder.

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
        Every file written (Shapefile parts, CSV files and ``README.txt``), sorted.
    """
    from bthd import __version__

    rl = load_run(run)
    updated = datetime.fromisoformat(_date(rl.created)).date()
    tables = delivery_tables(rl)
    out = Path(folder)
    out.mkdir(parents=True)
    paths: list[Path] = []
    for name, df in tables.items():
        if name in SPATIAL:
            paths.extend(write_shp(name, df, out, updated=updated))
        else:
            paths.append(write_csv(name, df, out))
    synthetic = ""
    flags = rl.layer("premises", columns=["synthetic"], geometry=False, arrow=True)
    if "synthetic" in flags and bool(flags["synthetic"].astype(bool).any()):
        synthetic = (
            "SYNTHETIC DATA: the premises of this run (t_adresse, the CLIENT sites and their "
            "locals) are generated by bthd.synth, not observed; a synthetic premise is on a street "
            "named 'VOIE SYNTHETIQUE <settlement>'. The network is designed on them."
        )
    zd_note = (
        "t_zdep: one zone per PM zone of the plan; zd_r2_code = deployment zone of the plan, "
        "zd_r3_code = phase, zd_r4_code = <tranche>/<year> (<year> without a tranche)."
        if len(tables["t_zdep"])
        else "t_zdep: empty (the run has no deployment plan)."
    )
    readme = _README.format(
        version=VERSION,
        bthd=__version__,
        container=CONTAINER,
        statut=STATUT,
        run=rl.path.name,
        created=rl.created,
        synthetic=synthetic,
        units=nw.RACK_UNITS,
        fibre=nw.FIBRE_TYPE,
        ducts=nw.NEW_DUCTS,
        trench=nw.TRENCH_REFERENCE,
        pole_h=nw.POLE_HEIGHT_M,
        pole_s=nw.POLE_STRUCTURE,
        zdep=zd_note,
        in_pm=int(
            (
                (tables["t_cable"]["cb_typelog"] == "DI")
                & tables["t_cable"]["cb_ba1"].notna()
                & tables["t_cable"]["cb_bp1"].isna()
                & ~tables["t_cable"]["cb_code"].isin(set(tables["t_cableline"]["cl_cb_code"]))
            ).sum()
        ),
        rows="\n".join(f"  {t}: {len(df)}" for t, df in tables.items()),
    )
    (out / "README.txt").write_text(readme, encoding="utf-8")
    paths.append(out / "README.txt")
    return sorted(paths)


__all__ = ["delivery_tables", "write_delivery"]
