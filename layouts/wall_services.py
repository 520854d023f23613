"""/wall/services: how much of the city's digital estate the room sees, and how the connected part is doing.

Coverage at a glance ("terhubung 25 dari 172"), the six smart-city dimensions, a health grid of connected
applications coloured by availability and latency (colour plus icon and words, never colour alone),
the agencies that lag and coverage month by month. Builders take plain values; callbacks fill the slots.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from data.models import INTEGRATION_STATES
from layouts import ids
from layouts.i18n import fmt_number, t
from layouts.wall_screens import ScreenContext, WallScreen, register_screen, slot_id

HEALTH_ICONS = {
    "good": "bi-check-circle-fill",
    "degraded": "bi-exclamation-triangle-fill",
    "down": "bi-x-octagon-fill",
    "stale": "bi-hourglass-split",
    "no_data": "bi-question-circle",
}
STATE_COLOURS = {"connected": "#009E73", "partial": "#E69F00", "not_connected": "#56606b"}


def _panel(title: str, body: list, extra: str) -> html.Section:
    return html.Section([html.H2(title, className="wall-panel-title"), *body], className=f"wall-panel {extra}")


def services_screen(ctx: ScreenContext) -> html.Div:
    """The empty arrangement; each panel has a fixed grid place so refreshes never move anything."""
    lang = ctx.lang
    return html.Div(
        [
            _panel(t("coverage_title", lang), [html.Div(id=slot_id(ids.WALL_SVC_COVERAGE, ctx))], "svc-coverage-panel"),
            _panel(
                t("dimensions_title", lang),
                [html.Div(id=slot_id(ids.WALL_SVC_DIMENSIONS, ctx), className="dim-grid")],
                "svc-dimensions-panel",
            ),  # fmt: skip
            _panel(
                t("health_title", lang),
                [html.Div(id=slot_id(ids.WALL_SVC_HEALTH, ctx), className="svc-health-grid")],
                "svc-health-panel",
            ),  # fmt: skip
            _panel(
                t("lagging_title", lang),
                [html.Div(id=slot_id(ids.WALL_SVC_LAGGING, ctx), className="svc-lagging")],
                "svc-lagging-panel",
            ),  # fmt: skip
            _panel(
                t("trend_title", lang),
                [
                    dcc.Graph(
                        id=slot_id(ids.WALL_SVC_TREND, ctx),
                        className="svc-trend-graph",
                        responsive=True,
                        config={"displayModeBar": False, "staticPlot": True},
                    )
                ],  # fmt: skip
                "svc-trend-panel",
            ),
        ],
        className="screen services-grid",
    )


def connected_phrase(connected: int, total: int, lang: str) -> str:
    """'terhubung 25 dari 172' with numbers in the language's format."""
    return t("connected_of", lang).format(n=fmt_number(connected, lang), total=fmt_number(total, lang))


def coverage_block(total: int, connected: int, partial: int, not_connected: int, lang: str) -> list:
    """The headline count and a stacked bar of the three integration states, each labelled with its number."""
    counts = {"connected": connected, "partial": partial, "not_connected": not_connected}
    pct = 100.0 * connected / total if total else 0.0
    segments = [
        html.Div(
            className=f"cov-seg {state}",
            style={"width": f"{100.0 * n / total if total else 0:.2f}%"},
            title=f"{t('state_' + state, lang)}: {n}",
        )
        for state, n in counts.items()
    ]
    legend = [
        html.Div(
            [
                html.Span(className=f"cov-dot {state}"),
                html.Span(t("state_" + state, lang)),
                html.B(fmt_number(counts[state], lang), className="cov-count", **{"data-state": state}),
            ],  # fmt: skip
            className="cov-legend-item",
        )
        for state in INTEGRATION_STATES
    ]
    return [
        html.Div(
            [
                html.Span(connected_phrase(connected, total, lang), className="cov-headline"),
                html.Span(f"{fmt_number(pct, lang, 1)} %", className="cov-pct"),
            ],  # fmt: skip
            className="cov-head",
        ),
        html.Div(segments, className="cov-bar", role="img", **{"aria-label": connected_phrase(connected, total, lang)}),
        html.Div(legend, className="cov-legend"),
    ]


def score_status(score: float | None) -> str:
    if score is None:
        return "neutral"
    return "good" if score >= 1.0 else ("warn" if score >= 0.9 else "bad")


