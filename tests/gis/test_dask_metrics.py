"""gis.dask_metrics: the dask path gives the single-machine numbers (area totals and coverage)."""

from __future__ import annotations

import pickle

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")

from gis.area import M2_PER_MU  # noqa: E402
from gis.coverage import catchment, coverage, covered_share, index_catchment  # noqa: E402
from gis.dask_metrics import (  # noqa: E402
    SCHEDULER_ENV,
    area_totals,
    area_totals_dask,
    coverage_dask,
    dask_client,
    read_parcels,
    scheduler_address,
    write_spatial_partitions,
)
from gis.errors import CRSError, InputError  # noqa: E402

E0, N0 = 489_700.0, 2_536_800.0
RTOL = 1e-9

# dask's Parquet reader still passes inplace= to pandas 3.1 (deprecated there); not our code
# (and a second cluster on the machine moves the scheduler's HTTP port: harmless)
# a second cluster started beside the module's one leaves distributed's unbound probe socket to the garbage
# collector (also on integ before issue 17: test_process_workers_give_the_same_numbers failed in a full run)
pytestmark = [
    pytest.mark.filterwarnings("ignore:The inplace keyword"),
    pytest.mark.filterwarnings("ignore:Port .* is already in use"),
    pytest.mark.filterwarnings("ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"),
]


def _parcels(n_side: int = 40, *, seed: int = 3) -> gpd.GeoDataFrame:
    """Irregular quadrilaterals and a few concave L-shapes on a 60 m grid, EPSG:4547, with a custom index."""
    rng = np.random.default_rng(seed)
    side = 60.0
    i, j = np.meshgrid(np.arange(n_side), np.arange(n_side))
    x = E0 - n_side * side / 2 + i.ravel() * side
    y = N0 - n_side * side / 2 + j.ravel() * side
    n = len(x)
    jit = rng.uniform(1.0, 12.0, (n, 4))
    geoms = shapely.polygons(np.stack([
        np.column_stack([x + jit[:, 0], x + side - jit[:, 1], x + side - jit[:, 2], x + jit[:, 3]]),
        np.column_stack([y + jit[:, 1], y + jit[:, 2], y + side - jit[:, 3], y + side - jit[:, 0]]),
    ], axis=-1))
    concave = np.arange(n) % 17 == 0
    geoms[concave] = [
        shapely.Polygon([(a + 5, b + 5), (a + 55, b + 5), (a + 55, b + 25), (a + 25, b + 25), (a + 25, b + 55), (a + 5, b + 55)])
        for a, b in zip(x[concave], y[concave])
    ]
    kinds = np.array(["整备", "收储", "盘活", None], dtype=object)[np.arange(n) % 4]
    gdf = gpd.GeoDataFrame({"id": [f"p{k}" for k in range(n)], "action": kinds}, geometry=geoms, crs="EPSG:4547")
    gdf.index = pd.Index(1000 + 3 * np.arange(n), name="pid")
    return gdf.to_crs("EPSG:4326")  # exchanged in WGS 84: both paths must project the same way


def _stations() -> gpd.GeoDataFrame:
    pts = [(E0 - 500, N0 - 300), (E0 + 350, N0 + 420), (E0 + 900, N0 - 800), (E0 - 40, N0 + 10)]
    return gpd.GeoDataFrame({"id": ["s1", "s2", "s3", "s4"]}, geometry=[shapely.Point(p) for p in pts], crs="EPSG:4547")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        # not the process' default client: every call here gets it explicitly (or via as_current)
        with distributed.Client(cluster, set_as_default=False) as c:
            yield c


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    return _parcels()


@pytest.fixture(scope="module")
def dataset(parcels, tmp_path_factory):
    path = tmp_path_factory.mktemp("geoparquet") / "parcels"
    return write_spatial_partitions(parcels, path, npartitions=5)


