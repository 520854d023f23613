"""The analysts' workbench: filter bar, active-filter chips, eight linked charts, the records grid and a
record's detail. The query string is the state (see data/queries/analyst_filter.py); callbacks fill it."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.grid_locale import grid_locale_text
from layouts.i18n import lang_of, t

FILTER_DROPDOWNS = (
    (ids.ANALYST_DISTRICT, "district"),
    (ids.ANALYST_SUBDISTRICT, "subdistrict"),
    (ids.ANALYST_CATEGORY, "category"),
    (ids.ANALYST_CHANNEL, "channel"),
    (ids.ANALYST_STATUS, "status"),
    (ids.ANALYST_AGENCY, "agency"),
    (ids.ANALYST_KIND, "an_kind"),
)
CHART_TITLES = {
    "map": "an_map",
    "over_time": "an_over_time",
    "by_category": "an_by_category",
    "by_channel": "an_by_channel",
    "close_by_agency": "an_close_by_agency",
    "heatmap": "an_heatmap",
    "backlog_age": "an_backlog_age",
    "sensor_vs_complaints": "an_sensor_vs",
}
WIDE = ("map", "over_time", "sensor_vs_complaints")
PAGE_SIZE = 50


def _dropdown(component_id: str, label_key: str, lang: str) -> html.Div:
    return html.Div(
        [
            html.Label(t(label_key, lang), htmlFor=component_id),
            dcc.Dropdown(id=component_id, multi=True, placeholder=t("an_all", lang), options=[], value=[]),
        ],
        className="analyst-field",
    )


def filter_bar(lang: str) -> html.Section:
    """Date presets and custom range, the place, category, channel, status, agency and sensor filters."""
    presets = [{"label": t(f"an_{p}", lang), "value": p} for p in ("today", "7d", "30d", "month", "custom")]
    return html.Section(
        [
            html.Div(
                [
                    html.Label(t("an_period", lang)),
                    dcc.RadioItems(
                        id=ids.ANALYST_RANGE, options=presets, value="30d", inline=True, className="analyst-presets"
                    ),
                    dcc.DatePickerRange(id=ids.ANALYST_DATES, display_format="DD/MM/YYYY", first_day_of_week=1),
                    dcc.RadioItems(
                        id=ids.ANALYST_BUCKET,
                        options=[
                            {"label": t("an_by_day", lang), "value": "day"},
                            {"label": t("an_by_week", lang), "value": "week"},
                        ],
                        value="day",
                        inline=True,
                        className="analyst-presets",
                    ),
                ],
                className="analyst-period",
            ),
            html.Div([_dropdown(cid, key, lang) for cid, key in FILTER_DROPDOWNS], className="analyst-fields"),
            html.Div(
                [
                    html.Span(t("an_active", lang), className="analyst-muted"),
                    html.Div(id=ids.ANALYST_CHIPS, className="analyst-chips"),
                    html.Button(t("an_reset", lang), id=ids.ANALYST_RESET, className="analyst-button", n_clicks=0),
                ],
                className="analyst-chipbar",
            ),
            html.Div(id=ids.ANALYST_ERROR, className="analyst-error", role="status"),
        ],
        className="analyst-filters",
    )


def chart_card(name: str, lang: str) -> html.Section:
    """One chart with its title; the mode bar's camera saves it as PNG."""
    return html.Section(
        [
            html.H2(t(CHART_TITLES[name], lang), className="analyst-card-title"),
            dcc.Loading(
                dcc.Graph(
                    id=ids.analyst_chart(name),
                    config={
                        "displaylogo": False,
                        "responsive": True,
                        "scrollZoom": name == "map",
                        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
                        "toImageButtonOptions": {"format": "png", "filename": f"analyst_{name}", "scale": 2},
                    },
                ),
                type="dot",
                delay_show=300,
            ),
        ],
        className="analyst-card" + (" analyst-wide" if name in WIDE else ""),
    )


