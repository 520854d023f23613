import hashlib

import numpy as np
import pandas as pd
from sqlalchemy import text

from data.demo.generate import DemoSpec
from data.demo.seed import seed_demo_city
from data.store import make_engine
from tests.conftest import DEMO_END


def _fingerprint(engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table, order in (("complaints", "id"), ("observations", "sensor_id, observed_at"), ("sensors", "id"),
                             ("service_metrics", "id")):  # fmt: skip
            for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}")):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_seed_builds_the_same_city_and_another_seed_a_different_one(tmp_path):
    spec = DemoSpec(end=DEMO_END, days=5, complaints=1500, observations=8000, sensors=12, seed=3)
    prints = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        seed_demo_city(engine, DemoSpec(**{**spec.__dict__, "seed": seed}))
        prints.append(_fingerprint(engine))
        engine.dispose()
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def test_every_complaint_lies_in_its_district_or_is_flagged_outside(small_city):
    with small_city.connect() as conn:
        unplaced = conn.execute(
            text("SELECT COUNT(*) FROM complaints WHERE district_code IS NULL AND outside_city = 0")
        ).scalar()
        outside = conn.execute(text("SELECT COUNT(*) FROM complaints WHERE outside_city = 1")).scalar()
        total = conn.execute(text("SELECT COUNT(*) FROM complaints")).scalar()
    assert unplaced == 0
    assert 0 < outside < total * 0.01


def test_flood_complaints_rise_after_rain(small_city):
    """Daily city rain against the next day's flood reports: strongly and positively correlated."""
    with small_city.connect() as conn:
        rain = pd.read_sql(
            text("SELECT date(hour, '+7 hours') AS day, SUM(total / n) AS rain FROM observations_hourly h "
                 "JOIN sensors s ON s.id = h.sensor_id WHERE s.kind = 'rainfall' GROUP BY day"), conn)  # fmt: skip
        floods = pd.read_sql(
            text("SELECT date(requested_at, '+7 hours') AS day, COUNT(*) AS n FROM complaints "
                 "WHERE category = 'banjir' GROUP BY day"), conn)  # fmt: skip
    both = rain.merge(floods, on="day", how="left").fillna({"n": 0})
    assert both["rain"].sum() > 0 and both["n"].sum() > 0
    assert np.corrcoef(both["rain"], both["n"])[0, 1] > 0.5


def test_complaints_follow_a_daily_rhythm(small_city):
    with small_city.connect() as conn:
        by_hour = dict(conn.execute(text(
            "SELECT CAST(strftime('%H', requested_at, '+7 hours') AS INTEGER) h, COUNT(*) FROM complaints "
            "WHERE category != 'banjir' GROUP BY h")).all())  # fmt: skip
    assert by_hour[10] > 3 * by_hour[3]  # mid-morning far busier than 03:00 WIB


def test_history_ends_at_the_moment_of_generation(small_city):
    with small_city.connect() as conn:
        newest = conn.execute(text("SELECT MAX(observed_at) FROM observations")).scalar()
        newest_complaint = conn.execute(text("SELECT MAX(requested_at) FROM complaints")).scalar()
    assert newest <= DEMO_END.isoformat(" ") and newest >= (DEMO_END.replace(hour=3)).isoformat(" ")
    assert newest_complaint <= DEMO_END.isoformat(" ")
