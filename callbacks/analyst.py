"""Analyst callbacks: complaints by category over the last 30 days."""

from __future__ import annotations

from datetime import timedelta

from dash import Dash, Input, Output, html

from callbacks.context import now, runtime
from data.queries.complaints import counts_by
from data.queries.filters import ComplaintFilter
from layouts import ids
from layouts.i18n import category_label, fmt_number


def render_summary(params: dict) -> html.Ul:
    rt = runtime()
    lang = params.get("lang", "id")
    moment = now()
    frame = counts_by(rt.engine, ComplaintFilter(start=moment - timedelta(days=30), end=moment), "category")
    return html.Ul(
        [html.Li(f"{category_label(r.category, lang)}: {fmt_number(r.n, lang)}") for r in frame.itertuples()]
    )


def register(app: Dash) -> None:
    app.callback(Output(ids.ANALYST_BODY, "children"), Input(ids.ANALYST_PARAMS, "data"))(render_summary)
