"""The wall's own screens (overview, map, kpi, complaints, sensors) as arrangements of empty panels.

Panels are skeletons with slot-scoped ids; callbacks/wall_*.py fill them at each refresh. The CSS grid
gives each panel a fixed place, so a refresh never shifts the layout.
"""

from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.i18n import t
from layouts.wall_screens import ScreenContext, WallScreen, register_screen, slot_id

OVERVIEW_TILES = ("city_score", "open_backlog", "received_today", "within_sla", "sensors_online", "active_alerts")
KPI_TILES = (
    "city_score",
    "open_backlog",
    "received_today",
    "closed_today",
    "within_sla",
    "median_close_h",
    "sensors_online",
    "active_alerts",
    "service_availability",
)
COMPLAINT_TILES = ("open_backlog", "received_today", "closed_today", "within_sla", "median_close_h")
SENSOR_TILES = ("sensors_online", "active_alerts")
COMPLAINT_FEEDS = ("complaints",)
SENSOR_FEEDS = tuple(f"sensors.{kind}" for kind in ("water_level", "rainfall", "pm25", "traffic_flow", "noise", "cctv"))


def panel(title: str | None, body: list, extra_class: str = "") -> html.Section:
    """A titled panel; titles are short and large enough for the back of the room."""
    head = [html.H2(title, className="wall-panel-title")] if title else []
    return html.Section(head + body, className=f"wall-panel {extra_class}".strip())


def kpi_panel(ctx: ScreenContext, keys: tuple[str, ...], extra_class: str = "") -> html.Section:
    return panel(
        None,
        [
            dcc.Store(id=slot_id(ids.WALL_KPI_KEYS, ctx), data=list(keys)),
            dcc.Store(id=slot_id(ids.WALL_KPI_SIG, ctx), data=None),
            html.Div(id=slot_id(ids.WALL_KPIS, ctx), className=f"kpi-grid n{len(keys)}"),
        ],
        f"kpi-panel {extra_class}",
    )


def rank_panel(ctx: ScreenContext) -> html.Section:
    return panel(None, [html.Div(id=slot_id(ids.WALL_RANK, ctx), className="rank-grid")], "rank-panel")


def map_panel(ctx: ScreenContext) -> html.Section:
    """Two stacked frames: a new map loads into the hidden one and is swapped in when loaded (no flicker)."""
    return panel(
        None,
        [
            dcc.Store(id=slot_id(ids.WALL_MAP_STATE, ctx), data={"measure": ctx.measure, "key": None, "n": 0}),
            html.Iframe(id=slot_id(ids.WALL_MAP_A, ctx), className="map-frame front", title="map"),
            html.Iframe(id=slot_id(ids.WALL_MAP_B, ctx), className="map-frame back", title="map"),
        ],
        "map-panel",
    )


def live(kind: str, ctx: ScreenContext, tag: type = html.Div) -> list:
    """A container a callback fills, with the store of its last content's signature (resent only on change)."""
    return [dcc.Store(id=slot_id(ids.signature_of(kind), ctx), data=None), tag(id=slot_id(kind, ctx), className=kind)]


def ticker_panel(ctx: ScreenContext) -> html.Section:
    return panel(None, live(ids.WALL_TICKER, ctx), "ticker-panel")


def stream_panel(ctx: ScreenContext) -> html.Section:
    return panel(t("stream_title", ctx.lang), live(ids.WALL_STREAM, ctx, html.Ol), "stream-panel")


def district_bars_panel(ctx: ScreenContext) -> html.Section:
    return panel(t("open_by_district", ctx.lang), live(ids.WALL_DISTRICT_BARS, ctx), "bars-panel")


def sensor_panels(ctx: ScreenContext) -> list[html.Section]:
    return [
        panel(t("sensor_states", ctx.lang), live(ids.WALL_SENSOR_KINDS, ctx), "kinds-panel"),
        panel(t("sensor_attention", ctx.lang), live(ids.WALL_SENSOR_ATTENTION, ctx, html.Ol), "attention-panel"),
    ]


def overview_screen(ctx: ScreenContext) -> html.Div:
    return html.Div(
        [map_panel(ctx), kpi_panel(ctx, OVERVIEW_TILES, "side"), ticker_panel(ctx)], className="screen overview-grid"
    )


def map_screen(ctx: ScreenContext) -> html.Div:
    return html.Div([map_panel(ctx)], className="screen map-grid")


def kpi_screen(ctx: ScreenContext) -> html.Div:
    return html.Div([kpi_panel(ctx, KPI_TILES), rank_panel(ctx)], className="screen kpi-screen-grid")


def complaints_screen(ctx: ScreenContext) -> html.Div:
    return html.Div(
        [kpi_panel(ctx, COMPLAINT_TILES, "row"), district_bars_panel(ctx), stream_panel(ctx)],
        className="screen complaints-grid",
    )


def sensors_screen(ctx: ScreenContext) -> html.Div:
    return html.Div(
        [kpi_panel(ctx, SENSOR_TILES, "row"), *sensor_panels(ctx), ticker_panel(ctx)], className="screen sensors-grid"
    )


for _order, (_name, _build, _feeds) in enumerate(
    (
        ("overview", overview_screen, COMPLAINT_FEEDS + SENSOR_FEEDS),
        ("map", map_screen, COMPLAINT_FEEDS + SENSOR_FEEDS),
        ("kpi", kpi_screen, COMPLAINT_FEEDS + SENSOR_FEEDS + ("service_metrics",)),
        ("complaints", complaints_screen, COMPLAINT_FEEDS),
        ("sensors", sensors_screen, SENSOR_FEEDS),
    )
):
    register_screen(WallScreen(name=_name, title_key=f"screen_{_name}", build=_build, feeds=_feeds, order=_order))
