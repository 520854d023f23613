"""Analyst callbacks: one place turns controls, chart clicks, chips and the URL into the filter state.

The state is validated by `data.queries.analyst_filter.from_query` whatever its source (URL, control,
click), written to the query string (so a link and the back button reproduce the view) and to a store
that every chart and the grid read (callbacks/analyst_charts.py, callbacks/analyst_grid.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import ALL, Dash, Input, Output, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks import analyst_charts, analyst_grid
from callbacks.cache import cached
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from data.queries.analyst_filter import MULTI, FilterState, KnownValues, from_query, known_values, to_query
from data.timebuckets import wib_today
from layouts import ids
from layouts.i18n import category_label, lang_of, t

CONTROL_KEYS = ("district", "subdistrict", "category", "channel", "status", "agency", "kind")
CONTROL_IDS = (
    ids.ANALYST_DISTRICT,
    ids.ANALYST_SUBDISTRICT,
    ids.ANALYST_CATEGORY,
    ids.ANALYST_CHANNEL,
    ids.ANALYST_STATUS,
    ids.ANALYST_AGENCY,
    ids.ANALYST_KIND,
)
CLICK_CHARTS = ("map", "over_time", "by_category", "by_channel", "close_by_agency", "heatmap")


def known() -> KnownValues:
    rt = runtime()
    return cached(("complaints",), known_values, rt.engine)


def label_of(key: str, value: str, values: KnownValues, lang: str) -> str:
    """A filter value as people call it (a district's name, a category's label, 'Sen', '14:00')."""
    if key == "district":
        return values.districts.get(value, value)
    if key == "subdistrict":
        return values.subdistricts.get(value, (value, ""))[0]
    if key == "category":
        return category_label(value, lang)
    if key == "channel":
        return t(f"channel_{value}", lang)
    if key == "status":
        return t(value, lang)
    if key == "kind":
        return t(f"an_kind_{value}", lang)
    if key == "weekday":
        return t(f"weekday_{value}", lang)
    if key == "hour":
        return f"{int(value):02d}:00"
    return value


def options(values: KnownValues, lang: str, districts: tuple[str, ...] = ()) -> list[list[dict]]:
    """Dropdown options in CONTROL_KEYS order; subdistricts narrowed to the chosen districts."""
    subs = [(code, name) for code, (name, d) in values.subdistricts.items() if not districts or d in districts]
    lists = {
        "district": list(values.districts),
        "subdistrict": [c for c, _ in subs],
        "category": list(values.categories),
        "channel": list(values.channels),
        "status": list(values.statuses),
        "agency": list(values.agencies),
        "kind": list(values.kinds),
    }
    return [[{"label": label_of(k, v, values, lang), "value": v} for v in lists[k]] for k in CONTROL_KEYS]


def _params_from_controls(preset: str, start: str | None, end: str | None, bucket: str, chosen: list) -> dict:
    params: dict[str, object] = {key: list(v or []) for key, v in zip(CONTROL_KEYS, chosen, strict=True)}
    if preset and preset != "custom":
        params["range"] = preset
    else:
        params["from"], params["to"] = (start or "")[:10], (end or "")[:10]
    params["by"] = bucket or "day"
    return params


def _toggle(params: dict, key: str, value: object) -> None:
    current = [str(v) for v in (params.get(key) or [])]
    value = str(value)
    params[key] = [v for v in current if v != value] if value in current else [*current, value]


def _apply_click(params: dict, chart: str, click: dict | None, state: FilterState) -> None:
    """A click on a chart becomes a filter value (clicking a chosen one again removes it)."""
    point = ((click or {}).get("points") or [{}])[0]
    if chart == "map" and point.get("location"):
        _toggle(params, "district", point["location"])
    elif chart in ("by_category", "by_channel", "close_by_agency") and point.get("customdata") is not None:
        key = {"by_category": "category", "by_channel": "channel", "close_by_agency": "agency"}[chart]
        _toggle(params, key, point["customdata"])
    elif chart == "heatmap" and point.get("x") is not None:
        params["hour"], params["weekday"] = [str(point["x"])], [str(point["y"])]
    elif chart == "over_time" and point.get("x"):
        day = str(point["x"])[:10]
        params.pop("range", None)
        params["from"] = day
        params["to"] = day if state.bucket == "day" else _week_end(day)
        if point.get("customdata"):
            params["category"] = [str(point["customdata"])]


def _week_end(day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=6)).isoformat()


def chips(state: FilterState, values: KnownValues, lang: str) -> list:
    """One removable chip per active value; the period is shown but always present."""
    out = [html.Span(f"{t('an_period', lang)}: {state.start_day} – {state.end_day}", className="analyst-chip fixed")]
    for key, name in MULTI.items():
        for value in getattr(state, name):
            out.append(
                html.Button(
                    [f"{label_of(key, str(value), values, lang)} ", html.Span("×", **{"aria-hidden": "true"})],
                    id=ids.analyst_chip(key, str(value)),
                    className="analyst-chip",
                    title=t("an_reset", lang),
                    n_clicks=0,
                )
            )
    return out


def apply_filters(*args: object) -> tuple:
    """The single writer of the filter state: validates, then sets controls, store, URL and chips."""
    n = len(CONTROL_KEYS)
    params_store, search, preset, start, end, bucket = args[:6]
    chosen = list(args[6 : 6 + n])
    clicks = dict(zip(CLICK_CHARTS, args[6 + n : 6 + n + len(CLICK_CHARTS)], strict=True))
    lang = lang_of((params_store or {}).get("lang"))
    values = known()
    trig = ctx.triggered_id
    if isinstance(trig, dict) and not (ctx.triggered[0].get("value") or 0):
        raise PreventUpdate  # chips were just drawn, nobody clicked one
    write_url = True
    if trig is None or trig == ids.ANALYST_PARAMS:
        params, write_url = dict((params_store or {}).get("query") or {}), False
    elif trig == ids.ANALYST_URL:
        params, write_url = parse_qs((search or "").lstrip("?")), False
    elif trig == ids.ANALYST_RESET:
        params = {}
    else:
        params = _params_from_controls(preset, start, end, bucket, chosen)
        if trig == ids.ANALYST_DATES:
            params.pop("range", None)
            params["from"], params["to"] = (start or "")[:10], (end or "")[:10]
        elif isinstance(trig, dict) and trig.get("type") == "analyst-chip":
            _toggle(params, trig["key"], trig["value"])
        else:
            chart = next((c for c in CLICK_CHARTS if trig == ids.analyst_chart(c)), None)
            if chart:
                current = FilterState.from_dict({"bucket": bucket or "day"})
                _apply_click(params, chart, clicks[chart], current)
    params.pop("lang", None)
    state, rejected = from_query(params, values, wib_today(now()))
    query = to_query(state, lang)
    notice = f"{t('an_ignored', lang)}: {', '.join(rejected)}" if rejected else ""
    opts = options(values, lang, state.districts)
    return (
        state.preset,
        state.start_day,
        state.end_day,
        state.bucket,
        *[list(getattr(state, MULTI[k])) for k in CONTROL_KEYS],
        *opts,
        state.to_dict(),
        query if write_url else no_update,
        chips(state, values, lang),
        notice,
        "/analyst" + to_query(state, "en" if lang == "id" else "id"),
    )


def register(app: Dash) -> None:
    guarded_callback(
        app,
        "analyst",
        Output(ids.ANALYST_RANGE, "value"),
        Output(ids.ANALYST_DATES, "start_date"),
        Output(ids.ANALYST_DATES, "end_date"),
        Output(ids.ANALYST_BUCKET, "value"),
        *[Output(cid, "value") for cid in CONTROL_IDS],
        *[Output(cid, "options") for cid in CONTROL_IDS],
        Output(ids.ANALYST_FILTER, "data"),
        Output(ids.ANALYST_URL, "search"),
        Output(ids.ANALYST_CHIPS, "children"),
        Output(ids.ANALYST_ERROR, "children"),
        Output(ids.ANALYST_LANG, "href"),
        Input(ids.ANALYST_PARAMS, "data"),
        Input(ids.ANALYST_URL, "search"),
        Input(ids.ANALYST_RANGE, "value"),
        Input(ids.ANALYST_DATES, "start_date"),
        Input(ids.ANALYST_DATES, "end_date"),
        Input(ids.ANALYST_BUCKET, "value"),
        *[Input(cid, "value") for cid in CONTROL_IDS],
        *[Input(ids.analyst_chart(c), "clickData") for c in CLICK_CHARTS],
        Input({"type": "analyst-chip", "key": ALL, "value": ALL}, "n_clicks"),
        Input(ids.ANALYST_RESET, "n_clicks"),
        prevent_initial_call=False,
    )(apply_filters)
    analyst_charts.register(app)
    analyst_grid.register(app)
