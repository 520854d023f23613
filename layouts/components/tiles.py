"""The KPI tile: a large value with its unit, a status colour *and* shape, changes, a sparkline, a stale state.

Shared by the wall and the leaders' pages; sizes come from the surrounding CSS (viewport units on
the wall), so the same tile reads from five metres on a 4K wall and at arm's length on a tablet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from dash import html

from layouts.i18n import fmt_number, t

# Okabe-Ito colours stay distinct for the common colour blindnesses; each status also has its own icon.
STATUS_ICONS = {
    "good": "bi-check-circle-fill",
    "warn": "bi-exclamation-triangle-fill",
    "bad": "bi-x-octagon-fill",
    "neutral": "bi-circle",
}
SPARK_COLOUR = "#9fb3c8"


@dataclass(frozen=True)
class Delta:
    """A change against an earlier moment: label ("vs yesterday"), the change, and whether up is good."""

    label: str
    change: float | None
    decimals: int = 0
    better: str | None = None  # "higher", "lower" or None (no judgement)


def status_from_score(score: float | None) -> str:
    """City Score convention: 1.0 is on target; within 10% below is a warning."""
    if score is None:
        return "neutral"
    if score >= 1.0:
        return "good"
    return "warn" if score >= 0.9 else "bad"


def sparkline_src(values: Sequence[float | None], colour: str = SPARK_COLOUR) -> str | None:
    """A tiny SVG line as a data URI (an <img>, so no chart library and nothing that grows in the DOM)."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None and not math.isnan(float(v))]
    if len(points) < 2:
        return None
    lo = min(v for _, v in points)
    hi = max(v for _, v in points)
    span = (hi - lo) or 1.0
    last = max(1, len(values) - 1)
    coords = [(100.0 * i / last, 28.0 - 24.0 * (v - lo) / span) for i, v in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    x_end, y_end = coords[-1]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 0 104 32" preserveAspectRatio="none">'
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2" '
        'vector-effect="non-scaling-stroke" stroke-linejoin="round"/>'
        f'<circle cx="{x_end:.1f}" cy="{y_end:.1f}" r="2.2" fill="{colour}"/></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)


def delta_badge(delta: Delta, lang: str) -> html.Span:
    """'▲ 12 vs kemarin', coloured good/bad only when the measure has a better direction."""
    if delta.change is None or math.isnan(delta.change):
        return html.Span(f"— {delta.label}", className="kpi-delta flat")
    if round(delta.change, delta.decimals) == 0:
        arrow, tone = "■", "flat"
    else:
        up = delta.change > 0
        arrow = "▲" if up else "▼"
        tone = "flat" if delta.better is None else ("good" if up == (delta.better == "higher") else "bad")
    magnitude = fmt_number(abs(delta.change), lang, delta.decimals)
    return html.Span([html.B(f"{arrow} {magnitude}"), f" {delta.label}"], className=f"kpi-delta {tone}")


def stale_banner(age_text: str, lang: str) -> html.Div:
    """The hatched 'STALE, last data 17 min ago' band that replaces a confident number."""
    return html.Div(
        [html.I(className="bi bi-hourglass-split"), html.B(t("stale", lang)), f" · {t('last_data', lang)} {age_text}"],
        className="stale-banner",
        role="status",
    )


def kpi_tile(
    key: str,
    label: str,
    value: str,
    unit: str = "",
    *,
    lang: str = "id",
    status: str = "neutral",
    deltas: Sequence[Delta] = (),
    spark: Sequence[float | None] = (),
    detail: str = "",
    stale_age: str | None = None,
) -> html.Div:
    """One tile; `stale_age` (e.g. '17 mnt lalu') switches it to the hatched stale state."""
    src = sparkline_src(spark)
    body = [
        html.Div(
            [html.I(className=f"bi {STATUS_ICONS.get(status, STATUS_ICONS['neutral'])} kpi-icon"), label],
            className="kpi-label",
        ),  # fmt: skip
        html.Div(
            [html.Span(value, className="kpi-number"), html.Span(unit, className="kpi-unit")],
            className="kpi-value",
        ),
        html.Div(detail, className="kpi-detail"),
        html.Div([delta_badge(d, lang) for d in deltas], className="kpi-deltas"),
        html.Img(src=src, className="kpi-spark", alt="") if src else html.Div(className="kpi-spark"),
    ]
    if stale_age is not None:
        body.append(stale_banner(stale_age, lang))
    classes = f"kpi-tile status-{status}" + (" stale" if stale_age is not None else "")
    return html.Div(body, className=classes, **{"data-kpi": key, "data-status": status})


def ranking_list(title: str, rows: Sequence[tuple[str, str, str]], tone: str) -> html.Div:
    """A titled top-5 / bottom-5 list of (label, value, score) rows."""
    return html.Div(
        [
            html.Div(title, className="rank-title"),
            html.Ol(
                [
                    html.Li(
                        [
                            html.Span(label, className="rank-label"),
                            html.Span(value, className="rank-value"),
                            html.Span(score, className=f"rank-score {tone}"),
                        ]
                    )  # fmt: skip
                    for label, value, score in rows
                ],
                className="rank-list",
            ),
        ],
        className=f"rank rank-{tone}",
    )
