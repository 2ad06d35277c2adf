"""KML and KMZ in and out (Google Earth, 奥维互动地图 / Ovital, 两步路 and most Chinese field apps).

Reading parses with :mod:`defusedxml` (no DTDs, so no entity expansion bombs and no external entities),
walks every ``Placemark`` whatever its namespace (KML 2.2, 2.1, none, a prefix) and returns its
``name``, its ``description`` as plain text (HTML tags dropped; it never reaches a page as HTML),
its ``ExtendedData`` (``Data``/``value`` and ``SchemaData``/``SimpleData``, typed from a ``Schema``
when there is one) and its enclosing ``Folder`` name. Geometry: ``Point``, ``LineString``,
``LinearRing``, ``Polygon`` with inner rings, and ``MultiGeometry`` (nested too). KML is EPSG:4326.

Writing builds the document with :mod:`xml.etree.ElementTree`, which escapes every text and attribute,
writes the attributes as a typed ``Schema`` with ``SchemaData`` (read back by GDAL as fields), and gives
each ``status`` value its own style.
"""

from __future__ import annotations

import html
import logging
import math
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import defusedxml
import defusedxml.ElementTree as DET
import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import GeometryCollection, LinearRing, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon

from gis import settings
from gis.crs import WGS84
from gis.errors import InputError, LimitExceeded
from gis.io.archive import extracted
from gis.report import ValidationReport

__all__ = ["read_kml", "write_kml", "STATUS_COLOURS"]

logger = logging.getLogger(__name__)

KML_NS = "http://www.opengis.net/kml/2.2"

#: Colours of the plan's statuses in KML's ``aabbggrr`` order (alpha, blue, green, red).
STATUS_COLOURS: dict[str, str] = {
    "planned": "ffb48246",  # steel blue
    "site_selection": "ff00a5ff",  # orange
    "site_selected": "ff00d7ff",  # gold
    "under_construction": "ffe16941",  # royal blue
    "completed": "ff32cd32",  # lime green
    "delayed": "ff3c14dc",  # crimson
    "cancelled": "ff808080",  # grey
}
_DEFAULT_COLOUR = "ff7f7f7f"
#: An XML id (NCName), ASCII subset: what a Placemark's ``id`` attribute may hold.
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

_SCHEMA_TYPES = {
    "int": int,
    "uint": int,
    "short": int,
    "ushort": int,
    "float": float,
    "double": float,
    "bool": lambda v: v.strip().lower() in {"1", "true", "yes"},
}


def _local(tag: object) -> str:
    """An element's tag without its namespace (``{http://…/kml/2.2}Placemark`` → ``Placemark``)."""
    if not isinstance(tag, str):
        return ""
    tag = tag.rsplit("}", 1)[-1]
    return tag.rsplit(":", 1)[-1]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in el if _local(c.tag) == name)


def _text(el: ET.Element | None) -> str | None:
    if el is None:
        return None
    return "".join(el.itertext()).strip()


