"""Other cities' complaint files read as they mean it: NYC's PHONE is a phone line (not Indonesia's 112), NYC
intersection rows keep a place built from their streets, Chicago's extended_attributes.channel is read."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select

from data.ingest.complaints import ingest_complaints_csv, ingest_open311_file
from data.ingest.mappings import load_mapping, parse_mapping
from data.ingest.report import IngestReport
from data.models import Complaint

NYC = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "311_csv" / "nyc311_2011_200rows.csv"


def test_nyc_phone_is_a_phone_line_and_intersections_keep_their_streets(sqlite_engine):
    report = IngestReport(feed="nyc")
    ingest_complaints_csv(sqlite_engine, NYC, load_mapping("nyc311"), None, report)
    with NYC.open(newline="", encoding="utf-8") as fh:
        rows = {r["Unique Key"]: r for r in csv.DictReader(fh)}
    with sqlite_engine.connect() as conn:
        stored = {
            r.source_id: r for r in conn.execute(select(Complaint.source_id, Complaint.channel, Complaint.address))
        }
    assert len(stored) == report.inserted > 150
    phoned = [k for k, r in rows.items() if r["Open Data Channel Type"] == "PHONE" and k in stored]
    assert phoned and {stored[k].channel for k in phoned} == {"phone"}
    crossings = [k for k, r in rows.items() if r["Address Type"] == "INTERSECTION" and k in stored]
    assert len(crossings) >= 20
    for key in crossings:
        row = rows[key]
        assert stored[key].address.startswith(f"{row['Intersection Street 1']} and {row['Intersection Street 2']}")
    with_address = [k for k, r in rows.items() if r["Incident Address"] and k in stored]
    assert all(stored[k].address == rows[k]["Incident Address"] for k in with_address)


def test_compose_uses_the_first_template_whose_columns_all_have_values():
    mapping = parse_mapping(
        {
            "columns": {"source_id": "Id", "requested_at": "At", "address": "Address"},
            "compose": {"address": ["{Street A} and {Street B}", "{Street A}"]},
        },
        "t",
    )
    assert mapping.composed("address", {"Street A": "JL. MERDEKA", "Street B": ""}) == "JL. MERDEKA"
    assert mapping.composed("address", {"street_a": "X", "STREET B": "Y"}) == "X and Y"
    assert mapping.composed("address", {"Other": "Z"}) is None


def test_chicago_extended_attributes_channel_and_attributes_are_read(sqlite_engine, tmp_path):
    request = {
        "service_request_id": "14-00684314",
        "status": "closed",
        "service_name": "Pothole in Street",
        "service_code": "4fd3b656e750846c53000004",
        "requested_datetime": "2024-05-09T19:02:21-05:00",
        "updated_datetime": "2024-10-10T10:15:40-05:00",
        "address": "1200 W 81ST ST, CHICAGO, IL, 60620",
        "lat": 41.746857,
        "long": -87.65364,
        "attributes": {"WHEREIST": "TRAFFIC"},
        "extended_attributes": {"channel": "phone", "ward": "21"},
    }
    web = {**request, "service_request_id": "14-1", "extended_attributes": {"channel": "Internet"}}
    plain = {**request, "service_request_id": "14-2", "extended_attributes": {}, "channel": "mobile"}
    path = tmp_path / "chicago.json"
    path.write_text(json.dumps([request, web, plain]))
    ingest_open311_file(sqlite_engine, path, "chicago", IngestReport(feed="t"))
    with sqlite_engine.connect() as conn:
        rows = {
            r.source_id: r for r in conn.execute(select(Complaint.source_id, Complaint.channel, Complaint.attributes))
        }
    assert {k: r.channel for k, r in rows.items()} == {"14-00684314": "phone", "14-1": "web", "14-2": "app"}
    assert json.loads(rows["14-00684314"].attributes) == {"WHEREIST": "TRAFFIC"}
