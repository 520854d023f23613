"""The SLA calendar is the government's: public holidays, cuti bersama, and the city's own regional days."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

import data.ingest.sink as sink
from dashboard.runtime import CityRules
from dashboard.settings import Settings
from data import sla
from data.models import Complaint

# An example regional holiday on a weekday: a regency's anniversary (Hari Jadi), Tuesday 15 December 2026.
HARI_JADI = date(2026, 12, 15)


def test_cuti_bersama_are_days_off_with_their_names():
    days = sla.WorkingCalendar().days_off(2025, 2026)
    assert "Joint Holiday" in days[date(2026, 12, 24)] and "Joint Holiday" in days[date(2025, 12, 26)]
    assert not sla.is_working_day(date(2026, 12, 24)) and not sla.is_working_day(date(2025, 12, 26))
    assert sla.is_working_day(date(2026, 12, 23))


def test_a_clock_across_cuti_bersama_skips_it():
    # Wed 23 Dec 2026 09:00 WIB, 1 working day: Thu 24 (cuti bersama), Fri 25 (Christmas), the weekend: Mon 28.
    due = sla.due_times([datetime(2026, 12, 23, 2, 0)], [1])[0].astype(datetime)
    assert due == datetime(2026, 12, 28, 2, 0)


def test_a_city_regional_holiday_stops_the_clock_only_in_that_city():
    calendar = sla.WorkingCalendar.of([(HARI_JADI, "Hari Jadi Kabupaten")])
    monday = datetime(2026, 12, 14, 2, 0)  # 09:00 WIB
    assert sla.due_times([monday], [1], calendar)[0].astype(datetime) == datetime(2026, 12, 16, 2, 0)
    assert sla.due_times([monday], [1])[0].astype(datetime) == datetime(2026, 12, 15, 2, 0)  # national only
    assert not sla.is_working_day(HARI_JADI, calendar) and sla.is_working_day(HARI_JADI)
    assert calendar.days_off(2026, 2026)[HARI_JADI] == "Hari Jadi Kabupaten"


def test_a_city_pack_list_of_objects_with_day_and_name_is_accepted():
    class PackHoliday:  # the shape a city pack's regional_holidays entries have
        def __init__(self, day, name):
            self.day, self.name = day, name

    calendar = sla.WorkingCalendar.of([PackHoliday(HARI_JADI, "Hari Jadi"), PackHoliday(HARI_JADI, "Hari Jadi")])
    assert calendar.regional == (sla.Holiday(HARI_JADI, "Hari Jadi"),)
    with pytest.raises(ValueError, match="needs a date"):
        sla.WorkingCalendar.of([("2026-12-15", "text, not a date")])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("days.yaml", "- {date: 2026-12-15, name: Hari Jadi Kabupaten}\n- {date: 2027-02-28, name: HUT Kota}\n"),
        ("days.yaml", "holidays:\n  - date: '2026-12-15'\n    name: Hari Jadi Kabupaten\n  - date: 2027-02-28\n"),
        ("days.csv", "date,name\n2026-12-15,Hari Jadi Kabupaten\n2027-02-28,HUT Kota\n"),
    ],
)
def test_the_holidays_file_reads_yaml_or_csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    calendar = sla.load_holidays_file(path)
    assert [h.day for h in calendar.regional] == [HARI_JADI, date(2027, 2, 28)]
    assert calendar.regional[0].name == "Hari Jadi Kabupaten"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "- {date: 15/12/2026, name: x}\n", "entry 1: '15/12/2026' is not a date"),
        ("bad.yaml", "date: 2026-12-15\n", "expected a list"),
        ("bad.csv", "day,name\n2026-12-15,x\n", "needs a 'date' column"),
        ("bad.yaml", "- [unclosed\n", "not valid YAML"),
    ],
)
def test_a_mistyped_holidays_file_says_what_is_wrong(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        sla.load_holidays_file(path)


def test_holidays_file_setting_dates_stored_complaints(sqlite_engine, tmp_path, monkeypatch):
    path = tmp_path / "holidays.csv"
    path.write_text("date,name\n2026-12-15,Hari Jadi Kabupaten\n", encoding="utf-8")
    monkeypatch.setenv("HOLIDAYS_FILE", str(path))
    monkeypatch.setattr(sink, "after_ingest", lambda *a, **k: None)
    record = {"source": "t", "source_id": "1", "category": "kebakaran", "status": "open",  # 1 working day
              "requested_at": datetime(2026, 12, 14, 2, 0), "lat": -6.18, "lon": 106.63,
              "district_code": "36.71.01"}  # fmt: skip
    with CityRules.of(Settings.from_env()).applied():  # as the app serves a request or the CLI a command
        sink.store_complaints(sqlite_engine, [record])
    with sqlite_engine.connect() as conn:
        due = conn.execute(select(Complaint.due_at)).scalar()
    assert due == datetime(2026, 12, 16, 2, 0)  # Tue 15th is the city's holiday
