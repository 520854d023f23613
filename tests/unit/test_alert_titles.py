"""Alert titles say what is true now, in the reader's language: stored, on /ops, on the wall and in webhooks."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd
import pytest
from dash import html
from sqlalchemy import insert, select

import data.ingest.sink as sink
from data.alerts.config import load_config
from data.alerts.evaluate import evaluate
from data.alerts.models import Alert, WebhookDelivery
from data.alerts.queries import active_alerts, audit_trail
from data.alerts.titles import incident_title, localise_titles, localised_alert, spike_detail, titles_for
from data.ingest.sink import store_complaints, store_observations
from data.models import Sensor
from data.timebuckets import wib_midnight_utc
from layouts import ops_parts
from tests.helpers.components import find_all, text

NOW = datetime(2026, 11, 20, 5, 0)  # Friday 12:00 WIB
CONFIG = load_config()


@pytest.fixture
def store(sqlite_engine, monkeypatch):
    monkeypatch.setattr(sink, "after_ingest", lambda *a, **k: None)  # the test drives the clock
    return sqlite_engine


def _reports(engine, prefix, times):
    store_complaints(
        engine,
        [{"source": "t", "source_id": f"{prefix}-{i}", "category": "banjir", "status": "open", "requested_at": at,
          "lat": -6.18, "lon": 106.63, "district_code": "36.71.01"} for i, at in enumerate(times)],
    )  # fmt: skip


def _sensor(engine, sid, kind, unit, interval=300, warning=None, danger=None):
    with engine.begin() as conn:
        conn.execute(
            insert(Sensor).values(
                id=sid, name=f"Pos {sid}", kind=kind, unit=unit, lat=-6.18, lon=106.63, district_code="36.71.01",
                warning_threshold=warning, danger_threshold=danger, expected_interval_s=interval,
            )
        )  # fmt: skip


def _spike(engine):
    today = wib_midnight_utc((NOW + timedelta(hours=7)).date())
    _reports(engine, "old", [today - timedelta(days=7 * w) + timedelta(hours=3) for w in range(1, 9)])
    _reports(engine, "a", [today + timedelta(hours=1, minutes=7 * i) for i in range(9)])
    evaluate(engine, NOW, CONFIG, sensors=False)
    _reports(engine, "b", [today + timedelta(hours=2, minutes=3 * i) for i in range(3)])
    evaluate(engine, NOW + timedelta(minutes=5), CONFIG, sensors=False)
    with engine.connect() as conn:
        return conn.execute(select(Alert.__table__).where(Alert.rule == "complaint_spike")).one()


def test_a_spike_title_follows_its_current_count_stored_and_rendered(store):
    alert = _spike(store)
    assert alert.value == 12
    assert "12 laporan hari ini" in alert.title  # stored title refreshed each pass (briefing, webhooks)
    assert "9 laporan" not in alert.title
    titles = titles_for(store, [alert.id], "en")[alert.id]
    assert re.fullmatch(r"Spike in Flooding in \S.*: 12 reports today \(usually 1\)", titles), titles
    # The log book keeps what was said when it opened.
    opened = audit_trail(store, alert_id=alert.id)
    assert "9 laporan hari ini" in opened.loc[opened["action"] == "opened", "note"].iloc[0]


def test_a_spike_is_explained_in_words_not_lambda_and_scientific_notation(store):
    alert = _spike(store)
    shown = {lang: localised_alert(store, {"id": alert.id, "kind": "spike", "value": alert.value,
                                           "threshold": alert.threshold, "title": alert.title,
                                           "detail": alert.detail}, lang)
             for lang in ("id", "en")}  # fmt: skip
    for row in shown.values():
        assert "λ" not in row["detail"] and not re.search(r"\de-\d", row["detail"]), row["detail"]
    assert shown["en"]["detail"].startswith("12 reports so far today, where 1 is usual")
    assert shown["id"]["detail"].startswith("12 laporan sampai jam ini")
    assert spike_detail(80, 2.0, 0.5, "en").endswith("less than 1 in a million.")
    assert spike_detail(6, 1.0, 0.5, "en").endswith("about 1 in 1,683.")
    assert spike_detail(6, 1.0, 0.5, "id").endswith("sekitar 1 banding 1.683.")


def test_a_sensor_that_never_reported_says_so_in_both_languages(store):
    _sensor(store, "wl-new", "water_level", "cm", warning=250, danger=320)
    evaluate(store, NOW, CONFIG, complaints=False)
    with store.connect() as conn:
        alert = conn.execute(select(Alert.__table__).where(Alert.rule == "sensor_offline")).one()
    assert alert.title == "Pos wl-new belum pernah mengirim data"
    assert "tidak pernah" not in alert.title
    assert titles_for(store, [alert.id], "en")[alert.id] == "Pos wl-new has never sent data"


def test_threshold_titles_and_units_in_english_follow_the_latest_value(store):
    _sensor(store, "tf-1", "traffic_flow", "kend/jam")
    rows = [("tf-1", NOW - timedelta(minutes=5 * i), 3300.0 + i) for i in range(12)]
    store_observations(store, rows, evaluate_alerts=False)
    evaluate(store, NOW, CONFIG, complaints=False)
    frame = active_alerts(store, NOW)
    ids = frame.loc[frame["sensor_id"] == "tf-1", "id"].tolist()
    assert titles_for(store, ids, "id") == {ids[0]: "Pos tf-1 3.300 kend/jam (batas 3.200)"}
    assert titles_for(store, ids, "en") == {ids[0]: "Pos tf-1 3,300 veh/h (limit 3,200)"}
    english = localise_titles(store, frame, "en")
    assert "Pos tf-1 3,300 veh/h (limit 3,200)" in set(english["title"])
    assert list(english["id"]) == list(frame["id"])  # same rows, same order, only the words change


def test_a_title_that_cannot_be_rebuilt_falls_back_to_the_stored_one(store):
    with store.begin() as conn:
        conn.execute(insert(Alert).values(rule="legacy", kind="custom", severity="warning", status="open",
                                          title="Judul lama", opened_at=NOW, last_seen_at=NOW))  # fmt: skip
    frame = localise_titles(store, active_alerts(store, NOW), "en")
    assert list(frame["title"]) == ["Judul lama"]
    assert localise_titles(store, frame.iloc[0:0], "en").empty


def test_the_danger_webhook_carries_the_english_title_too(store):
    _sensor(store, "wl-1", "water_level", "cm", warning=250, danger=320)
    store_observations(
        store, [("wl-1", NOW - timedelta(minutes=5 * i), 340.0) for i in range(6)], evaluate_alerts=False
    )
    evaluate(store, NOW, replace(CONFIG, webhook_urls=("http://127.0.0.1:9/hook",)), complaints=False)
    with store.connect() as conn:
        payload = json.loads(conn.execute(select(WebhookDelivery.payload)).scalar())
    assert payload["data"]["title"] == "Pos wl-1 340 cm (batas 320)"
    assert payload["data"]["title_en"] == "Pos wl-1 340 cm (limit 320)"


def test_the_log_book_names_the_system_and_its_notes_in_the_readers_language():
    audit = pd.DataFrame(
        {"at": [NOW, NOW, NOW, NOW], "actor": ["system", "system", "system", "Budi"],
         "action": ["resolved", "note", "joined", "note"],
         "note": ["condition cleared", "3 → #7", "+4", "tim dikirim"]}
    )  # fmt: skip
    english, indonesian = ([text(li) for li in find_all(ops_parts.audit_list(audit, lang, NOW), html.Li)]
                           for lang in ("en", "id"))  # fmt: skip
    assert english == [
        "20/11 12:00 WIB system resolved — condition cleared",
        "20/11 12:00 WIB system noted — 3 members moved to the nearer incident #7",
        "20/11 12:00 WIB system joined — +4 members",
        "20/11 12:00 WIB Budi noted — tim dikirim",  # people's own words stay as written
    ]
    assert indonesian == [
        "20/11 12:00 WIB sistem menyelesaikan — kondisi kembali normal",
        "20/11 12:00 WIB sistem mencatat — 3 anggota pindah ke insiden #7 yang lebih dekat",
        "20/11 12:00 WIB sistem menggabungkan — +4 anggota",
        "20/11 12:00 WIB Budi mencatat — tim dikirim",
    ]
    assert ops_parts.system_note("eased to warning: Pos 1 300 cm", "id") == "turun ke waspada: Pos 1 300 cm"
    assert ops_parts.system_note("Banjir: Pos Barat", "en") == "Flood: Pos Barat"


def test_a_flood_incident_title_reads_in_the_viewers_language():
    assert incident_title("Banjir: Pos Cisadane Pasar Baru", "flood", "en") == "Flood: Pos Cisadane Pasar Baru"
    assert incident_title("Banjir: Pos Cisadane Pasar Baru", "flood", "id") == "Banjir: Pos Cisadane Pasar Baru"
    assert incident_title("Kebakaran pasar", "fire", "en") == "Kebakaran pasar"  # unknown: as written
