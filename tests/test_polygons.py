"""Zone polygons: they partition the labelled premises, nest, and stay on land."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from bthd import schema
from bthd._errors import CRSError, ParameterError, ValidationError
from bthd.network import roads, zoning
from bthd.network.polygons import zone_polygons
from bthd.region import Region

X0, Y0 = 280_000.0, 6_830_000.0  # Lambert-93, in Brittany
SIDE = 2_000.0
KINDS = ("ZNRO", "ZPM", "ZPBO")


def _points(n: int = 600, seed: int = 7) -> np.ndarray:
    xy = np.random.default_rng(seed).uniform(0, SIDE, (n, 2)) + np.array([X0, Y0])
    return shapely.points(xy)


def _grid_labels(pts: np.ndarray, cells: int, prefix: str) -> np.ndarray:
    """Zone of every point in a ``cells`` × ``cells`` grid over the fixture's square."""
    ix = np.minimum((shapely.get_x(pts) - X0) // (SIDE / cells), cells - 1).astype(int)
    iy = np.minimum((shapely.get_y(pts) - Y0) // (SIDE / cells), cells - 1).astype(int)
    return np.array([f"{prefix}-{a}-{b}" for a, b in zip(ix, iy, strict=True)], dtype=object)


def _nested(pts: np.ndarray) -> dict[str, np.ndarray]:
    """2 × 2 NRO zones, each cut in 2 × 2 PM zones, each cut in 3 × 3 PBO zones."""
    return {
        "ZNRO": _grid_labels(pts, 2, "NRO"),
        "ZPM": _grid_labels(pts, 4, "PM"),
        "ZPBO": _grid_labels(pts, 12, "PBO"),
    }


def _blank(values: np.ndarray, where: np.ndarray) -> np.ndarray:
    """A copy of zone labels with None where ``where`` holds."""
    out = values.astype(object)
    out[where] = None
    return out


def _parents(labels: dict[str, np.ndarray]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for child, parent in (("ZPBO", "ZPM"), ("ZPM", "ZNRO")):
        m = pd.notna(labels[child]) & pd.notna(labels[parent])
        out[child] = dict(zip(labels[child][m], labels[parent][m], strict=True))
    return out


def _assert_partition(z: gpd.GeoDataFrame, pts: np.ndarray, labels: dict[str, np.ndarray]) -> None:
    """Every labelled point covered by its own zone; zones of one kind do not overlap."""
    geom = dict(zip(z["zone_id"], z.geometry.to_numpy(), strict=True))
    assert shapely.is_valid(z.geometry.to_numpy()).all()
    for kind, lab in labels.items():
        m = pd.notna(lab)
        own = np.array([geom[i] for i in lab[m]], dtype=object)
        covered = shapely.covers(own, pts[m])
        assert covered.all(), f"{kind}: {(~covered).sum()} points outside their zone"
        zk = z[z["zone_kind"] == kind].geometry.to_numpy()
        union = shapely.union_all(zk)
        assert shapely.area(zk).sum() == pytest.approx(union.area, rel=1e-9)


def _assert_nested(z: gpd.GeoDataFrame, tol_m2: float = 1e-6) -> None:
    geom = dict(zip(z["zone_id"], z.geometry.to_numpy(), strict=True))
    child = z[z["parent_id"].notna()]
    assert len(child)
    parent = np.array([geom[p] for p in child["parent_id"]], dtype=object)
    outside = shapely.area(shapely.difference(child.geometry.to_numpy(), parent))
    assert outside.max() < tol_m2


def test_zones_partition_the_points_and_conform_to_the_schema() -> None:
    pts = _points()
    labels = _nested(pts)
    z = zone_polygons(pts, labels, parents=_parents(labels))
    schema.validate(z, "zones")
    assert z.crs.to_epsg() == 2154
    assert list(z.columns) == [
        "zone_id",
        "zone_kind",
        "parent_id",
        "n_points",
        "area_km2",
        "geometry",
    ]
    _assert_partition(z, pts, labels)
    # one row per zone, by kind in the order given, then by zone id
    for kind, lab in labels.items():
        zk = z[z["zone_kind"] == kind]
        assert list(zk["zone_id"]) == sorted(set(lab))
        assert zk["n_points"].sum() == len(pts)
    assert list(dict.fromkeys(z["zone_kind"])) == list(KINDS)
    assert np.allclose(z["area_km2"], z.geometry.area / 1e6)
    # without land, the zones of a kind fill the points' bounding box plus the margin
    box = shapely.box(*shapely.total_bounds(pts)).buffer(500.0, join_style="mitre")
    for kind in KINDS:
        assert z[z["zone_kind"] == kind].geometry.area.sum() == pytest.approx(box.area)


def test_zones_nest_in_their_parents() -> None:
    pts = _points()
    labels = _nested(pts)
    z = zone_polygons(pts, labels, parents=_parents(labels))
    assert set(z.loc[z["zone_kind"] == "ZNRO", "parent_id"].isna()) == {True}
    assert z.loc[z["zone_kind"] != "ZNRO", "parent_id"].notna().all()
    _assert_nested(z)


def test_nested_kinds_are_dissolved_from_the_finer_zones(caplog: pytest.LogCaptureFixture) -> None:
    pts = _points()
    with caplog.at_level("DEBUG", logger="bthd.network.polygons"):
        zone_polygons(pts, _nested(pts))
    assert "ZPBO dissolved from cells" in caplog.text
    assert "ZPM dissolved from ZPBO" in caplog.text
    assert "ZNRO dissolved from ZPM" in caplog.text


def test_kinds_that_do_not_nest_still_partition(caplog: pytest.LogCaptureFixture) -> None:
    pts = _points()
    # PBO zones on a grid shifted across the PM boundaries: no nesting to rely on
    shifted = shapely.transform(pts, lambda c: c + np.array([SIDE / 24, 0.0]))
    labels = {"ZPM": _grid_labels(pts, 4, "PM"), "ZPBO": _grid_labels(shifted, 12, "PBO")}
    with caplog.at_level("DEBUG", logger="bthd.network.polygons"):
        z = zone_polygons(pts, labels)
    assert "ZPM dissolved from cells" in caplog.text
    schema.validate(z, "zones")
    _assert_partition(z, pts, labels)


def test_clipped_to_land() -> None:
    pts = _points()
    # a coast with a bay; densified so that land is cut into pieces for clipping
    land = shapely.Polygon(
        [
            (X0 - 300, Y0 - 300),
            (X0 + SIDE + 300, Y0 - 300),
            (X0 + SIDE + 300, Y0 + SIDE + 300),
            (X0 + SIDE / 2, Y0 + SIDE / 2),
            (X0 - 300, Y0 + SIDE + 300),
        ]
    )
    land = shapely.segmentize(land, 0.5)
    assert shapely.get_num_coordinates(land) > 10_000
    inland = shapely.contains(land, pts)
    labels = {k: _blank(v, ~inland) for k, v in _nested(pts).items()}
    z = zone_polygons(pts, labels, parents=_parents(labels), land=land)
    schema.validate(z, "zones")
    _assert_partition(z, pts, labels)
    _assert_nested(z)
    assert shapely.area(shapely.difference(z.geometry.to_numpy(), land)).max() < 1e-6
    # the zones of a kind cover the whole land (every cell holds a labelled point)
    for kind in KINDS:
        assert z[z["zone_kind"] == kind].geometry.area.sum() == pytest.approx(land.area)


def test_points_outside_land_keep_a_disc() -> None:
    pts = _points(200)
    land = shapely.box(X0, Y0, X0 + SIDE / 2, Y0 + SIDE)  # half of the points are at sea
    labels = _nested(pts)
    z = zone_polygons(pts, labels, parents=_parents(labels), land=land, offshore_m=10.0)
    schema.validate(z, "zones")
    _assert_partition(z, pts, labels)
    _assert_nested(z)
    # at sea, zones are made of the discs only
    sea = shapely.difference(shapely.union_all(z.geometry.to_numpy()), land)
    at_sea = pts[~shapely.contains(land, pts)]
    assert sea.area <= len(at_sea) * np.pi * 10.0**2 * 1.0001
    assert shapely.covers(sea.buffer(1e-6), at_sea).all()


def test_duplicated_positions_in_one_zone_share_a_cell() -> None:
    pts = _points(200)
    labels = _nested(pts)
    dup_pts = np.concatenate([pts, pts[:30]])
    dup_labels = {k: np.concatenate([v, v[:30]]) for k, v in labels.items()}
    z = zone_polygons(dup_pts, dup_labels)
    ref = zone_polygons(pts, labels)
    assert shapely.equals_exact(z.geometry.to_numpy(), ref.geometry.to_numpy(), 0.0).all()
    assert z["n_points"].sum() == 3 * len(dup_pts)
    # a duplicate without label leaves the cell to its labelled twin
    unl = {k: np.concatenate([v, np.full(30, None)]) for k, v in labels.items()}
    z2 = zone_polygons(dup_pts, unl)
    assert shapely.equals_exact(z2.geometry.to_numpy(), ref.geometry.to_numpy(), 0.0).all()


def test_duplicated_positions_in_different_zones_are_reported() -> None:
    pts = _points(50)
    labels = _nested(pts)
    dup_pts = np.concatenate([pts, pts[[3, 8]]])
    pbo = np.concatenate([labels["ZPBO"], ["PBO-X", "PBO-Y"]])
    with pytest.raises(ValidationError) as err:
        zone_polygons(dup_pts, {"ZPBO": pbo})
    msg = str(err.value)
    assert isinstance(err.value, ValueError)
    assert "same position" in msg and "ZPBO" in msg
    assert "PBO-X (point 50)" in msg and "PBO-Y (point 51)" in msg
    assert f"{labels['ZPBO'][3]} (point 3)" in msg and "shared='split'" in msg


def test_duplicated_positions_in_different_zones_can_split_their_cell() -> None:
    pts = _points(300)
    labels = _nested(pts)
    twins = [3, 8, 8, 8]
    dup_pts = np.concatenate([pts, pts[twins]])
    dup = {k: np.concatenate([v, v[twins]]) for k, v in labels.items()}
    dup["ZPBO"][-4:] = ["PBO-X", "PBO-Y", "PBO-Y", "PBO-Z"]
    z = zone_polygons(dup_pts, dup, parents=_parents(dup), shared="split")
    schema.validate(z, "zones")
    _assert_partition(z, dup_pts, dup)
    _assert_nested(z)
    n = z.set_index("zone_id")["n_points"]
    assert (n["PBO-X"], n["PBO-Y"], n["PBO-Z"]) == (1, 2, 1)


def test_unlabelled_points_are_skipped() -> None:
    pts = _points(300)
    labels = _nested(pts)
    skip = np.zeros(len(pts), bool)
    skip[::7] = True
    some = {k: _blank(v, skip) for k, v in labels.items()}
    some["ZPBO"][1] = np.nan  # NaN counts as missing too
    z = zone_polygons(pts, some)
    keep = ~skip
    keep[1] = False
    ref = zone_polygons(pts[~skip], {k: v[~skip] for k, v in labels.items()})
    assert (z["zone_id"].to_numpy() == ref["zone_id"].to_numpy()).all()
    _assert_partition(z, pts, some)
    assert z.loc[z["zone_kind"] == "ZPBO", "n_points"].sum() == keep.sum()
    # not every point needs every kind: here the ZPBO layer misses one point only
    assert z.loc[z["zone_kind"] == "ZPM", "n_points"].sum() == (~skip).sum()


def test_same_input_same_output_whatever_the_order() -> None:
    pts = _points(400)
    labels = _nested(pts)
    a = zone_polygons(pts, labels, parents=_parents(labels))
    b = zone_polygons(pts, labels, parents=_parents(labels))
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), 0.0).all()
    perm = np.random.default_rng(1).permutation(len(pts))
    c = zone_polygons(pts[perm], {k: v[perm] for k, v in labels.items()}, parents=_parents(labels))
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), c.drop(columns="geometry"))
    assert shapely.equals_exact(a.geometry.to_numpy(), c.geometry.to_numpy(), 0.0).all()


