"""Serve the configured basemap tile packages from the app's own server: ``GET /_gis/tiles/{key}/{z}/{x}/{y}``.

Added to the :class:`streamlit.App` in ``app.py`` beside the sign-in routes, so the map's tiles come from
the app itself and nothing leaves the machine. The request names only a package *key* from the settings
and three integers: no path ever comes from the request. Answers:

- 200 with the tile, its ``Content-Type``, ``Cache-Control: public, max-age=…`` and an ``ETag`` (a
  ``If-None-Match`` that matches gets 304);
- 200 with a transparent 1×1 PNG (``X-Tile-Empty: 1``) for a tile the package does not hold — empty,
  not an error, so Leaflet shows nothing there;
- 404 for an unknown or refused package.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any

from gis import settings, tiles

__all__ = ["tile_routes", "TILE_ROUTE", "tile_url", "EMPTY_PNG"]

#: The route's path (Starlette syntax; the integer converters refuse anything else with 404).
TILE_ROUTE = "/_gis/tiles/{key}/{z:int}/{x:int}/{y:int}"
#: A transparent 1×1 PNG, served for tiles a package does not hold.
EMPTY_PNG: bytes = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNgYGBgAAAABQABeqhXUAAAAABJRU5ErkJggg=="
)


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

    return [Route(TILE_ROUTE, serve, methods=["GET", "HEAD"])]
