"""Figure builders of the analysts' charts: a small frame in, a Plotly figure out (no queries).

Every clickable mark carries what it stands for in `customdata` (a category code, a channel, an agency,
a day), so a click can become a filter without guessing from labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data.geography import city_map_view
from layouts.figure_text import plot_text, plot_texts
from layouts.i18n import category_label, t

CLOSE_ORDER = ("<1d", "1-3d", "3-7d", "7-14d", ">14d")
BUCKET_COLOURS = ("#1b7f3b", "#7cb342", "#f2b705", "#e8710a", "#b3261e")
MODEBAR_ROOM = 34  # px above the plot, where the mode bar sits (shown on hover only): it never covers data
SELECTED, UNSELECTED, PLAIN = "#0b57d0", "#aecbfa", "#4c78a8"
PALETTE = (
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2",
    "#ff9da6", "#9d755d", "#bab0ac", "#1f77b4", "#8c564b", "#2ca02c",
)  # fmt: skip


def bucket_label(bucket: str, lang: str) -> str:
    """A time-to-close bucket code ('<1d') in words ('kurang dari 1 hari')."""
    return t(f"an_bucket_{CLOSE_ORDER.index(bucket)}", lang) if bucket in CLOSE_ORDER else bucket


def _two_lines(label: str) -> str:
    """A tick label broken at the space nearest its middle, so five of them fit a phone without tilting."""
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    if len(label) <= 10 or not spaces:
        return label
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return label[:cut] + "<br>" + label[cut + 1 :]


def base_layout(fig: go.Figure, lang: str, height: int = 320) -> go.Figure:
    """Shared look: compact margins, locale separators, a legend that never covers the data."""
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": MODEBAR_ROOM, "b": 8},
        separators=",." if lang == "id" else ".,",
        paper_bgcolor="#fff",
        plot_bgcolor="#fff",
        font={"family": "Inter, system-ui, sans-serif", "size": 13},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        clickmode="event",
    )
    fig.update_xaxes(automargin=True, gridcolor="#eef1f4")
    fig.update_yaxes(automargin=True, gridcolor="#eef1f4")
    return fig


def empty_figure(message: str, lang: str) -> go.Figure:
    fig = base_layout(go.Figure(), lang)
    fig.add_annotation(text=message, showarrow=False, font={"size": 16, "color": "#5f6b76"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _colours(codes: Sequence[str], selected: Sequence[str]) -> list[str]:
    if not selected:
        return [PLAIN] * len(codes)
    return [SELECTED if c in selected else UNSELECTED for c in codes]


def district_map(frame: pd.DataFrame, geojson: dict, selected: Sequence[str], lang: str) -> dict:
    """Kecamatan shaded by complaints per 10,000 residents (MapLibre, no tiles needed); selected outlined.

    Returned as the figure's dict with the boundaries attached last: inside a go.Figure the 56 kB GeoJSON
    was validated, deep-copied and walked again on every call.
    """
    line_width = [4 if c in selected else 1 for c in frame["code"]]
    fig = go.Figure(
        go.Choroplethmap(
            locations=frame["code"].to_numpy(),
            z=frame["per_10k"].to_numpy(dtype=float),
            featureidkey="id",
            colorscale="Blues",
            marker={"line": {"width": line_width, "color": "#1d2329"}, "opacity": 0.85},
            customdata=np.stack([plot_texts(frame["name"]), frame["n"].to_numpy()], axis=-1),
            hovertemplate="%{customdata[0]}: %{customdata[1]:,} (%{z:.1f} "
            + t("an_per_10k", lang)
            + ")<extra></extra>",
            colorbar={"title": {"text": t("an_per_10k", lang), "side": "right"}, "thickness": 12},
        )
    )
    fig.update_layout(map={"style": "white-bg", **city_map_view(500, 400)})  # the whole city, whatever its size
    out = base_layout(fig, lang, 360).to_plotly_json()
    out["data"][0]["geojson"] = geojson
    return out


def over_time(frame: pd.DataFrame, by: str, lang: str) -> go.Figure:
    """Complaints per day or week, stacked by category."""
    if frame.empty:
        return empty_figure("—", lang)
    fig = go.Figure()
    totals = frame.groupby("category")["n"].sum().sort_values(ascending=False)
    parts = dict(list(frame.assign(period=pd.to_datetime(frame["period"])).groupby("category", sort=False)))
    for i, code in enumerate(totals.index):
        part = parts[code]
        fig.add_bar(
            x=part["period"].to_numpy(),
            y=part["n"].to_numpy(),
            name=plot_text(category_label(code, lang)),
            marker_color=PALETTE[i % len(PALETTE)],
            customdata=np.full(len(part), code),
        )
    fig.update_layout(barmode="stack", bargap=0.1)
    fig.update_xaxes(tickformat="%d/%m", dtick=7 * 86_400_000 if by == "week" else None)
    return base_layout(fig, lang, 360)


def counts_bar(frame: pd.DataFrame, column: str, selected: Sequence[str], lang: str) -> go.Figure:
    """A horizontal bar per value (largest on top), the selected ones highlighted."""
    if frame.empty:
        return empty_figure("—", lang)
    frame = frame.sort_values("n")
    codes = frame[column].fillna("—").astype(str).to_list()
    if column == "category":
        labels = [category_label(c, lang) for c in codes]
    elif column == "channel":
        labels = [t(f"channel_{c}", lang) for c in codes]
    else:
        labels = codes
    fig = go.Figure(
        go.Bar(
            x=frame["n"].to_numpy(),
            y=plot_texts(labels),
            orientation="h",
            marker_color=_colours(codes, selected),
            customdata=np.array(codes),
            text=frame["n"].to_numpy(),
            textposition="auto",
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    return base_layout(fig, lang, max(220, 28 * len(codes) + 40))


def close_by_agency(buckets: pd.DataFrame, sla: pd.DataFrame, selected: Sequence[str], lang: str) -> go.Figure:
    """Share of each agency's closed complaints per time-to-close bucket, labelled with its % within SLA."""
    if buckets.empty:
        return empty_figure("—", lang)
    order = sla.sort_values("sla_pct", ascending=False)["agency"].to_list()
    totals = buckets.groupby("agency")["n"].sum()
    pct_by = dict(zip(sla["agency"], sla["sla_pct"], strict=True))
    labels = [f"{plot_text(a)} · {pct_by[a]:.0f}% {t('an_within_sla', lang)}" for a in order]
    fig = go.Figure()
    for bucket, colour in zip(CLOSE_ORDER, BUCKET_COLOURS, strict=True):
        part = buckets[buckets["bucket"] == bucket].set_index("agency")["n"].reindex(order).fillna(0)
        share = 100.0 * part / totals.reindex(order)
        fig.add_bar(
            y=labels,
            x=share.to_numpy(),
            orientation="h",
            name=bucket_label(bucket, lang),
            marker_color=colour,
            customdata=np.array(order),
            hovertemplate="%{y}<br>" + bucket_label(bucket, lang) + ": %{x:.1f}%<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(ticksuffix="%", range=[0, 100])
    return base_layout(fig, lang, max(260, 30 * len(order) + 80))


def heatmap(frame: pd.DataFrame, hours: Sequence[int], weekdays: Sequence[int], lang: str) -> go.Figure:
    """Complaints per WIB hour (x) and weekday (y, Monday on top); a click filters that cell."""
    grid = np.zeros((7, 24))
    for r in frame.itertuples():
        grid[int(r.weekday), int(r.hour)] = r.n
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=np.arange(24),
            y=np.arange(7),
            colorscale="YlOrRd",
            hovertemplate="%{y} %{x}:00 — %{z:,}<extra></extra>",
            colorbar={"thickness": 12},
            xgap=1,
            ygap=1,
        )
    )
    for wd in weekdays:
        for hr in hours or range(24):
            fig.add_shape(
                type="rect", x0=hr - 0.5, x1=hr + 0.5, y0=wd - 0.5, y1=wd + 0.5, line={"color": SELECTED, "width": 2}
            )
    if hours and not weekdays:
        for hr in hours:
            fig.add_shape(type="rect", x0=hr - 0.5, x1=hr + 0.5, y0=-0.5, y1=6.5, line={"color": SELECTED, "width": 2})
    fig.update_yaxes(
        tickvals=list(range(7)), ticktext=[t(f"weekday_{d}", lang) for d in range(7)], autorange="reversed"
    )
    fig.update_xaxes(tickvals=list(range(0, 24, 3)), title_text=t("an_hour", lang))
    return base_layout(fig, lang, 300)


