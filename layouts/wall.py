"""The wall's screens: skeletons only; callbacks fill them from the query layer at each refresh."""

from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.i18n import lang_of, t

SCREENS = ("overview",)


def layout(district: str | None = None, lang: str | None = None, kiosk: str | None = None, **_: object) -> html.Div:
    lang = lang_of(lang)
    return html.Div(
        [
            dcc.Store(id=ids.WALL_PARAMS, data={"district": district, "lang": lang, "screen": "overview"}),
            dcc.Interval(id=ids.WALL_TICK, interval=10_000),
            html.Header([html.H1(t("app_title", lang)), html.Div(id=ids.WALL_CLOCK, className="wall-clock")]),
            html.Div(id=ids.WALL_KPIS, className="wall-kpis"),
        ],
        className="wall" + (" kiosk" if kiosk == "1" else ""),
    )


def screen_layout(screen: str | None = None, **params: object) -> html.Div:
    return layout(**params)  # type: ignore[arg-type]


def kpi_tile(key: str, label: str, value: str, unit: str = "") -> html.Div:
    """One big number with its label and unit, readable from across the room."""
    return html.Div(
        [
            html.Div(label, className="kpi-label"),
            html.Div(
                [html.Span(value, id=ids.kpi_value(key), className="kpi-number"), html.Span(unit, className="kpi-unit")]
            ),
        ],
        className="kpi-tile",
    )
