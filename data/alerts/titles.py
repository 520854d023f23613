"""An alert's title and explanation in the reader's language, from its kind and its current figures.

Rules store an Indonesian title when they fire and refresh it every pass; screens render it again at display
time from the structured fields (kind, sensor, value, threshold, category, district) in the viewer's
language, so a spike that reached 12 never says "5 laporan hari ini" and `?lang=en` reads English. The
stored title stays the fallback for rows this module cannot rebuild (an unknown kind, a deleted sensor).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, select

from data.alerts.config import AlertConfig, current_config
from data.alerts.models import Alert
from data.alerts.rules import poisson_upper_tail
from data.city import catalogue
from data.geography import districts
from data.models import Sensor, SensorLatest
from data.timebuckets import to_wib

LANGS = ("id", "en")
UNITS_EN = {"kend/jam": "veh/h", "kend/j": "veh/h", "mm/jam": "mm/h"}
PHRASES: dict[str, dict[str, str]] = {
    "threshold": {"id": "{name} {value} {unit} (batas {limit})", "en": "{name} {value} {unit} (limit {limit})"},
    "rate": {
        "id": "{name} naik {value} {unit} per {minutes} mnt",
        "en": "{name} rising {value} {unit} per {minutes} min",
    },
    "offline": {"id": "{name} tanpa data sejak {since}", "en": "{name} silent since {since}"},
    "never": {"id": "{name} belum pernah mengirim data", "en": "{name} has never sent data"},
    "spike": {
        "id": "Lonjakan {category} di {place}: {count} laporan hari ini (biasanya {usual})",
        "en": "Spike in {category} in {place}: {count} reports today (usually {usual})",
    },
    "sla": {
        "id": "SLA: {count} keluhan di {place} jatuh tempo dalam {hours} jam",
        "en": "SLA: {count} complaints in {place} due within {hours} h",
    },
    "spike_detail": {
        "id": "{count} laporan sampai jam ini, padahal biasanya {usual} pada hari dan jam yang sama. "
        "Peluang sebanyak ini terjadi kebetulan: {chance}.",
        "en": "{count} reports so far today, where {usual} is usual by this time on this weekday. "
        "Chance of this many by luck: {chance}.",
    },
    "chance_tiny": {"id": "kurang dari 1 banding sejuta", "en": "less than 1 in a million"},
    "chance": {"id": "sekitar 1 banding {n}", "en": "about 1 in {n}"},
    "city": {"id": "luar kota", "en": "outside the city"},
    "flood": {"id": "Banjir: {place}", "en": "Flood: {place}"},
}
FLOOD_PREFIX = "Banjir: "  # how a flood incident's stored title begins (incidents.py writes it with flood_title)


def _lang(lang: str | None) -> str:
    return lang if lang in LANGS else "id"


def number(value: float | None, lang: str, decimals: int = 1) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English; trailing zeros dropped ('320', not '320,0')."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if _lang(lang) == "id" else text


def unit(text: str | None, lang: str) -> str:
    return UNITS_EN.get(text or "", text or "") if _lang(lang) == "en" else (text or "")


def category_name(code: str | None, lang: str) -> str:
    cat = catalogue().category(code or "")
    if cat is None:
        return code or "—"
    return cat.label_id if _lang(lang) == "id" else cat.label_en


def district_name(code: str | None, lang: str) -> str:
    names = {d.code: d.name for d in districts()}
    return names.get(code or "", code or PHRASES["city"][_lang(lang)])


def _say(key: str, lang: str, **fields: object) -> str:
    return PHRASES[key][_lang(lang)].format(**fields)


def threshold_title(name: str, value: float | None, unit_text: str, limit: float | None, lang: str) -> str:
    return _say("threshold", lang, name=name, value=number(value, lang), unit=unit(unit_text, lang),
                limit=number(limit, lang))  # fmt: skip


def rate_title(name: str, rise: float | None, unit_text: str, window_s: float, lang: str) -> str:
    return _say("rate", lang, name=name, value=number(rise, lang), unit=unit(unit_text, lang),
                minutes=round(window_s / 60))  # fmt: skip


def offline_title(name: str, last_at: datetime | None, lang: str) -> str:
    if last_at is None or pd.isna(last_at):
        return _say("never", lang, name=name)
    return _say("offline", lang, name=name, since=to_wib(last_at).strftime("%d/%m %H:%M %Z"))


def spike_title(category: str | None, district: str | None, count: float, usual: float, lang: str) -> str:
    return _say("spike", lang, category=category_name(category, lang), place=district_name(district, lang),
                count=number(count, lang, 0), usual=number(usual, lang))  # fmt: skip


def sla_title(district: str | None, count: float, hours: float, lang: str) -> str:
    return _say("sla", lang, count=number(count, lang, 0), place=district_name(district, lang),
                hours=number(hours, lang))  # fmt: skip


def flood_title(place: str, lang: str) -> str:
    return _say("flood", lang, place=place)


def incident_title(title: str, kind: str | None, lang: str) -> str:
    """A stored incident title in `lang` (a flood's is 'Banjir: <gauge>'); other titles as written."""
    if kind == "flood" and isinstance(title, str) and title.startswith(FLOOD_PREFIX):
        return flood_title(title[len(FLOOD_PREFIX) :], lang)
    return title


def spike_detail(count: float, usual: float, min_mean: float, lang: str) -> str:
    """The Poisson test in words: how unusual today's count is, without λ or scientific notation."""
    p = poisson_upper_tail(int(count), max(usual, min_mean))
    chance = _say("chance_tiny", lang) if p < 1e-6 else _say("chance", lang, n=number(max(1.0, 1 / p), lang, 0))
    return _say("spike_detail", lang, count=number(count, lang, 0), usual=number(usual, lang), chance=chance)


def render(alert: Mapping, lang: str, sensor: Mapping | None = None, config: AlertConfig | None = None) -> str:
    """The title of one alert row (kind, rule, value, threshold, ...) in `lang`; its stored title when unknown."""
    kind, fallback = alert.get("kind"), str(alert.get("title") or "")
    config = config or current_config()
    if kind in ("threshold", "rate", "offline") and sensor is None:
        return fallback
    if kind == "threshold":
        return threshold_title(sensor["name"], alert.get("value"), sensor["unit"], alert.get("threshold"), lang)
    if kind == "rate":
        rule = next((r for r in config.sensor_rules if r.name == alert.get("rule")), None)
        if rule is None:
            return fallback
        window = config.rule_for(rule, alert.get("sensor_id") or "").window_s
        return rate_title(sensor["name"], alert.get("value"), sensor["unit"], window, lang)
    if kind == "offline":
        return offline_title(sensor["name"], sensor.get("last_at"), lang)
    if kind == "spike" and alert.get("value") is not None:
        return spike_title(alert.get("category"), alert.get("district_code"), alert["value"],
                           alert.get("threshold") or 0.0, lang)  # fmt: skip
    if kind == "sla" and alert.get("value") is not None:
        return sla_title(alert.get("district_code"), alert["value"], config.sla_due.due_within_h, lang)
    return fallback


def render_detail(alert: Mapping, lang: str, config: AlertConfig | None = None) -> str | None:
    """The explanation shown under a title: a spike's test in words; otherwise the stored detail."""
    if alert.get("kind") == "spike" and alert.get("value") is not None:
        config = config or current_config()
        return spike_detail(alert["value"], alert.get("threshold") or 0.0, config.spike.min_mean, lang)
    detail = alert.get("detail")
    return detail if isinstance(detail, str) else None


ROW_COLUMNS = ("id", "kind", "rule", "title", "sensor_id", "category", "district_code", "value", "threshold")


def titles_on(
    conn: Connection, alert_ids: Iterable[int], lang: str, config: AlertConfig | None = None
) -> dict[int, str]:
    """{alert id: title in `lang`} for these alerts, in two small queries (the alerts, their sensors)."""
    ids = sorted({int(i) for i in alert_ids})
    if not ids:
        return {}
    rows = [
        dict(r)
        for r in conn.execute(select(*(getattr(Alert, c) for c in ROW_COLUMNS)).where(Alert.id.in_(ids))).mappings()
    ]
    sensor_ids = sorted({r["sensor_id"] for r in rows if r["sensor_id"]})
    sensors = {
        s["id"]: s
        for s in conn.execute(
            select(Sensor.id, Sensor.name, Sensor.unit, SensorLatest.observed_at.label("last_at"))
            .join(SensorLatest, SensorLatest.sensor_id == Sensor.id, isouter=True)
            .where(Sensor.id.in_(sensor_ids))
        ).mappings()
    }
    config = config or current_config()
    return {r["id"]: render(r, lang, sensors.get(r["sensor_id"]), config) for r in rows}


def titles_for(engine: Engine, alert_ids: Iterable[int], lang: str) -> dict[int, str]:
    with engine.connect() as conn:
        return titles_on(conn, alert_ids, lang)


def localised_alert(engine: Engine, alert: Mapping, lang: str) -> dict:
    """One alert (a row of the console's query, or the wall's takeover) with title and detail in `lang`."""
    out = dict(alert)
    out["title"] = titles_for(engine, [alert["id"]], lang).get(alert["id"], alert.get("title"))
    if "detail" in out:
        out["detail"] = render_detail(out, lang)
    return out


def localise_titles(engine: Engine, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy of an alerts frame (with `id` and `title`) whose titles are rendered now, in `lang`."""
    if frame.empty or "id" not in frame:
        return frame
    titles = titles_for(engine, frame["id"].dropna().astype(int), lang)
    out = frame.copy()
    out["title"] = [titles.get(int(i), t) for i, t in zip(out["id"], out["title"], strict=True)]
    return out
