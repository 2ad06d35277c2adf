"""The data page's upload: a file read with the coordinate system the user chose, shown for what it is.

What the user sees, in the page's own words: which coordinate system was used (and, on automatic, what was
assumed, with the GCJ-02 warning for unlabelled degrees), the validation report with features numbered
from 1, the area of each polygon and the total in 亩 (:func:`gis.area.area_mu`, EPSG:4547), a preview map
framed on the data, and the file's own id and name columns, chosen by the user, kept as ``id`` and
``name_zh``. The page module (:mod:`ui.page_data`) calls :func:`upload_section`.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from gis.area import area_mu
from gis.crs import DONGGUAN_BBOX
from gis.errors import CRSError, GisError
from gis.io import INPUT_EXTENSIONS, ReadResult, read_any
from gis.text import display_safe, display_safe_frame, markdown_literal
from ui import mapview
from ui.i18n import error_text, lang, t

__all__ = ["CRS_CHOICES", "upload_section", "page_words", "guess_column", "keyed_frame"]

#: Coordinate-system choice → (``crs``, ``datum``) for :func:`gis.io.read_any`. GCJ-02 and BD-09 leave
#: ``crs`` to the sniffer (degrees, either axis order), then undo the offset; the others name the CRS.
CRS_CHOICES: dict[str, tuple[str | None, str | None]] = {
    "auto": (None, None),
    "wgs84": ("EPSG:4326", None),
    "gcj02": (None, "gcj02"),
    "bd09": (None, "bd09"),
    "cgcs2000": ("EPSG:4490", None),
    "gk4547": ("EPSG:4547", None),
    "gk4526": ("EPSG:4526", None),
}

_ID_NAMES = ("id", "地块编号", "编号", "要素编号", "点号", "code", "编码", "代码", "bh", "fid")
_NAME_NAMES = ("name_zh", "地块名称", "名称", "name", "名字", "地名", "项目名称", "mc")
_NONE = ""
_FEATURE_ZH = re.compile(r"第 (\d+(?:, \d+)*)(…?) 个")
_FEATURE_EN = re.compile(r"\b(features?(?:\(s\))?) (\d+(?:, \d+)*)")
_PY_DETAIL = re.compile(r"[:：(（]\s*[A-Z][A-Za-z]*(?:Error|Exception)\b.*$")


def _plus_one(numbers: str) -> str:
    return ", ".join(str(int(n) + 1) for n in numbers.split(", "))


def page_words(text: str) -> str:
    """A library message in the page's words: features numbered from 1, no Python detail.

    The library's messages name no command-line flag (the CLI adds its own hint); what the user can choose is
    ``InputError.choice``, which :func:`_error` turns into the page's own hint.

    Parameters
    ----------
    text : str
        A message of :mod:`gis` (one language).

    Returns
    -------
    str
        ``第 0 个要素`` → ``第 1 个要素`` (and ``feature 0`` → ``feature 1``); a trailing ``ValueError: …``
        removed.
    """
    out = _FEATURE_ZH.sub(lambda m: f"第 {_plus_one(m.group(1))}{m.group(2)} 个", text)
    out = _FEATURE_EN.sub(lambda m: f"{m.group(1)} {_plus_one(m.group(2))}", out)
    out = _PY_DETAIL.sub("", out)
    return out.strip().rstrip("；;，,:：").strip()


def _error(exc: GisError) -> None:
    text = page_words(error_text(exc))
    choice = getattr(exc, "choice", None)
    hint = t("upload_crs_pick") if isinstance(exc, CRSError) or choice == "crs" else t("upload_one_layer") if choice == "layer" else ""
    if hint:
        text = f"{text.rstrip('。.')}。{hint}" if lang() == "zh" else f"{text.rstrip('。.')}. {hint}"
    st.error(markdown_literal(text))


def _numbers(positions: list[int]) -> str:
    shown = ", ".join(str(i + 1) for i in positions[:10])
    return shown + ("…" if len(positions) > 10 else "")


def _out_of_range(path: Path, name: str) -> list[int]:
    """Positions of the features whose coordinates are beyond ±180°/±90° when read as degrees.

    Asked only after automatic detection failed, to name the real problem (a typed-in latitude of 229.3)
    instead of "cannot tell the CRS".
    """
    try:
        probe = read_any(path, crs="EPSG:4326", strict=False, display_name=name)
    except GisError:
        return []
    return sorted({p.feature for p in probe.report.problems if p.problem == "absurd_coordinates" and p.feature is not None})


def _read(upload: Any, choice: str, prefix: str = "data") -> ReadResult | None:
    """Read the upload with the chosen CRS; cached per file and choice. None after showing the error."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in INPUT_EXTENSIONS:
        st.error(t("upload_bad_type", suffix=markdown_literal(suffix), known=", ".join(sorted(INPUT_EXTENSIONS))))
        return None
    key = ("upload", getattr(upload, "file_id", upload.name), upload.size, choice)
    cached = st.session_state.get(f"{prefix}_upload_cache")
    if cached and cached[0] == key:
        return cached[1]
    crs, datum = CRS_CHOICES[choice]
    with tempfile.TemporaryDirectory(prefix="ssl-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"  # the upload's own name is never a path
        path.write_bytes(upload.getvalue())
        try:
            with st.spinner(t("working")):
                result = read_any(path, crs=crs, datum=datum, display_name=upload.name)  # type: ignore[arg-type]
        except CRSError as exc:
            out_of_range = _out_of_range(path, upload.name) if choice == "auto" else []
            if out_of_range:
                lon0, lat0, lon1, lat1 = DONGGUAN_BBOX
                st.error(t("upload_out_of_range", n=len(out_of_range), features=_numbers(out_of_range),
                           lon0=lon0, lon1=lon1, lat0=lat0, lat1=lat1))
            else:
                _error(exc)
            return None
        except GisError as exc:
            _error(exc)
            return None
    st.session_state[f"{prefix}_upload_cache"] = (key, result)
    return result


def _crs_note(result: ReadResult, choice: str) -> None:
    assumed = result.report.crs_assumed
    shown = markdown_literal(page_words(assumed)) if assumed else ""
    if choice != "auto":
        st.info(t("upload_crs_chosen", crs=t(f"upload_crs_{choice}")) + (f" {t('report_crs', crs=shown)}" if shown else ""))
        return
    if not assumed:
        st.info(t("upload_auto_declared"))
        return
    st.info(t("upload_auto_assumed", crs=shown))
    if assumed.startswith("EPSG:4326"):
        st.warning(t("upload_gcj_warning"))


def _report(result: ReadResult, prefix: str = "data") -> None:
    rep = result.report
    st.markdown(f"#### {t('report')}")
    if rep.ok:
        st.success(t("report_ok", n=rep.features))
    else:
        st.error(t("report_unusable"))
    zh = lang() == "zh"

    def feature(position: int | None) -> str:
        return t("upload_whole_file") if position is None else t("upload_feature_n", n=position + 1)

    if rep.problems:
        st.markdown(f"**{t('report_problems')}** ({len(rep.problems)})")
        rows = [{t("upload_col_feature"): feature(p.feature),
                 t("upload_col_message"): page_words(p.message_zh if zh else p.message_en),
                 t("upload_col_outcome"): t("upload_dropped") if p.fatal else t("upload_kept")} for p in rep.problems]
        st.dataframe(display_safe_frame(pd.DataFrame(rows)), hide_index=True, key=f"{prefix}_report_problems")
    if rep.repairs:
        st.markdown(f"**{t('report_repairs')}** ({len(rep.repairs)})")
        rows = [{t("upload_col_feature"): feature(r.feature),
                 t("upload_col_message"): page_words(r.message_zh if zh else r.message_en)} for r in rep.repairs]
        st.dataframe(display_safe_frame(pd.DataFrame(rows)), hide_index=True, key=f"{prefix}_report_repairs")


def guess_column(columns: list[str], wanted: tuple[str, ...]) -> str:
    """The first column whose name (trimmed, any case) is one of ``wanted``, in ``wanted``'s order; ``""`` if none.

    Parameters
    ----------
    columns : list of str
        The file's attribute columns.
    wanted : tuple of str
        Names in order of preference.

    Returns
    -------
    str
        A column name, or ``""``.
    """
    lower = {str(c).strip().lower(): c for c in columns}
    return next((lower[w] for w in wanted if w in lower), _NONE)


def keyed_frame(gdf: gpd.GeoDataFrame, *, id_column: str, name_column: str) -> tuple[gpd.GeoDataFrame, int]:
    """The upload with ``id`` and ``name_zh`` taken from the user's columns.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The validated upload.
    id_column, name_column : str, keyword-only
        Columns of ``gdf`` (``""``: none). Without an id column features are numbered ``1, 2, 3…``; an
        empty or repeated id gets its row number appended (``A-3``), so ids stay unique.

    Returns
    -------
    tuple
        The frame and how many ids had to be made unique or filled.
    """
    out = gdf.copy()
    n = len(out)
    numbers = [str(i + 1) for i in range(n)]
    if id_column:
        raw = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip() for v in out[id_column]]
    else:
        raw = numbers
    ids: list[str] = []
    seen: set[str] = set()
    fixed = 0
    for i, value in enumerate(raw):
        ident = value
        if not ident or ident in seen:
            ident = f"{value}-{i + 1}" if value else numbers[i]
            fixed += 1
        seen.add(ident)
        ids.append(ident)
    out["id"] = ids
    if name_column:
        out["name_zh"] = out[name_column].map(lambda v: "" if v is None else str(v))
    elif "name_zh" not in out.columns:
        out["name_zh"] = out["id"]
    return out, fixed


