"""Keep the demo city alive: new readings at each sensor's interval, new complaints, progressing statuses.

On start it first catches up from the newest stored data to now, so a demo seeded yesterday
shows today, not a frozen afternoon. Everything follows the seed's rhythms, so it can run for days.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from data import geography
from data.city import Category, catalogue, zone
from data.demo import catalog, rhythms
from data.demo.generate import channel_shares, hash_unit, values_for
from data.frames import frame_of
from data.ingest.sink import store_complaints, store_observations
from data.models import Complaint, Sensor, SensorLatest
from data.store import utcnow

MAX_CATCH_UP = timedelta(days=3)
FALLBACK_PER_HOUR = 25.0  # an empty store: about the default demo city's arrivals
RATE_WINDOW = timedelta(days=28)  # the history the arrival rate is learnt from
RIVER_MEMORY_H = 48  # hours of rain the river response looks back on (weather.river_response's kernel)
GLIDE_H = 3.0  # a river reading left by the seed (a flood peak) returns to its rain-driven level over hours


@dataclass
class TickReport:
    observations: int
    complaints: int
    progressed: int


class CitySimulator:
    """Generates what the city's feeds would have sent between the last tick and now.

    Readings, arrivals and closures follow the seed's own models (data/demo/rhythms.py), so a demo left
    running for days keeps the backlog, late share, SLA share and City Score the seed started with."""

    def __init__(self, engine: Engine, seed: int | None = None, publish: Callable | None = None) -> None:
        self.engine = engine
        self.rng = np.random.default_rng(seed)
        self.weather = rhythms.LiveWeather(42 if seed is None else seed)
        self.publish = publish  # when set (MQTT), readings go to the broker instead of the store
        self._serial = 0
        self._unit_rate: float | None = None
        self._last_progress: datetime | None = None
        self._last_arrivals: datetime | None = None

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

    # ------------------------------------------------------------ readings

    def _readings_until(self, now: datetime) -> list[tuple[str, datetime, float]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Sensor.id, Sensor.kind, Sensor.expected_interval_s, SensorLatest.observed_at, SensorLatest.value)
                .join(SensorLatest, SensorLatest.sensor_id == Sensor.id)
                .where(Sensor.active.is_(True))
            ).all()
        if not rows:
            return []
        # Devices silent for several intervals before the city's newest reading stay silent in the demo (a camera
        # reporting 0 recovers); judged against that reading, not the clock, so a catch-up or a long tick keeps all.
        newest = max(_as_datetime(row.observed_at) for row in rows)
        silent = {
            row.id
            for row in rows
            if (newest - _as_datetime(row.observed_at)).total_seconds() > 3 * row.expected_interval_s
        }
        window = (now - MAX_CATCH_UP - timedelta(hours=RIVER_MEMORY_H)).replace(minute=0, second=0, microsecond=0)
        city_rain = self.weather.rain(window, int((now - window).total_seconds() // 3600) + 1)
        out: list[tuple[str, datetime, float]] = []
        for sid, kind, interval, last_at, last_value in rows:
            if sid in silent:
                continue  # a dead device stays dead in the demo, as the wall should show
            last_at = _as_datetime(last_at)
            start = max(last_at, now - MAX_CATCH_UP)
            n = int((now - start).total_seconds() // interval)
            if n <= 0:
                continue
            times = pd.DatetimeIndex([start + timedelta(seconds=interval * (i + 1)) for i in range(n)]).floor("s")
            values = self._values(sid, kind, times, window, city_rain, last_at, last_value)
            out.extend(zip([sid] * n, times.to_pydatetime().tolist(), values.tolist(), strict=True))
        return out

    def _values(
        self,
        sensor_id: str,
        kind: str,
        times: pd.DatetimeIndex,
        window: datetime,
        city_rain: np.ndarray,
        last_at: datetime,
        last_value: float | None,
    ) -> np.ndarray:
        """The seed's value model at these times, with this sensor's share of the city's rain."""
        hour_idx = ((times - pd.Timestamp(window)).total_seconds() // 3600).astype(int).to_numpy()
        rain_here = city_rain * (0.7 + 0.6 * hash_unit(sensor_id)) * self.rng.lognormal(0, 0.35, len(city_rain))
        wib = times + pd.Timedelta(zone().offset)
        values = values_for(
            kind,
            self.rng,
            hour_idx,
            rain_here,
            city_rain,
            wib.hour.to_numpy(),
            wib.day_of_week.to_numpy(),
            sensor_id,
        )
        if kind == "water_level" and last_value is not None:
            hours_on = (times - pd.Timestamp(last_at)).total_seconds().to_numpy() / 3600
            values = np.round(values + (float(last_value) - values[0]) * np.exp(-hours_on / GLIDE_H), 1)
        return values.astype(float)

    # ------------------------------------------------------------ complaints

    def _arrival_unit_rate(self, now: datetime) -> float:
        """Complaints per hour per unit of the seed's rhythm, learnt from the last weeks of history."""
        if self._unit_rate is None:
            with self.engine.connect() as conn:
                n, first, last = conn.execute(
                    select(func.count(), func.min(Complaint.requested_at), func.max(Complaint.requested_at)).where(
                        Complaint.category != "banjir", Complaint.requested_at >= now - RATE_WINDOW
                    )
                ).one()
            if not n or first is None:
                week = pd.date_range(now, periods=168, freq="h")
                self._unit_rate = FALLBACK_PER_HOUR / float(rhythms.rhythm(week).mean())
            else:
                hours = pd.date_range(pd.Timestamp(first).floor("h"), pd.Timestamp(last).floor("h"), freq="h")
                self._unit_rate = n / float(rhythms.rhythm(hours).sum())
        return self._unit_rate

    def _new_complaints(self, now: datetime) -> int:
        """Arrivals since the last tick (at start: since the newest stored complaint). The span is remembered, not
        read back from the newest complaint, which lies before `now` and would have the next tick draw it again."""
        if self._last_arrivals is None:
            with self.engine.connect() as conn:
                last = _as_datetime(
                    conn.execute(select(func.max(Complaint.requested_at)).where(Complaint.source == "laksa")).scalar()
                )
            self._last_arrivals = max(last or now - timedelta(minutes=1), now - MAX_CATCH_UP)
        start, self._last_arrivals = min(self._last_arrivals, now), now
        unit = self._arrival_unit_rate(now)
        records = []
        for a, b in _hour_slices(start, now):
            rhythm_now = float(rhythms.rhythm(pd.DatetimeIndex([a]))[0])
            rates = rhythms.category_rates(unit, rhythm_now, self.weather.pressure(a))
            hours = (b - a).total_seconds() / 3600
            for category, rate in rates.items():
                for _ in range(int(self.rng.poisson(rate * hours))):
                    at = a + timedelta(seconds=float(self.rng.uniform(0, (b - a).total_seconds())))
                    records.append(self._complaint(category, at))
        return store_complaints(self.engine, records, actor="simulator").inserted if records else 0

    def _complaint(self, c: Category, at: datetime) -> dict:
        districts = geography.districts()
        weights = np.array([d.population for d in districts], dtype=float)
        d = districts[self.rng.choice(len(districts), p=weights / weights.sum())]
        lat, lon = geography.random_points_in(d.geometry, 1, self.rng)
        self._serial += 1
        street = catalog.STREETS[self.rng.integers(len(catalog.STREETS))]
        texts = catalog.DESCRIPTIONS.get(c.code, (c.label_id,))
        return {
            "source": "laksa",
            "source_id": f"TNG-LIVE-{at:%Y%m%d%H%M%S}-{self._serial:04d}-{self.rng.integers(1e6):06d}",
            "category": c.code,
            "service_code": c.code,
            "status": "open",
            "channel": str(self.rng.choice(catalogue().channel_codes, p=channel_shares())),
            "agency": c.agency,
            "requested_at": at.replace(microsecond=0),
            "description": f"{texts[self.rng.integers(len(texts))]}, dekat {street}",
            "address": f"{street} No. {self.rng.integers(1, 250)}",
            "lat": round(float(lat[0]), 6),
            "lon": round(float(lon[0]), 6),
        }

    def _progress_complaints(self, now: datetime) -> int:
        """Acknowledge, start and close open complaints with the seed's per-category delays."""
        with self.engine.connect() as conn:
            frame = frame_of(
                conn.execute(
                    select(
                        Complaint.source,
                        Complaint.source_id,
                        Complaint.status,
                        Complaint.requested_at,
                        Complaint.updated_at,
                        Complaint.category,
                    ).where(Complaint.status != "closed")
                )
            )
            if self._last_progress is None:
                newest = _as_datetime(conn.execute(select(func.max(Complaint.updated_at))).scalar())
                self._last_progress = max(newest or now, now - MAX_CATCH_UP)
        since, self._last_progress = min(self._last_progress, now), now
        if frame.empty or since >= now:
            return 0
        steps = rhythms.next_steps(frame, since, now, self.rng)
        moved = frame[steps.notna()]
        span = (now - since).total_seconds()
        updates = []
        for row, status in zip(moved.itertuples(index=False), steps[steps.notna()], strict=True):
            at = since + timedelta(seconds=float(self.rng.uniform(0, span)))
            previous = pd.Timestamp(row.updated_at).to_pydatetime()
            updates.append(
                {
                    "source": row.source,
                    "source_id": row.source_id,
                    "status": status,
                    "requested_at": pd.Timestamp(row.requested_at).to_pydatetime(),
                    "updated_at": min(max(at, previous), now).replace(microsecond=0),
                    "category": row.category,
                }  # fmt: skip
            )
        return store_complaints(self.engine, updates, actor="simulator").updated if updates else 0


def _as_datetime(value: object) -> datetime | None:
    """SQLite hands some aggregates back as text."""
    return value if value is None or isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _hour_slices(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at whole hours, since the arrival rate changes by the hour."""
    out = []
    a = start
    while a < end:
        b = min(end, a.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        out.append((a, b))
        a = b
    return out


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
