"""Keep the demo city alive: new readings at each sensor's interval, new complaints, progressing statuses.

On start it first catches up from the newest stored data to now, so a demo seeded yesterday
shows today, not a frozen afternoon.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, func, select

from data import geography
from data.city import catalogue
from data.demo import catalog
from data.demo.generate import channel_shares, hash_unit
from data.ingest.sink import store_complaints, store_observations
from data.models import Complaint, Sensor, SensorLatest
from data.queries.sensors import sensor_states
from data.store import utcnow

MAX_CATCH_UP = timedelta(days=3)
COMPLAINTS_PER_HOUR = 25.0


@dataclass
class TickReport:
    observations: int
    complaints: int
    progressed: int


class CitySimulator:
    """Generates what the city's feeds would have sent between the last tick and now."""

    def __init__(self, engine: Engine, seed: int | None = None, publish: Callable | None = None) -> None:
        self.engine = engine
        self.rng = np.random.default_rng(seed)
        self.publish = publish  # when set (MQTT), readings go to the broker instead of the store
        self._serial = 0

    def tick(self, now: datetime | None = None) -> TickReport:
        now = now or utcnow()
        readings = self._readings_until(now)
        if self.publish:
            for reading in readings:
                self.publish(*reading)
        else:
            store_observations(self.engine, readings)
        created = self._new_complaints(now)
        progressed = self._progress_complaints(now)
        return TickReport(len(readings), created, progressed)

    def _readings_until(self, now: datetime) -> list[tuple[str, datetime, float]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    Sensor.id,
                    Sensor.kind,
                    Sensor.expected_interval_s,
                    Sensor.danger_threshold,
                    SensorLatest.observed_at,
                    SensorLatest.value,
                )  # fmt: skip
                .join(SensorLatest, SensorLatest.sensor_id == Sensor.id)
                .where(Sensor.active.is_(True))
            ).all()
        states = sensor_states(self.engine, now) if rows else None
        # Devices silent for several intervals stay silent in the demo (a camera reporting 0 recovers).
        silent = set() if states is None else set(states.loc[states["age_s"] > 3 * states["expected_interval_s"], "id"])
        out: list[tuple[str, datetime, float]] = []
        for sid, kind, interval, _danger, last_at, last_value in rows:
            if sid in silent:
                continue  # a dead device stays dead in the demo, as the wall should show
            last_at = last_at if isinstance(last_at, datetime) else datetime.fromisoformat(str(last_at))
            start = max(last_at, now - MAX_CATCH_UP)
            t = start + timedelta(seconds=interval)
            value = last_value
            while t <= now:
                value = self._next_value(kind, value, t, sid)
                out.append((sid, t.replace(microsecond=0), value))
                t += timedelta(seconds=interval)
        return out

    def _next_value(self, kind: str, previous: float, at: datetime, sensor_id: str) -> float:
        wib_hour = (at.hour + 7) % 24
        rush = np.exp(-(((wib_hour - 7.5) / 1.5) ** 2)) + np.exp(-(((wib_hour - 17.5) / 2.0) ** 2))
        if kind == "water_level":
            base = 120 + hash_unit(sensor_id) * 50
            return round(float(previous + (base - previous) * 0.02 + self.rng.normal(0, 1.2)), 1)
        if kind == "rainfall":
            return round(
                float(max(0.0, previous * 0.8 + (self.rng.gamma(1.2, 3) if self.rng.random() < 0.03 else 0))), 2
            )
        if kind == "pm25":
            return round(float(max(3, (28 + 30 * rush) * self.rng.lognormal(0, 0.2))), 1)
        if kind == "traffic_flow":
            return float(round(max(0, (350 + 2300 * rush + 500 * (6 < wib_hour < 21)) * self.rng.lognormal(0, 0.08))))
        if kind == "noise":
            return round(float(52 + 16 * rush + self.rng.normal(0, 2)), 1)
        return float(self.rng.random() > 0.01)

    def _new_complaints(self, now: datetime) -> int:
        with self.engine.connect() as conn:
            last = conn.execute(select(func.max(Complaint.requested_at)).where(Complaint.source == "laksa")).scalar()
        last = last if isinstance(last, datetime) or last is None else datetime.fromisoformat(str(last))
        start = max(last or now - timedelta(minutes=1), now - MAX_CATCH_UP)
        hours = (now - start).total_seconds() / 3600
        n = int(self.rng.poisson(COMPLAINTS_PER_HOUR * hours))
        if n == 0:
            return 0
        districts = geography.districts()
        weights = np.array([d.population for d in districts], dtype=float)
        cats = [c for c in catalogue().categories if c.share > 0]
        shares = np.array([c.share for c in cats])
        records = []
        for _ in range(n):
            d = districts[self.rng.choice(len(districts), p=weights / weights.sum())]
            c = cats[self.rng.choice(len(cats), p=shares / shares.sum())]
            lat, lon = geography.random_points_in(d.geometry, 1, self.rng)
            at = start + timedelta(seconds=float(self.rng.uniform(0, (now - start).total_seconds())))
            self._serial += 1
            street = catalog.STREETS[self.rng.integers(len(catalog.STREETS))]
            records.append(
                {
                    "source": "laksa",
                    "source_id": f"TNG-LIVE-{at:%Y%m%d%H%M%S}-{self._serial:04d}-{self.rng.integers(1e6):06d}",
                    "category": c.code,
                    "service_code": c.code,
                    "status": "open",
                    "channel": str(self.rng.choice(catalogue().channel_codes, p=channel_shares())),
                    "agency": c.agency,
                    "requested_at": at.replace(microsecond=0),
                    "description": f"{catalog.DESCRIPTIONS.get(c.code, (c.label_id,))[0]}, dekat {street}",
                    "address": f"{street} No. {self.rng.integers(1, 250)}",
                    "lat": round(float(lat[0]), 6),
                    "lon": round(float(lon[0]), 6),
                }
            )
        return store_complaints(self.engine, records, actor="simulator").inserted

    def _progress_complaints(self, now: datetime) -> int:
        """Move a few open complaints a step forward, as desks do through the day."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    Complaint.source, Complaint.source_id, Complaint.status, Complaint.requested_at, Complaint.category
                )  # fmt: skip
                .where(Complaint.status != "closed")
                .order_by(Complaint.requested_at)
                .limit(400)
            ).all()
        step = {"open": "acknowledged", "acknowledged": "in_progress", "in_progress": "closed"}
        updates = []
        for source, source_id, status, requested_at, category in rows:
            if self.rng.random() < 0.04:
                updates.append(
                    {
                        "source": source,
                        "source_id": source_id,
                        "status": step[status],
                        "requested_at": requested_at,
                        "updated_at": now.replace(microsecond=0),
                        "category": category,
                    }  # fmt: skip
                )
        return store_complaints(self.engine, updates, actor="simulator").updated if updates else 0


def run_forever(engine: Engine, every_s: float, stop: Callable[[], bool] = lambda: False, **kw: object) -> None:
    """Tick until `stop()` says so; a failed tick (database busy or down) is retried at the next one."""
    simulator = CitySimulator(engine, **kw)  # type: ignore[arg-type]
    while not stop():
        try:
            simulator.tick()
        except Exception as exc:  # noqa: BLE001 - the simulator must outlive a database hiccup
            print(f"simulate: tick failed ({type(exc).__name__}: {exc}); retrying", flush=True)
        time.sleep(every_s)


__all__ = ["CitySimulator", "TickReport", "run_forever"]
