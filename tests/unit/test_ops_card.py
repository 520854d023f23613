"""/ops's incident card map shows the whole radius circle; dates outside this year carry the year."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import pytest

from data.alerts.nearby import distance_m
from layouts import ops_parts
from tests.helpers.components import find, find_all, text, texts

MAP_HEIGHT_PX = 380  # .ops-incident-map in assets/ops.css
NOW = datetime(2026, 12, 7, 3, 0)


def _y_px(lat: float, zoom: float) -> float:
    """Web-Mercator pixel row of a latitude on MapLibre's 512-px world at `zoom`."""
    phi = math.radians(lat)
    return 512 * 2**zoom * (1 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2


def _card(radius_m: float, member_m: float = 0.0) -> dict:
    lat, lon = -6.18, 106.631
    dlat = member_m / 111_320
    sensors = pd.DataFrame(
        {"id": ["rain-1"], "name": ["Hujan"], "kind": ["rainfall"], "lat": [lat + dlat], "lon": [lon],
         "role": ["rain"], "distance_m": [member_m], "stream_url": [None], "snapshot_url": [None]}
    )  # fmt: skip
    complaints = pd.DataFrame(columns=["id", "lat", "lon", "description", "distance_m"])
    return {
        "incident": {"id": 1, "lat": lat, "lon": lon, "radius_m": radius_m},
        "complaints": complaints,
        "sensors": sensors,
    }


@pytest.mark.parametrize(("radius_m", "member_m"), [(3000, 0), (3000, 5900), (500, 0), (8000, 0)])
def test_the_incident_map_shows_its_whole_circle_and_every_member(radius_m, member_m):
    card = _card(radius_m, member_m)
    fig = ops_parts.incident_map(card, {"type": "FeatureCollection", "features": []}, "id")
    circle = fig.data[0]
    assert max(distance_m(card["incident"]["lat"], card["incident"]["lon"], la, lo)
               for la, lo in zip(circle.lat, circle.lon, strict=True)) == pytest.approx(radius_m, rel=0.01)  # fmt: skip
    zoom = fig.layout.map.zoom
    lats = [*circle.lat, *card["sensors"]["lat"]]
    span = _y_px(min(lats), zoom) - _y_px(max(lats), zoom)
    assert span <= MAP_HEIGHT_PX * 0.9, f"the circle spans {span:.0f} px of a {MAP_HEIGHT_PX} px map"
    assert span >= MAP_HEIGHT_PX * 0.5, "and it is not lost in a far-away view"


def test_due_dates_carry_the_year_only_when_it_is_not_this_year():
    from layouts.i18n import fmt_time_wib

    assert fmt_time_wib(datetime(2027, 1, 5, 2, 0), with_date=True, now=NOW) == "05/01/2027 09:00 WIB"
    assert fmt_time_wib(datetime(2025, 12, 26, 2, 0), with_date=True, now=NOW) == "26/12/2025 09:00 WIB"
    assert fmt_time_wib(datetime(2026, 12, 28, 2, 0), with_date=True, now=NOW) == "28/12 09:00 WIB"
    # 31 Dec 20:00 UTC is already 1 January in WIB: the city's year counts.
    assert fmt_time_wib(datetime(2026, 12, 31, 20, 0), with_date=True, now=NOW) == "01/01/2027 03:00 WIB"


def test_the_complaint_file_shows_a_due_date_next_year_with_its_year():
    requested, due = datetime(2026, 12, 30, 2, 0), datetime(2027, 1, 14, 2, 0)
    file = {
        "complaint": {"id": 9, "category": "jalan_rusak", "requested_at": requested, "due_at": due, "agency": None},
        "sla_state": "on_time",
        "stages": [{"stage": "closed", "working_days": 10, "due_at": due, "reached_at": None, "state": "on_time"}],
        "history": pd.DataFrame(columns=["status", "changed_at", "actor", "note"]),
        "audit": pd.DataFrame(columns=["at", "actor", "action", "note"]),
    }
    card = ops_parts.complaint_file(file, "Karawaci", "id", NOW)
    rows = {
        text(find(kv, class_name="ops-k")): text(find(kv, class_name="ops-v"))
        for kv in find_all(card, class_name="ops-kv")
    }
    assert rows["Jatuh tempo"] == "14/01/2027 09:00 WIB" and rows["Masuk"] == "30/12 09:00 WIB"
    assert texts(find(card, class_name="ops-stage"))[1] == "Jatuh tempo 14/01/2027 09:00 WIB"