class _HtmlText(HTMLParser):
    """Collect the text of an HTML fragment, with line breaks where blocks end."""

    _BREAKS = frozenset({"br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "h4"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip = max(self._skip - 1, 0)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a KML description): tags and scripts dropped, entities decoded."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    parser = _HtmlText()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _coords(el: ET.Element | None) -> list[tuple[float, ...]]:
    """Parse a ``coordinates`` element: ``lon,lat[,alt]`` tuples separated by white space."""
    text = _text(el)
    if not text:
        return []
    text = re.sub(r"\s*,\s*", ",", text)
    out = []
    for token in text.split():
        parts = [p for p in token.split(",") if p != ""]
        if len(parts) < 2:
            raise ValueError(f"bad coordinate {token!r}")
        values = tuple(float(p) for p in parts[:3])
        out.append(values)
    return out


def _ring(el: ET.Element | None, closed: list[bool]) -> list[tuple[float, ...]]:
    ring = _coords(_child(el, "coordinates")) if el is not None else []
    if len(ring) >= 3 and ring[0] != ring[-1]:
        ring.append(ring[0])
        closed.append(True)
    return ring


def _geometries(el: ET.Element, closed: list[bool], unsupported: list[str]) -> list[shapely.Geometry]:
    """Shapely geometries of one KML geometry element (several for a MultiGeometry)."""
    kind = _local(el.tag)
    if kind == "Point":
        pts = _coords(_child(el, "coordinates"))
        return [Point(pts[0])] if pts else []
    if kind == "LineString":
        return [LineString(_coords(_child(el, "coordinates")))]
    if kind == "LinearRing":
        return [Polygon(_ring(el, closed))]
    if kind == "Polygon":
        outer = _child(el, "outerBoundaryIs")
        shell = _ring(_child(outer, "LinearRing") if outer is not None else None, closed)
        holes = [_ring(r, closed) for ib in _children(el, "innerBoundaryIs") for r in _children(ib, "LinearRing")]
        return [Polygon(shell, holes)] if shell else []
    if kind == "MultiGeometry":
        return [g for c in el for g in _geometries(c, closed, unsupported)]
    if kind in {"Track", "MultiTrack", "Model"}:
        unsupported.append(kind)
    return []


def _combine(parts: list[shapely.Geometry]) -> shapely.Geometry | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    kinds = {p.geom_type for p in parts}
    if kinds == {"Point"}:
        return MultiPoint(parts)
    if kinds == {"LineString"}:
        return MultiLineString(parts)
    if kinds == {"Polygon"}:
        return MultiPolygon(parts)
    return GeometryCollection(parts)


def _schemas(root: ET.Element) -> dict[str, dict[str, object]]:
    """``{schema id: {field name: converter}}`` from the document's ``Schema`` elements."""
    out: dict[str, dict[str, object]] = {}
    for schema in (e for e in root.iter() if _local(e.tag) == "Schema"):
        fields = {}
        for f in _children(schema, "SimpleField"):
            conv = _SCHEMA_TYPES.get((f.get("type") or "string").lower())
            if f.get("name") and conv is not None:
                fields[f.get("name")] = conv
        for key in (schema.get("id"), schema.get("name")):
            if key:
                out[key] = fields
    return out


def _extended(pm: ET.Element, schemas: dict[str, dict[str, object]]) -> dict[str, object]:
    data: dict[str, object] = {}
    ext = _child(pm, "ExtendedData")
    if ext is None:
        return data
    for d in _children(ext, "Data"):
        if d.get("name"):
            value = _child(d, "value")
            data[d.get("name")] = _text(value) if value is not None else None
    for sd in _children(ext, "SchemaData"):
        types = schemas.get((sd.get("schemaUrl") or "").lstrip("#"), {})
        for s in _children(sd, "SimpleData"):
            name = s.get("name")
            if not name:
                continue
            value = _text(s)
            conv = types.get(name)
            if conv is not None and value not in (None, ""):
                try:
                    value = conv(value)  # type: ignore[operator]
                except ValueError:
                    pass
            data[name] = value
    return data


def _placemarks(root: ET.Element) -> Iterator[tuple[ET.Element, str | None]]:
    """Every Placemark with the name of its nearest enclosing Folder (iterative; no recursion limit)."""
    stack: list[tuple[ET.Element, str | None]] = [(root, None)]
    while stack:
        el, folder = stack.pop()
        for child in reversed(list(el)):
            kind = _local(child.tag)
            if kind == "Placemark":
                stack.append((child, folder))
            elif kind in {"Folder", "Document", "kml"}:
                name = _text(_child(child, "name")) if kind == "Folder" else None
                stack.append((child, name or folder))
        if _local(el.tag) == "Placemark":
            yield el, folder


def _parse(data: bytes, report: ValidationReport) -> gpd.GeoDataFrame:
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise InputError(
            f"KML 含有 DTD/实体声明，出于安全原因拒绝读取：{type(exc).__name__}",
            f"the KML declares a DTD or entities; refused for safety: {type(exc).__name__}",
        ) from None
    except ET.ParseError as exc:
        raise InputError(f"KML 不是完整的 XML（可能被截断）：{exc}", f"the KML is not well-formed XML (truncated?): {exc}") from None
    if _local(root.tag) not in {"kml", "Document", "Folder", "Placemark"}:
        raise InputError(f"不是 KML 文件（根元素为 {_local(root.tag)}）", f"not a KML file (root element {_local(root.tag)!r})")
    schemas = _schemas(root)
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry | None] = []
    vertices = 0
    for i, (pm, folder) in enumerate(_placemarks(root)):
        if i >= settings.MAX_FEATURES:
            raise LimitExceeded(f"要素过多：超过 {settings.MAX_FEATURES} 个", f"too many features: more than {settings.MAX_FEATURES}")
        description = _text(_child(pm, "description"))
        row: dict[str, object] = {"name": _text(_child(pm, "name")), "description": html_to_text(description) if description else None}
        for key, value in _extended(pm, schemas).items():
            row[f"data_{key}" if key in {"name", "description", "kml_folder", "geometry"} else key] = value
        if folder is not None:
            row["kml_folder"] = folder
        closed: list[bool] = []
        unsupported: list[str] = []
        try:
            parts = [g for c in pm for g in _geometries(c, closed, unsupported)]
            geom = _combine(parts)
        except (ValueError, shapely.errors.GEOSException) as exc:
            report.add_problem(i, "bad_coordinates", f"坐标无法解析：{exc}", f"coordinates cannot be parsed: {exc}")
            geom = None
        if unsupported:
            kinds = ", ".join(sorted(set(unsupported)))
            report.add_problem(i, "unsupported_geometry", f"不支持的 KML 几何类型：{kinds}", f"unsupported KML geometry: {kinds}")
        if closed:
            report.add_repair(i, "ring_closed", "多边形环未闭合，已补上首点", "polygon ring was not closed; its first point was appended")
        if geom is not None:
            vertices += int(shapely.get_num_coordinates(geom))
            if vertices > settings.MAX_VERTICES:
                raise LimitExceeded(f"顶点过多：超过 {settings.MAX_VERTICES} 个", f"too many vertices: more than {settings.MAX_VERTICES}")
        rows.append(row)
        geoms.append(geom)
    if not rows:
        raise InputError("KML 中没有任何地标（Placemark）", "the KML holds no Placemark")
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=WGS84)