def backlog_age(frame: pd.DataFrame, lang: str) -> go.Figure:
    """Open complaints by age, late ones stacked in red."""
    if frame.empty:
        return empty_figure("—", lang)
    fig = go.Figure()
    for late, name, colour in ((0, t("an_on_time", lang), PLAIN), (1, t("an_late", lang), "#b3261e")):
        part = frame[frame["late"] == late].set_index("bucket")["n"].reindex(CLOSE_ORDER).fillna(0)
        words = [_two_lines(bucket_label(b, lang)) for b in CLOSE_ORDER]
        fig.add_bar(x=words, y=part.to_numpy(), name=name, marker_color=colour, text=part.to_numpy())
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=t("an_age_axis", lang), tickangle=0)
    fig.update_yaxes(title_text=t("an_open_axis", lang))
    return base_layout(fig, lang, 300)


def sensor_vs_complaints(
    readings: pd.DataFrame, reports: pd.DataFrame, categories: Sequence[str], lang: str
) -> go.Figure:
    """Complaints of the chosen categories (bars, top) over each sensor kind in its own panel and unit below:
    rain in mm and a river level in cm never share one scale, and one time axis lines them up."""
    if readings.empty and reports.empty:
        return empty_figure("—", lang)
    kinds = [kind for kind, _ in readings.groupby("kind")]
    fig = make_subplots(rows=1 + len(kinds), cols=1, shared_xaxes=True, vertical_spacing=0.14 / max(1, len(kinds)))
    label = ", ".join(plot_text(category_label(c, lang)) for c in categories)
    fig.add_bar(
        x=pd.to_datetime(reports["period"]).to_numpy(),
        y=reports["n"].to_numpy(),
        name=f"{t('an_complaints', lang)}: {label}",
        marker_color="#9aa5b1",
        row=1,
        col=1,
    )
    fig.update_yaxes(title_text=t("an_complaints_axis", lang), row=1, col=1)
    for i, kind in enumerate(kinds):
        part = readings[readings["kind"] == kind]
        fig.add_scatter(
            x=pd.to_datetime(part["period"]).to_numpy(),
            y=part["value"].to_numpy(),
            name=t(f"an_kind_{kind}", lang),
            mode="lines+markers",
            line={"width": 3, "color": ("#0b57d0", "#e8710a", "#1b7f3b", "#b279a2")[i % 4]},
            row=i + 2,
            col=1,
        )
        axis = "" if i + 2 == 1 else str(i + 2)
        fig.add_annotation(  # the panel's name and unit above it: a y-title would not fit a 150 px panel
            text=f"<b>{t(f'an_kind_{kind}', lang)}</b>", showarrow=False, xref="x domain", yref=f"y{axis} domain",
            x=0, y=1.0, xanchor="left", yanchor="bottom", font={"size": 12, "color": "#3c4650"},
        )  # fmt: skip
    fig.update_xaxes(tickformat="%d/%m")
    fig.update_xaxes(title_text=t("an_day_axis", lang), row=1 + len(kinds), col=1)
    return base_layout(fig, lang, 200 + 150 * len(kinds))
