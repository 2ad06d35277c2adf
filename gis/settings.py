"""One place for the library's settings: paths, input limits and default service distances.

Every value may be overridden by an environment variable (named beside it) so that an intranet
deployment can change limits without editing code. Distances cite the standard they come from or say
that they are an assumption.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "data_dir",
    "CLICK_RECORD_TTL_S",
    "BUNDLED_DATA_DIR",
    "MAX_FILE_BYTES",
    "MAX_FEATURES",
    "MAX_PLAN_BYTES",
    "MAX_VERTICES",
    "MAX_ARCHIVE_UNCOMPRESSED_BYTES",
    "MAX_ARCHIVE_MEMBERS",
    "MAX_ARCHIVE_RATIO",
    "MAX_GPKG_SQLITE_STEPS",
    "MAX_CSV_COLUMNS",
    "MAX_CSV_LINE_CHARS",
    "MAX_CSV_CELLS",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "MAX_XLSX_SHEETS",
    "MAX_XLSX_ROWS",
    "MAX_XLSX_COLUMNS",
    "MAX_XLSX_CELL_CHARS",
    "XLSX_HEADER_ROWS",
    "DXF_FLATTEN_FRACTION",
    "DXF_FLATTEN_MIN_M",
    "SERVICE_RADII_M",
    "working_store_path",
    "database_url",
    "dask_scheduler",
    "tianditu_key",
    "tile_packages",
    "TILE_MAX_AGE_S",
    "MAX_RENDER_TILES",
    "DATABASE_CONNECT_TIMEOUT_S",
    "DATABASE_STATEMENT_TIMEOUT_S",
    "STORE_PROBE_INTERVAL_S",
    "DASK_SCATTER_ATTEMPTS",
    "DASK_CONNECT_TIMEOUT_S",
    "DISPLAY_TIME_ZONE",
    "COVERAGE_MAX_TILES",
    "COVERAGE_INDEX_BYTES_PER_TILE",
    "DRAWN_PLACE_ACCURACY_M",
    "MAX_PLACE_ACCURACY_M",
]


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        return default


def _float_env(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError:
        return default


#: Project root (the folder holding ``app.py``).
PROJECT_DIR: Path = Path(__file__).resolve().parent.parent

#: Where an installed wheel keeps the bundled dataset: pyproject.toml maps the repository's top-level ``data/``
#: to the package ``gis._bundled``, so ``pip install .`` puts it beside this module.
_INSTALLED_DATA_DIR: Path = Path(__file__).resolve().parent / "_bundled" / "geo"

#: The bundled plan dataset (the baseline; never edited in place): ``data/geo`` of the checkout (also under
#: ``pip install -e .``), or ``gis/_bundled/geo`` inside an installed wheel, whatever the working folder.
BUNDLED_DATA_DIR: Path = _INSTALLED_DATA_DIR if _INSTALLED_DATA_DIR.is_dir() else PROJECT_DIR / "data" / "geo"


def data_dir() -> Path:
    """Return the user's data folder, read from the environment at call time.

    Returns
    -------
    pathlib.Path
        ``$SSL_GIS_DATA_DIR`` if set, else ``$XDG_DATA_HOME/songshanlake-gis`` (default
        ``~/.local/share/songshanlake-gis``). The working store, backups and the users file live here.
    """
    override = os.environ.get("SSL_GIS_DATA_DIR")
    if override:
        return Path(override)
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "songshanlake-gis"


# Input limits. They bound what one upload or one file on the command line may cost in memory and
# time; anything above them is refused with a message naming the limit (gis.errors.LimitExceeded).
#: Largest input file in bytes (``SSL_GIS_MAX_FILE_BYTES``, default 200 MB).
MAX_FILE_BYTES: int = _int_env("SSL_GIS_MAX_FILE_BYTES", 200 * 1024 * 1024)
#: Largest work-plan file (.txt or .docx, and a .docx's document part) in bytes (``SSL_GIS_MAX_PLAN_BYTES``, 20 MB).
MAX_PLAN_BYTES: int = _int_env("SSL_GIS_MAX_PLAN_BYTES", 20 * 1024 * 1024)
#: Most features in one input (``SSL_GIS_MAX_FEATURES``).
MAX_FEATURES: int = _int_env("SSL_GIS_MAX_FEATURES", 500_000)
#: Most vertices over all features of one input (``SSL_GIS_MAX_VERTICES``).
MAX_VERTICES: int = _int_env("SSL_GIS_MAX_VERTICES", 20_000_000)
#: Largest total uncompressed size of an archive's members (``SSL_GIS_MAX_ARCHIVE_BYTES``, 1 GB).
MAX_ARCHIVE_UNCOMPRESSED_BYTES: int = _int_env("SSL_GIS_MAX_ARCHIVE_BYTES", 1024 * 1024 * 1024)
#: Most members in one archive (``SSL_GIS_MAX_ARCHIVE_MEMBERS``).
MAX_ARCHIVE_MEMBERS: int = _int_env("SSL_GIS_MAX_ARCHIVE_MEMBERS", 2_000)
#: Largest ratio of uncompressed to compressed size for one member (zip-bomb guard).
MAX_ARCHIVE_RATIO: int = _int_env("SSL_GIS_MAX_ARCHIVE_RATIO", 200)

# Reader limits (issue 11): checked while a file is read, before a library builds anything from it.
#: SQLite virtual-machine steps allowed for reading a GeoPackage's catalogue before GDAL opens it
#: (``SSL_GIS_MAX_GPKG_SQLITE_STEPS``); views are refused outright, this only bounds a damaged catalogue.
MAX_GPKG_SQLITE_STEPS: int = _int_env("SSL_GIS_MAX_GPKG_SQLITE_STEPS", 10_000_000)
#: Most columns in a CSV point table (``SSL_GIS_MAX_CSV_COLUMNS``).
MAX_CSV_COLUMNS: int = _int_env("SSL_GIS_MAX_CSV_COLUMNS", 500)
#: Longest line of a CSV point table in characters (``SSL_GIS_MAX_CSV_LINE_CHARS``, 64 k).
MAX_CSV_LINE_CHARS: int = _int_env("SSL_GIS_MAX_CSV_LINE_CHARS", 65_536)
#: Most cells (rows × columns) of a CSV point table (``SSL_GIS_MAX_CSV_CELLS``); rows are also bounded
#: by ``MAX_FEATURES``.
MAX_CSV_CELLS: int = _int_env("SSL_GIS_MAX_CSV_CELLS", 5_000_000)
# Excel (.xlsx) point tables and 界址点坐标表 (issue 13 item 6): an .xlsx is a ZIP of XML; its members'
# declared sizes are checked before openpyxl opens it (Python's zipfile never inflates past them).
#: Largest total uncompressed size of an .xlsx's members (``SSL_GIS_MAX_XLSX_BYTES``, 200 MB).
MAX_XLSX_UNCOMPRESSED_BYTES: int = _int_env("SSL_GIS_MAX_XLSX_BYTES", 200 * 1024 * 1024)
#: Most sheets in one workbook (``SSL_GIS_MAX_XLSX_SHEETS``).
MAX_XLSX_SHEETS: int = _int_env("SSL_GIS_MAX_XLSX_SHEETS", 50)
#: Most rows read from the sheet holding the coordinates (``SSL_GIS_MAX_XLSX_ROWS``); a 界址点坐标表 holds
#: about one row per boundary point.
MAX_XLSX_ROWS: int = _int_env("SSL_GIS_MAX_XLSX_ROWS", 1_000_000)
#: Most columns of a sheet (``SSL_GIS_MAX_XLSX_COLUMNS``).
MAX_XLSX_COLUMNS: int = _int_env("SSL_GIS_MAX_XLSX_COLUMNS", 200)
#: Longest text in one cell (``SSL_GIS_MAX_XLSX_CELL_CHARS``; Excel itself stops at 32 767).
MAX_XLSX_CELL_CHARS: int = _int_env("SSL_GIS_MAX_XLSX_CELL_CHARS", 32_767)
#: Rows at the top of each sheet searched for the header row (``SSL_GIS_XLSX_HEADER_ROWS``).
XLSX_HEADER_ROWS: int = _int_env("SSL_GIS_XLSX_HEADER_ROWS", 20)
#: DXF arcs are flattened with a chord tolerance of the drawing's extent divided by this
#: (``SSL_GIS_DXF_FLATTEN_FRACTION``; 1 km drawing → 1 cm) ...
DXF_FLATTEN_FRACTION: int = _int_env("SSL_GIS_DXF_FLATTEN_FRACTION", 100_000)
#: ... and never finer than this many metres (``SSL_GIS_DXF_FLATTEN_MIN_M``; a floor: 1 cm, survey precision).
DXF_FLATTEN_MIN_M: float = _float_env("SSL_GIS_DXF_FLATTEN_MIN_M", 0.01)

#: Default service distances in metres, each with where it comes from.
SERVICE_RADII_M: dict[str, dict[str, object]] = {
    "tod_station": {
        "radii_m": (500.0, 800.0),
        "source": "TOD 核心区 500 m / 影响区 800 m: 住房和城乡建设部《城市轨道沿线地区规划设计导则》(2015)",
    },
    "bus_stop": {
        "radii_m": (300.0, 500.0),
        "source": "公交站点 300 m / 500 m 覆盖率: GB/T 51328-2018《城市综合交通体系规划标准》12.3",
    },
    "primary_school": {
        "radii_m": (500.0,),
        "source": "小学服务半径 500 m (10 分钟生活圈): GB 50180-2018《城市居住区规划设计标准》",
    },
    "secondary_school": {
        "radii_m": (1000.0,),
        "source": "中学服务半径 1000 m (15 分钟生活圈): GB 50180-2018《城市居住区规划设计标准》",
    },
    "fire_station": {
        "radii_m": (2000.0,),
        "source": (
            "消防站辖区面积不宜大于 7 km² (普通站, 《城市消防站建设标准》建标152-2017 第二条); "
            "half the side of a 7 km² square ≈ 1.3 km, a 5-minute response ≈ 2 km: assumption"
        ),
    },
    "substation_110kv": {
        "radii_m": (1500.0,),
        "source": "110 kV 供电半径 ~1.5 km in dense urban areas: assumption after DL/T 5729-2016 guidance",
    },
    "substation_220kv": {
        "radii_m": (5000.0,),
        "source": "220 kV 供电半径 ~5 km: assumption",
    },
}


def working_store_path() -> Path:
    """Return the path of the working GeoPackage store.

    Returns
    -------
    pathlib.Path
        ``$SSL_GIS_STORE`` if set, otherwise ``data_dir() / "working.gpkg"`` (both read at call time).
        The folder is not created here.
    """
    override = os.environ.get("SSL_GIS_STORE")
    if override:
        return Path(override)
    return data_dir() / "working.gpkg"


def database_url() -> str | None:
    """Return the PostgreSQL/PostGIS URL of a shared working store, if one is configured.

    Returns
    -------
    str or None
        ``$SSL_GIS_DATABASE_URL`` (``postgresql://user@host:5432/db[?schema=name]``) read at call time, or
        None when unset, in which case the working store is the GeoPackage at :func:`working_store_path`.
    """
    return os.environ.get("SSL_GIS_DATABASE_URL") or None


def dask_scheduler() -> str | None:
    """Return the dask scheduler address for :mod:`gis.dask_metrics`, read at call time.

    Returns
    -------
    str or None
        ``$SSL_GIS_DASK_SCHEDULER`` (e.g. ``tcp://10.0.0.5:8786``; ``tls://`` beyond a private subnet), or
        None, in which case each call starts a local cluster on the loopback interface.
    """
    value = os.environ.get("SSL_GIS_DASK_SCHEDULER", "").strip()
    return value or None


def tianditu_key() -> str:
    """Return the Tianditu (天地图) browser key from ``$SSL_GIS_TIANDITU_KEY``, read at call time.

    Returns
    -------
    str
        The key, or an empty string when none is configured (the basemap option then says what is missing).
    """
    return os.environ.get("SSL_GIS_TIANDITU_KEY", "").strip()


# --- Intranet basemaps: tile packages (issue 18) -----------------------------------------------------------
#: Seconds a browser may keep a served basemap tile before asking again (``SSL_GIS_TILE_MAX_AGE_S``, 1 day).
TILE_MAX_AGE_S: int = _int_env("SSL_GIS_TILE_MAX_AGE_S", 86_400)
#: Most tiles ``python -m layers tiles --render-bundled`` draws in one run (``SSL_GIS_MAX_RENDER_TILES``).
MAX_RENDER_TILES: int = _int_env("SSL_GIS_MAX_RENDER_TILES", 20_000)


def tile_packages() -> list[Path]:
    """Return the configured basemap tile packages, read from the environment at call time.

    Returns
    -------
    list of pathlib.Path
        The entries of ``$SSL_GIS_TILE_PACKAGES``, separated by :data:`os.pathsep` (``:`` on Linux, ``;`` on
        Windows): each an MBTiles file or a folder of ``{z}/{x}/{y}.png|jpg|webp`` tiles. Empty entries are
        skipped; ``~`` is expanded. An empty list when unset. The files are opened by :mod:`gis.tiles`.
    """
    value = os.environ.get("SSL_GIS_TILE_PACKAGES", "")
    return [Path(part.strip()).expanduser() for part in value.split(os.pathsep) if part.strip()]


# --- Beyond one machine: database outages and the dask cluster (issue 17) ------------------------------------
#: Seconds to wait for the PostGIS server when connecting (``SSL_GIS_DB_CONNECT_TIMEOUT_S``, 3 s; libpq's
#: ``connect_timeout``, which also ends the wait for a hung server that accepts but never answers). Every store
#: call opens its own connection, so this bounds how long a page waits on a database that is away.
DATABASE_CONNECT_TIMEOUT_S: int = max(1, _int_env("SSL_GIS_DB_CONNECT_TIMEOUT_S", 3))
#: Seconds one SQL statement may run on the server (``SSL_GIS_DB_STATEMENT_TIMEOUT_S``, 30 s; PostgreSQL's
#: ``statement_timeout``). The store's statements take milliseconds; a backup or restore of a large store is
#: many statements, each bounded by this.
DATABASE_STATEMENT_TIMEOUT_S: int = max(1, _int_env("SSL_GIS_DB_STATEMENT_TIMEOUT_S", 30))
#: Seconds between two checks whether an unreachable working store is back (``SSL_GIS_STORE_PROBE_S``, 2 s):
#: the app asks at most this often, so an outage does not make every rerun wait for a connect timeout.
STORE_PROBE_INTERVAL_S: float = _float_env("SSL_GIS_STORE_PROBE_S", 2.0)
#: How often :mod:`gis.dask_metrics` sends the catchment to the workers before giving up when a worker is
#: lost during the transfer (``SSL_GIS_DASK_SCATTER_ATTEMPTS``, 3).
DASK_SCATTER_ATTEMPTS: int = max(1, _int_env("SSL_GIS_DASK_SCATTER_ATTEMPTS", 3))
#: Seconds to wait for the dask scheduler named by ``$SSL_GIS_DASK_SCHEDULER`` (``SSL_GIS_DASK_CONNECT_TIMEOUT_S``).
DASK_CONNECT_TIMEOUT_S: float = _float_env("SSL_GIS_DASK_CONNECT_TIMEOUT_S", 20.0)


# --- Times shown to planners (issue 13 item 1) -------------------------------------------------------------
#: The time zone every time stamp is shown in (stored times stay ISO 8601 UTC); China has one zone, UTC+8.
DISPLAY_TIME_ZONE: str = "Asia/Shanghai"


# --- 出图 print-ready maps (issue 13 item 4) ----------------------------------------------------------------
#: Resolution of a printed map in dots per inch (``SSL_GIS_PRINT_DPI``): 150 dpi reads well on A4/A3 paper.
PRINT_DPI: int = _int_env("SSL_GIS_PRINT_DPI", 150)
#: Fonts with Chinese glyphs tried in order for printed maps (Debian's fonts-noto-cjk; ``SSL_GIS_PRINT_FONT``
#: names another TrueType/OpenType file first). Each entry is (file, index in a .ttc collection).
PRINT_FONTS: tuple[tuple[str, int], ...] = (
    *(((os.environ["SSL_GIS_PRINT_FONT"], 0),) if os.environ.get("SSL_GIS_PRINT_FONT") else ()),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: Simplified Chinese (SC)
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


#: Most classification tiles of one coverage catchment index (``SSL_GIS_COVERAGE_MAX_TILES``, 4 million). The
#: index needs about ``COVERAGE_INDEX_BYTES_PER_TILE`` bytes per tile while it is built (measured: 4 M tiles →
#: 207 MiB peak, 2.45 M → 128 MiB), so this bounds it at ~210 MiB whatever ``tile_m`` asks for; a smaller
#: ``tile_m`` only makes the grid finer up to this many tiles.
COVERAGE_MAX_TILES: int = max(1, _int_env("SSL_GIS_COVERAGE_MAX_TILES", 4_000_000))
#: Peak bytes per tile while a catchment index is built (measured with tracemalloc, shapely 2.2 / numpy 2.4).
COVERAGE_INDEX_BYTES_PER_TILE: int = 52


# --- clicks recorded by a callback (DECISIONS 43) -------------------------------------------------------------
#: How long a recorded click (出图 生成, the editor's 保存 and 覆盖) waits for a run to act on it (seconds). The
#: run that stops a click's own run starts at once; a record older than this was left when the planner went to
#: another page mid-click, and is dropped rather than acted on when they come back.
CLICK_RECORD_TTL_S: float = 30.0


# --- placing plan items (issue 16, w-place) -------------------------------------------------------------------
#: Positional uncertainty recorded for a place drawn by hand on the map, or typed as lon/lat, when the reviewer
#: states none: about a city block's half-width. An assumption, not a standard: the reviewer knows better.
DRAWN_PLACE_ACCURACY_M: float = 50.0
#: The largest accuracy a place may claim (metres): beyond this it is not a place in the zone.
MAX_PLACE_ACCURACY_M: float = 10_000.0