def test_small_inputs() -> None:
    pts = shapely.points([(X0, Y0), (X0 + 10, Y0), (X0 + 20, Y0)])
    empty = zone_polygons(pts, {"ZPBO": [None, None, None]})
    assert len(empty) == 0 and list(empty.columns)[-1] == "geometry"
    one = zone_polygons(pts, {"ZPM": ["PM-1", None, None]}, margin_m=100.0)
    assert one.geometry.iloc[0].equals(shapely.box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100))
    # collinear points, integer ids (kept as text)
    z = zone_polygons(pts, {"ZPBO": [1, 1, 2]})
    schema.validate(z, "zones")
    assert list(z["zone_id"]) == ["1", "2"]
    assert z.geometry.iloc[0].covers(pts[1]) and z.geometry.iloc[1].covers(pts[2])


def test_bad_inputs_are_reported() -> None:
    pts = _points(20)
    lab = _grid_labels(pts, 2, "Z")
    with pytest.raises(ParameterError, match="unknown zone kinds 'ZONE'"):
        zone_polygons(pts, {"ZONE": lab})
    with pytest.raises(ParameterError, match="19 values for 20 points"):
        zone_polygons(pts, {"ZPM": lab[:-1]})
    with pytest.raises(ParameterError, match="more than one kind"):
        zone_polygons(pts, {"ZPM": lab, "ZPBO": lab})
    with pytest.raises(ParameterError, match="have no labels"):
        zone_polygons(pts, {"ZPM": lab}, parents={"ZPBO": {}})
    with pytest.raises(ParameterError, match="shared"):
        zone_polygons(pts, {"ZPM": lab}, shared="merge")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="land"):
        zone_polygons(pts, {"ZPM": lab}, land=shapely.LineString([(X0, Y0), (X0 + 1, Y0)]))
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    with pytest.raises(ParameterError, match="invalid"):
        zone_polygons(pts, {"ZPM": lab}, land=bowtie)
    bad = pts.copy()
    bad[4] = shapely.LineString([(X0, Y0), (X0 + 1, Y0)])
    bad[5] = None
    with pytest.raises(ValidationError, match=r"not valid Points .*\(2 rows: 4, 5\)"):
        zone_polygons(bad, {"ZPM": lab})
    # an unlabelled point may be anything
    zone_polygons(bad, {"ZPM": _blank(lab, np.isin(np.arange(20), [4, 5]))})
    with pytest.raises(CRSError, match="EPSG:2154"):
        zone_polygons(gpd.GeoSeries(pts, crs=2154).to_crs(4326), {"ZPM": lab})


