"""SLA clocks across weekends and public holidays, SP4N-LAPOR's stages, and the state computed in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from data import sla
from data.ingest.sink import store_complaints
from data.models import Complaint


def test_a_five_day_sla_skips_a_weekend_christmas_and_its_cuti_bersama():
    # Monday 2026-12-21 09:00 WIB (02:00 UTC); Thu 24 Dec is cuti bersama, Fri 25 Christmas; Sat/Sun do not count.
    due = sla.due_times([datetime(2026, 12, 21, 2, 0)], [5])[0].astype(datetime)
    # Tue 22 (1), Wed 23 (2), Mon 28 (3), Tue 29 (4), Wed 30 (5)
    assert due == datetime(2026, 12, 30, 2, 0)


def test_a_request_on_a_saturday_evening_wib_starts_its_clock_on_monday():
    # Saturday 2026-11-21 20:00 WIB (13:00 UTC) is taken as received Monday at that clock time,
    # so a 1-working-day SLA is due Tuesday 20:00 WIB: Monday counts in full.
    due = sla.due_times([datetime(2026, 11, 21, 13, 0)], [1])[0].astype(datetime)
    assert due == datetime(2026, 11, 24, 13, 0)


def test_lapor_stages_met_late_and_running():
    requested = datetime(2026, 11, 2, 2, 0)  # Monday 09:00 WIB
    history = [("open", requested), ("acknowledged", datetime(2026, 11, 4, 2, 0))]
    stages = {s["stage"]: s for s in sla.lapor_stages(requested, history, now_utc=datetime(2026, 11, 10, 3, 0))}
    assert stages["forwarded"]["due_at"] == datetime(2026, 11, 5, 2, 0)
    assert stages["forwarded"]["state"] == "met"
    assert stages["answered"]["state"] == "late"  # due Mon 9 Nov, no answer by the 10th
    assert stages["closed"]["state"] in ("on_time", "due_soon")


def test_sla_state_in_sql_agrees_with_python(sqlite_engine):
    now = datetime(2026, 11, 20, 5, 0)
    records = [
        {"source": "t", "source_id": str(i), "category": "kemacetan", "status": "open", "requested_at": at}
        for i, at in enumerate([datetime(2026, 11, 10), datetime(2026, 11, 18, 6), datetime(2026, 11, 20, 4)])
    ]
    store_complaints(sqlite_engine, records)
    expr = sla.sla_state_sql(now, Complaint.requested_at, Complaint.due_at)
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(Complaint.requested_at, Complaint.due_at, expr).order_by(Complaint.id)).all()
    assert [r[2] for r in rows] == [sla.sla_state(now, r[0], r[1]) for r in rows]
    assert [r[2] for r in rows] == ["late", "due_soon", "on_time"]
