"""A small 2021 work plan accepted into a seeded store: the set-up the plan-year tests share (issue 16).

Used by tests/ui, tests/layers and tests/browser (``from plan_2021 import ...``; tests/ is on ``sys.path`` as the
root conftest's folder, like ``pg_cluster``). Each test keeps the plan text and picks it asserts on; the two that
are the same plan (a carried road and a bus terminus) are :data:`PLAN_2021_ROADS` and :data:`PICKS_ROADS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gis.store import Store, open_store
from layers.plan_items import accept_proposals, proposals_from_text
from layers.registry import seed_store

__all__ = ["PICKS_ROADS", "PLAN_2021_ROADS", "accept_2021", "seeded_store"]

#: Two sentences: the 18 link roads (``road-07`` is carried into 2021) and a bus terminus placed by lon/lat.
PLAN_2021_ROADS = """松山湖高新区2021年工作计划
(一)聚焦产城融合。
一要着力优化交通。力争年底前打通10条联网路；上半年建成松湖智谷公交首末站。
"""
PICKS_ROADS: dict[str, dict[str, Any]] = {
    "力争年底前打通10条联网路": {"link_id": "road_links:road-07"},
    "上半年建成松湖智谷公交首末站": {"lon": 113.885, "lat": 22.915},
}


def seeded_store(path: Path) -> Store:
    """The GeoPackage store at ``path`` with the bundled layers copied in (as on the app's first run)."""
    store = open_store(path)
    seed_store(store, user="system")
    return store


def accept_2021(
    store: Store | Path, text: str, picks: Mapping[str, Mapping[str, Any]], *, user: str = "planner"
) -> dict[str, Any]:
    """Propose ``text`` as the 2021 plan, accept the candidates whose quote is in ``picks`` (with its values).

    Parameters
    ----------
    store : gis.store.Store or path
        The working store the accepted items and carried features are written to.
    text : str
        The plan's text (Chinese).
    picks : mapping
        Quote → the reviewer's values for it (``link_id``, ``lon``/``lat`` in EPSG:4326 degrees, ``item_zh``, …);
        every other candidate is left out.
    user : str
        Who accepts.

    Returns
    -------
    dict
        :func:`layers.plan_items.accept_proposals`' result (``added``, ``carried``, …).
    """
    doc = proposals_from_text(text, year=2021, source="plan2021.txt")
    for c in doc["candidates"]:
        c["accept"] = c["quote"] in picks
        c.update(picks.get(c["quote"], {}))
    return accept_proposals(doc, user=user, store=store)
