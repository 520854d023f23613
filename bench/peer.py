"""The peer: the way most Dash apps are written, every table in pandas at start, filtered in memory.

Run as its own process (`python -m bench.peer URL OUT.json`) so its start time and memory are its own.
Each figure is the same one the room shows (same definitions as data/queries), so speeds compare.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import timedelta

import numpy as np
import pandas as pd
import psutil
from sqlalchemy import text

from bench.stats import time_calls
from data.city import zone
from data.store import make_engine, utcnow

TABLES = ("complaints", "observations", "sensors", "services", "service_metrics", "districts")
DATES = {
    "complaints": ["requested_at", "updated_at", "closed_at", "due_at", "expected_at"],
    "observations": ["observed_at"],
    "service_metrics": ["period_start"],
}


def load(url: str) -> dict[str, pd.DataFrame]:
    engine = make_engine(url)
    frames = {}
    with engine.connect() as conn:
        for name in TABLES:
            frames[name] = pd.read_sql(text(f"SELECT * FROM {name}"), conn)
            for col in DATES.get(name, []):
                frames[name][col] = pd.to_datetime(frames[name][col], format="mixed")
    engine.dispose()
    obs = frames["observations"]
    frames["observations"] = obs.sort_values(["sensor_id", "observed_at"], ignore_index=True)
    return frames


def figures(f: dict[str, pd.DataFrame], now: pd.Timestamp) -> dict[str, callable]:
    c, obs, sensors = f["complaints"], f["observations"], f["sensors"]
    day_start = (now + zone().offset).normalize() - zone().offset

    def complaint_kpis() -> dict:
        still_open = (c["status"] != "closed") & (c["requested_at"] <= now)
        closed = c[(c["closed_at"] >= now - timedelta(days=30)) & (c["closed_at"] <= now)]
        close_h = (closed["closed_at"] - closed["requested_at"]).dt.total_seconds() / 3600
        return {
            "open": int(still_open.sum()),
            "late": int(((c["status"] != "closed") & (c["due_at"] < now)).sum()),
            "today": int(((c["requested_at"] >= day_start) & (c["requested_at"] <= now)).sum()),
            "closed_today": int(((c["closed_at"] >= day_start) & (c["closed_at"] <= now)).sum()),
            "sla": float((closed["closed_at"] <= closed["due_at"]).mean()),
            "median": float(close_h.median()),
            "p90": float(close_h.quantile(0.9)),
            "age": float(((now - c.loc[still_open, "requested_at"]).dt.total_seconds() / 3600).median()),
        }

    def open_by_district() -> pd.DataFrame:
        o = c[(c["status"] != "closed") & (c["requested_at"] <= now)]
        return o.groupby("district_code").agg(open=("id", "size"), late=("due_at", lambda s: int((s < now).sum())))

    def sensor_states() -> pd.DataFrame:
        last = obs.groupby("sensor_id", sort=False).tail(2)
        return sensors.merge(last.groupby("sensor_id").last(), left_on="id", right_index=True, how="left")

    def hourly_trend_7d() -> pd.DataFrame:
        week = obs[obs["observed_at"] >= now - timedelta(days=7)]
        return week.groupby(["sensor_id", week["observed_at"].dt.floor("h")])["value"].agg(["mean", "min", "max"])

    def district_category_30d() -> pd.DataFrame:
        w = c[(c["requested_at"] >= now - timedelta(days=30)) & (c["requested_at"] < now)]
        return w.groupby(["district_code", "category"]).size()

    def analyst_filter() -> pd.DataFrame:
        w = c[(c["requested_at"] >= now - timedelta(days=90)) & (c["district_code"] == "36.71.01")]
        return w.groupby([(w["requested_at"] + zone().offset).dt.date, "category"]).size()

    def service_health() -> pd.DataFrame:
        m = f["service_metrics"]
        m = m[m["period_start"] <= now]
        return m.loc[m.groupby("service_id")["period_start"].idxmax()]

    return {
        "complaint_kpis": complaint_kpis,
        "open_by_district": open_by_district,
        "sensor_states": sensor_states,
        "hourly_trend_7d": hourly_trend_7d,
        "district_category_30d": district_category_30d,
        "analyst_filter_90d": analyst_filter,
        "service_health": service_health,
    }


def main(url: str, out: str, runs: int) -> None:
    started = time.perf_counter()
    frames = load(url)
    load_s = time.perf_counter() - started
    rss_after_load = psutil.Process().memory_info().rss / 1e6
    now = pd.Timestamp(utcnow())
    timings = {name: time_calls(fn, runs).__dict__ for name, fn in figures(frames, now).items()}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KB on Linux
    result = {"load_s": load_s, "rss_mb": max(rss_after_load, peak), "timings": timings,
              "rows": {k: len(v) for k, v in frames.items()}}  # fmt: skip
    with open(out, "w") as fh:
        json.dump(result, fh, default=lambda o: o.item() if isinstance(o, np.generic) else str(o))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 20)
