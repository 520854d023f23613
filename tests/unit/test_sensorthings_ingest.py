"""Saved SensorThings pages through `ingest observations`: a page of /Datastreams(ID)/Observations names its
stream only in its links; --datastream names it for a last page; a page of /Observations that names none
is refused with a reason that says what to do, while every good record is kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.cli import main
from data.ingest.observations import RawReadings, collect_readings, page_datastream
from data.models import Observation

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "sensorthings"


@pytest.fixture
def ingest(sqlite_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    assert main(["ingest", "sensors", str(FEEDS / "sensors.geojson"), "--database-url", url]) == 1  # one bad entry

    def run(*args: str) -> int:
        return main(["ingest", "observations", *args, "--database-url", url])

    return run


def _stored(engine, sensor_id: str) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Observation.observed_at, Observation.value).where(Observation.sensor_id == sensor_id)
        ).all()
    return sorted((r.observed_at.isoformat(), r.value) for r in rows)


def _rejects(tmp_path: Path, stem: str) -> list[dict]:
    with open(tmp_path / f"{stem}.rejects.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_page_of_one_datastream_takes_the_stream_from_its_next_link(ingest, sqlite_engine, tmp_path):
    assert ingest(str(PAGES / "frost_datastream_42_page1.json")) == 1  # one bad result, the rest kept
    assert _stored(sqlite_engine, "aq-7") == [  # datastream 42 is aq-7 in the registry; intervals stand for their end
        ("2026-11-20T01:00:00", 31.4), ("2026-11-20T01:10:00", 33.0), ("2026-11-20T01:40:00", 35.0),
    ]  # fmt: skip
    [reject] = _rejects(tmp_path, "frost_datastream_42_page1")
    assert reject["location"] == "value[2]" and "sensor fault" in reject["reason"] + reject["record"]


def test_last_page_without_links_needs_datastream_and_then_loads(ingest, sqlite_engine, tmp_path):
    assert ingest(str(PAGES / "frost_datastream_last_page.json")) == 1
    reasons = {r["reason"] for r in _rejects(tmp_path, "frost_datastream_last_page")}
    assert len(reasons) == 1 and "--datastream ID" in reasons.pop()
    assert _stored(sqlite_engine, "aq-7") == []
    assert ingest(str(PAGES / "frost_datastream_last_page.json"), "--datastream", "42") == 0
    assert [v for _, v in _stored(sqlite_engine, "aq-7")] == [40.2, 41.0]


def test_page_of_all_observations_is_refused_per_record_except_those_that_name_their_stream(
    ingest, sqlite_engine, tmp_path
):
    assert ingest(str(PAGES / "frost_all_observations_page.json")) == 1
    rejects = _rejects(tmp_path, "frost_all_observations_page")
    assert [r["location"] for r in rejects] == ["value[0]", "value[1]"]
    assert all("mixes datastreams" in r["reason"] and "$expand=Datastream" in r["reason"] for r in rejects)
    assert _stored(sqlite_engine, "aq-7") == [("2026-11-20T03:05:00", 45.5)]  # it named Datastream 42 itself


def test_datastream_option_that_contradicts_the_links_is_refused(ingest, sqlite_engine, tmp_path):
    assert ingest(str(PAGES / "frost_datastream_42_page1.json"), "--datastream", "tf-3") == 1
    reasons = {r["reason"] for r in _rejects(tmp_path, "frost_datastream_42_page1")}
    assert any("Datastreams(42)" in r and "--datastream tf-3" in r for r in reasons)
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Observation)).scalar() == 0


def test_sensorup_page_with_quoted_string_ids_and_local_times(ingest, sqlite_engine):
    assert ingest(str(PAGES / "sensorup_datastream_page.json")) == 0  # Datastreams('tf-3'): no datastream_id, so the id
    assert _stored(sqlite_engine, "tf-3") == [("2026-11-20T03:00:00", 1180.0), ("2026-11-20T03:15:00", 1245.0)]


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ({"@iot.nextLink": "http://h/v1.1/Datastreams(7)/Observations?$skip=100"}, "7"),
        ({"@iot.selfLink": "http://h/v1.1/Datastreams('wl%2001')/Observations"}, "wl 01"),
        ({"@iot.nextLink": "http://h/v1.1/Things(7)/Datastreams?$skip=100"}, None),
        ({"@iot.nextLink": "http://h/v1.1/Observations?$filter=Datastream/id%20eq%207"}, None),
        ({}, None),
    ],
)
def test_page_datastream_reads_only_links_to_one_streams_observations(links, expected):
    assert page_datastream(links) == expected


def test_observations_that_name_their_own_stream_keep_it_on_a_page_of_another():
    raw = RawReadings()
    page = {"@iot.nextLink": "http://h/v1.1/Datastreams(1)/Observations?$skip=2",
            "value": [{"phenomenonTime": "2026-11-20T00:00:00Z", "result": 1, "Datastream@iot.id": 9},
                      {"phenomenonTime": "2026-11-20T00:10:00Z", "result": 2}]}  # fmt: skip
    collect_readings(page, raw)
    assert raw.refs == ["9", "1"] and raw.via_datastream == [True, True] and not raw.broken


def test_api_takes_a_posted_page_of_one_datastream_the_same_way(sqlite_engine, settings_for, tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)  # the sensors' rejects file goes to the working directory

    from dashboard.app import create_app

    url = sqlite_engine.url.render_as_string(hide_password=False)
    assert main(["ingest", "sensors", str(FEEDS / "sensors.geojson"), "--database-url", url]) == 1
    client = create_app(settings_for(url, ingest_token="t" * 40, demo_on_empty=False)).server.test_client()
    page = json.loads((PAGES / "frost_datastream_42_page1.json").read_text())
    r = client.post("/api/v1/observations", json=page, headers={"Authorization": "Bearer " + "t" * 40})
    assert r.status_code == 207 and [e["location"] for e in r.get_json()["errors"]] == ["value[2]"]
    assert len(_stored(sqlite_engine, "aq-7")) == 3
    mixed = json.loads((PAGES / "frost_all_observations_page.json").read_text())
    r = client.post("/api/v1/observations", json=mixed, headers={"Authorization": "Bearer " + "t" * 40})
    assert r.status_code == 207 and "mixes datastreams" in r.get_json()["errors"][0]["reason"]
