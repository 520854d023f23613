"""File ingest end to end through the CLI on a throwaway SQLite: good, bad and mixed files, status updates,
re-ingest, exit codes and the rejects file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from dashboard.cli import main
from data.models import Complaint, ComplaintService, ComplaintStatusChange, Observation, Sensor, ServiceMetric

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"  # copies of ../shared/samples (SOURCE.md)


@pytest.fixture
def cli(sqlite_engine, tmp_path, monkeypatch):
    """Run `python -m dashboard ingest ...` against the test store; rejects files land in tmp_path."""
    monkeypatch.chdir(tmp_path)
    url = sqlite_engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> int:
        return main(["ingest", *args, "--database-url", url])

    return run


def _count(engine, model, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar()


def _rejects(tmp_path: Path, stem: str) -> list[dict]:
    with open(tmp_path / f"{stem}.rejects.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_nyc311_sample_loads_once_and_reingest_changes_nothing(cli, sqlite_engine, capsys):
    sample = SAMPLES / "311_csv" / "nyc311_2011_200rows.csv"
    assert cli("complaints", str(sample), "--mapping", "nyc311") == 0
    assert "read 200, inserted 200" in capsys.readouterr().out
    assert _count(sqlite_engine, Complaint, Complaint.source == "nyc311") == 200
    assert _count(sqlite_engine, Complaint, Complaint.outside_city.is_(True)) > 0  # New York is kept, flagged
    assert cli("complaints", str(sample), "--mapping", "nyc311") == 0
    assert "inserted 0, updated 0, unchanged duplicates 200" in capsys.readouterr().out
    assert _count(sqlite_engine, Complaint) == 200
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(Complaint).where(Complaint.source_id == "19937896")).mappings().one()
    assert row["status"] == "closed" and row["category"] == "DOF Property - Payment Issue"
    assert row["requested_at"].isoformat() == "2011-03-01T19:27:57"  # 02:27:57 PM New York (EST) in UTC


def test_laksa_mixed_file_keeps_good_rows_and_reports_bad_ones_by_line(cli, sqlite_engine, tmp_path, capsys):
    assert cli("complaints", str(FEEDS / "laksa_mixed.csv"), "--mapping", "laksa") == 1
    out = capsys.readouterr().out
    assert "read 8, inserted 5" in out and "rejected 3" in out
    rejects = _rejects(tmp_path, "laksa_mixed")
    assert [r["location"] for r in rejects] == ["line 6", "line 7", "line 9"]
    assert "31/02/2026" in rejects[0]["reason"] and "Entah" in rejects[1]["reason"]
    assert rejects[1]["record"].startswith("LK-0005;") is False and "LK-0005" in rejects[1]["record"]
    with sqlite_engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(select(Complaint).where(Complaint.source == "laksa"))}
    assert rows["LK-0002"].description == "Air masuk rumah,\nsetinggi lutut"  # quoted newline kept
    assert rows["LK-0002"].status == "in_progress" and rows["LK-0002"].channel == "call_112"
    assert rows["LK-0001"].category == "jalan_rusak" and rows["LK-0001"].lat == pytest.approx(-6.1781)
    assert rows["LK-0001"].requested_at.isoformat() == "2026-11-03T01:15:00"  # 08:15 WIB
    assert rows["LK-0006"].outside_city and rows["LK-0006"].district_code is None
    assert rows["LK-0001"].district_code is not None
    assert cli("complaints", str(FEEDS / "laksa_mixed.csv"), "--mapping", "laksa", "--allow-rejects") == 0


def test_newer_status_updates_the_same_complaint_and_records_history(cli, sqlite_engine):
    cli("complaints", str(FEEDS / "laksa_mixed.csv"), "--mapping", "laksa", "--allow-rejects")
    assert cli("complaints", str(FEEDS / "laksa_update.csv"), "--mapping", "laksa") == 0
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(Complaint).where(Complaint.source_id == "LK-0001")).one()
        steps = conn.execute(
            select(ComplaintStatusChange.status).where(ComplaintStatusChange.complaint_id == row.id)
            .order_by(ComplaintStatusChange.changed_at)
        ).scalars().all()  # fmt: skip
    assert row.status == "closed" and row.status_notes == "Sudah ditambal"
    assert row.closed_at is not None
    assert steps == ["open", "closed"]
    assert _count(sqlite_engine, Complaint, Complaint.source_id == "LK-0001") == 1


def test_open311_requests_and_services_lists(cli, sqlite_engine, tmp_path, capsys):
    assert cli("complaints", str(FEEDS / "open311_requests_mixed.json")) == 1
    out = capsys.readouterr().out
    assert "read 6, inserted 2" in out and "rejected 4" in out
    assert {r["location"] for r in _rejects(tmp_path, "open311_requests_mixed")} == {"[2]", "[3]", "[4]", "[5]"}
    with sqlite_engine.connect() as conn:
        spec = conn.execute(select(Complaint).where(Complaint.source_id == "638344")).one()
    assert spec.source == "open311" and spec.status == "closed" and spec.outside_city
    assert spec.requested_at.isoformat() == "2026-04-14T14:37:38"  # -08:00 to UTC
    assert spec.media_url == "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"
    services = SAMPLES / "open311" / "bloomington_ureport_services.json"
    assert cli("complaints", str(services)) == 0
    assert _count(sqlite_engine, ComplaintService) == 53


def test_unreadable_files_exit_2_and_load_nothing(cli, sqlite_engine, tmp_path, capsys):
    assert cli("complaints", str(tmp_path / "missing.json")) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\n1,2\n")
    assert cli("complaints", str(bad), "--mapping", "laksa") == 2
    assert "needs column(s) source_id" in capsys.readouterr().err
    assert cli("complaints", str(bad)) == 2  # CSV without a mapping
    assert cli("observations", str(bad)) == 2
    assert _count(sqlite_engine, Complaint) == 0


def test_sensor_registry_then_observations_csv_and_sensorthings(cli, sqlite_engine, tmp_path):
    assert cli("sensors", str(FEEDS / "sensors.csv")) == 1
    assert cli("sensors", str(FEEDS / "sensors.geojson")) == 1
    assert _count(sqlite_engine, Sensor) == 5
    with sqlite_engine.connect() as conn:
        rain = conn.execute(select(Sensor).where(Sensor.id == "rain-1")).one()
        far = conn.execute(select(Sensor).where(Sensor.id == "far-1")).one()
    assert rain.unit == "mm/h" and rain.warning_threshold == 10.0 and rain.datastream_id == "ds-77"
    assert far.district_code is None
    assert cli("observations", str(FEEDS / "observations_mixed.csv")) == 1
    reasons = {r["location"]: r["reason"] for r in _rejects(tmp_path, "observations_mixed")}
    assert set(reasons) == {f"line {n}" for n in range(5, 13)}
    assert "ghost-9" in reasons["line 9"] and "water_level" in reasons["line 12"]
    assert _count(sqlite_engine, Observation) == 5
    assert cli("observations", str(FEEDS / "sensorthings_mixed.json")) == 1
    assert _count(sqlite_engine, Observation, Observation.sensor_id == "aq-7") == 4  # datastream 42 -> aq-7
    assert _count(sqlite_engine, Observation, Observation.sensor_id == "tf-3") == 1  # no datastream: id itself
    assert cli("observations", str(FEEDS / "observations_mixed.csv"), "--allow-rejects") == 0
    assert _count(sqlite_engine, Observation) == 10
    with sqlite_engine.connect() as conn:
        feeds = dict(conn.execute(text("SELECT feed, last_data_at FROM feed_status")).all())
    assert "sensors.water_level" in feeds and "sensors.pm25" in feeds


def test_service_metrics_csv_and_json(cli, sqlite_engine, tmp_path):
    with sqlite_engine.begin() as conn:
        for code in ("laksa", "e-kinerja"):
            conn.execute(text("INSERT INTO services (code, name, agency, category) VALUES (:c, :c, 'x', 'y')"),
                         {"c": code})  # fmt: skip
    assert cli("metrics", str(FEEDS / "metrics.csv")) == 1
    reasons = [r["reason"] for r in _rejects(tmp_path, "metrics")]
    assert len(reasons) == 4 and any("ghost-service" in r for r in reasons)
    assert any("availability_pct 120" in r for r in reasons) and any("transactions" in r for r in reasons)
    assert _count(sqlite_engine, ServiceMetric) == 2
    assert cli("metrics", str(FEEDS / "metrics.json")) == 1  # satisfaction 7 is refused
    with sqlite_engine.connect() as conn:
        laksa_day = conn.execute(text(
            "SELECT transactions, availability_pct FROM service_metrics m JOIN services s ON s.id = m.service_id "
            "WHERE s.code = 'laksa' AND m.period_start = '2026-11-19 17:00:00.000000'")).one()  # fmt: skip
    assert tuple(laksa_day) == (700, 99.2)  # the JSON corrected the CSV's 20 Nov (WIB)
    assert _count(sqlite_engine, ServiceMetric) == 3


def test_decimal_comma_semicolon_file_copy_with_extra_columns(cli, sqlite_engine, tmp_path):
    cli("sensors", str(FEEDS / "sensors.csv"), "--allow-rejects")
    copy = tmp_path / "copy.csv"
    shutil.copy(FEEDS / "observations_mixed.csv", copy)
    cli("observations", str(copy), "--allow-rejects")
    with sqlite_engine.connect() as conn:
        values = conn.execute(select(Observation.value).where(Observation.sensor_id == "wl-1")).scalars().all()
    assert sorted(values) == [120.5, 121.0, 122.0]  # '120,5' with a decimal comma
