from datetime import datetime

from data import sla


def test_a_two_day_sla_requested_on_friday_skips_the_weekend():
    # Friday 2026-11-20 14:00 WIB = 07:00 UTC
    due = sla.due_time(datetime(2026, 11, 20, 7, 0), "kemacetan")  # 2 working days
    assert due == datetime(2026, 11, 24, 7, 0)  # Tuesday 14:00 WIB


def test_public_holidays_and_cuti_bersama_do_not_count():
    # Wednesday 2026-12-23 10:00 WIB; Thu 24 December 2026 is cuti bersama, Fri 25 is Christmas.
    due = sla.due_time(datetime(2026, 12, 23, 3, 0), "kemacetan")  # 2 working days
    assert not sla.is_working_day(datetime(2026, 12, 25).date())
    assert not sla.is_working_day(datetime(2026, 12, 24).date())
    assert due == datetime(2026, 12, 29, 3, 0)  # Mon 28th is day 1, Tue 29th is day 2


def test_states_follow_jakarta_crop_colours():
    req, due = datetime(2026, 11, 2, 0, 0), datetime(2026, 11, 6, 0, 0)
    assert sla.sla_state(datetime(2026, 11, 3), req, due) == "on_time"
    assert sla.sla_state(datetime(2026, 11, 5, 12), req, due) == "due_soon"
    assert sla.sla_state(datetime(2026, 11, 6, 0, 1), req, due) == "late"
