"""Serve the configured basemap tile packages from the app's own server: ``GET /_gis/tiles/{key}/{z}/{x}/{y}``.

Added to the :class:`streamlit.App` in ``app.py`` beside the sign-in routes, so the map's tiles come from
the app itself and nothing leaves the machine. The request names only a package *key* from the settings
and three integers: no path ever comes from the request. Answers:

- 200 with the tile, its ``Content-Type``, ``Cache-Control: public, max-age=…`` and an ``ETag`` (a
  ``If-None-Match`` that matches gets 304);
- 200 with a transparent 1×1 PNG (``X-Tile-Empty: 1``) for a tile the package does not hold — empty,
  not an error, so Leaflet shows nothing there;
- 404 for an unknown or refused package.

It also serves the map's own Leaflet files (``ui/assets``) at ``GET /_gis/assets/{version}/{path}``, with a
version that is a digest of the files, so the browser may keep them for a year (``immutable``): a new
session's map then takes Leaflet and its plugins from the browser's cache instead of asking for them one after
the other (streamlit-folium loads them in sequence, and Streamlit's component route sends them with no
lifetime). Another version is still answered, with ``no-cache``; a path outside the folder is 404.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from gis import settings, tiles

__all__ = [
    "tile_routes", "TILE_ROUTE", "tile_url", "EMPTY_PNG", "ASSET_ROUTE", "ASSETS_DIR", "assets_version", "asset_base",
]

#: The route's path (Starlette syntax; the integer converters refuse anything else with 404).
TILE_ROUTE = "/_gis/tiles/{key}/{z:int}/{x:int}/{y:int}"
#: A transparent 1×1 PNG, served for tiles a package does not hold.
EMPTY_PNG: bytes = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNgYGBgAAAABQABeqhXUAAAAABJRU5ErkJggg=="
)


#: The map's asset route (Starlette syntax).
ASSET_ROUTE = "/_gis/assets/{version}/{path:path}"
#: Folder holding leaflet/, leaflet-measure/, leaflet-draw/ (see its README for versions and licences).
ASSETS_DIR: Path = Path(__file__).resolve().parent / "assets"
#: A year: the URL changes with the files (:func:`assets_version`), so a cached copy is never stale.
_ASSET_MAX_AGE_S = 365 * 24 * 3600


@functools.cache
def assets_version() -> str:
    """A digest of every file under :data:`ASSETS_DIR` (names and bytes): part of the assets' URLs."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(p for p in ASSETS_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(ASSETS_DIR).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def asset_base(*, from_map_frame: bool = True) -> str:
    """URL prefix (ending in ``/``) of the map's assets.

    Parameters
    ----------
    from_map_frame : bool, keyword-only
        Relative to streamlit-folium's iframe (``<base>/component/streamlit_folium.st_folium/index.html``),
        which keeps working under any ``server.baseUrlPath``; else the absolute path.
    """
    path = f"_gis/assets/{assets_version()}/"
    return f"../../{path}" if from_map_frame else f"/{path}"


def _asset_file(path: str) -> Path | None:
    """The file under :data:`ASSETS_DIR` a request names, or None (missing, a folder, or outside it)."""
    root = ASSETS_DIR.resolve()
    try:
        found = (root / path).resolve()
    except (OSError, ValueError):
        return None
    if not found.is_relative_to(root) or not found.is_file():
        return None
    return found


def tile_url(key: str, *, from_map_frame: bool = True) -> str:
    """The Leaflet URL template of a package's tiles.

    Parameters
    ----------
    key : str
        The package key (:func:`gis.tiles.configured_packages`).
    from_map_frame : bool, keyword-only
        Relative to streamlit-folium's iframe (``<base>/component/streamlit_folium.st_folium/index.html``),
        as the map asks for them; else the absolute path.
    """
    path = f"_gis/tiles/{key}/{{z}}/{{x}}/{{y}}"
    return f"../../{path}" if from_map_frame else f"/{path}"


def _lookup(key: str, z: int, x: int, y: int) -> tuple[bytes, str] | None | bool:
    entry = tiles.configured_packages().get(key)
    if entry is None or entry.package is None:
        return False
    return entry.package.tile(z, x, y)


def tile_routes() -> list[Any]:
    """The HTTP route that serves basemap tiles (for :class:`streamlit.App`).

    Returns
    -------
    list of starlette.routing.Route
        ``GET /_gis/tiles/{key}/{z}/{x}/{y}`` (see the module docstring for the answers).
    """
    from starlette.responses import Response
    from starlette.routing import Route

    async def serve(request: Any) -> Any:
        key = str(request.path_params["key"])
        z, x, y = (int(request.path_params[k]) for k in ("z", "x", "y"))
        if z > tiles.MAX_ZOOM:
            return Response(status_code=404)
        # SQLite and file reads block: off the event loop, so one slow disk does not stall the app.
        found = await asyncio.to_thread(_lookup, key, z, x, y)
        if found is False:
            return Response(status_code=404, headers={"Cache-Control": "no-store"})
        if found is None:
            return Response(
                EMPTY_PNG, media_type="image/png",
                headers={"Cache-Control": f"public, max-age={settings.TILE_MAX_AGE_S}", "X-Tile-Empty": "1"},
            )
        data, content_type = found
        etag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
        headers = {"Cache-Control": f"public, max-age={settings.TILE_MAX_AGE_S}", "ETag": etag}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=content_type, headers=headers)

    async def serve_asset(request: Any) -> Any:
        found = _asset_file(str(request.path_params["path"]))
        if found is None:
            return Response(status_code=404, headers={"Cache-Control": "no-store"})
        data = await asyncio.to_thread(found.read_bytes)
        current = request.path_params["version"] == assets_version()
        cache = f"public, max-age={_ASSET_MAX_AGE_S}, immutable" if current else "no-cache"
        media = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        return Response(data, media_type=media, headers={"Cache-Control": cache})

    return [Route(TILE_ROUTE, serve, methods=["GET", "HEAD"]), Route(ASSET_ROUTE, serve_asset, methods=["GET", "HEAD"])]