def dimension_tiles(dims: list, coverage: pd.DataFrame, lang: str) -> list[html.Div]:
    """Six tiles: dimension name, its City Score-style score and how many of its applications are connected."""
    by_dim = coverage.set_index("dimension") if not coverage.empty else pd.DataFrame()
    tiles = []
    for d in dims:
        status = score_status(d.score)
        total = int(by_dim.loc[d.dimension, "total"]) if d.dimension in by_dim.index else 0
        conn = int(by_dim.loc[d.dimension, "connected"]) if d.dimension in by_dim.index else 0
        tiles.append(
            html.Div(
                [
                    html.Div(t("dim_" + d.dimension, lang), className="dim-name"),
                    html.Div(t("dimsub_" + d.dimension, lang), className="dim-sub"),
                    html.Div(
                        fmt_number(d.score, lang, 2) if d.score is not None else "—",
                        className="dim-score",
                    ),
                    html.Div(
                        f"{d.scored_items} {t('measures_n', lang)} · {conn}/{total} {t('apps', lang)}",
                        className="dim-meta",
                    ),
                ],
                className=f"dim-tile {status}",
                **{"data-dimension": d.dimension},
            )
        )
    return tiles


def health_tiles(health: pd.DataFrame, lang: str) -> list[html.Div]:
    """One tile per connected application: name, availability and p95, state in colour, icon and word."""
    tiles = []
    for row in health.itertuples(index=False):
        avail = None if pd.isna(row.availability_pct) else float(row.availability_pct)
        p95 = None if pd.isna(row.p95_response_ms) else float(row.p95_response_ms)
        figures = (
            [
                html.Span(f"{fmt_number(avail, lang, 1)} %", className="svc-avail"),
                html.Span(f"{fmt_number(p95, lang)} ms", className="svc-p95"),
            ]  # fmt: skip
            if avail is not None
            else [html.Span(t("health_no_data", lang), className="svc-avail")]
        )
        tiles.append(
            html.Div(
                [
                    html.Div(
                        [html.I(className=f"bi {HEALTH_ICONS[row.health]}"), html.Span(tile_name(row.name))],
                        className="svc-name",
                    ),  # fmt: skip
                    html.Div(figures, className="svc-figures"),
                    html.Div(t("health_" + row.health, lang), className="svc-state"),
                ],
                className=f"svc-tile {row.health}",
                title=f"{row.name} · {row.agency}",
                **{"data-code": row.code, "data-health": row.health},
            )
        )
    return tiles


def lagging_rows(lagging: pd.DataFrame, lang: str) -> list[html.Div]:
    """Agencies with many unconnected applications: name, a stacked bar and 'connected/total'."""
    rows = []
    for row in lagging.itertuples(index=False):
        total = max(1, int(row.total))
        bar = [
            html.Div(className=f"cov-seg {s}", style={"width": f"{100.0 * int(getattr(row, s)) / total:.1f}%"})
            for s in INTEGRATION_STATES
        ]
        rows.append(
            html.Div(
                [
                    html.Span(row.agency, className="lag-name"),
                    html.Div(bar, className="cov-bar small"),
                    html.Span(f"{int(row.connected)}/{int(row.total)}", className="lag-count"),
                ],
                className="lag-row",
            )
        )
    return rows


def tile_name(name: str) -> str:
    """A tile's name without its spelled-out parenthesis ('LAKSA (Layanan Aspirasi ...)' -> 'LAKSA'), so two
    lines hold it whole at wall size; the full name stays in the tile's tooltip."""
    short = re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()
    return short or name


def coverage_trend_figure(history: pd.DataFrame, lang: str) -> go.Figure:
    """Connected and partial applications per month as stacked bars, with the registry's size as a line."""
    fig = go.Figure()
    months = history["month"].to_numpy()
    for state in ("connected", "partial"):
        fig.add_bar(x=months, y=history[state].to_numpy(), name=t("state_" + state, lang),
                    marker_color=STATE_COLOURS[state])  # fmt: skip
    fig.add_scatter(x=months, y=history["total"].to_numpy(), name=t("apps", lang), mode="lines",
                    line={"color": "#c9d4e0", "width": 2, "dash": "dot"})  # fmt: skip
    fig.update_layout(
        barmode="stack",
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": "#dfe7ef", "size": 18},  # assets/wall.js scales it with the screen (0.95 vw, 36 px at 4K)
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        xaxis={
            "type": "category",
            "tickangle": 0,
            "nticks": 6,
            "gridcolor": "rgba(255,255,255,0.05)",
            "automargin": True,
        },
        yaxis={"gridcolor": "rgba(255,255,255,0.12)", "rangemode": "tozero", "automargin": True},
    )
    return fig


register_screen(WallScreen(name="services", title_key="screen_services", build=services_screen,
                           feeds=("service_metrics",), order=40))  # fmt: skip
