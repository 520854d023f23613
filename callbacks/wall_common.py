"""What every wall screen's callbacks share: which slots to refresh, the slot's own params, and the
figures several panels draw (read once per data version, whichever panel asks first)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from callbacks.cache import recent
from callbacks.context import now, runtime
from data.memo import Unkeyed
from data.queries.complaints import outside_arrivals
from data.queries.snapshot import remembered_sensor_states
from data.queries.wall import district_map_measures
from layouts.i18n import lang_of


def should_refresh(slot: object, position: dict | None) -> bool:
    """True when a slot is on screen or next in the playlist (it is rendered before it is shown).

    `position` is the playlist's {"current": slot, "next": slot, "takeover": bool}; a single screen
    page has no position and always refreshes. The takeover slot refreshes whenever a takeover is on.
    """
    if not position:
        return True
    if slot == "takeover":
        return bool(position.get("takeover"))
    return slot in (position.get("current"), position.get("next"))


def slot_lang(params: dict | None) -> str:
    return lang_of((params or {}).get("lang"))


def slot_district(params: dict | None) -> str | None:
    return (params or {}).get("district") or None


def district_figures() -> pd.DataFrame:
    """Open, late, per 10,000 residents and live alerts per kecamatan (no outlines): the map's change
    check, its page and the district bars of every screen share one query per data version."""
    engine, moment = runtime().engine, now()
    return recent(("complaints", "alerts"), district_map_measures, engine, Unkeyed(moment), shapes=False)


def sensor_figures(district: str | None = None) -> pd.DataFrame:
    """Every active sensor's state, shared with the KPI board's snapshot (one cache entry per data version)."""
    return remembered_sensor_states(runtime().engine, now(), district, memo=recent)


def outside_last_day() -> int:
    """Complaints of the last 24 whole hours located outside the city: the header's health strip of every screen
    says how many (one count per hour and data version, warmed with the screens)."""
    since = now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=24)
    return recent(("complaints",), outside_arrivals, runtime().engine, since)
