"""Checks that the analysts' charts read from the rollups (received per hour, closures per agency by hour of
receipt) answer as the raw rows do."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from data.models import COMPLAINT_STATUSES
from data.queries import analyst as q
from data.queries import complaint_flows as flows
from data.queries.analyst_filter import AnalystFilter
from data.queries.analyst_records import count_records

CHARTS = {
    "over_time_day": lambda engine, flt: q.counts_over_time(engine, flt, "day"),
    "over_time_week": lambda engine, flt: q.counts_over_time(engine, flt, "week"),
    "heatmap": q.hour_weekday,
    "by_district": q.by_district,
    "by_category": lambda engine, flt: q.counts_by(engine, flt, "category"),
    "by_channel": lambda engine, flt: q.counts_by(engine, flt, "channel"),
    "records": lambda engine, flt: pd.DataFrame({"n": [count_records(engine, flt, datetime(2100, 1, 1))]}),
    "close_by_agency": q.close_by_agency,
}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(float)
    return out.sort_values(list(out.columns)).reset_index(drop=True)


def assert_rollup_equals_raw(engine: Engine, flt: AnalystFilter, charts: tuple[str, ...] = tuple(CHARTS)) -> None:
    """Every chart under `flt` equals the raw rows' answer: the same filter with every status listed, a
    condition only the raw rows carry and that keeps every row."""
    raw = replace(flt, statuses=tuple(COMPLAINT_STATUSES))
    assert not flows.answers_per_hour(raw)
    for name in charts:
        chart = CHARTS[name]
        pd.testing.assert_frame_equal(_sorted(chart(engine, flt)), _sorted(chart(engine, raw)), obj=name)
