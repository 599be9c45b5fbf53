"""Reading a GraceTHD delivery back into bthd's layers: our own export makes the round trip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import shapely

from bthd._errors import InputError
from bthd.export._run import load_run
from bthd.io.gracethd import read_delivery


def test_round_trip_keeps_sites_zones_premises_and_cables(small_run: Path, delivery: Path) -> None:
    run = load_run(small_run)
    back = read_delivery(delivery.parent)  # the export folder works too
    sites, got = run.layer("sites"), back["sites"]
    for kind in ("NRO", "PM", "PBO"):
        want = sites[sites["site_type"] == kind].set_index("site_id").sort_index()
        have = got[got["site_type"] == kind].set_index("site_id").sort_index()
        assert list(have.index) == list(want.index), kind
        assert shapely.equals_exact(have.geometry.to_numpy(), want.geometry.to_numpy(), 0.01).all()
        if kind != "NRO":
            assert list(have["parent_id"]) == list(want["parent_id"]), kind
    zones = run.layer("zones").set_index("zone_id").sort_index()
    zb = back["zones"].set_index("zone_id").sort_index()
    assert list(zb.index) == list(zones.index)
    assert list(zb["zone_kind"]) == list(zones["zone_kind"])
    assert list(zb["parent_id"].fillna("")) == list(zones["parent_id"].fillna(""))
    diff = shapely.area(
        shapely.symmetric_difference(zb.geometry.to_numpy(), zones.geometry.to_numpy())
    )
    assert (diff < 0.01).all()
    prem = run.layer("premises").set_index("premise_id").sort_index()
    pb = back["premises"].set_index("premise_id").sort_index()
    assert list(pb.index) == list(prem.index)
    assert (pb["logements"] == prem["logements"]).all()
    assert (pb["locaux_pro"] == prem["locaux_pro"]).all()
    assert (pb["pbo_id"].fillna("") == prem["pbo_id"].fillna("")).all()
    assert pb["synthetic"].all() == prem["synthetic"].all()
    links = run.layer("links")
    links = links[links["link_type"].isin(["TR", "DI"])]
    cables = back["links"]
    assert set(cables["link_type"]) == {"TR", "DI"}
    for t in ("TR", "DI"):
        laid = float((links.loc[links["link_type"] == t].geometry.length * links["n_cables"]).sum())
        assert float(cables.loc[cables["link_type"] == t, "length_m"].sum()) == pytest.approx(
            laid, abs=1
        )
    # every transport cable that leaves an NRO says so
    nro = set(sites.loc[sites["site_type"] == "NRO", "site_id"])
    tr = cables[cables["link_type"] == "TR"]
    assert (tr["from_site"].isin(nro) | tr["to_site"].isin(nro)).any()


def test_a_delivery_without_its_zones_is_refused(delivery: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(delivery, broken)
    for part in broken.glob("t_zsro.*"):
        part.unlink()
    with pytest.raises(InputError, match="t_zsro missing"):
        read_delivery(broken)
