"""The KPI tiles of a board (the wall's tiles, reusable by the leaders' pages) from plain figures.

Each tile knows its feed (for the stale state), its better direction, its target measure in the City
Score configuration (for its colour) and the daily series it draws as a sparkline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from dash import html

from layouts.components.tiles import Delta, kpi_tile, ranking_list, status_from_score
from layouts.i18n import fmt_age, fmt_number, t

SENSOR_FEEDS = "sensors.*"


@dataclass(frozen=True)
class TileSpec:
    label_key: str
    unit_key: str  # a text key ("unit_hours") or a literal unit ("%")
    decimals: int
    better: str | None
    measure: str | None  # City Score measure whose score colours the tile
    feed: str | None
    series: str | None


TILES: dict[str, TileSpec] = {
    "city_score": TileSpec("city_score", "", 2, "higher", None, "complaints", "city_score"),
    "open_backlog": TileSpec("open_complaints", "", 0, "lower", "open_per_10k", "complaints", "backlog"),
    "received_today": TileSpec("received_today", "", 0, None, None, "complaints", "received"),
    "closed_today": TileSpec("closed_today", "", 0, "higher", "clearance_rate", "complaints", "closed"),
    "within_sla": TileSpec("within_sla", "%", 1, "higher", "sla_pct", "complaints", "sla_pct"),
    "median_close_h": TileSpec(
        "median_close", "unit_hours", 1, "lower", "median_close_h", "complaints", "median_close_h"
    ),
    "sensors_online": TileSpec("sensors_online", "%", 1, "higher", "sensors_online_pct", SENSOR_FEEDS, None),
    "active_alerts": TileSpec("active_alerts", "", 0, "lower", None, SENSOR_FEEDS, None),
    "service_availability": TileSpec(
        "service_availability", "%", 2, "higher", "service_availability", "service_metrics", "availability"
    ),
}


def stale_ages(feeds: Sequence[object], lang: str) -> dict[str, str]:
    """Feed -> '17 mnt lalu' for every stale feed; the sensor networks together count as stale only when
    all of them are (one silent network shows on the health strip, not as a stale tile)."""
    out = {f.feed: fmt_age(f.age_s, lang) for f in feeds if f.stale}
    sensors = [f for f in feeds if f.feed.startswith("sensors.")]
    if sensors and all(f.stale for f in sensors):
        ages = [f.age_s for f in sensors if f.age_s is not None]
        out[SENSOR_FEEDS] = fmt_age(min(ages) if ages else None, lang)
    return out


def _status(key: str, spec: TileSpec, now: dict, scores: dict[str, float | None]) -> str:
    if key == "city_score":
        return status_from_score(now.get("city_score"))
    if key == "active_alerts":
        if now.get("alerts_danger"):
            return "bad"
        return "warn" if now.get("alerts_warning") else "good"
    return status_from_score(scores.get(spec.measure)) if spec.measure else "neutral"


def _detail(key: str, now: dict, lang: str) -> str:
    if key == "open_backlog":
        age = fmt_number(now.get("backlog_median_age_h"), lang, 0)
        late = fmt_number(now.get("late_open"), lang)
        return f"{t('median_age', lang)} {age} {t('unit_hours', lang)} · {late} {t('late_short', lang)}"
    if key == "median_close_h":
        return f"{t('p90', lang)} {fmt_number(now.get('p90_close_h'), lang, 1)} {t('unit_hours', lang)}"
    if key == "active_alerts":
        danger, warning = fmt_number(now.get("alerts_danger"), lang), fmt_number(now.get("alerts_warning"), lang)
        return f"{danger} {t('danger_count', lang)} · {warning} {t('warning_count', lang)}"
    if key == "city_score":
        return t("score_target", lang)
    return ""


def _change(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else now - then


def board_tiles(
    keys: Sequence[str],
    now: dict[str, float | None],
    day_ago: dict[str, float | None],
    week_ago: dict[str, float | None],
    series: pd.DataFrame,
    scores: dict[str, float | None],
    stale: dict[str, str],
    lang: str,
) -> list[tuple[str, html.Div]]:
    """(signature, tile) per key; the signature changes only when what the tile shows changes."""
    out = []
    for key in keys:
        spec = TILES[key]
        unit = t(spec.unit_key, lang) if spec.unit_key.startswith("unit_") else spec.unit_key
        spark = [] if spec.series is None or spec.series not in series else series[spec.series].tolist()
        deltas = (
            Delta(t("vs_yesterday", lang), _change(now.get(key), day_ago.get(key)), spec.decimals, spec.better),
            Delta(t("vs_last_week", lang), _change(now.get(key), week_ago.get(key)), spec.decimals, spec.better),
        )
        args = {
            "value": fmt_number(now.get(key), lang, spec.decimals),
            "unit": unit,
            "status": _status(key, spec, now, scores),
            "deltas": deltas,
            "spark": [None if pd.isna(v) else round(float(v), 3) for v in spark],
            "detail": _detail(key, now, lang),
            "stale_age": stale.get(spec.feed) if spec.feed else None,
        }
        signature = repr(sorted(args.items()))
        out.append((signature, kpi_tile(key, t(spec.label_key, lang), lang=lang, **args)))
    return out


def rankings(measures: Sequence[object], lang: str, n: int = 5) -> html.Div:
    """The City Score's top-n and bottom-n measures with their actual values and scores."""
    known = sorted((m for m in measures if m.score is not None), key=lambda m: m.score, reverse=True)

    def rows(items: Sequence[object]) -> list[tuple[str, str, str]]:
        return [
            (
                m.measure.label(lang),
                f"{fmt_number(m.actual, lang, 1)} {m.measure.unit}".strip(),
                fmt_number(m.score, lang, 2),
            )  # fmt: skip
            for m in items
        ]

    return html.Div(
        [
            ranking_list(t("top5", lang), rows(known[:n]), "good"),
            ranking_list(t("bottom5", lang), rows(list(reversed(known[-n:]))), "bad"),
        ],
        className="rankings",
    )
