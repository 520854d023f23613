"""Wall frame callbacks: refresh interval, WIB clock, header (title, data-health strip, heartbeat), takeover.

The panels of each screen have their own modules (wall_kpis, wall_map, wall_feeds), registered from here
so the app lists one wall module.
"""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, html, no_update

from callbacks import wall_feeds, wall_kpis, wall_map
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from callbacks.wall_common import outside_last_day
from callbacks.warm import is_warming
from data.alerts.titles import localised_alert
from data.feeds import feed_health
from data.queries.wall import district_names, takeover
from layouts import ids
from layouts.components.freshness import FeedChip, feed_label, health_strip
from layouts.i18n import fmt_age, lang_of, t
from layouts.wall_screens import get_screen, slot_id, slot_params_id


def refresh_interval(_params: dict | None) -> int:
    """The refresh interval from REFRESH_SECONDS, in milliseconds."""
    return 1000 * runtime().settings.refresh_seconds


def render_header(tick: int | None, params: dict | None, slot_params: list[dict], _takeover: dict | None) -> tuple:
    """Title, health strip and heartbeat every tick; the takeover district for a playlist."""
    params = params or {}
    lang = lang_of(params.get("lang"))
    rt = runtime()
    moment = now()
    names = district_names(rt.engine)
    district = params.get("district")
    screen = params.get("screen") or "overview"
    place = names.get(district, district) if district else t("city", lang)
    known = screen == "playlist" or get_screen(screen) is not None
    title = f"{t('screen_' + screen, lang) if known else t('unknown_screen', lang)} · {place}"
    error = None
    bad = sorted({p.get("district") for p in slot_params if p.get("district") and p.get("district") not in names})
    if bad:
        error = html.Div(f"{t('unknown_district', lang)}: {', '.join(bad)}", className="wall-error", role="alert")
    feeds = feed_health(rt.engine)
    chips = [FeedChip(f.feed, feed_label(f.feed, lang), fmt_age(f.age_s, lang), f.stale, f.age_s) for f in feeds]
    heartbeat = "warming" if is_warming() else str(tick or 0)  # assets/wall.js marks the figures as the last
    strip = health_strip(chips, lang, outside_last_day())
    if screen != "playlist":
        return strip, heartbeat, title, error, no_update, [no_update] * len(slot_params), []
    alert = takeover(rt.engine, moment)
    alert = localised_alert(rt.engine, alert, lang) if alert else alert  # the banner in the wall's language
    new_params = []
    for p in slot_params:
        if p.get("slot") == "takeover" and alert and p.get("district") != alert.get("district_code"):
            new_params.append({**p, "district": alert.get("district_code")})
        else:
            new_params.append(no_update)
    banner = []
    if alert:
        where = names.get(alert.get("district_code"), alert.get("district_code") or t("city", lang))
        banner = [html.Span(f"{t('takeover', lang)} · {alert['title']} · {where}", **{"data-alert": str(alert["id"])})]
    titles = [banner for p in slot_params if p.get("slot") == "takeover"]  # none on a playlist that failed to parse
    return strip, heartbeat, title, error, alert, new_params, titles


def register(app: Dash) -> None:
    guarded_callback(app, "wall", Output(ids.WALL_TICK, "interval"), Input(ids.WALL_PARAMS, "data"))(refresh_interval)
    app.clientside_callback(
        ClientsideFunction(namespace="wall", function_name="clock"),
        Output(ids.WALL_CLOCK, "children"),
        Input(ids.WALL_CLOCK_TICK, "n_intervals"),
        State(ids.WALL_PARAMS, "data"),
    )
    guarded_callback(
        app,
        "wall",
        Output(ids.WALL_HEALTH, "children"),
        Output(ids.WALL_HEARTBEAT, "children"),
        Output(ids.WALL_TITLE, "children"),
        Output(ids.WALL_ERROR, "children"),
        Output(ids.WALL_TAKEOVER, "data"),
        Output(slot_params_id(ALL), "data"),
        Output(slot_id(ids.WALL_TAKEOVER_TITLE, ALL), "children"),
        Input(ids.WALL_TICK, "n_intervals"),
        State(ids.WALL_PARAMS, "data"),
        State(slot_params_id(ALL), "data"),
        State(ids.WALL_TAKEOVER, "data"),
    )(render_header)
    for module in (wall_kpis, wall_map, wall_feeds):
        module.register(app)
