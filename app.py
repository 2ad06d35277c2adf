"""Songshan Lake Plan GIS — the Streamlit entry point: page config, shared sidebar, navigation. Thin.

Run with ``streamlit run app.py``. The pages are plain modules in ``ui/``; this file only wires them.

The file has two faces. Streamlit runs it as the page script (``__name__ == "__main__"``): :func:`main`
draws the sidebar and the navigation. ``streamlit run`` first finds the :class:`streamlit.App` below and
serves it (uvicorn + Starlette), importing this file as a module: that app adds the two routes that set
and clear the HttpOnly sign-in cookie (:func:`ui.auth.session_routes`), which a page script cannot do,
and the route that serves the intranet basemap tile packages (:func:`ui.tile_routes.tile_routes`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st


def main() -> None:
    """Draw the shared sidebar (language, as-of date, plan year, sign-in) and run the selected page."""
    from ui.auth import sign_in_box
    from ui.i18n import LANGS, lang, t
    from ui.outage import outage_banner
    from ui.plan_year import year_selector
    from ui.state import init_from_url, url_get, url_set
    from ui.uploader_zh import localise_uploaders

    st.set_page_config(page_title="松山湖规划 GIS · Songshan Lake Plan GIS", page_icon="🗺️", layout="wide")

    init_from_url("lang", url_get("lang", "zh") if url_get("lang", "zh") in LANGS else "zh")
    asof_text = url_get("asof")
    try:
        asof_initial = date.fromisoformat(asof_text) if asof_text else date.today()
    except ValueError:
        asof_initial = date.today()
    init_from_url("as_of", min(asof_initial, date.today()))

    with st.sidebar:
        st.markdown(f"### {t('app_title')}")
        st.radio(t("language"), list(LANGS), key="lang", format_func=LANGS.get, horizontal=True)
        st.date_input(
            t("as_of"), key="as_of", min_value=date(2020, 1, 1), max_value=date.today(), help=t("as_of_help"),
        )
        if st.session_state["as_of"] < date.today():
            st.info(t("as_of_active", date=st.session_state["as_of"].isoformat()))
        year_selector()  # 规划年度: one plan year or all, for every page (issue 16); kept in the URL as ?year=
        sign_in_box("sidebar")

    url_set(
        lang=None if lang() == "zh" else lang(),
        asof=None if st.session_state["as_of"] >= date.today() else st.session_state["as_of"].isoformat(),
    )

    pages = [
        st.Page("ui/page_map.py", title=t("page_map"), icon=":material/map:", url_path="map", default=True),
        st.Page("ui/page_roads.py", title=t("page_roads"), icon=":material/route:", url_path="roads"),
        st.Page("ui/page_land.py", title=t("page_land"), icon=":material/landscape:", url_path="land"),
        st.Page("ui/page_metrics.py", title=t("page_metrics"), icon=":material/analytics:", url_path="metrics"),
        st.Page("ui/page_plan.py", title=t("page_plan"), icon=":material/article:", url_path="plan"),
        st.Page("ui/page_data.py", title=t("page_data"), icon=":material/upload_file:", url_path="data"),
        st.Page("ui/page_plan_import.py", title=t("page_plan_import"), icon=":material/playlist_add:", url_path="plan-import"),
    ]
    localise_uploaders()  # the uploaders' own words in the page's language (issue 13 item 1)
    page = st.navigation(pages)
    outage_banner()  # one banner on every page while the store's database is away
    page.run()


if __name__ == "__main__":
    main()
else:
    from ui import warmup

    warmup.start()  # the map page's heavy imports overlap the server start and the browser's boot

    from ui.auth import session_routes
    from ui.tile_routes import tile_routes

    # the lifespan warms the map page's data (store, layers, figures, display GeoJSON) once the runtime runs
    app = st.App(str(Path(__file__).resolve()), routes=[*session_routes(), *tile_routes()], lifespan=warmup.lifespan)