def _assert_same_coverage(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    assert got.index.is_unique
    got = got.loc[want.index]
    for col in ("area_m2", "covered_m2", "share"):
        np.testing.assert_allclose(got[col].to_numpy(), want[col].to_numpy(), rtol=RTOL, atol=1e-9)
    np.testing.assert_array_equal(got["reached"].to_numpy(), want["reached"].to_numpy())


def test_coverage_in_memory_frame_matches_single_machine(client, parcels):
    stations = _stations()
    want = coverage(parcels, stations, radius_m=300)
    ddf = __import__("dask_geopandas").from_geopandas(parcels, npartitions=4)
    got = coverage_dask(ddf, stations, radius_m=300, client=client)
    # the data must make the test meaningful: covered, uncovered and straddling parcels all occur
    share = want["share"].to_numpy()
    assert (share == 1).sum() > 50 and (share == 0).sum() > 50 and ((share > 0) & (share < 1)).sum() > 50
    _assert_same_coverage(got, want)
    assert got.index.name == "pid"
    assert covered_share(got) == pytest.approx(covered_share(want), rel=RTOL)


def test_coverage_identical_with_the_same_tile(client, parcels):
    stations = _stations()
    want = coverage(parcels, stations, radius_m=300, tile_m=45.0)
    got = coverage_dask(parcels, stations, radius_m=300, client=client, tile_m=45.0)
    # same chunk function, same catchment index: the very same floats, not merely close ones
    np.testing.assert_array_equal(got.loc[want.index, "covered_m2"].to_numpy(), want["covered_m2"].to_numpy())


def test_coverage_from_geoparquet_folder_matches_single_machine(client, parcels, dataset):
    stations = _stations()
    files = sorted(dataset.glob("*.parquet"))
    assert len(files) == 5
    for radius in (0.0, 250.0, 800.0):
        want = coverage(parcels, stations, radius_m=radius)
        got = coverage_dask(dataset, stations, radius_m=radius, client=client)
        _assert_same_coverage(got, want)
    # a string path works too
    got = coverage_dask(str(dataset), stations, radius_m=250, client=client)
    _assert_same_coverage(got, coverage(parcels, stations, radius_m=250))


def test_coverage_lazy_result_sums_without_collecting(client, dataset, parcels):
    stations = _stations()
    lazy = coverage_dask(dataset, stations, radius_m=400, client=client, compute=False)
    assert hasattr(lazy, "npartitions") and lazy.npartitions == 5
    total = client.compute(lazy["covered_m2"].sum()).result()
    want = coverage(parcels, stations, radius_m=400)["covered_m2"].sum()
    assert total == pytest.approx(want, rel=RTOL)


def test_spatial_partitions_are_compact_and_keep_index(dataset, parcels):
    ddf = read_parcels(dataset)
    assert ddf.crs.to_epsg() == 4326
    back = ddf.compute()
    assert back.index.name == "pid"
    assert sorted(back.index) == sorted(parcels.index)
    pd.testing.assert_series_equal(back.loc[parcels.index, "id"], parcels["id"], check_names=False, check_dtype=False)
    assert shapely.equals_exact(back.loc[parcels.index].geometry.to_numpy(), parcels.geometry.to_numpy(), tolerance=0).all()
    # Hilbert order: each partition covers a compact area, much less than the whole extent
    whole = shapely.box(*parcels.total_bounds).area
    for k in range(ddf.npartitions):
        part = ddf.get_partition(k).compute()
        assert shapely.box(*part.total_bounds).area < 0.6 * whole


def test_area_totals_match_single_machine(client, parcels, dataset):
    for by in (None, "action"):
        want = area_totals(parcels, by=by)
        for source in (parcels, dataset):
            got = area_totals_dask(source, by=by, client=client)
            assert list(got.columns) == ["area_m2", "area_mu", "area_ha", "features"]
            assert list(got.index) == list(want.index)
            np.testing.assert_allclose(got[["area_m2", "area_mu", "area_ha"]].to_numpy(),
                                       want[["area_m2", "area_mu", "area_ha"]].to_numpy(), rtol=RTOL)
            np.testing.assert_array_equal(got["features"].to_numpy(), want["features"].to_numpy())
    by_action = area_totals(parcels, by="action")
    assert list(by_action.index) == ["", "收储", "整备", "盘活"]  # missing action is the group ""
    assert by_action["features"].sum() == len(parcels)


def test_area_totals_known_square(client):
    square = gpd.GeoDataFrame({"k": ["a", "a", "b"]}, geometry=[shapely.box(E0, N0, E0 + 100, N0 + 100)] * 3, crs="EPSG:4547")
    got = area_totals_dask(square, by="k", client=client)
    assert got.loc["a", "area_mu"] == pytest.approx(30.0, rel=1e-9)  # 100 m × 100 m is 15 亩
    assert got.loc["b", "area_m2"] == pytest.approx(10_000.0, rel=1e-9)
    assert area_totals_dask(square, client=client).loc["total", "area_m2"] == pytest.approx(3 * 15 * M2_PER_MU, rel=1e-9)


def test_bad_input_is_refused(client, tmp_path, parcels):
    with pytest.raises(InputError):
        coverage_dask(tmp_path / "missing", _stations(), radius_m=100, client=client)
    with pytest.raises(InputError):
        coverage_dask(parcels, _stations(), radius_m=-1, client=client)
    with pytest.raises(InputError):
        area_totals_dask(parcels, by="nope", client=client)
    with pytest.raises(InputError):
        coverage_dask([1, 2, 3], _stations(), radius_m=100, client=client)
    with pytest.raises(CRSError):
        coverage_dask(parcels.set_crs(None, allow_override=True), _stations(), radius_m=100, client=client)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    with pytest.raises(InputError):
        write_spatial_partitions(parcels, tmp_path / "full", npartitions=2)
    with pytest.raises(InputError):
        write_spatial_partitions(parcels, tmp_path / "new", npartitions=0)


def test_catchment_index_survives_pickling(parcels):
    # process workers and remote clusters receive the index pickled: it must come back the same
    index = index_catchment(catchment(_stations(), radius_m=300), tile_m=45.0)
    back = pickle.loads(pickle.dumps(index))
    from gis.coverage import covered_area_chunk

    geoms = parcels.to_crs("EPSG:4547").geometry.to_numpy()
    np.testing.assert_array_equal(covered_area_chunk(geoms, back)[1], covered_area_chunk(geoms, index)[1])


def test_scheduler_address_from_environment(monkeypatch, client):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert scheduler_address() is None
    monkeypatch.setenv(SCHEDULER_ENV, "  ")
    assert scheduler_address() is None
    monkeypatch.setenv(SCHEDULER_ENV, client.scheduler.address)
    assert scheduler_address() == client.scheduler.address


def test_unreachable_scheduler_is_an_input_error(monkeypatch):
    # a closed loopback port: refused at once, no network involved
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:9")
    monkeypatch.setattr("distributed.Client.__init__", _refuse)
    with pytest.raises(InputError, match="dask"):
        with dask_client():
            pass


def _refuse(self, *args, **kwargs):
    raise OSError("connection refused")


def test_given_client_is_used_and_left_open(client):
    with dask_client(client) as c:
        assert c is client
    assert client.status == "running"


@pytest.mark.slow
def test_process_workers_give_the_same_numbers(parcels, dataset):
    # two worker processes: the catchment index and the partitions travel pickled, as on a cluster
    stations = _stations()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            got = coverage_dask(dataset, stations, radius_m=300, client=c)
            totals = area_totals_dask(dataset, by="action", client=c)
    _assert_same_coverage(got, coverage(parcels, stations, radius_m=300))
    np.testing.assert_allclose(totals["area_m2"].to_numpy(), area_totals(parcels, by="action")["area_m2"].to_numpy(), rtol=RTOL)


def test_active_client_is_used_and_errors_pass_through(client, monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    with client.as_current():
        with pytest.raises(ValueError, match="from the caller"):
            with dask_client() as c:
                assert c is client
                raise ValueError("from the caller")
    assert client.status == "running"


@pytest.mark.slow
def test_without_client_a_local_cluster_is_started_and_closed(parcels, monkeypatch):
    # no client given, none active, no scheduler configured: one worker process on loopback, closed after
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    monkeypatch.setattr("gis.dask_metrics.os.cpu_count", lambda: 1)
    with pytest.raises(ValueError):
        distributed.get_client()
    got = area_totals_dask(parcels, by="action")
    pd.testing.assert_index_equal(got.index, area_totals(parcels, by="action").index)
    with pytest.raises(ValueError):
        distributed.get_client()  # the cluster made for the call is gone


# --- issue 17: any filesystem, writing on the cluster, lost workers, one-line failures, the README's cluster ---


def test_partitions_on_a_file_url_are_written_on_the_cluster_and_read_back(client, parcels, tmp_path):
    url = (tmp_path / "parts").as_uri()  # file:///…
    assert write_spatial_partitions(parcels, url, npartitions=3, client=client) == url
    assert len(list((tmp_path / "parts").glob("*.parquet"))) == 3
    stations = _stations()
    _assert_same_coverage(coverage_dask(url, stations, radius_m=300, client=client), coverage(parcels, stations, radius_m=300))
    with pytest.raises(InputError, match="not empty"):
        write_spatial_partitions(parcels, url, npartitions=3, client=client)


def test_partitions_on_an_fsspec_memory_filesystem(client, parcels):
    fsspec = pytest.importorskip("fsspec")
    url = "memory://ssl-gis-test/parcels"
    try:
        write_spatial_partitions(parcels, url, npartitions=2, client=client)  # thread workers share the memory fs
        totals = area_totals_dask(url, by="action", client=client)
        np.testing.assert_allclose(totals["area_m2"].to_numpy(), area_totals(parcels, by="action")["area_m2"].to_numpy(), rtol=RTOL)
    finally:
        fsspec.filesystem("memory").rm("/ssl-gis-test", recursive=True)


def test_unknown_or_missing_locations_are_one_line_input_errors(tmp_path):
    with pytest.raises(InputError) as unknown:
        read_parcels("nosuchproto://bucket/parcels")
    assert "fsspec" in unknown.value.en and "\n" not in str(unknown.value)
    with pytest.raises(InputError, match="no GeoParquet data"):
        read_parcels((tmp_path / "absent").as_uri())


def test_a_scheduler_without_workers_says_to_start_one(parcels):
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster, set_as_default=False) as c:
            with pytest.raises(InputError) as caught:
                area_totals_dask(parcels, client=c)
    assert "dask worker" in caught.value.en and "\n" not in str(caught.value)


def test_a_cluster_failing_every_scatter_is_one_line(client, parcels, monkeypatch):
    from distributed.comm.core import CommClosedError

    def always_closed(*args, **kwargs):
        raise CommClosedError("in <TCP (closed) ConnectionPool.scatter local=tcp://127.0.0.1:1>: Stream is closed")

    monkeypatch.setattr(client, "scatter", always_closed)
    with pytest.raises(InputError) as caught:
        coverage_dask(parcels, _stations(), radius_m=300, client=client, tile_m=200.0)
    text = str(caught.value)
    assert "\n" not in text and "dask worker" in caught.value.en and "CommClosedError" in text


@pytest.mark.slow
def test_a_worker_killed_during_scatter_is_retried(parcels):
    # deterministic: the first scatter kills a worker process, waits until the scheduler has dropped it, then
    # fails as distributed does when a peer dies mid-transfer; the retry sends to the workers left
    import os
    import signal
    import time

    from distributed.comm.core import CommClosedError

    stations = _stations()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster, set_as_default=False) as c:
            c.wait_for_workers(2, timeout=120)
            real_scatter = c.scatter
            calls: list[str] = []

            def scatter_losing_a_worker(*args, **kwargs):
                calls.append("scatter")
                if len(calls) == 1:
                    pids = c.run(os.getpid)
                    victim, pid = sorted(pids.items())[0]
                    os.kill(pid, signal.SIGKILL)
                    while victim in c.nthreads():  # the scheduler notices the lost worker
                        time.sleep(0.05)
                    raise CommClosedError(f"in <TCP (closed) ConnectionPool.scatter>: worker {victim} lost")
                return real_scatter(*args, **kwargs)

            c.scatter = scatter_losing_a_worker
            got = coverage_dask(parcels, stations, radius_m=300, client=c)
    assert calls == ["scatter", "scatter"]
    _assert_same_coverage(got, coverage(parcels, stations, radius_m=300))


