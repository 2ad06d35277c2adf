"""Coordinate reference systems: the constants of DESIGN.md, GCJ-02/BD-09 and CRS sniffing.

GCJ-02 (the "Mars" datum of AMap/Gaode and Tencent) and BD-09 (Baidu) are not in PROJ. They are
obfuscated offsets of WGS 84, 300–600 m around Dongguan. The forward transform below is the published
algorithm (a Krasovsky-ellipsoid polynomial offset); no maintained package implements it (the PyPI
packages that do were last released in 2018–2019), so it is written here, vectorised with numpy, and
tested against those packages' values in ``tests/gis/test_crs.py``. The inverse iterates the forward
transform to a fixed point and is accurate to well under a millimetre in the zone.

Rules: never store GCJ-02 or BD-09. Convert on import, shift on display only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import shapely

__all__ = [
    "WGS84",
    "CGCS2000",
    "CGCS2000_GK_CM114",
    "CGCS2000_GK_ZONE38",
    "DONGGUAN_BBOX",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "transform_geometries",
    "transform_frame",
    "CRSGuess",
    "sniff_crs",
    "TRANSFORMS",
]

#: Storage and exchange (RFC 7946 GeoJSON).
WGS84 = "EPSG:4326"
#: China Geodetic Coordinate System 2000, geographic; read as the same datum as WGS 84 (centimetres apart).
CGCS2000 = "EPSG:4490"
#: CGCS2000 / 3-degree Gauss-Kruger CM 114E: metres, used for every area, length and buffer.
CGCS2000_GK_CM114 = "EPSG:4547"
#: CGCS2000 / 3-degree Gauss-Kruger zone 38: the same projection with the ``38`` easting prefix.
CGCS2000_GK_ZONE38 = "EPSG:4526"

#: Dongguan's extent in degrees (lon_min, lat_min, lon_max, lat_max), with a margin of ~10 km.
#: Dongguan spans about 113.52–114.26 E and 22.65–23.15 N (Dongguan municipal boundary).
DONGGUAN_BBOX: tuple[float, float, float, float] = (113.40, 22.55, 114.40, 23.25)

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def _offsets(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 in degrees at WGS-84 positions (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    six_pi_x = 6.0 * np.pi * x
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    d_lat += (20.0 * np.sin(six_pi_x) + 20.0 * np.sin(2.0 * np.pi * x)) * 2.0 / 3.0
    d_lat += (20.0 * np.sin(np.pi * y) + 40.0 * np.sin(np.pi * y / 3.0)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(np.pi * y / 12.0) + 320.0 * np.sin(np.pi * y / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    d_lon += (20.0 * np.sin(six_pi_x) + 20.0 * np.sin(2.0 * np.pi * x)) * 2.0 / 3.0
    d_lon += (20.0 * np.sin(np.pi * x) + 40.0 * np.sin(np.pi * x / 3.0)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(np.pi * x / 12.0) + 300.0 * np.sin(np.pi * x / 30.0)) * 2.0 / 3.0
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The rough rectangle where the offset applies; outside it GCJ-02 equals WGS 84."""
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _as_arrays(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def wgs84_to_gcj02(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS 84 coordinates to GCJ-02.

    Parameters
    ----------
    lon, lat : float or array-like
        Longitude and latitude in degrees (WGS 84).

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitude and latitude in degrees; points outside China are returned unchanged.
    """
    lon, lat = _as_arrays(lon, lat)
    d_lon, d_lat = _offsets(lon, lat)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + d_lon, lon), np.where(inside, lat + d_lat, lat)


def gcj02_to_wgs84(
    lon: object, lat: object, *, tolerance_deg: float = 1e-10, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Invert GCJ-02 to WGS 84 by fixed-point iteration of the forward shift.

    Parameters
    ----------
    lon, lat : float or array-like
        GCJ-02 longitude and latitude in degrees.
    tolerance_deg : float, keyword-only
        Stop when every correction is below this many degrees (1e-10 deg ≈ 0.01 mm).
    max_iter : int, keyword-only
        Upper bound on iterations; around Dongguan 4–6 suffice.

    Returns
    -------
    tuple of numpy.ndarray
        WGS 84 longitude and latitude in degrees; the forward shift of the result matches the input to
        better than 1 mm around Dongguan.
    """
    g_lon, g_lat = _as_arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if np.all(np.abs(e_lon) < tolerance_deg) and np.all(np.abs(e_lat) < tolerance_deg):
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 to Baidu's BD-09 (degrees in, degrees out)."""
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """Convert Baidu's BD-09 to GCJ-02 (degrees in, degrees out; the closed form, ~1e-6 deg)."""
    bx, by = _as_arrays(lon, lat)
    x = bx - 0.0065
    y = by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def wgs84_to_bd09(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS 84 to BD-09 through GCJ-02 (degrees)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 to WGS 84 through GCJ-02 (degrees)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


#: The named transforms of ``python -m gis transform``.
TRANSFORMS = {
    "wgs84-to-gcj02": wgs84_to_gcj02,
    "gcj02-to-wgs84": gcj02_to_wgs84,
    "gcj02-to-bd09": gcj02_to_bd09,
    "bd09-to-gcj02": bd09_to_gcj02,
    "wgs84-to-bd09": wgs84_to_bd09,
    "bd09-to-wgs84": bd09_to_wgs84,
}


def transform_geometries(geoms: object, kind: str) -> np.ndarray:
    """Apply a named datum shift to every vertex of an array of shapely geometries.

    Parameters
    ----------
    geoms : array-like of shapely.Geometry
        Geometries in degrees of the source datum.
    kind : str
        A key of :data:`TRANSFORMS`, e.g. ``"gcj02-to-wgs84"``.

    Returns
    -------
    numpy.ndarray of shapely.Geometry
        New geometries; Z values are kept; None stays None.
    """
    func = TRANSFORMS[kind]

    def _shift(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        if len(coords):
            out[:, 0], out[:, 1] = func(coords[:, 0], coords[:, 1])
        return out

    arr = np.asarray(geoms, dtype=object)
    return shapely.transform(arr, _shift, include_z=False)


def transform_frame(gdf: "geopandas.GeoDataFrame", kind: str) -> "geopandas.GeoDataFrame":  # noqa: F821
    """Return a copy of a GeoDataFrame with a datum shift applied to its geometry.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Frame in degrees (EPSG:4326 labelled; GCJ-02 data is labelled 4326 by convention when read).
    kind : str
        A key of :data:`TRANSFORMS`.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with shifted geometry and the same CRS label (EPSG:4326).
    """
    out = gdf.copy()
    out[out.geometry.name] = transform_geometries(out.geometry.values, kind)
    out = out.set_crs(gdf.crs if gdf.crs is not None else WGS84, allow_override=True)
    return out


@dataclass
class CRSGuess:
    """What a sniffer decided about coordinates that came without a CRS.

    Attributes
    ----------
    crs : str or None
        The CRS assumed (``"EPSG:4326"``, ``"EPSG:4547"``, ``"EPSG:4526"``) or None if nothing fits.
    swap_xy : bool
        True when the coordinates are latitude first and must be swapped.
    assumed : bool
        True when the CRS was inferred rather than declared by the file or the caller.
    note_zh, note_en : str
        What was assumed, to show the user.
    """

    crs: str | None
    swap_xy: bool = False
    assumed: bool = True
    note_zh: str = ""
    note_en: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def note(self) -> str:
        """The note in both languages, Chinese first."""
        return f"{self.note_zh} / {self.note_en}" if self.note_zh else self.note_en


# Projected extents of Dongguan (with margin) in EPSG:4547 metres; see DESIGN.md.
_GK_E = (450_000.0, 527_000.0)
_GK_N = (2_505_000.0, 2_561_000.0)
_ZONE38_OFFSET = 38_000_000.0


def _within(lo_hi: tuple[float, float], lo: float, hi: float) -> bool:
    return lo_hi[0] <= lo and hi <= lo_hi[1]


def sniff_crs(
    bounds: tuple[float, float, float, float], *, declared: Literal["gcj02", "bd09"] | None = None
) -> CRSGuess:
    """Guess the CRS of coordinates that carry none, from their bounds.

    Parameters
    ----------
    bounds : tuple of float
        (minx, miny, maxx, maxy) of all coordinates as found in the file.
    declared : {"gcj02", "bd09"} or None, keyword-only
        The user's word that degree coordinates are GCJ-02 (AMap pickers) or BD-09 (Baidu).

    Returns
    -------
    CRSGuess
        The CRS assumed, whether x and y must be swapped, and a note for the user. ``crs`` is None when
        the coordinates fit none of the cases (the caller must refuse or ask).
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    lon0, lat0, lon1, lat1 = DONGGUAN_BBOX
    datum_zh = {"gcj02": "，按用户说明为 GCJ-02 并已转换为 WGS 84", "bd09": "，按用户说明为 BD-09 并已转换为 WGS 84"}
    datum_en = {"gcj02": "; declared GCJ-02, converted to WGS 84", "bd09": "; declared BD-09, converted to WGS 84"}
    d_zh = datum_zh.get(declared or "", "")
    d_en = datum_en.get(declared or "", "")
    if -180 <= minx and maxx <= 180 and -180 <= miny and maxy <= 180:
        if lon0 <= minx and maxx <= lon1 and lat0 <= miny and maxy <= lat1:
            return CRSGuess(
                WGS84, False, True, f"坐标为经纬度 (经度, 纬度)，按 WGS 84 读取{d_zh}",
                f"degrees (lon, lat), read as WGS 84{d_en}", {"declared": declared},
            )
        if lat0 <= minx and maxx <= lat1 and lon0 <= miny and maxy <= lon1:
            return CRSGuess(
                WGS84, True, True, f"坐标为 (纬度, 经度) 顺序，已交换为 (经度, 纬度){d_zh}",
                f"coordinates were (lat, lon); swapped to (lon, lat){d_en}", {"declared": declared},
            )
        if not (-90 <= miny and maxy <= 90):
            return CRSGuess(
                None, False, True, "坐标超出经纬度范围 (纬度超过 ±90°)",
                "coordinates out of range for degrees (latitude beyond ±90)",
            )
        return CRSGuess(
            WGS84, False, True, f"坐标为经纬度但不在东莞范围内，按 WGS 84 读取{d_zh}",
            f"degrees outside Dongguan, read as WGS 84{d_en}", {"declared": declared},
        )
    if _within(_GK_E, minx, maxx) and _within(_GK_N, miny, maxy):
        return CRSGuess(
            CGCS2000_GK_CM114, False, True, "坐标为米制，按 CGCS2000 3度带 中央经线114° (EPSG:4547) 读取",
            "metres, read as CGCS2000 / 3-degree GK CM 114E (EPSG:4547)",
        )
    if _within(_GK_N, minx, maxx) and _within(_GK_E, miny, maxy):
        return CRSGuess(
            CGCS2000_GK_CM114, True, True, "坐标为 X=北坐标, Y=东坐标 (测量坐标顺序)，已交换，按 EPSG:4547 读取",
            "metres in surveying order (X northing, Y easting); swapped, read as EPSG:4547",
        )
    z38 = (_GK_E[0] + _ZONE38_OFFSET, _GK_E[1] + _ZONE38_OFFSET)
    if _within(z38, minx, maxx) and _within(_GK_N, miny, maxy):
        return CRSGuess(
            CGCS2000_GK_ZONE38, False, True, "东坐标带 38 带号，按 CGCS2000 3度带 第38带 (EPSG:4526) 读取",
            "eastings carry the zone prefix 38, read as CGCS2000 / 3-degree GK zone 38 (EPSG:4526)",
        )
    if _within(_GK_N, minx, maxx) and _within(z38, miny, maxy):
        return CRSGuess(
            CGCS2000_GK_ZONE38, True, True, "坐标为 X=北坐标, Y=带号东坐标，已交换，按 EPSG:4526 读取",
            "surveying order with the zone-38 prefix; swapped, read as EPSG:4526",
        )
    return CRSGuess(
        None, False, True, "无法判断坐标系：坐标不是经纬度，也不在东莞的 CGCS2000 投影范围内",
        "cannot tell the CRS: coordinates are neither degrees nor CGCS2000 metres around Dongguan",
    )