def _pick_kml(folder: Path) -> Path:
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".kml")
    if not found:
        raise InputError("KMZ 中没有 .kml 文件", "the KMZ holds no .kml file")
    for p in found:
        if p.name.lower() == "doc.kml":
            return p
    return found[0]


def read_kml(
    path: Path,
    report: ValidationReport,
    *,
    layer: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the Placemarks of a KML or KMZ file.

    Parameters
    ----------
    path : pathlib.Path
        A ``.kml`` file, or a ``.kmz`` (ZIP) whose ``doc.kml`` (else its first ``.kml``) is read.
    report : gis.report.ValidationReport
        Receives per-feature notes (unparseable coordinates, unsupported geometry, closed rings).
    layer : str, optional, keyword-only
        Keep only the Placemarks of this Folder (``kml_folder``); default all.
    encoding : str, optional, keyword-only
        Ignored: XML declares its own encoding (UTF-8 by default).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``description`` (plain text), one per ExtendedData field, ``kml_folder`` when
        Placemarks sit in Folders; geometry as found (Z kept when given), CRS EPSG:4326.

    Raises
    ------
    gis.errors.InputError
        Not well-formed (truncated) XML, a DTD or entity declaration (XML bombs), not KML, no Placemark,
        no ``.kml`` in a KMZ, an unknown ``layer``.
    gis.errors.LimitExceeded
        File, archive, feature or vertex limits of :mod:`gis.settings`.
    """
    path = Path(path)
    if path.suffix.lower() == ".kmz" or zipfile.is_zipfile(path):
        with extracted(path) as folder:
            kml = _pick_kml(folder)
            data = kml.read_bytes()
    else:
        if path.stat().st_size > settings.MAX_FILE_BYTES:
            raise LimitExceeded(
                f"文件过大：上限 {settings.MAX_FILE_BYTES} 字节", f"file too large: the limit is {settings.MAX_FILE_BYTES} bytes"
            )
        data = path.read_bytes()
    gdf = _parse(data, report)
    if layer is not None:
        if "kml_folder" not in gdf.columns or not (gdf["kml_folder"] == layer).any():
            folders = sorted(set(gdf["kml_folder"].dropna())) if "kml_folder" in gdf.columns else []
            raise InputError(
                f"KML 中没有文件夹 {layer!r}；可选：{', '.join(folders) or '无'}",
                f"no folder {layer!r} in the KML; choose one of: {', '.join(folders) or 'none'}",
            )
        gdf = gdf[gdf["kml_folder"] == layer].reset_index(drop=True)
    logger.info("read %d placemarks from %s", len(gdf), path.name)
    return gdf


# --- writing -----------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _fmt(coords: object) -> str:
    return " ".join(f"{x:.7f},{y:.7f}" for x, y, *_ in coords)  # type: ignore[attr-defined]


def _write_geometry(parent: ET.Element, geom: shapely.Geometry) -> None:
    if isinstance(geom, Point):
        _sub(_sub(parent, "Point"), "coordinates", _fmt(geom.coords))
    elif isinstance(geom, LineString | LinearRing):
        _sub(_sub(parent, "LineString"), "coordinates", _fmt(geom.coords))
    elif isinstance(geom, Polygon):
        poly = _sub(parent, "Polygon")
        ring = shapely.orient_polygons(geom, exterior_cw=False)  # KML: counter-clockwise exterior
        _sub(_sub(_sub(poly, "outerBoundaryIs"), "LinearRing"), "coordinates", _fmt(ring.exterior.coords))
        for hole in ring.interiors:
            _sub(_sub(_sub(poly, "innerBoundaryIs"), "LinearRing"), "coordinates", _fmt(hole.coords))
    else:  # Multi* and GeometryCollection
        multi = _sub(parent, "MultiGeometry")
        for part in shapely.get_parts(geom):
            _write_geometry(multi, part)


def _schema_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "double"
    return "string"


def _value_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _style_id(status: str) -> str:
    return "status-" + re.sub(r"[^A-Za-z0-9_-]", "_", status)


def write_kml(gdf: gpd.GeoDataFrame, path: Path, *, kmz: bool = False, crs: str | None = None) -> Path:
    """Write a frame as KML (or KMZ), projected to EPSG:4326.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS (any). The Placemark name is ``name_zh``, else ``name``, else ``id``;
        ``description`` becomes the description; every other column an ExtendedData field.
    path : pathlib.Path
        The file to write (``.kml``, or ``.kmz`` when ``kmz``).
    kmz : bool, keyword-only
        Write a KMZ: a ZIP holding ``doc.kml``.
    crs : str, optional, keyword-only
        Ignored; KML is always EPSG:4326 (accepted so every writer takes the same options).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    gis.errors.InputError
        The frame has no CRS.
    """
    path = Path(path)
    if gdf.crs is None:
        raise InputError("要素没有坐标系，无法写出 KML", "the features have no CRS; cannot write KML")
    frame = gdf.to_crs(WGS84)
    geom_col = frame.geometry.name
    name_col = next((c for c in ("name_zh", "name", "id") if c in frame.columns and c != geom_col), None)
    desc_col = "description" if "description" in frame.columns else None
    skip = {geom_col, desc_col} | ({"name"} if name_col == "name" else set())
    fields = [c for c in frame.columns if c not in skip]

    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", path.stem)
    schema = _sub(doc, "Schema", name="attributes", id="attributes")
    for col in fields:
        _sub(schema, "SimpleField", name=str(col), type=_schema_type(frame[col]))
    statuses: list[str] = []
    if "status" in frame.columns:
        statuses = sorted({str(s) for s in frame["status"].dropna()})
        for status in statuses:
            colour = STATUS_COLOURS.get(status, _DEFAULT_COLOUR)
            style = _sub(doc, "Style", id=_style_id(status))
            _sub(_sub(style, "IconStyle"), "color", colour)
            line = _sub(style, "LineStyle")
            _sub(line, "color", colour)
            _sub(line, "width", "3")
            _sub(_sub(style, "PolyStyle"), "color", "66" + colour[2:])
    records = frame.drop(columns=geom_col).to_dict("records")
    ids = frame["id"].map(_value_text) if "id" in frame.columns else pd.Series([None] * len(frame))
    use_ids = ids.notna().all() and ids.is_unique and ids.map(lambda v: bool(_NCNAME.match(str(v)))).all()
    for i, (record, geom) in enumerate(zip(records, frame.geometry.values)):
        # GDAL's LIBKML driver reports the Placemark id attribute as the field "id": give it ours.
        pm = _sub(doc, "Placemark", id=str(ids.iloc[i])) if use_ids else _sub(doc, "Placemark")
        if name_col is not None and _value_text(record.get(name_col)) is not None:
            _sub(pm, "name", _value_text(record[name_col]))
        description = _value_text(record.get(desc_col)) if desc_col is not None else None
        if description is not None:
            # Viewers render a description as HTML: write the text as escaped HTML (line breaks as <br/>)
            # so markup in data shows as typed; read_kml's html_to_text gives the same text back.
            _sub(pm, "description", html.escape(description).replace("\n", "<br/>"))
        if statuses and _value_text(record.get("status")) is not None:
            _sub(pm, "styleUrl", "#" + _style_id(str(record["status"])))
        data = _sub(_sub(pm, "ExtendedData"), "SchemaData", schemaUrl="#attributes")
        for col in fields:
            text = _value_text(record.get(col))
            if text is not None:
                _sub(data, "SimpleData", text, name=str(col))
        if geom is not None and not geom.is_empty:
            _write_geometry(pm, geom)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if kmz:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("doc.kml", xml)
    else:
        path.write_bytes(xml)
    logger.info("wrote %d placemarks to %s", len(frame), path.name)
    return path
