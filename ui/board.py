"""A board of a layer's tracked items for the weekly meeting: one table, filters, an ``.xlsx`` and a printable page.

Columns: 名称, 状态 (the layer's own word, :func:`ui.i18n.status_label`), 镇街, the item's size (长度 km or
面积 亩), 期限, 逾期天数 (flagged ⚠; read from the shared computation's overdue list,
:func:`layers.progress.plan_progress` ``["overdue"]``, never recomputed here), 最后变更 (Asia/Shanghai, to the
minute) and 修改人 (both "—" for an item nobody has edited since the plan was published: its status is the
baseline, and the note under the board says so). The board sorts and filters by town and status; the exports carry the 示意 note when
any row is at an illustrative position. Pages call :func:`show_board`; the frame and the exports are plain
functions (:func:`board_frame`, :func:`board_xlsx`, :func:`board_html`) so they are tested without Streamlit.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from gis.spreadsheet import xlsx_cell
from gis.text import display_safe
from layers.spec import DEADLINE_LABELS
from ui import data
from ui.edit import user_label
from ui.i18n import deadline_label, lang, status_label, t, time_label

__all__ = [
    "BOARD_ROW_PX",
    "board_frame",
    "board_height",
    "board_xlsx",
    "board_html",
    "last_edits",
    "overdue_days",
    "show_board",
    "shown_table",
]

#: Row height of the board (px): 18 rows, the header and the filters fit a 1280 × 800 screen.
BOARD_ROW_PX = 28
#: History rows that are whole-feature events, not edits a planner made on the board.
_NOT_EDITS = ("(seeded)",)
#: 最后变更 and 修改人 of an item never edited (docs/DECISIONS.md: the baseline, said once in the note).
_NO_EDIT = "—"
#: Fields the store writes on every edit for its own bookkeeping (never shown as changes of their own).
BOOKKEEPING_FIELDS = ("updated_at", "updated_by")
#: Sort orders of the board: key -> (internal column, ascending).
_SORTS: dict[str, tuple[str, bool]] = {
    "overdue": ("overdue_days", False),
    "name": ("name", True),
    "status": ("status_rank", True),
    "town": ("towns_label", True),
    "deadline": ("due", True),
    "last": ("last_at", False),
}


def overdue_days(doc: Mapping[str, Any] | None, layer: str) -> dict[str, int]:
    """Days each overdue item of ``layer`` is past its deadline, from the shared computation's overdue list.

    Parameters
    ----------
    doc : mapping or None
        :func:`layers.progress.plan_progress`'s document (``as_of`` and ``overdue``).
    layer : str
        Store layer name.

    Returns
    -------
    dict of str to int
        ``feature id -> days`` (days, ≥ 1) for the items the document lists as overdue; empty without a document.
    """
    if not doc:
        return {}
    as_of = date.fromisoformat(str(doc["as_of"]))
    out: dict[str, int] = {}
    for row in doc.get("overdue", []):
        if row.get("layer") == layer and row.get("due"):
            out[str(row["id"])] = (as_of - date.fromisoformat(str(row["due"])[:10])).days
    return out


def last_edits(history: pd.DataFrame) -> pd.DataFrame:
    """The last edit of each feature (time, who) from the store's history, bookkeeping and seeding left out.

    Parameters
    ----------
    history : pandas.DataFrame
        :meth:`gis.store.Store.history` rows (``at`` ISO UTC, ``user``, ``feature_id``, ``field``).

    Returns
    -------
    pandas.DataFrame
        Indexed by feature id, columns ``at`` (ISO UTC text) and ``user``.
    """
    if history.empty or "feature_id" not in history.columns:
        return pd.DataFrame(columns=["at", "user"])
    real = history[~history["field"].isin(_NOT_EDITS + BOOKKEEPING_FIELDS)]
    if real.empty:
        return pd.DataFrame(columns=["at", "user"])
    last = real.sort_values("at").groupby("feature_id").tail(1)
    return last.set_index(last["feature_id"].astype(str))[["at", "user"]]


def _towns(value: object) -> list[str]:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [p.strip() for p in str(value).replace("；", ";").split(";") if p.strip()]


def board_frame(
    layer: str,
    items: pd.DataFrame,
    *,
    spec: Any,
    overdue: Mapping[str, int],
    edits: pd.DataFrame,
    measure: str | None = None,
) -> pd.DataFrame:
    """The board's rows for ``items`` (internal column names; :func:`show_board` labels them).

    Parameters
    ----------
    layer : str
        Store layer name (for the layer's status words).
    items : pandas.DataFrame
        The tracked items: ``id``, ``name_zh``/``name_en``, ``status``, ``deadline`` and optionally ``towns``
        (``;``-separated) or ``town``, ``illustrative`` and the ``measure`` column.
    spec : layers.spec.LayerSpec
        The layer's spec (its status words).
    overdue : mapping of str to int
        :func:`overdue_days` for the layer.
    edits : pandas.DataFrame
        :func:`last_edits` of the layer.
    measure : {"length_km", "area_mu"}, optional
        The size column shown (km or 亩), when the layer has one.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``status``, ``status_label``, ``status_rank``, ``towns`` (list),
        ``towns_label``, ``measure``, ``deadline_label``, ``due``, ``overdue_days`` (nullable int, days),
        ``last_at`` (ISO UTC), ``last_label`` (Asia/Shanghai, minute), ``last_by`` and ``illustrative``;
        an item never edited has ``last_at`` ``""`` and "—" as its label and editor.
    """
    name_col = "name_zh" if lang() == "zh" else "name_en"
    ids = items["id"].astype(str).tolist()
    if "towns" in items.columns:
        towns = [_towns(v) for v in items["towns"]]
    elif "town" in items.columns:
        towns = [_towns(v) for v in items["town"]]
    else:
        towns = [[] for _ in ids]
    statuses = items["status"].astype(str).tolist()
    order = {s: i for i, s in enumerate(getattr(spec, "statuses", ()) or ())}
    deadlines = items["deadline"].tolist() if "deadline" in items.columns else [None] * len(ids)
    last_at = [str(edits["at"].get(i, "")) if i in edits.index else "" for i in ids]
    frame = pd.DataFrame({
        "id": ids,
        "name": items[name_col].map(display_safe).tolist() if name_col in items.columns else ids,
        "status": statuses,
        "status_label": [status_label(s, spec) for s in statuses],
        "status_rank": [order.get(s, len(order)) for s in statuses],
        "towns": towns,
        "towns_label": ["–".join(map(display_safe, ts)) for ts in towns],
        "measure": pd.to_numeric(items[measure], errors="coerce").round(2).tolist() if measure and measure in items else None,
        "deadline_label": [deadline_label(d) for d in deadlines],
        "due": [DEADLINE_LABELS.get(str(d), ("", "", ""))[2] or "" for d in deadlines],
        "overdue_days": pd.array([overdue.get(i) for i in ids], dtype="Int64"),
        "last_at": last_at,
        "last_label": [time_label(a) if a else _NO_EDIT for a in last_at],
        "last_by": [user_label(edits["user"].get(i, "")) if i in edits.index else _NO_EDIT for i in ids],
        "illustrative": items["illustrative"].fillna(False).astype(bool).tolist() if "illustrative" in items else False,
    })
    return frame


def _headers(measure: str | None, *, joins: bool = True) -> dict[str, str]:
    """Internal column -> shown header, in the board's order (连接镇街 for roads that join towns, else 镇街)."""
    out = {
        "name": t("f_name_zh"),
        "status_label": t("f_status"),
        "towns_label": t("board_towns") if joins else t("f_town_only"),
    }
    if measure:
        out["measure"] = t(measure)
    out.update({
        "deadline_label": t("f_deadline"),
        "overdue_days": t("board_overdue_days"),
        "last_label": t("board_last_change"),
        "last_by": t("hist_user"),
    })
    return out


def shown_table(frame: pd.DataFrame, measure: str | None, *, joins: bool = True) -> pd.DataFrame:
    """The board as shown and exported: the labelled columns, in order (``逾期天数`` stays a number).

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`board_frame`'s rows (filtered and sorted).
    measure : str, optional
        The size column, as given to :func:`board_frame`.
    joins : bool, keyword-only
        Whether the items join towns (roads: 连接镇街) or lie in one (镇街).

    Returns
    -------
    pandas.DataFrame
    """
    heads = _headers(measure if measure else None, joins=joins)
    return frame[list(heads)].rename(columns=heads).reset_index(drop=True)


def _note(frame: pd.DataFrame, as_of: str) -> str:
    n = int(pd.Series(frame["illustrative"]).sum()) if len(frame) else 0
    text = t("board_as_of", date=as_of, n=len(frame))
    if n:
        text += " " + t("board_illustrative", n=n, total=len(frame))
    if len(frame) and (frame["last_at"] == "").any():
        text += " " + t("board_no_edit")
    return text


def board_xlsx(table: pd.DataFrame, *, title: str, note: str) -> bytes:
    """The board as a formatted ``.xlsx``: a title, the note, a bold frozen header row and fitted widths.

    Every cell goes through :func:`gis.spreadsheet.xlsx_cell` (no text ever becomes a formula).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`shown_table`'s output.
    title, note : str
        Row 1 (the title) and row 2 (the date and the 示意 note).

    Returns
    -------
    bytes
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "board"
    ws.append([xlsx_cell(ws, title)])
    ws.append([xlsx_cell(ws, note)])
    ws.append([xlsx_cell(ws, str(c)) for c in table.columns])
    for row in table.itertuples(index=False, name=None):
        ws.append([xlsx_cell(ws, None if (v is pd.NA) else v) for v in row])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].alignment = Alignment(wrap_text=False)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = fill
    ws.freeze_panes = "A4"
    for i, col in enumerate(table.columns, start=1):
        values = [str(col)] + ["" if v is None or v is pd.NA else str(v) for v in table.iloc[:, i - 1]]
        width = max(_display_width(v) for v in values) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 48)
    overdue_col = list(table.columns).index(t("board_overdue_days")) + 1 if t("board_overdue_days") in table.columns else None
    if overdue_col:
        red = Font(bold=True, color="C00000")
        for r in range(4, ws.max_row + 1):
            if ws.cell(r, overdue_col).value not in (None, ""):
                ws.cell(r, overdue_col).font = red
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "3:3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _display_width(text: str) -> int:
    """Width of ``text`` in Excel character units (a CJK character is two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def board_html(table: pd.DataFrame, *, title: str, note: str) -> str:
    """The board as a printable HTML page (A4 landscape, print CSS), every text escaped.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`shown_table`'s output.
    title, note : str
        The page title and the note under it (date, 示意).

    Returns
    -------
    str
        A complete HTML document (UTF-8).
    """
    overdue_head = t("board_overdue_days")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for rec in table.itertuples(index=False, name=None):
        cells = []
        for col, v in zip(table.columns, rec):
            text = "" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)
            if col == overdue_head and text:
                cells.append(f'<td class="overdue">⚠ {html.escape(text)}</td>')
            else:
                cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    doc_lang = "zh-CN" if lang() == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{doc_lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>\n'
        "<style>\n@page { size: A4 landscape; margin: 12mm; }\n"
        "body { font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; font-size: 10.5pt; margin: 0; }\n"
        "h1 { font-size: 15pt; margin: 0 0 4pt; } p.note { margin: 0 0 8pt; color: #444; }\n"
        "table { border-collapse: collapse; width: 100%; } thead { display: table-header-group; }\n"
        "th, td { border: 0.5pt solid #888; padding: 2pt 4pt; text-align: left; } th { background: #ddebf7; }\n"
        "tr { page-break-inside: avoid; } td.overdue { color: #c00000; font-weight: bold; }\n"
        "@media screen { body { margin: 16px; } }\n</style></head>\n"
        f"<body><h1>{html.escape(title)}</h1><p class=\"note\">{html.escape(note)}</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></body></html>\n"
    )


def board_height(rows: int) -> int:
    """Pixel height of a board of ``rows`` rows that shows every row without scrolling (header + 2 px border)."""
    return (rows + 1) * BOARD_ROW_PX + 9


def _filtered(frame: pd.DataFrame, towns: Iterable[str], statuses: Iterable[str]) -> pd.DataFrame:
    towns, statuses = set(towns), set(statuses)
    keep = pd.Series(True, index=frame.index)
    if towns:
        keep &= frame["towns"].map(lambda ts: bool(towns & set(ts)))
    if statuses:
        keep &= frame["status"].isin(statuses)
    return frame[keep]


def show_board(
    layer: str,
    items: pd.DataFrame,
    *,
    key: str,
    title: str,
    measure: str | None = None,
    as_of: date | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Draw the board of ``items`` with its filters, sort and downloads; return the rows shown.

    Widget keys: ``{key}_town``, ``{key}_status``, ``{key}_sort``, ``{key}_table``, ``{key}_xlsx`` and
    ``{key}_html``.

    Parameters
    ----------
    layer : str
        Store layer name.
    items : pandas.DataFrame
        The layer's tracked items (plan items, context left out by the caller).
    key : str
        Widget key prefix.
    title : str
        The board's title (in the exports' first line and file name).
    measure : {"length_km", "area_mu"}, optional
        The size column (km, 亩).
    as_of : datetime.date, optional
        The as-of date of the page (None: today).
    year : int, optional
        The plan year the page shows (the sidebar's 规划年度; None: all years): the overdue days are read from
        that year's document. ``items`` are already kept to it by the caller.

    Returns
    -------
    pandas.DataFrame
        :func:`board_frame`'s rows after filter and sort.
    """
    spec = data.layer_spec(layer)
    doc = data.plan_progress(as_of, year=year)
    frame = board_frame(
        layer, items, spec=spec, overdue=overdue_days(doc, layer), edits=last_edits(data.history(layer)), measure=measure
    )
    all_towns = sorted({tn for ts in frame["towns"] for tn in ts})
    # every status of the layer (a status nobody has yet is still a question asked at the meeting)
    present = list(getattr(spec, "statuses", ()) or ()) or sorted(set(frame["status"]))
    f1, f2, f3 = st.columns([3, 3, 2])
    towns = f1.multiselect(t("board_filter_town"), all_towns, key=f"{key}_town", placeholder=t("all"),
                           format_func=display_safe)
    labels = {s: status_label(s, spec) for s in present}
    statuses = f2.multiselect(t("f_status"), present, key=f"{key}_status", placeholder=t("all"), format_func=labels.get)
    sort_labels = {k: t(f"board_sort_{k}") for k in _SORTS}
    sort = f3.selectbox(t("board_sort"), list(_SORTS), key=f"{key}_sort", format_func=sort_labels.get)
    shown = _filtered(frame, towns, statuses)
    col, ascending = _SORTS[sort]
    shown = shown.sort_values([col, "id"], ascending=[ascending, True], na_position="last", kind="stable")
    joins = "towns" in items.columns
    table = shown_table(shown, measure, joins=joins)
    heads = _headers(measure, joins=joins)
    # Widths (px) that fit the main area at 1280 px with the sidebar open (≈ 820 px): nothing clipped or hidden.
    config = {
        heads["name"]: st.column_config.TextColumn(width=180),
        heads["status_label"]: st.column_config.TextColumn(width=52),
        heads["towns_label"]: st.column_config.TextColumn(width=104),
        heads["deadline_label"]: st.column_config.TextColumn(width=118),
        heads["overdue_days"]: st.column_config.NumberColumn(width=74, format="⚠ %d"),
        heads["last_label"]: st.column_config.TextColumn(width=124),
        heads["last_by"]: st.column_config.TextColumn(width=66),
    }
    if measure:
        config[heads["measure"]] = st.column_config.NumberColumn(width=68, format="%.2f")
    st.dataframe(
        table, hide_index=True, key=f"{key}_table", height=board_height(len(table)), row_height=BOARD_ROW_PX,
        column_config=config, placeholder="—",  # an empty cell reads —, never "None"
    )
    day = str(doc["as_of"]) if doc else (as_of or date.today()).isoformat()
    note = _note(shown, day)
    st.caption(note)
    d1, d2, _ = st.columns([1, 1, 2])
    stem = f"{key}_{day}"
    d1.download_button(
        t("board_download_xlsx"), board_xlsx(table, title=title, note=note), f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
    )
    d2.download_button(
        t("board_download_html"), board_html(table, title=title, note=note).encode("utf-8"), f"{stem}.html",
        "text/html", key=f"{key}_html",
    )
    return shown
