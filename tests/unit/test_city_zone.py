"""The city's own time zone: a WITA city shows WITA, buckets days at WITA midnight, reads zone-less times as WITA."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from data import sla
from data.city import using
from data.ingest.sink import store_complaints
from data.ingest.values import parse_time, parse_times
from data.places import prepare_store
from data.queries.complaints import counts_over_time
from data.queries.filters import ComplaintFilter
from data.store import make_engine
from data.timebuckets import to_wib, wib_midnight_utc, wib_today
from layouts.i18n import fmt_time_wib, t
from tests.helpers.packs import pack_in_zone

# 15:30 and 16:30 UTC on 20 Nov: 22:30 and 23:30 WIB (one day), 23:30 and 00:30 WITA (two days)
LATE_EVENING = datetime(2026, 11, 20, 15, 30)
AFTER_WITA_MIDNIGHT = datetime(2026, 11, 20, 16, 30)


@pytest.fixture
def wita(tmp_path):
    return pack_in_zone(tmp_path / "wita", "Asia/Makassar")


def _complaint(i: int, at: datetime) -> dict:
    return {"source": "test", "source_id": f"c{i}", "category": "sampah", "status": "open", "channel": "app",
            "requested_at": at, "lat": -6.18, "lon": 106.63}  # fmt: skip


@pytest.mark.parametrize(("zone", "days"), [("Asia/Jakarta", {"2026-11-20": 2}),
                                             ("Asia/Makassar", {"2026-11-20": 1, "2026-11-21": 1}),
                                             ("Asia/Jayapura", {"2026-11-21": 2})])  # fmt: skip
def test_days_are_bucketed_at_the_citys_own_midnight(tmp_path, zone, days):
    pack = pack_in_zone(tmp_path / "pack", zone)
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    with using(pack):
        prepare_store(engine, pack)
        store_complaints(engine, [_complaint(1, LATE_EVENING), _complaint(2, AFTER_WITA_MIDNIGHT)])
        frame = counts_over_time(engine, ComplaintFilter())
    assert frame.groupby("period")["n"].sum().to_dict() == days


def test_a_wita_city_shows_wita_and_its_today_starts_at_wita_midnight(wita):
    with using(wita):
        assert fmt_time_wib(AFTER_WITA_MIDNIGHT) == "00:30 WITA"
        assert to_wib(AFTER_WITA_MIDNIGHT).strftime("%d %H:%M %Z") == "21 00:30 WITA"
        assert wib_today(AFTER_WITA_MIDNIGHT) == date(2026, 11, 21)
        assert wib_midnight_utc(date(2026, 11, 21)) == datetime(2026, 11, 20, 16, 0)
        assert t("col_requested_at", "id") == "Masuk (WITA)"
    assert fmt_time_wib(AFTER_WITA_MIDNIGHT) == "23:30 WIB"  # the default city again outside the block


def test_zone_less_input_times_are_read_in_the_citys_zone(wita):
    with using(wita):
        one, zoneless = parse_time("2026-11-21 08:00")
        many, flags, _ = parse_times(np.array(["2026-11-21 08:00", "2026-11-21T08:00:00+07:00"], dtype=object),
                                     datetime(2026, 12, 1))  # fmt: skip
    assert (one, zoneless) == (datetime(2026, 11, 21, 0, 0), True)  # 08:00 WITA = 00:00 UTC
    assert list(many.astype("datetime64[m]").astype(str)) == ["2026-11-21T00:00", "2026-11-21T01:00"]
    assert list(flags) == [True, False]  # a time with its own offset keeps it


def test_sla_working_days_follow_the_citys_calendar_day(wita):
    # Thursday 19 Nov 16:30 UTC is Thursday 23:30 WIB but already Friday 00:30 WITA: one working day later
    # is Friday 23:30 WIB in Tangerang, Monday 00:30 WITA in a WITA city.
    thursday_night = datetime(2026, 11, 19, 16, 30)
    with using(wita):
        due_wita = sla.due_time(thursday_night, "kebakaran")  # a 1-working-day SLA
    due_wib = sla.due_time(thursday_night, "kebakaran")
    assert due_wib == datetime(2026, 11, 20, 16, 30)  # Friday 23:30 WIB
    assert due_wita == datetime(2026, 11, 22, 16, 30)  # Monday 00:30 WITA
