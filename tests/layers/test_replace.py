"""Official data replaces illustrative data (layers.replace): realistic official files made in the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import ezdxf
import geopandas as gpd
import pytest
import shapely
from shapely.affinity import translate

from gis.errors import ConflictError, InputError
from gis.io import read_any
from gis.store import open_store
from layers.registry import load_baseline
from layers.replace import commit_replacement, normalise_name, preview_replacement

LINK_ROADS = [f"road-{i:02d}" for i in range(1, 19)]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八"]


@pytest.mark.parametrize(
    ("official", "ours"),
    [
        ("联网路１号", "联网路 01（松山湖—寮步）"),
        ("联网路十二号", "联网路 12（松山湖—大朗）"),
        ("工业西路", "工业西"),
        ("松山湖大道", "松山湖"),
        ("  创新 中轴 用地 收储 ", "创新中轴用地收储"),
        ("科技十路二期", "科技10路 2 期"),
        ("ABC 线", "abc"),
    ],
)
def test_normalise_name_makes_variants_of_one_name_equal(official: str, ours: str) -> None:
    assert normalise_name(official) == normalise_name(ours) != ""


def test_normalise_name_keeps_different_names_apart() -> None:
    assert normalise_name("联网路 01（松山湖—寮步）", keep_brackets=True) != normalise_name("联网路 01（松山湖—大朗）", keep_brackets=True)
    assert normalise_name("联网路1号") != normalise_name("联网路11号")
    assert normalise_name(None) == "" and normalise_name(float("nan")) == ""


@pytest.fixture
def store(tmp_path: Path):  # noqa: ANN201
    s = open_store(tmp_path / "working.gpkg")
    s.seed({"road_links": load_baseline("road_links", derived=False), "land_actions": load_baseline("land_actions", derived=False)})
    return s


def _official_roads_shapefile(folder: Path) -> Path:
    """The 交通 department's file as it arrives: GBK .dbf with no .cpg, EPSG:4526 (zone 38 with the prefix)."""
    roads = load_baseline("road_links", derived=False).set_index("id").loc[LINK_ROADS].reset_index()
    metric = roads.to_crs("EPSG:4547")
    # The official centre lines lie 20–40 m off the illustrative ones and have an extra vertex.
    geoms = [translate(shapely.segmentize(g, 200.0), 20.0 + i, -15.0) for i, g in enumerate(metric.geometry)]
    names = []
    for i in range(18):
        if i < 8:
            names.append(f"联网路{i + 1}号".translate(FULL_WIDTH))  # full-width digits and 号
        elif i < 16:
            names.append(f"联网路{CN[i]}号")  # Chinese numerals
        else:
            names.append(["东坑大道南延线", "环湖路东段"][i - 16])  # real names that match nothing: by distance
    official = gpd.GeoDataFrame(
        {
            "道路名称": names,
            "道路编号": [f"DG-LW-{i + 1:02d}" for i in range(18)],
            "道路等级": ["城市主干路"] * 18,
            "红线宽度": [40.0] * 18,
        },
        geometry=geoms,
        crs="EPSG:4547",
    )
    extra = gpd.GeoDataFrame(
        {"道路名称": ["新建支路"], "道路编号": ["DG-ZL-01"], "道路等级": ["支路"], "红线宽度": [20.0]},
        geometry=[shapely.LineString([(470000, 2520000), (471000, 2520500)])],
        crs="EPSG:4547",
    )
    official = gpd.GeoDataFrame(gpd.pd.concat([official, extra], ignore_index=True), crs="EPSG:4547").to_crs("EPSG:4526")
    path = folder / "联网路_正式.shp"
    official.to_file(path, engine="pyogrio", encoding="cp936")
    cpg = path.with_suffix(".cpg")
    if cpg.exists():
        cpg.unlink()
    assert "东坑".encode("cp936") in path.with_suffix(".dbf").read_bytes()
    return path