def records_grid(lang: str) -> html.Section:
    """The records behind the charts: server-side paging, sorting and filtering; click a row for its detail."""
    text_filter = {"filter": "agTextColumnFilter", "filterParams": {"buttons": ["reset"], "maxNumConditions": 1}}
    number_filter = {"filter": "agNumberColumnFilter", "filterParams": {"maxNumConditions": 1}}
    # minimum widths that fit a WIB time, a category's name and a header word: the grid scrolls sideways on a
    # tablet rather than cutting values (flex shares out any room left on a desk screen)
    columns = [
        {"field": "id", "headerName": t("col_id", lang), "minWidth": 100, **number_filter},
        {"field": "requested_at", "headerName": t("col_requested_at", lang), "minWidth": 150},
        # category, status and channel show words, not codes; the filter bar's dropdowns filter them
        {"field": "category", "headerName": t("category", lang), "minWidth": 180, "filter": False},
        {"field": "status", "headerName": t("status", lang), "minWidth": 110, "filter": False},
        {"field": "channel", "headerName": t("channel", lang), "minWidth": 130, "filter": False},
        {"field": "agency", "headerName": t("agency", lang), "minWidth": 160, **text_filter},
        {"field": "district", "headerName": t("district", lang), "minWidth": 140, **text_filter},
        {"field": "subdistrict", "headerName": t("subdistrict", lang), "minWidth": 150, **text_filter},
        {"field": "description", "headerName": t("col_description", lang), "flex": 2, "minWidth": 220, **text_filter},
        {"field": "due_at", "headerName": t("col_due_at", lang), "minWidth": 150},
        {"field": "closed_at", "headerName": t("col_closed_at", lang), "minWidth": 150},
        {"field": "late", "headerName": t("col_late", lang), "minWidth": 120, **number_filter},
    ]
    return html.Section(
        [
            html.Div(
                [
                    html.H2(t("an_records", lang), className="analyst-card-title"),
                    html.Span(id=ids.ANALYST_COUNT, className="analyst-count"),
                    html.A(t("an_export_csv", lang), id=ids.ANALYST_EXPORT_CSV, className="analyst-button", href="#"),
                    html.A(t("an_export_xlsx", lang), id=ids.ANALYST_EXPORT_XLSX, className="analyst-button", href="#"),
                ],
                className="analyst-records-head",
            ),
            dag.AgGrid(
                id=ids.ANALYST_GRID,
                rowModelType="infinite",
                columnDefs=columns,
                defaultColDef={
                    "sortable": True,
                    "resizable": True,
                    "minWidth": 100,
                    "flex": 1,
                    "wrapHeaderText": True,
                    "autoHeaderHeight": True,
                },
                dashGridOptions={
                    "localeText": grid_locale_text(lang),
                    "pagination": True,
                    "paginationPageSize": PAGE_SIZE,
                    "paginationPageSizeSelector": False,
                    "cacheBlockSize": PAGE_SIZE,
                    "maxBlocksInCache": 20,
                    "rowHeight": 44,
                    "getRowId": None,
                },
                className="ag-theme-alpine",
                style={"height": "560px", "width": "100%"},
            ),
        ],
        className="analyst-card analyst-wide",
    )


def detail_modal(lang: str) -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(t("an_detail", lang))),
            dbc.ModalBody(id=ids.ANALYST_DETAIL_BODY),
        ],
        id=ids.ANALYST_DETAIL,
        size="xl",
        is_open=False,
        scrollable=True,
    )


def layout(lang: str | None = None, **query: object) -> html.Div:
    """The page for a query string: the raw values go to a store; a callback validates them."""
    lang = lang_of(lang)
    return html.Div(
        [
            dcc.Location(id=ids.ANALYST_URL, refresh=False),
            dcc.Store(id=ids.ANALYST_PARAMS, data={"lang": lang, "query": query}),
            dcc.Store(id=ids.ANALYST_FILTER),
            dcc.Store(id=ids.ANALYST_GRID_REFRESH),
            html.Header(
                [
                    html.H1(t("an_title", lang)),
                    dcc.Link(
                        "EN" if lang == "id" else "ID",
                        href=f"/analyst?lang={'en' if lang == 'id' else 'id'}",
                        className="analyst-button",
                        id=ids.ANALYST_LANG,
                    ),
                ],
                className="analyst-header",
            ),
            filter_bar(lang),
            html.Div([chart_card(name, lang) for name in ids.ANALYST_CHARTS], className="analyst-charts"),
            records_grid(lang),
            detail_modal(lang),
        ],
        className="analyst",
        lang=lang,
    )