def _columns_choice(gdf: gpd.GeoDataFrame, prefix: str = "data") -> tuple[str, str]:
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    options = [_NONE, *columns]
    label = {_NONE: t("upload_col_none")}
    c1, c2 = st.columns(2)
    guess_id, guess_name = guess_column(columns, _ID_NAMES), guess_column(columns, _NAME_NAMES)
    id_column = c1.selectbox(
        t("upload_id_column"), options, index=options.index(guess_id), key=f"{prefix}_upload_id_column",
        format_func=lambda c: label.get(c, display_safe(c)),
    )
    name_column = c2.selectbox(
        t("upload_name_column"), options, index=options.index(guess_name), key=f"{prefix}_upload_name_column",
        format_func=lambda c: label.get(c, display_safe(c)),
    )
    return id_column or _NONE, name_column or _NONE


def _area(preview: gpd.GeoDataFrame) -> pd.Series:
    """亩 per feature (NaN for points and lines), on EPSG:4547."""
    polygons = preview.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    mu = pd.Series(np.nan, index=preview.index, dtype=float)
    if polygons.any():
        mu[polygons] = area_mu(preview.loc[polygons]).to_numpy()
    return mu


def upload_section(*, key_prefix: str = "data") -> tuple[gpd.GeoDataFrame, str] | None:
    """Draw the upload: file, coordinate system, report, id/name columns, area, framed preview.

    Parameters
    ----------
    key_prefix : str, keyword-only
        Prefix of every widget key (``data``: ``data_upload``, ``data_upload_crs`` …), so that two pages'
        uploads keep their own state.

    Returns
    -------
    tuple or None
        The frame to save (EPSG:4326, ``id`` and ``name_zh`` from the chosen columns) and the upload's
        name, or None while there is nothing usable to save.
    """
    upload = st.file_uploader(t("upload_file"), type=[e.lstrip(".") for e in INPUT_EXTENSIONS], key=f"{key_prefix}_upload")
    choices = list(CRS_CHOICES)
    choice = st.selectbox(
        t("upload_crs"), choices, key=f"{key_prefix}_upload_crs", format_func=lambda c: t(f"upload_crs_{c}"), help=t("upload_crs_help"),
    )
    if upload is None:
        return None
    result = _read(upload, choice, key_prefix)
    if result is None:
        return None
    _crs_note(result, choice)
    _report(result, key_prefix)
    gdf = result.gdf
    if gdf.empty:
        return None
    st.markdown(f"#### {t('preview')}")
    id_column, name_column = _columns_choice(gdf, key_prefix)
    preview, fixed = keyed_frame(gdf, id_column=id_column, name_column=name_column)
    if fixed and id_column:
        st.warning(t("upload_id_fixed", n=fixed, column=markdown_literal(id_column)))
    mu = _area(preview)
    polygons = int(mu.notna().sum())
    if polygons:
        st.metric(t("upload_area_total"), t("upload_area_value", mu=f"{mu.sum():,.2f}"), help=t("upload_area_help", n=polygons))
    else:
        st.caption(t("upload_area_none"))

    from gis.render import MapLayer

    fields = [(c, c) for c in preview.columns if c != preview.geometry.name][:12]
    layer = MapLayer("upload", upload.name, preview, {"color": "#8e44ad", "fill_color": "#d2b4de", "fill_opacity": 0.4},
                     popup_fields=fields)
    ctx = mapview.map_layers(["boundaries"])
    w, s, e, n = (float(v) for v in preview.total_bounds)
    mapview.show_map(ctx + [layer], key=f"{key_prefix}_preview_map", returned_objects=(), height=420, fit_bounds=(w, s, e, n))
    table = pd.DataFrame(preview.drop(columns=preview.geometry.name))
    table.insert(0, t("upload_col_number"), range(1, len(table) + 1))
    if polygons:
        table[t("upload_area_column")] = mu.round(2).to_numpy()
    st.dataframe(display_safe_frame(table.head(200)), hide_index=True, key=f"{key_prefix}_preview_table")
    return preview, upload.name
