"""`python -m dashboard pull sensorthings` against a FROST-like server on a free loopback port (recorded FROST
pages, no network): registry mapping, unit scaling, nextLink paging, resume, rejects with reasons, retries,
timeouts and a server that writes its internal address in links."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from dashboard.cli import main
from data.ingest.report import IngestReport
from data.models import IngestError, Observation, Sensor
from data.sensorthings.client import PullError, SensorThingsClient
from tests.helpers.frost import FrostLike


@pytest.fixture
def frost():
    server = FrostLike(max_top=10)
    yield server
    server.close()


@pytest.fixture
def pull(sqlite_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = sqlite_engine.url.render_as_string(hide_password=False)

    def run(base: str, *args: str) -> int:
        return main(["pull", "sensorthings", base, *args, "--retries", "0", "--database-url", url])

    return run


def _readings(engine, sensor_id: str) -> list[tuple]:
    with engine.connect() as conn:
        query = select(Observation.observed_at, Observation.value).where(Observation.sensor_id == sensor_id)
        rows = conn.execute(query.order_by(Observation.observed_at)).all()
    return [(r.observed_at.isoformat(), r.value) for r in rows]


def test_first_pull_registers_datastreams_pages_and_scales_units(frost, pull, sqlite_engine, tmp_path, capsys):
    assert pull(frost.root, "--rejects", str(tmp_path / "rejects.csv")) == 1  # temperature and one empty reading
    with sqlite_engine.connect() as conn:
        sensors = {r.id: r for r in conn.execute(select(Sensor))}
    assert set(sensors) == {"sta-1", "sta-2", "sta-4"}
    gauge = sensors["sta-1"]
    assert (gauge.kind, gauge.unit, gauge.datastream_id) == ("water_level", "cm", "1")
    assert (gauge.lat, gauge.lon) == (
        -6.172,
        106.633,
    ) and gauge.name == "Pintu Air 10 Sangego – Tinggi Muka Air Pintu Air 10"
    assert (sensors["sta-4"].lat, sensors["sta-4"].kind) == (-6.18, "pm25")  # Location given as a GeoJSON Feature
    with sqlite_engine.connect() as conn:  # learnt from the readings: 20-minute gauge, hourly air monitor
        intervals = dict(conn.execute(select(Sensor.id, Sensor.expected_interval_s)).all())
    assert intervals == {"sta-1": 1200, "sta-2": 1200, "sta-4": 3600}
    levels = _readings(sqlite_engine, "sta-1")
    assert len(levels) == 25 and levels[0] == ("2026-11-19T17:00:00", 180.0) and levels[-1][1] == pytest.approx(228.0)
    assert len(_readings(sqlite_engine, "sta-2")) == 11 and len(_readings(sqlite_engine, "sta-4")) == 8
    assert sum("Datastreams(1)/Observations" in r and "$skip=" in r for r in frost.requests) == 2  # 3 pages of 10
    out = capsys.readouterr().out
    assert "inserted 3" in out and "inserted 44" in out
    reasons = [r["reason"] for r in csv.DictReader(open(tmp_path / "rejects.csv", encoding="utf-8"))]
    assert reasons == ["value is missing"]  # the gauge that sent null; its neighbours are stored
    assert "Temperature" in out and "water_level, rainfall" in out  # the datastream reject names the known kinds
    with sqlite_engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(IngestError).where(IngestError.feed == "sensorthings")
            ).scalar()
            == 2
        )


def test_second_pull_resumes_from_the_last_stored_time_and_reads_only_new_readings(frost, pull, sqlite_engine):
    pull(frost.root, "--datastream", "1")
    frost.requests.clear()
    assert pull(frost.root, "--datastream", "1") == 0
    [first] = [r for r in frost.requests if "/Observations" in r]
    assert "phenomenonTime%20ge%202026-11-20T01:00:00.000Z" in first  # the 25th reading's time
    frost.add_observation(1, "2026-11-20T01:20:00.000Z", 2.5)
    frost.add_observation(1, "2026-11-20T01:40:00.000Z", 2.6)
    assert pull(frost.root, "--datastream", "1") == 0
    assert _readings(sqlite_engine, "sta-1")[-2:] == [("2026-11-20T01:20:00", 250.0), ("2026-11-20T01:40:00", 260.0)]
    assert len(_readings(sqlite_engine, "sta-1")) == 27


def test_since_and_chosen_datastreams(frost, pull, sqlite_engine):
    assert pull(frost.root, "--datastream", "4", "--since", "2026-11-20T05:00:00+07:00") == 0  # 22:00Z onwards
    assert [t for t, _ in _readings(sqlite_engine, "sta-4")] == ["2026-11-19T22:00:00", "2026-11-19T23:00:00",
                                                                  "2026-11-20T00:00:00"]  # fmt: skip
    with sqlite_engine.connect() as conn:
        assert set(conn.execute(select(Sensor.id)).scalars()) == {"sta-4"}
    assert pull(frost.root, "--datastream", "99") == 1  # named but absent: a reject, not a crash


def test_a_datastream_already_in_the_registry_keeps_its_entry(frost, pull, sqlite_engine, tmp_path):
    registry = tmp_path / "sensors.csv"
    registry.write_text("id,name,kind,lat,lon,datastream_id,warning_threshold\n"
                        "rain-cikokol,Hujan Cikokol,rainfall,-6.199,106.634,2,7\n")  # fmt: skip
    url = sqlite_engine.url.render_as_string(hide_password=False)
    assert main(["ingest", "sensors", str(registry), "--database-url", url]) == 0
    assert pull(frost.root, "--datastream", "2", "--allow-rejects") == 0
    assert len(_readings(sqlite_engine, "rain-cikokol")) == 11
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(Sensor).where(Sensor.id == "rain-cikokol")).one()
        assert row.warning_threshold == 7 and conn.execute(select(func.count()).select_from(Sensor)).scalar() == 1


def test_links_with_the_servers_internal_address_are_followed_on_the_base_url(frost, pull, sqlite_engine, capsys):
    frost.internal_links = True
    assert pull(frost.root, "--datastream", "1") == 0
    assert len(_readings(sqlite_engine, "sta-1")) == 25
    assert "http://localhost:8080; followed on" in capsys.readouterr().out


def test_unreachable_or_wrong_servers_say_so_and_exit_2(frost, pull, capsys):
    assert pull(frost.root.replace("/FROST-Server/v1.1", "/nothing")) == 2
    assert "HTTP 404" in capsys.readouterr().err
    assert pull("ftp://example.org/v1.1") == 2
    assert "not an http(s) URL" in capsys.readouterr().err
    frost.close()
    assert pull(frost.root) == 2
    assert "tried 1 times" in capsys.readouterr().err


def test_client_retries_busy_answers_with_backoff_and_gives_up_on_timeouts(frost):
    waits: list[float] = []
    client = SensorThingsClient(frost.root, retries=3, backoff=0.5, sleep=waits.append)
    frost.fail_with = [503, 503]
    assert client.get(client.url("Datastreams(1)"))["@iot.id"] == 1
    assert waits == [0.5, 1.0]
    frost.delay = 1.0
    slow = SensorThingsClient(frost.root, timeout=0.2, retries=1, sleep=lambda s: None)
    with pytest.raises(PullError, match="tried 2 times"):
        slow.get(slow.url("Datastreams(1)"))


def test_every_page_is_stored_as_it_comes_so_a_failure_midway_keeps_what_was_read(frost, sqlite_engine):
    from data.sensorthings.pull import pull_once

    client = SensorThingsClient(frost.root, retries=0)
    original = frost.answer

    def fail_third_page(path, args):
        if args.get("$skip") == "20":
            return 500, {"code": 500, "type": "error", "message": "database went away"}
        return original(path, args)

    frost.answer = fail_third_page
    with pytest.raises(PullError, match="HTTP 500"):
        pull_once(sqlite_engine, client, ["1"], None, IngestReport("ds"), IngestReport("obs"))
    assert len(_readings(sqlite_engine, "sta-1")) == 20
    frost.answer = original
    pull_once(sqlite_engine, client, ["1"], None, IngestReport("ds"), report := IngestReport("obs"))
    assert len(_readings(sqlite_engine, "sta-1")) == 25 and report.inserted == 5


def test_a_second_server_with_the_same_datastream_ids_is_not_mixed_into_the_first(frost, pull, sqlite_engine, capsys):
    assert pull(frost.root, "--datastream", "1") == 0
    other = FrostLike()
    try:
        assert pull(other.root.replace("127.0.0.1", "localhost"), "--datastream", "1") == 1
    finally:
        other.close()
    assert "taken by 'sta-1', pulled from 127.0.0.1" in capsys.readouterr().out
    assert len(_readings(sqlite_engine, "sta-1")) == 25


def test_every_keeps_pulling_and_a_failed_round_does_not_end_it(frost, pull, sqlite_engine, monkeypatch, capsys):
    from sqlalchemy.exc import OperationalError

    from dashboard.commands import pull as pull_command

    real_pull_once, rounds = pull_command.pull_once, []

    def database_down(*args, **kwargs):
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    def between_rounds(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 1:
            frost.fail_with = [500]  # the second round meets a broken server
        elif len(rounds) == 2:
            monkeypatch.setattr(pull_command, "pull_once", database_down)  # the third, a database outage
        elif len(rounds) == 3:
            monkeypatch.setattr(pull_command, "pull_once", real_pull_once)
            frost.add_observation(1, "2026-11-20T01:20:00.000Z", 2.5)
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(pull_command.time, "sleep", between_rounds)
    assert pull(frost.root, "--datastream", "1", "--every", "60") == 130
    assert rounds == [60.0] * 4
    errors = capsys.readouterr().err
    assert "HTTP 500" in errors and "error: the database:" in errors
    assert len(_readings(sqlite_engine, "sta-1")) == 26
