"""User-facing text of the app in Chinese (first) and English, and the language switch.

Every string a page shows comes from :data:`STRINGS` through :func:`t`. The language lives in
``st.session_state["lang"]`` (the sidebar's 中文 / English switch, also in the URL as ``?lang=en``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from gis import settings
from gis.errors import GisError

# ``layers`` (geopandas, pandas) is imported where a label needs it: ``streamlit run`` imports this module
# (through ui.auth) before the server answers, and the warm-up thread brings those libraries in meanwhile

__all__ = ["STRINGS", "LANGS", "lang", "t", "status_label", "deadline_label", "error_text", "time_label", "layer_title", "unit_label"]

LANGS: dict[str, str] = {"zh": "中文", "en": "English"}

#: key -> (Chinese, English). ``{name}`` placeholders are filled by :func:`t`.
STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("松山湖规划 GIS", "Songshan Lake Plan GIS"),
    "language": ("语言", "Language"),
    "as_of": ("截至日期（回放状态历史）", "As of (replays the status history)"),
    "as_of_help": (
        "显示各要素在该日期当天结束时的状态；默认今天。",
        "Shows every feature's status as it was at the end of that day; today by default.",
    ),
    "as_of_active": ("正在查看 {date} 的历史状态（只读）", "Showing the statuses as of {date} (read-only)"),
    # pages
    "page_map": ("地图", "Map"),
    "page_roads": ("联网路", "Roads"),
    "page_land": ("土地", "Land"),
    "page_metrics": ("指标", "Metrics"),
    "page_data": ("数据", "Data"),
    # map
    "layers": ("图层", "Layers"),
    "statuses": ("状态", "Statuses"),
    "basemap": ("底图", "Basemap"),
    "bm_none": ("无底图（离线可用）", "None (works offline)"),
    "bm_osm": ("OpenStreetMap", "OpenStreetMap"),
    "bm_gaode_vector": ("高德 矢量（数据偏移至 GCJ-02 显示）", "Gaode vector (data shifted to GCJ-02 for display)"),
    "bm_gaode_satellite": ("高德 卫星（数据偏移至 GCJ-02 显示）", "Gaode satellite (data shifted to GCJ-02 for display)"),
    "bm_tianditu_vector": ("天地图 矢量", "Tianditu vector"),
    "bm_tianditu_satellite": ("天地图 影像", "Tianditu imagery"),
    "bm_needs_key": ("（需要密钥）", " (needs a key)"),
    "tianditu_key": ("天地图密钥", "Tianditu key"),
    "tianditu_key_help": (
        "在天地图官网申请“浏览器端”密钥；也可设置环境变量 SSL_GIS_TIANDITU_KEY。",
        "Get a browser key from Tianditu; or set the environment variable SSL_GIS_TIANDITU_KEY.",
    ),
    "tianditu_missing": (
        "天地图底图需要密钥：请在左侧填写或设置环境变量 SSL_GIS_TIANDITU_KEY；当前显示无底图。",
        "The Tianditu basemap needs a key: enter it in the sidebar or set SSL_GIS_TIANDITU_KEY; showing no basemap.",
    ),
    "search": ("按名称或编号查找", "Find by name or id"),
    "search_none": ("没有找到匹配 “{q}” 的要素", "No feature matches “{q}”"),
    "search_pick": ("匹配的要素", "Matching features"),
    "details": ("要素详情", "Feature details"),
    "details_hint": ("点击地图上的要素查看详情。", "Click a feature on the map to see its details."),
    "plan_source": ("规划原文", "The plan says"),
    "illustrative": ("示意位置（非实际位置）", "Illustrative location (not the real place)"),
    "f_location": ("位置", "Location"),
    "illustrative_count": (
        "图上 {total} 个要素中有 {n} 个为示意位置（规划未给出具体位置），不是测绘成果；点击要素可查看其位置来源与精度。",
        "{n} of the {total} features on the map are at illustrative positions (the plan names no exact place), "
        "not survey results; click a feature for its source and accuracy.",
    ),
    "not_illustrative": ("实际位置", "Real location"),
    "no_layers": ("尚无图层数据。", "No layer data yet."),
    "measure_hint": (
        "左上角的尺子可量测距离（km）和面积（亩、公顷）。",
        "Use the ruler (top left) to measure distances (km) and areas (亩, ha).",
    ),
    "field": ("字段", "Field"),
    "value": ("值", "Value"),
    "area_mu": ("面积 (亩)", "Area (亩)"),
    "length_km": ("长度 (km)", "Length (km)"),
    # common fields
    "f_id": ("编号", "Id"),
    "f_name_zh": ("名称", "Name (zh)"),
    "f_name_en": ("英文名称", "Name (en)"),
    "f_layer": ("图层", "Layer"),
    "f_kind": ("类别", "Kind"),
    "f_status": ("状态", "Status"),
    "f_deadline": ("期限", "Deadline"),
    "f_plan_ref": ("规划章节", "Plan section"),
    "f_plan_quote": ("规划原文", "Plan text"),
    "f_target": ("目标", "Target"),
    "f_source": ("数据来源", "Source"),
    "f_accuracy_m": ("位置精度 (m)", "Accuracy (m)"),
    "f_updated_at": ("更新时间", "Updated at"),
    "f_updated_by": ("更新人", "Updated by"),
    "f_version": ("版本", "Version"),
    "f_towns": ("连接镇街", "Towns joined"),
    "f_town": ("镇街", "Town"),
    "f_action": ("用地行动", "Land action"),
    "f_last_change": ("最近变更", "Last change"),
    # roads
    "roads_title": ("18 条联网路", "The 18 联网路 (link roads)"),
    "roads_opened": ("已打通", "Opened"),
    "roads_opened_km": ("已通车里程（km）", "Opened length (km)"),
    "roads_congestion": ("拥堵点改造", "Congestion points fixed"),
    "roads_edit": ("更新道路状态", "Change a road's status"),
    "roads_pick": ("道路", "Road"),
    "new_status": ("新状态", "New status"),
    "change_date": ("变更日期", "Date of the change"),
    "change_note": ("备注", "Note"),
    "save": ("保存", "Save"),
    "saved": ("已保存：{name} → {status}（版本 {version}）", "Saved: {name} → {status} (version {version})"),
    "history": ("变更历史", "History"),
    "hist_user": ("修改人", "Who"),
    "hist_note": ("备注", "Note"),
    "hist_version": ("版本", "Version"),
    "no_history": ("暂无变更记录。", "No changes recorded yet."),
    "edit_needs_store": ("工作库不可用，无法保存。", "The working store is not available; cannot save."),
    "edit_as_of": ("回放历史时不能编辑；请把截至日期设为今天。", "Editing is off while replaying history; set the as-of date to today."),
    # land
    "land_title": ("土地行动台账", "Land-action ledger"),
    "land_by_action": ("按行动统计（亩）", "By action (亩)"),
    "land_by_town": ("按镇街统计（亩）", "By town (亩)"),
    "land_by_subpark": ("按分园统计（亩）", "By sub-park (亩)"),
    "land_parcels": ("地块", "Parcels"),
    "land_sum": (
        "整备/收储/盘活地块合计 {mu} 亩（{n} 块；表中共 {total} 项，集水区范围与治违不计入）",
        "Consolidation/reserve/revitalisation parcels: {mu} 亩 ({n}; {total} rows shown; "
        "catchment outlines and illegal buildings not counted)",
    ),
    "all": ("全部", "All"),
    "land_filter_action": ("行动", "Action"),
    "land_edit": ("更新地块状态", "Change a parcel's status"),
    "target": ("目标", "Target"),
    "achieved": ("已完成", "Achieved"),
    # metrics
    "metrics_title": ("规划指标", "Plan metrics"),
    "radius_m": ("服务半径 (m)", "Service distance (m)"),
    "facility_kind": ("设施类型", "Facility type"),
    "covered_share": ("覆盖面积比例", "Share of area covered"),
    "uncovered": ("未覆盖要素（地图上以洋红色标出）", "Uncovered features (magenta on the map)"),
    "substations": ("变电站", "Substations"),
    "covered_pct": ("覆盖比例 (%)", "Covered (%)"),
    "reached": ("在服务范围内", "Reached"),
    "sub_substations_220kv_sited": ("220 kV 完成选址", "220 kV sited"),
    "sub_substations_110kv_sited": ("110 kV 完成选址", "110 kV sited"),
    "sub_substations_110kv_started": ("110 kV 动工", "110 kV construction started"),
    "sub_assumptions": (
        "负荷估算假设：功率因数 {power_factor}，负载率 {load_rate}，同时系数 {simultaneity}",
        "Load assumptions: power factor {power_factor}, load rate {load_rate}, simultaneity {simultaneity}",
    ),
    "overdue_count": ("逾期事项", "Overdue items"),
    "schedule": ("进度表（逾期在前）", "Schedule (overdue first)"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    # data
    "data_title": ("导入与导出", "Import and export"),
    "upload": (
        "上传文件（GeoJSON、GeoPackage、Shapefile 压缩包、KML/KMZ、CSV、DXF）",
        "Upload a file (GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, CSV, DXF)",
    ),
    "report": ("校验报告", "Validation report"),
    "backup_title": ("备份与恢复", "Backup and restore"),
    "backup_no_store": ("工作库不可用，无法备份。", "The working store is unavailable; nothing to back up."),
    "backup_hint": (
        "备份是工作库的一致副本（GeoPackage，QGIS 可打开），含全部图层、版本与变更历史。",
        "A backup is a consistent copy of the working store (a GeoPackage QGIS opens): every layer, version and change.",
    ),
    "backup_make": ("生成备份", "Make a backup"),
    "backup_download": ("下载 {name}", "Download {name}"),
    "restore_upload": ("从备份恢复（.gpkg）", "Restore from a backup (.gpkg)"),
    "restore_confirm": (
        "我确认用此备份替换当前工作库（原库会保留一份）",
        "I confirm: replace the working store with this backup (the current one is kept aside)",
    ),
    "restore_go": ("恢复", "Restore"),
    "restore_done": ("已从 {name} 恢复；原工作库保存为 {previous}。", "Restored from {name}; the previous store is kept as {previous}."),
    "restore_too_big": ("备份文件超过 {mb} MB 上限。", "The backup is larger than the {mb} MB limit."),
    "report_unusable": (
        "文件无法使用：没有可读的要素（见下方问题列表）。", "The file cannot be used: no readable features (see the problems below).",
    ),
    "report_ok": ("读取 {n} 个要素", "{n} features read"),
    "report_crs": ("假定坐标系：{crs}", "CRS assumed: {crs}"),
    "report_problems": ("问题", "Problems"),
    "report_repairs": ("已修复", "Repairs"),
    "preview": ("预览（尚未保存）", "Preview (not saved yet)"),
    "save_as_new": ("作为新图层保存", "Save as a new layer"),
    "new_layer_name": ("新图层名称（小写字母、数字、下划线）", "New layer name (lower-case letters, digits, underscores)"),
    "replace_layer": ("替换规划图层的要素", "Replace a plan layer's features"),
    "saved_layer": ("已保存图层 {name}（{n} 个要素）", "Saved layer {name} ({n} features)"),
    "export": ("导出", "Export"),
    "export_layer": ("图层", "Layer"),
    "export_format": ("格式", "Format"),
    "export_filter": ("按状态筛选（可选）", "Filter by status (optional)"),
    "export_go": ("生成文件", "Make the file"),
    "export_download": ("下载 {name}", "Download {name}"),
    "working": ("处理中…", "Working…"),
    "drawn_title": ("在地图上绘制并导出", "Draw on the map and export"),
    "drawn_hint": (
        "用左侧工具绘制多边形、矩形、线或点，然后下载为 GeoJSON（RFC 7946，EPSG:4326）。",
        "Draw polygons, rectangles, lines or points with the tools on the left, then download them as GeoJSON (RFC 7946, EPSG:4326).",
    ),
    "drawn_download": ("下载绘制的 {n} 个要素 (GeoJSON)", "Download the {n} drawn features (GeoJSON)"),
    "drawn_bad": ("绘制的图形无法读取", "The drawn shapes could not be read"),
    "bad_name": ("图层名称不合法", "Invalid layer name"),
    # --- issue 10: plan progress (one computation; done, ongoing, overdue, context) ---
    "progress_title": ("计划进度", "Plan progress"),
    "progress_as_of": (
        "截至 {date}；与地图、联网路、土地各页的数字一致。",
        "As of {date}; the same figures as on the map, roads and land pages.",
    ),
    "progress_items": ("计划事项", "Plan items"),
    "progress_done": ("已完成", "Done"),
    "progress_ongoing": ("持续推进（无完成目标）", "Ongoing (no completion target)"),
    "progress_context": ("背景要素（不计入进度）", "Context features (not counted)"),
    "progress_help": (
        "已完成：计划事项的状态达到其完成状态；持续推进：计划用语为加快/推进/谋划/研究/争取，只跟踪、不判逾期；"
        "逾期：有完成状态和期限、未完成、未取消且已过期限；背景要素（边界、水体、已有地点）不计入。",
        "Done: a plan item whose status reached its done status; ongoing: the plan asks for work (加快/推进/谋划/研究/争取), "
        "tracked, never overdue; overdue: has a done status and a deadline, not done, not cancelled, past the deadline; "
        "context (boundaries, water, existing places) never counts.",
    ),
    "targets_title": ("计划目标", "The plan's targets"),
    "target_item": ("目标", "Target"),
    "target_value": ("目标值", "Target value"),
    "target_achieved": ("已达成", "Achieved"),
    "target_total": ("图上合计", "Total on the map"),
    "target_unit": ("单位", "Unit"),
    "target_met": ("是否达成", "Met"),
    "target_section": ("章节", "Section"),
    "target_not_measured": ("未在地图上计量", "not measured on the map"),
    "sub_method": (
        "负荷密度法：{densities}；功率因数 {power_factor}，同时率 {simultaneity}，N-1 负载率 {load_rate}。{scope} {rule}",
        "Load-density method: {densities}; power factor {power_factor}, simultaneity {simultaneity}, N-1 load rate {load_rate}. "
        "{scope} {rule}",
    ),
    "subv_substations": ("变电站 (座)", "Substations"),
    "subv_firm_substations": ("已建或在建 (座)", "Existing or being built"),
    "subv_firm_capacity_mva": ("已建或在建容量 (MVA)", "Firm capacity (MVA)"),
    "subv_planned_capacity_mva": ("仅规划/选址容量 (MVA)", "Planned-only capacity (MVA)"),
    "subv_capacity_mva": ("合计容量 (MVA)", "All capacity (MVA)"),
    "subv_firm_available_mva": ("已建或在建可供 (MVA)", "Firm available (MVA)"),
    "subv_available_mva": ("合计可供 (MVA)", "All available (MVA)"),
    "subv_demand_mva": ("需求 (MVA)", "Demand (MVA)"),
    "subv_utilisation_firm": ("负载率（按已建或在建）", "Utilisation of firm capacity"),
    "subv_utilisation": ("负载率（按合计）", "Utilisation of all capacity"),
    "subv_overloaded": ("过载 (座)", "Overloaded"),
    "subv_unserved_mw": ("未覆盖需求 (MW)", "Unserved demand (MW)"),
    "map_progress": (
        "计划事项 {items} 项：已完成 {done}，持续推进 {ongoing}，逾期 {overdue}（背景要素 {context} 个不计入）",
        "{items} plan items: {done} done, {ongoing} ongoing, {overdue} overdue ({context} context features not counted)",
    ),
    # plan text → items (issue 10 item 7, branch i10-data)
    "page_plan": ("规划条文", "Plan text"),
    "plan_title": ("规划条文 → 地图", "Plan text → map"),
    "plan_intro": (
        "选择一个章节或粘贴规划中的任意句子、段落，查看引用它的规划事项与指标，并在地图上打开。",
        "Pick a section or paste any sentence or paragraph of the plan to see the plan items and targets that "
        "cite it, and open them on the map.",
    ),
    "plan_section": ("章节", "Section"),
    "plan_section_all": ("（全部章节）", "(all sections)"),
    "plan_paste": ("粘贴规划文字", "Paste text of the plan"),
    "plan_paste_help": (
        "整句、半句或整段均可；按引文包含、首尾重叠或要素名称匹配。",
        "A sentence, part of one or a paragraph; matched by quote containment, end-to-start overlap or the feature's name.",
    ),
    "plan_section_text": ("章节原文", "The section's text"),
    "plan_hits": ("引用该文字的事项与指标：{n} 项", "Items and targets that cite it: {n}"),
    "plan_none": ("没有事项或指标引用这段文字。", "No item or target cites this text."),
    "plan_pick_hint": ("请选择章节或粘贴文字。", "Pick a section or paste some text."),
    "plan_traced": ("含空间事项的条文已追溯", "Plan clauses with a spatial item traced"),
    "plan_traced_help": (
        "条文按 。；;, 切分；含地名或实体工程词（如 镇、站、水库、输变电工程、地块）的条文为“含空间事项”；"
        "有要素或指标的原文引用与之重叠、或条文提及已上图要素名称，即为已追溯。",
        "Clauses are cut at 。；;, ; a clause with a place name or a physical work (镇, 站, 水库, 输变电工程, 地块 …) has a "
        "spatial item; it is traced when a feature's or target's quote overlaps it or it names a mapped feature.",
    ),
    "plan_untraced": ("未追溯的条文（{n}）", "Clauses not traced ({n})"),
    "plan_col_role": ("角色", "Role"),
    "plan_col_match": ("匹配方式", "Match"),
    "plan_col_layer": ("图层", "Layer"),
    "plan_col_map": ("地图", "Map"),
    "plan_open_map": ("在地图上查看", "show on map"),
    "plan_role_plan_item": ("规划事项", "plan item"),
    "plan_role_context": ("背景要素", "context"),
    "plan_role_target": ("指标", "target"),
    "plan_match_quote_in_text": ("整句引用", "whole quote in text"),
    "plan_match_text_in_quote": ("文字在引文中", "text within quote"),
    "plan_match_overlap": ("首尾重叠", "overlapping end"),
    "plan_match_name": ("提及名称", "names the feature"),
    "plan_match_section": ("同一章节", "same section"),
    "f_role": ("角色（规划事项 / 背景要素）", "Role (plan_item / context)"),
    "f_villages_done": ("已完成改造的接壤村（共 51 个）", "Bordering villages renovated (of 51)"),
    "f_revitalised_floor_m2": ("盘活楼宇载体物业面积 (m²)", "Building floor area revitalised (m²)"),

    # --- issue 14 item 1: illustrative features in survey exports (i12-house) ---
    "export_illustrative": (
        "所选 {total} 个要素中有 {n} 个为示意位置（非实测坐标）。写入测量格式时它们会标注“示意”，但不得作为勘测成果使用。",
        "{n} of the {total} selected features are at illustrative positions (not surveyed). In survey formats they are "
        "marked 示意 (illustrative), and must not be used as survey.",
    ),
    "export_illustrative_confirm": (
        "我已知晓：仍将这 {n} 个示意要素写入测量格式",
        "I understand: write these {n} illustrative features into the survey format anyway",
    ),
    # --- issue 11/10: edit forms that never lose a colleague's change; sign-in that survives a reload ---
    "edit_pick": ("要素", "Feature"),
    "edit_current": (
        "当前状态：{status}（第 {version} 版，{by}，{at}）",
        "Current status: {status} (version {version}, {by}, {at})",
    ),
    "edit_nothing": ("这里没有可编辑的规划事项（边界、水系等背景要素不可编辑）。",
                     "Nothing here can be edited (boundaries, water and other context features are not plan items)."),
    "conflict": (
        "未保存：{name} 已被 {by} 于 {at} 改为「{now}」（第 {version} 版），您编辑的是第 {seen} 版。"
        "您的修改「{mine}」仍保留在下方，可覆盖或放弃。",
        "Not saved: {name} was changed by {by} at {at} to “{now}” (version {version}); you edited version {seen}. "
        "Your change “{mine}” is kept below: apply it on top, or discard it.",
    ),
    "conflict_note_kept": ("您的备注：", "Your note:"),
    "conflict_override": ("覆盖为我的修改", "Apply my change on top"),
    "conflict_discard": ("放弃我的修改并刷新", "Discard my change and reload"),
    "details_edit": ("修改此事项的状态", "Change this item's status"),
    "details_context": (
        "背景要素（边界、水系等）不是规划事项，不可编辑。",
        "Context features (boundaries, water …) are not plan items and cannot be edited.",
    ),
    # --- intranet basemap tile packages (issue 18) ---
    "bm_package": ("{name}（本机瓦片包，{minzoom}–{maxzoom} 级）", "{name} (local tile package, zoom {minzoom}–{maxzoom})"),
    "bm_package_gcj02": (
        "{name}（本机瓦片包，{minzoom}–{maxzoom} 级，数据偏移至 GCJ-02 显示）",
        "{name} (local tile package, zoom {minzoom}–{maxzoom}, data shifted to GCJ-02 for display)",
    ),
    "bm_package_refused": ("{name}（不可用）", "{name} (unusable)"),
    "tiles_refused": (
        "该底图瓦片包不可用，显示无底图。原因：{reason}",
        "This basemap tile package cannot be used; showing no basemap. Reason: {reason}",
    ),
    # --- working store unreachable (issue 17: the app says when its database is away) ---
    "outage_banner": (
        "数据库无法连接（{where}）。最后一次成功读取：{last_good}。现在显示的是规划基线（只读）：地图、道路、用地、指标和"
        "规划条文照常可看，但不含之后的修改；编辑、上传、备份与恢复暂停。数据库恢复后本页自动恢复，无需重启。原因：{reason}",
        "The database cannot be reached ({where}). Last good read: {last_good}. Showing the plan's baseline, read-only: "
        "map, roads, land, metrics and plan text still work but without later edits; editing, uploads, backup and restore "
        "are paused. The app recovers by itself when the database is back, no restart needed. Reason: {reason}",
    ),
    "outage_never": ("本次运行尚无", "none since the app started"),
    "outage_edit_refused": (
        "数据库无法连接，暂不能保存修改；数据库恢复后再试。",
        "The database cannot be reached; changes cannot be saved now. Try again when it is back.",
    ),
    # --- issue 16: loading a year's plan (规划导入) ---
    "page_plan_import": ("规划导入", "Load a plan"),
    "pi_title": ("导入新一年的工作计划", "Load a new year's work plan"),
    "pi_intro": (
        "上传或粘贴工作计划原文（.txt UTF-8/GB18030 或 .docx），系统按章节和句子提出候选事项（数量、地点、动词、期限）。"
        "逐项核对：取消勾选即放弃；可修改名称、期限、目标状态；填写已有要素编号（如 substations:sub-10）即把该事项结转到新年度"
        "（同一要素，保留历史）；填写经纬度（EPSG:4326）即在地图上标点；都不填则为无位置的计划事项。",
        "Upload or paste the plan's text (.txt UTF-8/GB18030 or .docx); candidate items are proposed by section and sentence "
        "(figures, places, verbs, deadlines). Review each: untick to drop; edit the name, deadline or done status; give an "
        "existing feature id (e.g. substations:sub-10) to carry that item into the new year (same feature, history kept); "
        "give lon/lat (EPSG:4326) to place a point; leave both empty for an item without a place.",
    ),
    "pi_year": ("计划年度", "Plan year"),
    "pi_file": ("计划文件", "Plan file"),
    "pi_text": ("或粘贴计划原文", "Or paste the plan's text"),
    "pi_none": ("没有找到候选事项。", "No candidate items found."),
    "pi_count": ("共 {n} 项候选事项（{figures} 项带数量）", "{n} candidate items ({figures} with a figure)"),
    "pi_accept_col": ("采纳", "Accept"),
    "pi_link_col": ("结转到要素", "Carry over feature"),
    "pi_confirm": ("确认导入", "Confirm"),
    "pi_done": ("已导入 {year} 年计划：新增 {added} 项，结转 {carried} 项。", "{year} plan loaded: {added} added, {carried} carried over."),
    # --- issue 14 items 2 and 4: official data replaces illustrative data; official vs illustrative (w-official) ---
    "prov_title": ("正式 / 示意", "Official / illustrative"),
    "prov_layer": ("{layer}：正式 {official} · 示意 {illustrative}", "{layer}: official {official} · illustrative {illustrative}"),
    "prov_page": ("本页合计：正式 {official} · 示意 {illustrative}", "This page: official {official} · illustrative {illustrative}"),
    "prov_filter": ("显示", "Show"),
    "prov_all": ("全部", "All"),
    "prov_official": ("正式数据", "Official"),
    "prov_illustrative": ("示意", "Illustrative"),
    "official_title": ("导入正式数据", "Replace with official data"),
    "official_help": (
        "用正式数据（交通、自然资源、供电等部门的文件）替换示意几何：按编号、名称或位置匹配规划事项，预览后确认。"
        "规划依据、原文、目标、期限和状态历史保留在事项上；可通过历史回放（截至日期）撤销。",
        "Replace illustrative geometry with official data (files from the transport, natural-resources or power "
        "departments): items are matched by id, name or position; preview, then confirm. The plan reference, quote, "
        "target, deadline and status history stay with each item; undo through the history (as-of date).",
    ),
    "official_bad_type": ("不支持的文件类型 {suffix}", "unsupported file type {suffix}"),
    "official_layer": ("目标图层", "Target layer"),
    "official_matched": ("匹配", "Matched"),
    "official_new": ("新增（未匹配）", "New (unmatched)"),
    "official_left": ("仍无正式几何的事项", "Items left without official geometry"),
    "official_left_list": ("仍无正式几何：{ids}", "Still without official geometry: {ids}"),
    "official_incoming_name": ("正式数据名称", "Official name"),
    "official_how": ("匹配方式", "Matched by"),
    "official_displacement_m": ("位移 (m)", "Displacement (m)"),
    "official_area_change_mu": ("面积变化 (亩)", "Area change (亩)"),
    "official_problem": ("问题", "Problem"),
    "official_map_title": ("正式数据", "Official data"),
    "official_map_matched": ("已匹配", "matched"),
    "official_map_new": ("新增", "new"),
    "official_attributes": ("同时写入的字段", "Fields to copy as well"),
    "official_source": (
        "数据来源（必填，如：东莞市交通运输局 2020-06 道路中线）",
        "Source (required, e.g. the transport bureau's 2020-06 centre lines)",
    ),
    "official_accuracy_m": ("精度 (m)", "Accuracy (m)"),
    "official_commit": ("确认替换 {n} 个事项的几何", "Confirm: replace the geometry of {n} items"),
    "official_done": ("已替换图层 {layer} 中 {n} 个事项的几何", "Replaced the geometry of {n} items of layer {layer}"),
    # --- uploads that show what they are; Excel in (issue 13 items 5 and 6) ---
    "upload_file": (
        "上传文件（GeoJSON、GeoPackage、Shapefile 压缩包、KML/KMZ、CSV、Excel .xlsx、DXF、勘测定界 TXT）",
        "Upload a file (GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, CSV, Excel .xlsx, DXF, survey TXT)",
    ),
    "upload_bad_type": ("不支持的文件类型 {suffix}（支持 {known}）", "Unsupported file type {suffix} (supported: {known})"),
    "upload_crs": ("坐标系", "Coordinate system"),
    "upload_crs_help": (
        "文件的坐标所用的坐标系。“自动判断”先读文件自带的说明，没有时按坐标数值推断（东莞一带的经纬度或 CGCS2000 米制坐标）。",
        "The coordinate system of the file's coordinates. Automatic reads the file's own label, or infers it from the "
        "numbers (degrees or CGCS2000 metres around Dongguan).",
    ),
    "upload_crs_auto": ("自动判断", "Automatic"),
    "upload_crs_wgs84": ("WGS 84 经纬度（GPS、谷歌地球、OpenStreetMap）", "WGS 84 lon/lat (GPS, Google Earth, OpenStreetMap)"),
    "upload_crs_gcj02": ("GCJ-02 经纬度（高德、腾讯地图及坐标拾取器）", "GCJ-02 lon/lat (AMap/Gaode, Tencent maps and pickers)"),
    "upload_crs_bd09": ("BD-09 经纬度（百度地图）", "BD-09 lon/lat (Baidu maps)"),
    "upload_crs_cgcs2000": ("CGCS2000 经纬度（国家2000、天地图）", "CGCS2000 lon/lat (China Geodetic 2000, Tianditu)"),
    "upload_crs_gk4547": (
        "CGCS2000 3度带投影，中央经线114°，东坐标不带带号（EPSG:4547）",
        "CGCS2000 3-degree zone, central meridian 114°E, easting without zone prefix (EPSG:4547)",
    ),
    "upload_crs_gk4526": (
        "CGCS2000 3度带投影，东坐标带带号 38（EPSG:4526）",
        "CGCS2000 3-degree zone, easting with the zone prefix 38 (EPSG:4526)",
    ),
    "upload_crs_chosen": ("已按所选坐标系读取：{crs}。", "Read in the chosen coordinate system: {crs}."),
    "upload_crs_pick": (
        "请在上方“坐标系”中选择文件所用的坐标系后重试",
        "Choose the file's coordinate system under “Coordinate system” above and try again",
    ),
    "upload_auto_declared": (
        "自动判断：文件自带坐标系说明，已按其读取并转换为 WGS 84。",
        "Automatic: the file states its coordinate system; it was read as stated and converted to WGS 84.",
    ),
    "upload_auto_assumed": (
        "自动判断：文件没有说明坐标系，按坐标数值推断为 {crs}",
        "Automatic: the file states no coordinate system; inferred from the numbers: {crs}",
    ),
    "upload_gcj_warning": (
        "注意：没有标注坐标系的经纬度，如果取自高德、腾讯（GCJ-02）或百度（BD-09）地图，在东莞一带会偏离约 600 米。"
        "如果坐标来自这些地图，请在上方“坐标系”中选择 GCJ-02 或 BD-09。",
        "Note: unlabelled lon/lat taken from AMap/Gaode or Tencent (GCJ-02) or Baidu (BD-09) maps lie about 600 m off "
        "around Dongguan. If the coordinates come from those maps, choose GCJ-02 or BD-09 under “Coordinate system” above.",
    ),
    "upload_whole_file": ("整个文件", "whole file"),
    "upload_feature_n": ("第 {n} 个要素", "feature {n}"),
    "upload_col_feature": ("要素", "Feature"),
    "upload_col_message": ("说明", "Message"),
    "upload_col_outcome": ("处理", "Outcome"),
    "upload_dropped": ("已删除", "dropped"),
    "upload_kept": ("保留", "kept"),
    "upload_id_column": ("编号列（作为要素编号）", "ID column (becomes the feature id)"),
    "upload_name_column": ("名称列（作为中文名称）", "Name column (becomes the Chinese name)"),
    "upload_col_none": ("（无：按顺序编号 1、2、3…）", "(none: numbered 1, 2, 3…)"),
    "upload_id_fixed": (
        "编号列“{column}”有 {n} 个空值或重复值，已在其后加上行号以保持唯一。",
        "The ID column “{column}” has {n} empty or repeated values; the row number was appended to keep them unique.",
    ),
    "upload_col_number": ("序号", "No."),
    "upload_area_total": ("面积合计", "Total area"),
    "upload_area_value": ("{mu} 亩", "{mu} mu"),
    "upload_area_help": (
        "{n} 个面要素的面积之和，按 CGCS2000 3度带（EPSG:4547）计算，1 亩 = 10000/15 平方米。",
        "Sum over {n} polygon features, computed on CGCS2000 3-degree zone (EPSG:4547); 1 mu = 10000/15 m².",
    ),
    "upload_area_column": ("面积（亩）", "Area (mu)"),
    "upload_area_none": ("没有面要素，不计面积。", "No polygon features: no area."),
    "upload_out_of_range": (
        "{n} 个要素的坐标超出范围（第 {features} 个）：经纬度须在 ±180°、±90° 以内，东莞一带约为经度 {lon0}–{lon1}°、"
        "纬度 {lat0}–{lat1}°；CGCS2000 投影坐标约为东 450000–527000 米、北 2505000–2561000 米。"
        "请检查这些坐标（常见为小数点或经纬度填错），或在上方“坐标系”中选择文件所用的坐标系。",
        "{n} feature(s) have coordinates out of range (features {features}): degrees must lie within ±180° and ±90°; "
        "around Dongguan about {lon0}–{lon1}°E, {lat0}–{lat1}°N; CGCS2000 metres about E 450000–527000, N 2505000–2561000. "
        "Check those coordinates (often a misplaced decimal point or swapped values), or choose the file's "
        "coordinate system under “Coordinate system” above.",
    ),
    # --- issue 13 items 1, 2, 7 (w-board): Chinese throughout, the 联网路 board, figures that add up ---
    "board_towns": ("连接镇街", "Towns"),
    "board_overdue_days": ("逾期天数", "Days overdue"),
    "board_last_change": ("最后变更", "Last change"),
    "board_filter_town": ("按镇街筛选", "Filter by town"),
    "board_sort": ("排序", "Sort by"),
    "board_sort_overdue": ("逾期天数（多→少）", "Days overdue (most first)"),
    "board_sort_name": ("名称", "Name"),
    "board_sort_status": ("状态", "Status"),
    "board_sort_town": ("镇街", "Town"),
    "board_sort_deadline": ("期限", "Deadline"),
    "board_sort_last": ("最后变更（新→旧）", "Last change (newest first)"),
    "board_as_of": (
        "截至 {date}，共 {n} 项；逾期天数按计划期限末日计。", "As of {date}, {n} items; days overdue count from the period's last day.",
    ),
    "board_illustrative": (
        "示意：其中 {n} 项（共 {total} 项）为示意位置（规划未给出具体位置），非测绘成果。",
        "示意 (illustrative): {n} of the {total} items are at illustrative positions (the plan names no exact place), not survey.",
    ),
    "board_download_xlsx": ("下载台账 Excel", "Download the board (Excel)"),
    "board_download_html": ("下载打印页（A4 横向）", "Download the print page (A4 landscape)"),
    "board_roads_title": ("联网路推进台账", "联网路 (link roads) board"),
    "board_land_title": ("土地行动台账", "Land-action board"),
    "board_items_title": ("{layer}：规划事项台账", "{layer}: plan items board"),
    "board_items": ("各图层规划事项台账", "Plan items of every layer"),
    "board_layer": ("图层", "Layer"),
    "hist_at_local": ("时间（北京时间）", "When (Beijing time)"),
    "hist_change": ("变更", "Change"),
    "hist_event_seeded": ("初始导入", "first import"),
    "hist_system": ("系统", "system"),
    "hist_event_created": ("新建", "created"),
    "hist_event_replaced": ("整体替换", "replaced"),
    "hist_event_deleted": ("删除", "deleted"),
    "hist_event_restored": ("从备份恢复", "restored from a backup"),
    "unassigned": ("未归属", "Not in any"),
    "total_row": ("合计", "Total"),
    "coverage_standard": ("标准：{source}；当前半径 {radius} m", "Standard: {source}; radius now {radius} m"),
    "upload_help": ("每个文件不超过 {mb} MB", "At most {mb} MB per file"),
    "uploader_button": ("选择文件", "Choose a file"),
    "unit_projects": ("项", "projects"),
    "unit_mu": ("亩", "亩"),
    "unit_%": ("%", "%"),
    "unit_100_million_yuan": ("亿元", "100 million yuan"),
    "unit_cameras": ("个摄像头", "cameras"),
    "unit_people": ("人", "people"),
    "unit_m2": ("m²", "m²"),
    "unit_m2_floor_area": ("m²（建筑面积）", "m² floor area"),
    "unit_roads": ("条", "roads"),
    "unit_points": ("处", "points"),
    "unit_stations": ("座", "stations"),
    "unit_sub-parks": ("个分园", "sub-parks"),
    "unit_towns": ("个镇街", "towns"),
    "unit_areas": ("个区域", "areas"),
    "unit_villages": ("个村", "villages"),
    "unit_lines": ("条线路", "lines"),
    "unit_stops": ("个站点", "stops"),
    "unit_places": ("处", "places"),
    "unit_centres": ("个中心", "centres"),
    "unit_companies": ("家企业", "companies"),
    "unit_incubators": ("个孵化器", "incubators"),
    "unit_teams": ("个团队", "teams"),
    "sub_col_voltage": ("电压等级 (kV)", "Voltage (kV)"),
    "sub_col_serves": ("服务范围", "Serves"),
    "sub_col_parcels": ("服务地块 (块)", "Parcels served"),
    "sub_col_overload": ("过载", "Overloaded"),
    "sub_col_utilisation": ("负载率 (%)", "Utilisation (%)"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "sched_state": ("进度", "State"),
    "land_other_zones": (
        "其他区域（引爆点、共管区域、接壤村等，与园区相互重叠，不求和）", "Other zones (overlapping the parks; not summed)",
    ),
    "f_town_only": ("镇街", "Town"),
    "landuse_residential": ("居住用地", "residential"),
    "landuse_public_service": ("公共管理与公共服务设施用地", "public service"),
    "landuse_commercial": ("商业服务业设施用地", "commercial"),
    "landuse_industrial": ("工业用地", "industrial"),
    "landuse_logistics": ("物流仓储用地", "logistics"),
    "landuse_transport": ("道路与交通设施用地", "transport"),
    "landuse_utilities": ("公用设施用地", "utilities"),
    "landuse_green": ("绿地与广场用地", "green"),
    "landuse_research": ("科研用地", "research"),
    "sub_scope": (
        "需求只计计划中的整备/收储/盘活地块，不是全区负荷。",
        "Demand counts only the plan's consolidation, reserve and revitalisation parcels, not the whole zone's load.",
    ),
    "sub_rule": (
        "变电站供应其服务范围所列片区（按名称匹配平台、分园、镇街多边形）内的地块；片区无多边形时按最近变电站分配（假定）。",
        "A substation serves the parcels inside the areas it names (matched by name to platform, sub-park and town "
        "polygons); where an area has no polygon, parcels go to the nearest substation (assumption).",
    ),
    "sched_state_done": ("已完成", "done"),
    "sched_state_ongoing": ("持续推进", "ongoing"),
    "sched_state_cancelled": ("已取消", "cancelled"),
    "sched_state_overdue": ("逾期", "overdue"),
    "sched_state_open": ("推进中", "open"),
    # --- issue 13 items 3–4: a planning map (labels, north arrow, legend on the map) and 出图 ---
    "map_north": ("北 N", "N"),
    "map_labels": ("显示名称标注", "Show labels"),
    "basemap_failed": (
        "在线底图无法加载（可能没有互联网）。请在「底图」中选择「无底图」或本机瓦片包。",
        "The online basemap cannot load (perhaps no internet). Choose 'No basemap' or a local tile package under Basemap.",
    ),
    "print_heading": ("出图", "Print map"),
    "print_paper": ("纸张", "Paper"),
    "print_paper_A4": ("A4 横向", "A4 landscape"),
    "print_paper_A3": ("A3 横向", "A3 landscape"),
    "print_make": ("生成当前视图的图纸", "Make a sheet of the current view"),
    "print_pdf": ("下载 PDF", "Download PDF"),
    "print_png": ("下载 PNG", "Download PNG"),
    "print_help": (
        "按当前显示的图层、状态和范围出图：含标题、图例、比例尺、指北针、日期、数据来源；有示意要素时注明示意。",
        "Prints the layers, statuses and extent shown: title, legend, scale bar, north arrow, date and sources; "
        "illustrative features are said to be illustrative.",
    ),
    "print_file": ("松山湖规划图", "songshan-lake-plan-map"),
    # --- sign-in form in the page's language (issue 13 item 1; lead, after the merge) ---
    "auth_sign_in": ("登录", "Sign in"),
    "auth_editors_sign_in": ("编辑人员登录", "Editors sign in"),
    "auth_user_name": ("用户名", "User name"),
    "auth_password": ("密码", "Password"),
    "auth_signed_in": ("已登录：**{name}**（{role}）", "Signed in: **{name}** ({role})"),
    "auth_role_editor": ("编辑", "editor"),
    "auth_role_viewer": ("只读", "viewer"),
    "auth_sign_out": ("退出登录", "Sign out"),
    # --- export picker in the page's language (issue 13 item 1; lead, after the merge) ---
    "exp_geojson": ("GeoJSON（RFC 7946，EPSG:4326）", "GeoJSON (RFC 7946, EPSG:4326)"),
    "exp_geojson_surveyor": ("GeoJSON 测量版（EPSG:4547）", "GeoJSON for surveyors (EPSG:4547)"),
    "exp_geojson_surveyor_4526": ("GeoJSON 测量版（EPSG:4526）", "GeoJSON for surveyors (EPSG:4526)"),
    "exp_gpkg": ("GeoPackage", "GeoPackage"),
    "exp_shp": ("Shapefile（.zip）", "Shapefile (.zip)"),
    "exp_kml": ("KML", "KML"),
    "exp_dxf": ("DXF（EPSG:4547）", "DXF (EPSG:4547)"),
    "exp_boundary_points": ("界址点坐标表（.xlsx）", "Boundary-point table 界址点坐标表 (.xlsx)"),
    "exp_boundary_points_csv": ("界址点坐标表（.csv）", "Boundary-point table 界址点坐标表 (.csv)"),
    "exp_survey_txt": ("勘测定界 TXT（EPSG:4526）", "Survey-boundary TXT 勘测定界 (EPSG:4526)"),
    "exp_survey_pack": ("测量成果包（.zip）", "Surveyor pack (.zip)"),
    "exp_kmz": ("KMZ", "KMZ"),
    # --- tidy (w-tidy) ---
    "board_no_edit": (
        "最后变更、修改人为“—”的事项自规划发布以来未经修改，状态为规划发布时的基线。",
        "Items whose last change and editor read “—” have not been edited since the plan was published: their status is the baseline.",
    ),
    "upload_one_layer": (
        "上传一次读取一个图层：请把要上传的图层另存为只含该图层的 GeoPackage 后重试",
        "An upload reads one layer: save the layer you want as a GeoPackage holding only it and try again",
    ),
    # --- placing plan items (w-place) ---
    "pl_title": ("事项定位", "Place the items"),
    "pl_intro": (
        "为已确认的计划事项给出位置：上传测绘文件并选定其中一个要素，或在地图上绘制。没有位置的事项排在前面。",
        "Give confirmed plan items their place: upload a surveyor's file and pick one of its features, or draw it on "
        "the map. Items without a place come first.",
    ),
    "pl_none": (
        "{year} 年还没有已确认的计划事项。请先在上方确认计划。", "No confirmed plan items for {year} yet. Confirm the plan above first.",
    ),
    "pl_count": ("{year} 年共 {n} 项计划事项，其中 {unplaced} 项尚未定位。", "{year}: {n} plan items, {unplaced} without a place."),
    "pl_item": ("事项", "Item"),
    "pl_unplaced": ("此事项尚未定位。", "This item has no place yet."),
    "pl_placed": ("已定位：{kind}，来源 {source}，精度 {accuracy} 米。", "Placed: {kind}, from {source}, accurate to {accuracy} m."),
    "pl_method": ("位置来源", "Where the place comes from"),
    "pl_method_upload": ("上传测绘文件", "Upload a surveyor's file"),
    "pl_method_draw": ("在地图上绘制", "Draw on the map"),
    "pl_feature": ("使用文件中的要素", "Feature of the file to use"),
    "pl_basemap": ("底图", "Basemap"),
    "pl_draw_hint": (
        "用地图左侧的工具画点、线或面（只保存最后画的一个）。手绘位置记为示意。",
        "Draw a point, line or polygon with the tools on the left of the map (the last one drawn is saved). "
        "A drawn place is recorded as illustrative.",
    ),
    "pl_accuracy": ("精度（米）", "Accuracy (m)"),
    "pl_accuracy_help": (
        "位置的实际不确定度，按您所知填写：测绘成果通常为厘米级，手绘一般为几十米。",
        "The place's real uncertainty, as you know it: survey results are centimetres, a drawing tens of metres.",
    ),
    "pl_ready": ("待保存：{kind}", "Ready to save: {kind}"),
    "pl_nothing": ("还没有可保存的位置。", "No place to save yet."),
    "pl_save": ("保存位置", "Save the place"),
    "pl_saved": ("已保存 {id} 的位置（{kind}，第 {version} 版）。", "Saved the place of {id} ({kind}, version {version})."),
    "pl_current": ("当前位置", "Current place"),
    "pl_history": ("修改记录", "History"),
    "pl_col_at": ("时间", "Time"),
    "pl_col_user": ("用户", "User"),
    "pl_col_field": ("字段", "Field"),
    "pl_col_note": ("说明", "Note"),
    # --- plan year (w-years) ---
    "plan_year": ("规划年度", "Plan year"),
    "plan_year_help": (
        "只看某一年度工作计划的事项（背景要素如镇界、水系始终显示）；「全部年度」即所有年度的事项。",
        "Show the items of one year's work plan (context such as boundaries and water is always shown); "
        "「All years」 shows the items of every plan.",
    ),
    "plan_year_all": ("全部年度", "All years"),
    "plan_year_option": ("{year}年", "{year}"),
    "plan_year_active": ("正在查看 {year} 年度计划的事项", "Showing the items of the {year} plan"),
    "plan_text_year": (
        "此处为 2020 年工作计划原文；所选 {year} 年度的计划条文未收录，其事项见地图与指标页。",
        "This is the text of the 2020 work plan; the {year} plan's text is not bundled — its items are on the map "
        "and the metrics page.",
    ),
    "map_no_place": ("另有 {n} 项无位置（未在地图上绘出）", "{n} more items have no place (not drawn on the map)"),
    "map_no_place_list": ("无位置的事项（{n}）", "Items without a place ({n})"),
    "f_plan_year": ("计划年度", "Plan year"),
    "none_this_year": ("{year} 年度计划在本页没有事项。", "The {year} plan has no items on this page."),
}


def lang() -> str:
    """The current language, ``"zh"`` (default) or ``"en"``."""
    value = st.session_state.get("lang", "zh")
    return value if value in LANGS else "zh"


def t(key: str, **fmt: object) -> str:
    """The text for ``key`` in the current language, with ``{placeholders}`` filled from ``fmt``.

    Unknown keys come back as the key itself, so a missing string is visible rather than fatal.
    """
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang() == "zh" else pair[1]
    return text.format(**fmt) if fmt else text


def status_label(status: str, spec: object | None = None) -> str:
    """A status in the current language: the one word for it on every screen of the layer.

    Parameters
    ----------
    status : str
        Stored status (``planned`` …).
    spec : layers.spec.LayerSpec or str, optional
        The layer (its spec or its name): ``completed`` then reads as the layer's own word (通车, 投用, 建成 …,
        ``LayerSpec.completed_zh``). Without it the generic word is used.
    """
    import layers
    from layers.spec import STATUS_LABELS, STATUS_LABELS_EN

    if isinstance(spec, str):
        spec = layers.spec(spec) if spec in layers.names(include_store=True) else None
    if spec is not None and hasattr(spec, "status_label"):
        try:
            return str(spec.status_label(status, lang=lang()))
        except Exception:  # a spec without that status: fall back to the generic label
            pass
    labels = STATUS_LABELS if lang() == "zh" else STATUS_LABELS_EN
    return str(labels.get(status, status))


def deadline_label(deadline: str) -> str:
    """The plan's period in the current language (``2020 年上半年`` / ``H1 2020``); labels from ``layers.spec``.

    No code (``2020-H1``) reaches the screen: the Chinese label is the plan's own words after the year.

    An empty deadline (the plan gives none) reads 无期限 / no deadline.
    """
    from layers.spec import DEADLINE_LABELS

    if deadline is None or str(deadline).strip() in ("", "None", "nan"):
        return "无期限" if lang() == "zh" else "no deadline"
    entry = DEADLINE_LABELS.get(str(deadline))
    if entry is None:
        return str(deadline)
    if lang() != "zh":
        return entry[1]
    year, words = str(deadline)[:4], entry[0]
    if words.startswith(f"{year}年"):  # a later plan's period already says its year (2021年上半年): not twice
        words = words[len(year) + 1:]
    return f"{year} {words}" if words.startswith("年") else f"{year} 年{words}"  # 2020 年底前, 2020 年上半年


def error_text(exc: BaseException) -> str:
    """An error's message in the user's language: a :class:`gis.errors.GisError`'s own zh/en text, else ``str``."""
    if isinstance(exc, GisError):
        return exc.zh if lang() == "zh" else exc.en
    return str(exc)


def time_label(value: object) -> str:
    """A stored time stamp (ISO 8601, UTC when naive) shown in Asia/Shanghai to the minute (``2020-06-30 20:05``).

    Empty or unreadable values read as an empty string (unreadable text is shown as given).
    """
    if value is None or str(value).strip() in ("", "None", "nan", "NaT"):
        return ""
    try:
        when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def layer_title(name: str) -> str:
    """A layer's title in the current language (``道路与交通``), never its store name when the layer is known."""
    import layers

    if name in layers.names(include_store=True):
        spec = layers.spec(name)
        return str(spec.title_zh if lang() == "zh" else spec.title_en)
    return name


def unit_label(unit: object) -> str:
    """A target's unit (``mu``, ``projects``, ``m2`` as stored in plan_targets.csv) in the current language (亩, 项, m²)."""
    if unit is None or str(unit).strip() in ("", "nan", "None"):
        return ""
    key = "unit_" + str(unit).strip().replace(" ", "_")
    text = t(key)
    return str(unit) if text == key else text
