"""Analyst grid callbacks: pages of records for AG Grid's infinite model, the count, export links, detail."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

import pandas as pd
from dash import Dash, Input, Output, State, no_update
from flask import current_app

from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from data.queries.analyst_filter import FilterState, to_filter, to_query
from data.queries.analyst_records import complaint_detail, count_records, record_page
from layouts import analyst_detail, ids
from layouts.i18n import category_label, fmt_number, lang_of, t

PERSONAL_FLAG = "PERSONAL_DATA_ALLOWED"


def personal_data_allowed() -> bool:
    """May this request see reporters' names and phones? No, until a permission check is installed as
    `app.server.config["PERSONAL_DATA_ALLOWED"] = callable -> bool` (the one switch for personal columns)."""
    check: Callable[[], bool] | None = current_app.config.get(PERSONAL_FLAG)
    return bool(check()) if callable(check) else False


def _wib(value: object) -> object:
    if isinstance(value, datetime | pd.Timestamp) and not pd.isna(value):
        from layouts.i18n import fmt_time_wib

        return fmt_time_wib(value.to_pydatetime() if isinstance(value, pd.Timestamp) else value, with_date=True)
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _grid_row(record: dict, lang: str) -> dict:
    """A record as the grid shows it: WIB times, and words for the category, status and channel codes."""
    row = {k: _wib(v) for k, v in record.items()}
    if row.get("category"):
        row["category"] = category_label(row["category"], lang)
    if row.get("status"):
        row["status"] = t(row["status"], lang)
    if row.get("channel"):
        row["channel"] = t(f"channel_{row['channel']}", lang)
    return row


def export_href(kind: str, state: FilterState, grid_filter: dict | None, sort: list | None) -> str:
    """The export URL: the page's query string plus the grid's own column filters and sort."""
    extra = {}
    if grid_filter:
        extra["grid"] = json.dumps(grid_filter, separators=(",", ":"))
    if sort:
        extra["sort"] = json.dumps(sort, separators=(",", ":"))
    query = to_query(state)
    return f"/analyst/export.{kind}{query}" + (f"&{urlencode(extra)}" if extra else "")


def grid_rows(request: dict | None, data: dict | None, params: dict | None) -> tuple:
    """One block of rows for the grid, the total the grid counts, and matching export links."""
    if not request or not data:
        return no_update, no_update, no_update, no_update
    lang = lang_of((params or {}).get("lang"))
    state = FilterState.from_dict(data)
    flt, moment, personal = to_filter(state), now(), personal_data_allowed()
    engine = runtime().engine
    grid_filter, sort = request.get("filterModel") or {}, request.get("sortModel") or []
    frame = record_page(
        engine,
        flt,
        moment,
        int(request.get("startRow") or 0),
        int(request.get("endRow") or 50),
        sort,
        grid_filter,
        personal,
    )
    total = count_records(engine, flt, moment, grid_filter, personal)
    rows = [_grid_row(r, lang) for r in frame.to_dict("records")]
    count = t("an_count", lang).format(n=fmt_number(total, lang))
    return (
        {"rowData": rows, "rowCount": total},
        count,
        export_href("csv", state, grid_filter, sort),
        export_href("xlsx", state, grid_filter, sort),
    )


def show_detail(cell: dict | None, params: dict | None) -> tuple:
    """A clicked row's record: its fields, its status timeline, where it is."""
    row_id = ((cell or {}).get("data") or {}).get("id") if isinstance(cell, dict) else None
    if row_id is None:
        return no_update, no_update
    lang = lang_of((params or {}).get("lang"))
    detail = complaint_detail(runtime().engine, int(row_id), now(), personal_data_allowed())
    if detail is None:
        return True, t("leader_not_found", lang)
    from data.geography import district_collection

    return True, analyst_detail.record_detail(detail, district_collection(), lang)


def register(app: Dash) -> None:
    guarded_callback(
        app,
        "analyst",
        Output(ids.ANALYST_GRID, "getRowsResponse"),
        Output(ids.ANALYST_COUNT, "children"),
        Output(ids.ANALYST_EXPORT_CSV, "href"),
        Output(ids.ANALYST_EXPORT_XLSX, "href"),
        Input(ids.ANALYST_GRID, "getRowsRequest"),
        State(ids.ANALYST_FILTER, "data"),
        State(ids.ANALYST_PARAMS, "data"),
    )(grid_rows)
    guarded_callback(
        app,
        "analyst",
        Output(ids.ANALYST_DETAIL, "is_open"),
        Output(ids.ANALYST_DETAIL_BODY, "children"),
        Input(ids.ANALYST_GRID, "cellClicked"),
        State(ids.ANALYST_PARAMS, "data"),
        prevent_initial_call=True,
    )(show_detail)
    # A new filter empties the grid's block cache, so it asks for rows (and the count) again.
    app.clientside_callback(
        """
        function(filter, gridId) {
            if (filter && window.dash_ag_grid && dash_ag_grid.getApiAsync) {
                dash_ag_grid.getApiAsync(gridId).then(function (api) { api.purgeInfiniteCache(); });
            }
            return window.dash_clientside.no_update;
        }
        """,
        Output(ids.ANALYST_GRID_REFRESH, "data"),
        Input(ids.ANALYST_FILTER, "data"),
        State(ids.ANALYST_GRID, "id"),
    )