def test_partition_of_the_lead_zoning(lamballe: Region) -> None:
    region = lamballe
    assert region.premises is not None and region.sites is not None
    net = roads.trench_network(region.road_nodes, region.road_edges)
    snapped = roads.snap_premises(region.premises, net)
    locaux = (region.premises["logements"] + region.premises["locaux_pro"]).to_numpy()
    nra = region.sites[region.sites["site_type"] == "NRA"]
    tree = shapely.STRtree(shapely.points(net.x, net.y))
    cand = tree.query_nearest(nra.geometry.to_numpy(), return_distance=False)[1]
    z = zoning.zone_premises(net, snapped, locaux, cand)
    prem = z.premises
    labels = {
        k: prem[c].to_numpy(dtype=object)
        for k, c in (("ZNRO", "nro_id"), ("ZPM", "pm_id"), ("ZPBO", "pbo_id"))
    }
    parents = {
        "ZPM": dict(zip(z.pm["site_id"], z.pm["parent_id"], strict=True)),
        "ZPBO": dict(zip(z.pbo["site_id"], z.pbo["parent_id"], strict=True)),
    }
    land = shapely.coverage_union_all(region.communes.geometry.to_numpy())
    pts = region.premises.geometry.to_numpy()
    # the zoning may put several premises at one address into different PBOs: split
    out = zone_polygons(pts, labels, parents=parents, land=land, shared="split")
    schema.validate(out, "zones")
    _assert_partition(out, pts, labels)
    _assert_nested(out)
    for kind, lab in labels.items():
        zk = out[out["zone_kind"] == kind]
        assert len(zk) == pd.Series(lab).nunique()
        assert zk["n_points"].sum() == pd.notna(lab).sum()
    assert shapely.area(shapely.difference(out.geometry.to_numpy(), land)).max() < 1e-6