def _worker_facts() -> dict:
    import sys

    import gis

    return {"gis": gis.__file__, "path": list(sys.path)}


@pytest.mark.slow
def test_readme_cluster_recipe_with_workers_that_cannot_see_the_checkout(parcels, tmp_path_factory, monkeypatch):
    """The README's recipe: install the wheel, `dask scheduler`, `dask worker ADDRESS`, SSL_GIS_DASK_SCHEDULER."""
    import subprocess
    import sys
    import time

    import cloudpickle
    from wheel_venv import REPO, build_reason, clean_env, install_wheel

    reason = build_reason()
    if reason:
        pytest.skip(reason)
    installed = install_wheel(tmp_path_factory.mktemp("wheel"))
    elsewhere = tmp_path_factory.mktemp("cluster")  # cwd of the scheduler and workers: not the checkout
    scheduler_file = elsewhere / "scheduler.json"
    common = ["--no-dashboard"]
    procs = [subprocess.Popen([str(installed.python), "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--scheduler-file", str(scheduler_file), *common],
                              cwd=elsewhere, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        client = None
        for _ in range(600):  # the scheduler writes its address once it listens
            if scheduler_file.exists() and scheduler_file.stat().st_size:
                break
            if procs[0].poll() is not None:
                pytest.fail("dask scheduler exited")
            time.sleep(0.1)
        procs.append(subprocess.Popen([str(installed.python), "-m", "dask", "worker", "--scheduler-file", str(scheduler_file),
                                       "--nworkers", "2", "--nthreads", "1", "--local-directory", str(elsewhere), *common],
                                      cwd=elsewhere, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        client = distributed.Client(scheduler_file=str(scheduler_file), set_as_default=False, timeout="60s")
        client.wait_for_workers(2, timeout=120)
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        try:
            facts = client.run(_worker_facts)
        finally:
            cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        for fact in facts.values():
            assert fact["gis"].startswith(str(installed.root)), fact["gis"]
            # the checkout's sources are not on the path; the test environment's own site-packages may be (CI keeps
            # its venv inside the checkout, at .venv), and gis is imported from the wheel (asserted above)
            in_checkout = [p for p in fact["path"] if p and (p == str(REPO) or p.startswith(str(REPO) + "/"))]
            assert not [p for p in in_checkout if not p.startswith(str(REPO / ".venv") + "/")], fact["path"]
        monkeypatch.setenv(SCHEDULER_ENV, client.scheduler.address)  # what the README tells the app to set
        url = (elsewhere / "parcels").as_uri()
        write_spatial_partitions(parcels, url, npartitions=4)  # written by the workers
        stations = _stations()
        got = coverage_dask(url, stations, radius_m=300)
        totals = area_totals_dask(url, by="action")
        _assert_same_coverage(got, coverage(parcels, stations, radius_m=300))
        np.testing.assert_allclose(totals["area_m2"].to_numpy(), area_totals(parcels, by="action")["area_m2"].to_numpy(), rtol=RTOL)
    finally:
        if client is not None:
            client.close()
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
