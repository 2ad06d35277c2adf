"""Area and coverage metrics on dask-geopandas, for parcel sets too big for one machine's memory.

The numbers are the single-machine ones: every partition goes through the same chunk function as
:func:`gis.coverage.coverage` (:func:`gis.coverage.covered_area_chunk`) and the same area measure as
:func:`gis.area.area_m2`, on EPSG:4547. Only the orchestration differs:

* the catchment (union of the facilities' buffers) is built and indexed **once**, on the client, and
  broadcast to every worker (``Client.scatter(..., broadcast=True)``); partitions never rebuild it;
* parcels come as a dask-geopandas GeoDataFrame or as a GeoParquet dataset (a folder of ``.parquet``
  files), read partition by partition, so no process ever holds all of them;
* :func:`write_spatial_partitions` writes such a dataset with the parcels ordered along a Hilbert curve,
  so that each partition covers a compact area (most partitions then lie wholly inside or outside the
  catchment and cost almost nothing).

The ``dask.distributed`` client is, in this order: the ``client`` argument; the scheduler named by
``$SSL_GIS_DASK_SCHEDULER`` (e.g. ``tcp://10.0.0.5:8786``, read at call time); a client already active
in this process; otherwise a :class:`distributed.LocalCluster` started for the call and closed after it.

Partitions may live on any filesystem dask reads through fsspec: a local path, ``file://``, or object
storage (``s3://``, ``gs://``, … when its fsspec package, e.g. ``s3fs``, is installed on the client and every
worker). Workers read them themselves, so a path must mean the same on every worker (a URL does).
Every worker needs this package installed (``pip install songshanlake-gis-*.whl`` or ``pip install .``):
tasks name the functions of :mod:`gis` and workers import them. A worker lost while the catchment is sent
is retried (``gis.settings.DASK_SCATTER_ATTEMPTS``); every cluster failure reaches the caller as one
:class:`gis.errors.InputError` saying what to do.

When to use it: see the README section "Beyond one machine" and ``bench/RESULTS.md``. On a single
machine with the parcels in memory, :func:`gis.coverage.coverage` (threads) is faster; dask pays off when
the parcels do not fit in memory or a cluster is at hand.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.area import M2_PER_HA, M2_PER_MU, area_m2, to_measuring_crs
from gis.coverage import bounded_tile_m, catchment, covered_area_chunk, default_tile_m, index_catchment
from gis.errors import CRSError, GisError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import dask_geopandas
    import distributed

__all__ = [
    "SCHEDULER_ENV",
    "scheduler_address",
    "dask_client",
    "read_parcels",
    "write_spatial_partitions",
    "area_totals",
    "area_totals_dask",
    "coverage_dask",
]

log = logging.getLogger(__name__)

#: Environment variable naming the dask scheduler (``tcp://host:8786``); unset means a local cluster.
SCHEDULER_ENV: str = "SSL_GIS_DASK_SCHEDULER"
#: Name of the column that carries the parcels' own index through a spatial shuffle.
_INDEX_COLUMN: str = "__ssl_gis_index"
#: Hilbert curve level of :func:`write_spatial_partitions` (2^16 cells a side: sub-metre in a city).
_HILBERT_LEVEL: int = 16

_COVERAGE_META = pd.DataFrame(
    {"area_m2": pd.Series(dtype="float64"), "covered_m2": pd.Series(dtype="float64"),
     "share": pd.Series(dtype="float64"), "reached": pd.Series(dtype="bool")}
)
_AREA_COLUMNS = ["area_m2", "area_mu", "area_ha", "features"]


def scheduler_address() -> str | None:
    """The dask scheduler address from ``$SSL_GIS_DASK_SCHEDULER``, read at call time.

    Returns
    -------
    str or None
        The address (e.g. ``tcp://10.0.0.5:8786``), or None when unset or blank.
    """
    from gis.settings import dask_scheduler

    return dask_scheduler()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _is_url(path: object) -> bool:
    return isinstance(path, str) and "://" in path


def _cluster_failures() -> tuple[type[BaseException], ...]:
    """The exceptions by which a cluster (not the data) fails: lost workers, closed connections, cancelled work."""
    from asyncio import CancelledError

    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    return (CommClosedError, KilledWorker, FutureCancelledError, CancelledError, TimeoutError)


def _cluster_error(exc: BaseException, client: distributed.Client) -> InputError:
    """One line for a cluster failure: what failed and what to do."""
    address = getattr(getattr(client, "scheduler", None), "address", "") or "SCHEDULER"
    return InputError(
        f"dask 集群计算失败（{address}）: {_one_line(exc)}；请确认 worker 仍在运行（`dask worker {address}`）后重试",
        f"the dask cluster failed ({address}): {_one_line(exc)}; check that the workers are running "
        f"(`dask worker {address}`) and try again",
    )


@contextlib.contextmanager
def _cluster_errors(client: distributed.Client) -> Iterator[None]:
    """Turn a cluster failure into one :class:`InputError` that says what to do."""
    try:
        yield
    except GisError:
        raise
    except _cluster_failures() as exc:
        raise _cluster_error(exc, client) from None


def _require_workers(client: distributed.Client) -> None:
    """Refuse to compute on a scheduler without workers (the work would wait for ever)."""
    # nthreads() asks the scheduler now; scheduler_info()'s cache may be overwritten by a periodic refresh that
    # leaves out the workers
    if client.nthreads():
        return
    address = getattr(getattr(client, "scheduler", None), "address", "") or "SCHEDULER"
    raise InputError(
        f"dask 调度器 {address} 没有任何 worker；请在每台计算机上安装本软件包后运行 `dask worker {address}`",
        f"the dask scheduler {address} has no workers; install this package on each machine and run `dask worker {address}`",
    )


def _scatter(client: distributed.Client, value: Any) -> Any:
    """Send ``value`` to every worker once, retrying when a worker is lost during the transfer.

    Returns
    -------
    distributed.Future
        The future of the broadcast value.

    Raises
    ------
    gis.errors.InputError
        Still failing after ``gis.settings.DASK_SCATTER_ATTEMPTS`` attempts, or no worker left.
    """
    from gis.settings import DASK_SCATTER_ATTEMPTS

    last: BaseException | None = None
    for attempt in range(1, DASK_SCATTER_ATTEMPTS + 1):
        _require_workers(client)
        try:
            (shared,) = client.scatter([value], broadcast=True, hash=False)
            return shared
        except _cluster_failures() as exc:  # a worker went away mid-transfer: send again to those left
            last = exc
            log.warning("scatter to the dask workers failed (attempt %d of %d): %s", attempt, DASK_SCATTER_ATTEMPTS, exc)
    raise _cluster_error(last if last is not None else TimeoutError("scatter"), client)


@contextlib.contextmanager
def dask_client(client: distributed.Client | None = None) -> Iterator[distributed.Client]:
    """The ``dask.distributed`` client to compute with, closed afterwards only if made here.

    Parameters
    ----------
    client : distributed.Client, optional
        Use this client as is.

    Yields
    ------
    distributed.Client
        ``client``; else a client of the scheduler at ``$SSL_GIS_DASK_SCHEDULER``; else the client
        already active in this process; else the client of a new :class:`distributed.LocalCluster`
        (one worker process per core, one thread each, no dashboard).

    Raises
    ------
    gis.errors.InputError
        The scheduler named by ``$SSL_GIS_DASK_SCHEDULER`` cannot be reached.
    """
    from distributed import Client, LocalCluster

    if client is not None:
        yield client
        return
    address = scheduler_address()
    if address is not None:
        from gis.settings import DASK_CONNECT_TIMEOUT_S

        try:
            made = Client(address, timeout=f"{DASK_CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"无法连接 dask 调度器 {address}（{SCHEDULER_ENV}）: {_one_line(exc)}；请确认 `dask scheduler` 正在运行且地址无误",
                f"cannot reach the dask scheduler {address} ({SCHEDULER_ENV}): {_one_line(exc)}; "
                "check that `dask scheduler` runs there and the address is right",
            ) from None
        with made:
            yield made
        return
    active = _active_client()
    if active is not None:
        yield active
        return
    n = os.cpu_count() or 1
    # loopback only: a cluster started for one call serves nobody else
    with LocalCluster(n_workers=n, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as made:
        yield made


def _checked_location(path: str | os.PathLike[str], *, must_exist: bool) -> str | Path:
    """A local path as :class:`~pathlib.Path`, a URL as text; refused if it must exist and does not."""
    if not _is_url(path):
        local = Path(path)
        if must_exist and not local.exists():
            raise InputError(f"找不到 GeoParquet 数据: {local}", f"no GeoParquet data at {local}")
        return local
    url = str(path)
    try:
        import fsspec

        fs, inner = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # an unknown protocol, or its package (s3fs, gcsfs …) missing
        raise InputError(
            f"无法读取地址 {url}: {_one_line(exc)}；对象存储需在本机和每个 worker 上安装对应的 fsspec 包（如 s3fs）",
            f"cannot open {url}: {_one_line(exc)}; object storage needs its fsspec package (e.g. s3fs) here and on every worker",
        ) from None
    if must_exist and not fs.exists(inner):
        raise InputError(f"找不到 GeoParquet 数据: {url}", f"no GeoParquet data at {url}")
    return url


def read_parcels(path: str | os.PathLike[str], *, columns: list[str] | None = None) -> dask_geopandas.GeoDataFrame:
    """Open a GeoParquet file or dataset (folder of ``.parquet`` files) lazily, one partition per file.

    Parameters
    ----------
    path : str or os.PathLike
        A GeoParquet file, or a folder of them such as :func:`write_spatial_partitions` writes: a local path
        or an fsspec URL (``file://``, ``s3://`` …, ``memory://`` for an in-process cluster).
    columns : list of str, optional, keyword-only
        Attribute columns to read besides the geometry (default: all).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        The parcels in the dataset's CRS (GeoParquet stores it); nothing is read yet but the metadata.

    Raises
    ------
    gis.errors.InputError
        The path does not exist or is not GeoParquet.
    gis.errors.CRSError
        The dataset has no CRS.
    """
    import dask_geopandas

    p: Any = _checked_location(path, must_exist=True)
    try:
        if columns is not None:
            ddf = dask_geopandas.read_parquet(p, columns=[*columns, "geometry"])
        else:
            ddf = dask_geopandas.read_parquet(p)
    except (ValueError, TypeError, OSError, KeyError) as exc:
        raise InputError(f"不是可读的 GeoParquet: {p} ({_one_line(exc)})", f"not readable GeoParquet: {p} ({_one_line(exc)})") from None
    if ddf.crs is None:
        raise CRSError(f"GeoParquet 数据没有坐标系: {p}", f"the GeoParquet data has no CRS: {p}")
    return ddf


def write_spatial_partitions(
    parcels: gpd.GeoDataFrame | dask_geopandas.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    npartitions: int,
    overwrite: bool = False,
    client: distributed.Client | None = None,
) -> Path | str:
    """Write parcels as a GeoParquet dataset whose partitions are compact areas (Hilbert order).

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame or dask_geopandas.GeoDataFrame
        Parcels in any CRS (kept as is; EPSG:4326 is the exchange CRS). Their index is kept, so results
        computed from the dataset are indexed like ``parcels``.
    path : str or os.PathLike
        Folder to write, one ``part.N.parquet`` per partition: a local path or an fsspec URL (``file://``,
        ``s3://`` …) that every worker can write to.
    npartitions : int, keyword-only
        Number of partitions (files). A partition should hold what one worker thread handles
        comfortably: some 50 000–500 000 parcels.
    overwrite : bool, keyword-only
        Replace an existing non-empty folder (default: refuse).
    client : distributed.Client, optional, keyword-only
        Client whose workers do the shuffle and the writing; else the scheduler at ``$SSL_GIS_DASK_SCHEDULER``,
        else the client active in this process, else this process' threads (no cluster is started to write).

    Returns
    -------
    pathlib.Path or str
        The folder written (a URL stays text).

    Raises
    ------
    gis.errors.InputError
        ``npartitions`` below 1, an existing non-empty folder without ``overwrite``, or no parcels.
    gis.errors.CRSError
        The parcels have no CRS.
    """
    import dask_geopandas

    k = int(npartitions)
    if k < 1:
        raise InputError(f"分区数须至少为 1: {npartitions!r}", f"npartitions must be at least 1: {npartitions!r}")
    out = _checked_location(path, must_exist=False)
    if not overwrite and _non_empty(out):
        raise InputError(f"目标已存在且非空: {out}", f"the target exists and is not empty: {out}")
    if parcels.crs is None:
        raise CRSError("地块没有坐标系，无法写出 GeoParquet", "the parcels have no CRS; cannot write GeoParquet")
    if isinstance(parcels, gpd.GeoDataFrame):
        if len(parcels) == 0:
            raise InputError("没有地块可写", "there are no parcels to write")
        ddf = dask_geopandas.from_geopandas(parcels, npartitions=max(1, min(k, len(parcels))))
    else:
        ddf = parcels
    index_name = ddf.index.name
    carried = ddf.reset_index().rename(columns={"index" if index_name is None else index_name: _INDEX_COLUMN})
    shuffled = carried.spatial_shuffle(by="hilbert", level=_HILBERT_LEVEL, npartitions=k)

    def restore_index(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        # within a partition the rows stay in Hilbert order; the parcels' own index comes back
        return part.set_index(_INDEX_COLUMN).rename_axis(index_name)

    meta = restore_index(shuffled._meta)
    restored = shuffled.map_partitions(restore_index, meta=meta, clear_divisions=True)
    write = restored.to_parquet(out, overwrite=overwrite, write_index=True, compute=False)
    if client is None and scheduler_address() is None and _active_client() is None:
        write.compute()  # nothing configured: this process' threads (a cluster started to write pays no way)
    else:
        with dask_client(client) as c, _cluster_errors(c):
            _require_workers(c)
            c.compute(write).result()
    log.info("wrote %d spatial partitions to %s", k, out)
    return out


def _active_client() -> distributed.Client | None:
    from distributed import get_client

    try:
        return get_client()
    except ValueError:  # no client in this process
        return None


def _non_empty(out: str | Path) -> bool:
    if isinstance(out, Path):
        return out.exists() and (not out.is_dir() or any(out.iterdir()))
    import fsspec

    fs, inner = fsspec.core.url_to_fs(out)
    return bool(fs.exists(inner) and (not fs.isdir(inner) or fs.ls(inner)))


def _as_dask(parcels: Any, *, client: distributed.Client) -> dask_geopandas.GeoDataFrame:
    """Parcels as a dask-geopandas frame: a path is read lazily, an in-memory frame is split by workers."""
    import dask_geopandas

    if isinstance(parcels, (str, os.PathLike)):
        return read_parcels(parcels)
    if isinstance(parcels, gpd.GeoDataFrame | gpd.GeoSeries):
        if parcels.crs is None:
            raise CRSError("几何没有坐标系，无法量算", "geometry has no CRS; cannot measure it")
        frame = parcels.to_frame("geometry") if isinstance(parcels, gpd.GeoSeries) else parcels
        threads = max(1, sum(client.nthreads().values()))
        return dask_geopandas.from_geopandas(frame, npartitions=max(1, min(len(frame), 2 * threads)))
    if hasattr(parcels, "map_partitions") and hasattr(parcels, "crs"):
        if parcels.crs is None:
            raise CRSError("几何没有坐标系，无法量算", "geometry has no CRS; cannot measure it")
        return parcels
    raise InputError(
        f"地块须为 GeoDataFrame、dask-geopandas GeoDataFrame 或 GeoParquet 路径，得到 {type(parcels).__name__}",
        f"parcels must be a GeoDataFrame, a dask-geopandas GeoDataFrame or a GeoParquet path, got {type(parcels).__name__}",
    )


def _coverage_partition(part: gpd.GeoDataFrame, index: Any) -> pd.DataFrame:
    """One partition's coverage table, built exactly as :func:`gis.coverage.coverage` builds its own."""
    geoms = np.asarray(to_measuring_crs(part).to_numpy(), dtype=object)
    area, covered, reached = covered_area_chunk(geoms, index)
    covered = np.minimum(covered, area)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(area > 0, covered / np.where(area > 0, area, 1.0), reached.astype(float))
    return pd.DataFrame({"area_m2": area, "covered_m2": covered, "share": share, "reached": reached}, index=part.index)


def coverage_dask(
    parcels: dask_geopandas.GeoDataFrame | gpd.GeoDataFrame | str | os.PathLike[str],
    facilities: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    radius_m: float,
    client: distributed.Client | None = None,
    tile_m: float | None = None,
    compute: bool = True,
) -> pd.DataFrame | Any:
    """:func:`gis.coverage.coverage` on dask: area of each parcel within ``radius_m`` of any facility.

    Parameters
    ----------
    parcels : dask_geopandas.GeoDataFrame, geopandas.GeoDataFrame, str or os.PathLike
        Parcels in any CRS, or the path of a GeoParquet file or dataset (read partition by partition).
    facilities : geopandas.GeoDataFrame or geopandas.GeoSeries
        Facilities in any CRS, in memory (they are few: their catchment is built once on the client).
    radius_m : float, keyword-only
        Service distance in metres.
    client : distributed.Client, optional, keyword-only
        Client to compute with; see :func:`dask_client` for the default.
    tile_m : float, optional, keyword-only
        Classification tile size in metres; by default chosen as the single-machine function does, from
        the first partition's parcels. It drives each worker's memory, not only speed (the catchment index,
        one copy per worker, needs ~52 bytes per tile, at most ``gis.settings.COVERAGE_MAX_TILES`` tiles ≈
        210 MiB); a given value is raised to at least radius/200 as in :func:`gis.coverage.coverage`.
    compute : bool, keyword-only
        True (default): return the table in memory. False: return the lazy dask DataFrame (e.g. to sum it
        or write it to Parquet without collecting it); it must be computed while ``client`` is open.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        Indexed like the parcels (rows in partition order), with ``area_m2`` (m² on EPSG:4547),
        ``covered_m2`` (m² within reach), ``share`` (0–1) and ``reached`` (bool), equal to what
        :func:`gis.coverage.coverage` returns for the same parcels.

    Raises
    ------
    gis.errors.InputError
        Bad radius or parcels, no CRS, unreachable scheduler.
    """
    from gis.coverage import check_radius

    r = check_radius(radius_m)
    with dask_client(client) as c, _cluster_errors(c):
        ddf = _as_dask(parcels, client=c)
        _require_workers(c)
        if tile_m is None:
            first = np.asarray(to_measuring_crs(c.compute(ddf.get_partition(0)).result()).to_numpy(), dtype=object)
            tile_m = default_tile_m(first, r)
        tile_m = bounded_tile_m(tile_m, np.empty(0, dtype=object), r)  # memory: see gis.coverage.coverage
        index = index_catchment(catchment(facilities, radius_m=r), tile_m=float(tile_m))
        # one copy per worker, sent once (again if a worker is lost meanwhile); tasks receive it by reference
        shared = _scatter(c, index)
        meta = _COVERAGE_META.set_axis(ddf._meta.index[:0])
        table = ddf.map_partitions(_coverage_partition, shared, meta=meta)
        if not compute:
            return table
        log.info("coverage on dask: %d partitions, radius %.0f m, tile %.1f m", ddf.npartitions, r, tile_m)
        return c.compute(table).result()


def _group_keys(part: gpd.GeoDataFrame, by: str) -> pd.Series:
    return part[by].astype("string").fillna("")


def area_totals(parcels: gpd.GeoDataFrame | gpd.GeoSeries, *, by: str | None = None) -> pd.DataFrame:
    """Total area of parcels, overall or by a field, measured on EPSG:4547 (single machine).

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame or geopandas.GeoSeries
        Parcels in any CRS (must have one).
    by : str, optional, keyword-only
        Field to group by; its values are compared as text, a missing value is the group ``""``.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_m2`` (m²), ``area_mu`` (亩, 1 亩 = 10000/15 m²), ``area_ha`` (ha) and ``features``
        (count). Indexed by the group values (sorted, index named ``by``), or one row ``"total"``.

    Raises
    ------
    gis.errors.InputError
        ``by`` names no field; no CRS.
    """
    m2 = area_m2(parcels).to_numpy()
    if by is None:
        sums = pd.DataFrame({"area_m2": [float(m2.sum())], "features": [len(m2)]}, index=pd.Index(["total"]))
    else:
        _check_field(parcels, by)
        keys = _group_keys(parcels, by).to_numpy()
        sums = pd.DataFrame({"area_m2": m2, "features": 1, "key": keys}).groupby("key").sum()
    return _finish_totals(sums, by)


def _check_field(frame: Any, by: str) -> None:
    if by not in frame.columns:
        raise InputError(f"没有字段 {by}", f"no field named {by!r}")


def _finish_totals(sums: pd.DataFrame, by: str | None) -> pd.DataFrame:
    out = pd.DataFrame(
        {"area_m2": sums["area_m2"].astype("float64"), "features": sums["features"].astype("int64")}, index=sums.index
    )
    out["area_mu"] = out["area_m2"] / M2_PER_MU
    out["area_ha"] = out["area_m2"] / M2_PER_HA
    out = out[_AREA_COLUMNS]
    if by is not None:
        out = out.sort_index()
        out.index = pd.Index(out.index.astype(str), name=by)
    return out


def _area_partition(part: gpd.GeoDataFrame, by: str | None) -> pd.DataFrame:
    """Partial sums of one partition: one row per group (area m², count)."""
    m2 = area_m2(part).to_numpy()
    if by is None:
        return pd.DataFrame({"key": ["total"], "area_m2": [float(m2.sum())], "features": [len(m2)]})
    keys = _group_keys(part, by).to_numpy(dtype=object)
    sums = pd.DataFrame({"key": keys, "area_m2": m2, "features": 1}).groupby("key", as_index=False).sum()
    return sums.astype({"key": object, "area_m2": "float64", "features": "int64"})


def area_totals_dask(
    parcels: dask_geopandas.GeoDataFrame | gpd.GeoDataFrame | str | os.PathLike[str],
    *,
    by: str | None = None,
    client: distributed.Client | None = None,
) -> pd.DataFrame:
    """:func:`area_totals` on dask: partial sums per partition, added up on the client.

    Parameters
    ----------
    parcels : dask_geopandas.GeoDataFrame, geopandas.GeoDataFrame, str or os.PathLike
        Parcels in any CRS, or the path of a GeoParquet file or dataset.
    by : str, optional, keyword-only
        Field to group by (as text; missing is ``""``).
    client : distributed.Client, optional, keyword-only
        Client to compute with; see :func:`dask_client` for the default.

    Returns
    -------
    pandas.DataFrame
        Same shape and numbers as :func:`area_totals` (``area_m2`` m², ``area_mu`` 亩, ``area_ha`` ha,
        ``features``), equal to rounding of the summation order (about 1e-15 relative).

    Raises
    ------
    gis.errors.InputError
        ``by`` names no field; no CRS; unreadable dataset; unreachable scheduler.
    """
    with dask_client(client) as c, _cluster_errors(c):
        ddf = _as_dask(parcels, client=c)
        if by is not None:
            _check_field(ddf, by)
        _require_workers(c)
        meta = pd.DataFrame({"key": pd.Series(dtype=object), "area_m2": pd.Series(dtype="float64"),
                             "features": pd.Series(dtype="int64")})
        partial = ddf.map_partitions(_area_partition, by, meta=meta)
        parts = c.compute(partial).result()
    sums = parts.groupby("key").sum() if len(parts) else pd.DataFrame({"area_m2": [0.0], "features": [0]}, index=["total"])
    if by is None and len(parts):
        sums = sums.loc[["total"]]
    return _finish_totals(sums, by)