def test_official_gbk_roads_replace_the_18_link_roads_keeping_plan_and_history(store, tmp_path: Path) -> None:  # noqa: ANN001
    incoming = read_any(_official_roads_shapefile(tmp_path)).gdf
    assert incoming.crs.to_epsg() == 4326 and "东坑大道南延线" in set(incoming["道路名称"])
    items = store.read_layer("road_links")
    preview = preview_replacement(items, incoming, layer="road_links")
    assert sorted(preview.matched["feature_id"]) == LINK_ROADS
    how = preview.matched.set_index("feature_id")["how"]
    assert (how.loc[LINK_ROADS[:16]] == "name").all() and (how.loc[["road-17", "road-18"]] == "distance").all()
    assert list(preview.new["道路名称"]) == ["新建支路"]
    assert set(preview.unmatched["feature_id"]) == set(items["id"]) - set(LINK_ROADS)
    disp = preview.matched.set_index("feature_id")["displacement_m"]
    assert disp.between(20.0, 70.0).all()  # 20–37 m shift, measured in EPSG:4547
    assert preview.matched["area_change_mu"].isna().all() and (preview.matched["problem"] == "").all()

    before = store.read_layer("road_links").set_index("id")
    store.update_feature("road_links", "road-03", {"status": "under_construction"}, expected_version=1, user="zhang")
    t_before_commit = datetime.now(UTC)
    with pytest.raises(ConflictError):  # the preview saw version 1 of road-03: nothing is written
        commit_replacement(store, preview, source="东莞市交通运输局 2020-06", accuracy_m=0.5, user="li")
    assert bool(store.read_layer("road_links").set_index("id").loc["road-01", "illustrative"])

    preview = preview_replacement(store.read_layer("road_links"), incoming, layer="road_links")
    versions = commit_replacement(store, preview, source="东莞市交通运输局 2020-06", accuracy_m=0.5, user="li")
    assert sorted(versions) == LINK_ROADS
    after = store.read_layer("road_links").set_index("id")
    official_4326 = incoming.set_index("道路编号").geometry
    for k, fid in enumerate(LINK_ROADS):
        row = after.loc[fid]
        assert not bool(row["illustrative"]) and row["source"] == "东莞市交通运输局 2020-06" and row["accuracy_m"] == 0.5
        assert row["plan_quote"] == before.loc[fid, "plan_quote"] == "力争全年打通18条联网路"
        for kept in ("plan_ref", "target", "deadline", "name_zh", "done_status"):
            assert row[kept] == before.loc[fid, kept]
        assert shapely.equals_exact(row.geometry, official_4326.loc[f"DG-LW-{k + 1:02d}"], tolerance=1e-9)
        fields = list(store.history("road_links", fid)["field"])
        assert fields[0] == "(seeded)" and "(replaced)" in fields
    assert after.loc["road-03", "status"] == "under_construction"
    assert list(store.history("road_links", "road-03")["field"])[1] == "status"  # status history intact
    assert bool(after.loc["congestion-01", "illustrative"]) and after.loc["congestion-01", "version"] == 1

    undone = store.as_of("road_links", t_before_commit).set_index("id")
    for fid in LINK_ROADS:
        assert shapely.equals_exact(undone.loc[fid].geometry, before.loc[fid].geometry, tolerance=1e-9)
        assert bool(undone.loc[fid, "illustrative"])
    assert undone.loc["road-03", "status"] == "under_construction"
    assert (store.as_of("road_links", t_before_commit - timedelta(days=1)).set_index("id").loc["road-03", "status"]) == "planned"


def test_commit_refuses_what_the_user_must_state(store) -> None:  # noqa: ANN001
    items = store.read_layer("road_links")
    incoming = items[items["id"] == "road-01"][["id", "geometry"]]
    preview = preview_replacement(items, incoming, layer="road_links")
    assert list(preview.matched["how"]) == ["id"]
    for kwargs, match in [
        ({"source": " ", "accuracy_m": 1.0}, "source"),
        ({"source": "x", "accuracy_m": -1.0}, "accuracy_m"),
        ({"source": "x", "accuracy_m": 1.0, "attributes": ["plan_quote"]}, "stay with the plan item"),
        ({"source": "x", "accuracy_m": 1.0, "attributes": ["nope"]}, "no field"),
    ]:
        with pytest.raises(InputError, match=match):
            commit_replacement(store, preview, user="li", **kwargs)


def _official_parcels_dxf(folder: Path, items: gpd.GeoDataFrame) -> Path:
    """自然资源分局's parcels as a DXF in EPSG:4547: closed polylines, labels as TEXT inside some of them."""
    parcels = items[items["id"].str.startswith("land-")].to_crs("EPSG:4547")
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    labels = {"land-r02": "创新中轴用地收储 (正式)", "land-v05": "应交未交地块（寮步）"}
    for fid, geom in zip(parcels["id"], parcels.geometry):
        official = shapely.buffer(translate(geom, 8.0, -6.0), -3.0, join_style="mitre")
        msp.add_lwpolyline(list(official.exterior.coords)[:-1], close=True, dxfattribs={"layer": "宗地"})
        if fid in labels:
            p = official.point_on_surface()
            msp.add_text(labels[fid], dxfattribs={"layer": "注记", "height": 5.0, "insert": (p.x, p.y)})
    path = folder / "宗地.dxf"
    doc.saveas(path)
    return path


def test_official_dxf_parcels_match_by_label_and_by_overlap_with_area_change(store, tmp_path: Path) -> None:  # noqa: ANN001
    items = store.read_layer("land_actions")
    incoming = read_any(_official_parcels_dxf(tmp_path, items), crs="EPSG:4547").gdf
    preview = preview_replacement(items, incoming, layer="land_actions")
    m = preview.matched.set_index("feature_id")
    parcels = sorted(i for i in items["id"] if i.startswith("land-"))
    assert sorted(m.index) == parcels
    assert m.loc["land-v05", "how"] == "name" and m.loc["land-c01", "how"] == "overlap"
    assert (m["iou"] > 0.5).all() and (m["area_change_mu"] < 0).all()  # shrunk by 3 m: every parcel a little smaller
    assert (m["displacement_m"] > 9.0).all()  # moved 10 m (8, -6), plus the 3 m inset
    assert set(preview.unmatched["feature_id"]) == set(items["id"]) - set(parcels)
    commit_replacement(store, preview, source="松山湖自然资源分局 宗地图", accuracy_m=0.05, user="li")
    after = store.read_layer("land_actions").set_index("id")
    assert not after.loc[parcels, "illustrative"].astype(bool).any()
    assert after.loc["catchment-luotian-after", "illustrative"]
