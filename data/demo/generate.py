"""Vectorised generation of the demo city's rows: sensors, observations, complaints, service metrics.

Everything derives from one seeded numpy Generator, so the same seed and `end` give the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from data import geography, sla
from data.city import catalogue, zone
from data.demo import catalog, sites, weather

STORM_HOURS_BEFORE_END = 9
# The flood scenario: one Cisadane gauge passes danger level and people nearby report flooding.
FLOOD_GAUGE = "water-level-001"
FLOOD_SURGE_CM = 70.0
FLOOD_REPORTS_PER_SPOT = (3, 2, 1, 1, 2)
# Complaint lifecycle (hours): close ~ category median x lognormal; a few are forgotten and close much later.
# The live simulator closes open complaints with these same distributions (data/demo/lifecycle.py).
CLOSE_SIGMA = 0.9
STUCK_SHARE = 0.035
STUCK_FACTOR = 8.0
ACK_MEDIAN_H = 1.5
ACK_SIGMA = 0.8


@dataclass(frozen=True)
class DemoSpec:
    """How big a demo city to build and when its history ends (naive UTC)."""

    end: datetime
    days: int = 60
    complaints: int = 40_000
    observations: int = 400_000
    sensors: int = 60
    seed: int = 42

    @property
    def start(self) -> datetime:
        return (self.end - timedelta(days=self.days)).replace(minute=0, second=0, microsecond=0)

    @property
    def n_hours(self) -> int:
        return int((self.end - self.start).total_seconds() // 3600) + 1


@dataclass
class CityWeather:
    """The shared hourly series every generator reads: rain per district and river response."""

    hours: pd.DatetimeIndex
    rain: np.ndarray  # [hours x districts] mm/h
    district_codes: list[str]


def build_weather(spec: DemoSpec, rng: np.random.Generator) -> CityWeather:
    codes = [d.code for d in geography.districts()]
    city = weather.city_rain(rng, spec.start, spec.n_hours, STORM_HOURS_BEFORE_END)
    hours = pd.date_range(spec.start, periods=spec.n_hours, freq="h")
    return CityWeather(hours=hours, rain=weather.district_rain(rng, city, len(codes)), district_codes=codes)


# ---------------------------------------------------------------- sensors


def _kind_counts(total: int) -> dict[str, int]:
    base = {"water_level": 10, "rainfall": 13, "pm25": 8, "traffic_flow": 8, "noise": 5, "cctv": 16}
    scale = max(total, 6) / sum(base.values())
    counts = {k: max(1, round(v * scale)) for k, v in base.items()}
    counts["cctv"] += max(total, 6) - sum(counts.values())
    return counts


def build_sensors(spec: DemoSpec, rng: np.random.Generator, interval_s: int) -> pd.DataFrame:
    """Sensor registry rows: named sites first, extra sites near them when a bigger city is asked for."""
    districts = geography.districts()
    counts = _kind_counts(spec.sensors)
    rows = []
    for kind, n in counts.items():
        spec_k = catalogue().sensor_kind(kind)
        named = {"water_level": sites.river_gauges, "traffic_flow": sites.traffic_sites}.get(kind)
        placed = named(n, rng) if named else []
        for i in range(n):
            if placed:
                name, lat, lon = placed[i]
            else:
                d = districts[i % len(districts)]
                plat, plon = geography.random_points_in(d.geometry, 1, rng)
                lat, lon = float(plat[0]), float(plon[0])
                label = {"rainfall": "Penakar Hujan", "pm25": "AQMS", "noise": "Sonometer", "cctv": "CCTV"}[kind]
                name = f"{label} {d.name}" + (f" {i // len(districts) + 1}" if i >= len(districts) else "")
            suffix = f"-{i // 10 + 1}" if kind in ("water_level", "traffic_flow") and i >= 10 else ""
            rows.append(
                {
                    "id": f"{kind.replace('_', '-')}-{i + 1:03d}",
                    "name": name + suffix,
                    "kind": kind,
                    "unit": spec_k.unit,
                    "lat": round(float(lat), 6),
                    "lon": round(float(lon), 6),
                    "warning_threshold": spec_k.warning,
                    "danger_threshold": spec_k.danger,
                    "expected_interval_s": interval_s,
                    "network": spec_k.network,
                }
            )
    frame = pd.DataFrame(rows)
    frame["district_code"] = geography.locator().locate(frame["lat"].to_numpy(), frame["lon"].to_numpy())[0]
    frame["snapshot_url"] = np.where(frame["kind"] == "cctv", "/cctv/" + frame["id"] + "/snapshot.jpg", None)
    frame["datastream_id"] = None
    return frame


MIN_INTERVAL_S = 10  # the fastest a demo device reports


def _offline_count(sensors: int) -> int:
    """How many devices _offline_tail silences: one in 25, plus (nearly always) a dark camera."""
    return max(1, sensors // 25) + 1


def observation_interval_s(spec: DemoSpec) -> int:
    """The reporting interval (whole seconds) that stores the requested number of observations.

    Counts the hours the offline devices miss, so `seed --observations N` stores N within about 1 %;
    a size that would need devices reporting faster than every 10 s is refused with what to change."""
    span = (spec.end - spec.start).total_seconds()
    silent = _offline_count(spec.sensors)
    seconds = (spec.sensors * span - silent * OFFLINE_EXTRA_S) / (spec.observations + OFFLINE_READINGS * silent)
    if seconds < MIN_INTERVAL_S:
        fewest_sensors = math.ceil(spec.observations * MIN_INTERVAL_S / span)
        fewest_days = math.ceil(spec.observations * MIN_INTERVAL_S / (spec.sensors * 86_400))
        raise ValueError(
            f"{spec.observations:,} observations from {spec.sensors} sensors over {spec.days} days would need a "
            f"reading every {seconds:.1f} s; demo devices report at most every {MIN_INTERVAL_S} s. "
            f"Use --sensors {fewest_sensors} or more, --days {fewest_days} or more, or fewer --observations."
        )
    return int(round(seconds))


OFFLINE_EXTRA_S = 3 * 3600  # a silent device has been silent at least this long, plus 6-30 of its intervals
OFFLINE_READINGS = 18  # the mean of those 6-30 intervals


def _offline_tail(rng: np.random.Generator, sensors: pd.DataFrame, interval_s: int) -> dict[str, int]:
    """A few devices that stopped reporting hours ago, as real networks always have: id -> seconds cut."""
    n = max(1, len(sensors) // 25)
    chosen = list(rng.choice(sensors["id"].to_numpy(), size=n, replace=False))
    cameras = sensors.loc[sensors["kind"] == "cctv", "id"].to_numpy()
    if len(cameras) and not set(chosen) & set(cameras):
        chosen.append(rng.choice(cameras))  # a dark camera, which the CCTV wall must show as offline
    return {sid: int(rng.uniform(6, 30) * interval_s) + OFFLINE_EXTRA_S for sid in chosen}


def observation_series(
    spec: DemoSpec, rng: np.random.Generator, sensors: pd.DataFrame, wx: CityWeather, interval_s: int
) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Yield (sensor_id, times as datetime64[us], values) per sensor."""
    offline = _offline_tail(rng, sensors, interval_s)
    offline.pop(FLOOD_GAUGE, None)  # the flood scenario's gauge keeps reporting
    span = int((spec.end - spec.start).total_seconds())
    hour_pos = {c: i for i, c in enumerate(wx.district_codes)}
    city_mean_rain = wx.rain.mean(axis=1)
    for s in sensors.itertuples(index=False):
        n = span // interval_s
        phase = int(rng.integers(0, interval_s))
        offsets = np.arange(n, dtype=np.int64) * interval_s + phase
        cut = offline.get(s.id)
        if cut:
            offsets = offsets[offsets < span - cut]
        times = np.datetime64(spec.start, "us") + offsets.astype("timedelta64[s]")
        hour_idx = np.minimum(offsets // 3600, len(wx.hours) - 1)
        rain_here = wx.rain[:, hour_pos.get(s.district_code, 0)]
        wib_hour = ((offsets // 3600) + spec.start.hour + zone().offset_hours) % 24
        weekday = (times.astype("datetime64[D]").astype(np.int64) - 4) % 7  # 0 = Monday
        values = values_for(s.kind, rng, hour_idx, rain_here, city_mean_rain, wib_hour, weekday, s.id)
        if s.id == FLOOD_GAUGE:
            values = np.round(values + flood_surge((span - offsets) / 3600), 1)
        yield s.id, times, values


def values_for(
    kind: str,
    rng: np.random.Generator,
    hour_idx: np.ndarray,
    rain_here: np.ndarray,
    city_rain: np.ndarray,
    wib_hour: np.ndarray,
    weekday: np.ndarray,
    sensor_id: str,
) -> np.ndarray:
    """One sensor's readings from the hour's rain, the WIB clock and the weekday (the live simulator reuses it)."""
    n = len(hour_idx)
    rush = np.exp(-(((wib_hour - 7.5) / 1.5) ** 2)) + np.exp(-(((wib_hour - 17.5) / 2.0) ** 2))
    workday = np.where(weekday < 5, 1.0, 0.7)
    if kind == "rainfall":
        return np.round(np.maximum(0, rain_here[hour_idx] * rng.lognormal(0, 0.15, n)), 2)
    if kind == "water_level":
        base = 120 + (hash_unit(sensor_id) * 50)
        response = weather.river_response(city_rain)[hour_idx]
        tide = 6 * np.sin(2 * np.pi * (hour_idx % 12.4) / 12.4)
        return np.round(base + 1.5 * response + tide + rng.normal(0, 2.0, n), 1)
    if kind == "pm25":
        washout = np.exp(-rain_here[hour_idx] / 8)
        return np.round(np.maximum(3, (28 + 30 * rush) * washout * rng.lognormal(0, 0.25, n)), 1)
    if kind == "traffic_flow":
        flow = (350 + 2300 * rush * workday + 500 * ((wib_hour > 6) & (wib_hour < 21))) * (
            1 - 0.25 * (rain_here[hour_idx] > 5)
        )
        return np.round(np.maximum(0, flow * rng.lognormal(0, 0.08, n)))
    if kind == "noise":
        return np.round(52 + 16 * rush * workday + 4 * ((wib_hour > 6) & (wib_hour < 22)) + rng.normal(0, 2, n), 1)
    # cctv: 1 = online, with short outages
    return (rng.random(n) > 0.01).astype(float)


def hash_unit(text: str) -> float:
    """A stable number in [0, 1) from a string (Python's hash() is salted per process)."""
    return (sum((i + 1) * ord(ch) for i, ch in enumerate(text)) % 1000) / 1000.0


# ---------------------------------------------------------------- complaints


def hour_profile(wib_hour: np.ndarray) -> np.ndarray:
    """Relative complaint arrivals by WIB hour: a morning peak, an evening one, quiet nights."""
    return 0.15 + np.exp(-(((wib_hour - 10) / 2.5) ** 2)) + 0.7 * np.exp(-(((wib_hour - 20) / 2.0) ** 2))


def weekday_profile(weekday: np.ndarray) -> np.ndarray:
    """Relative complaint arrivals by weekday (0 = Monday): Mondays busiest, Sundays quietest."""
    return np.array([1.25, 1.1, 1.05, 1.0, 0.95, 0.75, 0.6])[weekday]


def build_complaints(
    spec: DemoSpec, rng: np.random.Generator, wx: CityWeather, river_districts: set[str]
) -> pd.DataFrame:
    """Complaints whose timing follows day, week and rain, placed inside the real district polygons."""
    districts = geography.districts()
    cats = catalogue().categories
    hours_wib = wx.hours + pd.Timedelta(zone().offset)
    base = hour_profile(hours_wib.hour.to_numpy()) * weekday_profile(hours_wib.day_of_week.to_numpy())
    pop = np.array([d.population for d in districts], dtype=float)
    pop = pop / pop.sum()
    river = np.array([d.code in river_districts for d in districts])
    pressure = np.stack([weather.flood_pressure(wx.rain[:, j]) for j in range(len(districts))], axis=1)

    share = np.array([c.share for c in cats])
    lam = base[:, None, None] * pop[None, :, None] * share[None, None, :]
    for k, c in enumerate(cats):
        if c.code == "banjir":
            lam[:, :, k] = pop[None, :] * np.clip(pressure - 15, 0, None) * np.where(river, 0.004, 0.001)[None, :]
        elif c.rain_driven:
            lam[:, :, k] *= 1 + np.clip(pressure - 10, 0, None) / 15
    lam *= spec.complaints / lam.sum()
    counts = rng.poisson(lam)
    h_idx, d_idx, c_idx = np.nonzero(counts)
    reps = counts[h_idx, d_idx, c_idx]
    h_idx, d_idx, c_idx = np.repeat(h_idx, reps), np.repeat(d_idx, reps), np.repeat(c_idx, reps)
    n = len(h_idx)

    start64 = np.datetime64(spec.start, "us")
    end64 = np.datetime64(spec.end, "us")
    offset_us = (h_idx.astype(np.int64) * 3600 + rng.integers(0, 3600, n)) * 1_000_000
    requested = start64 + offset_us.astype("timedelta64[us]")
    keep = requested <= end64
    h_idx, d_idx, c_idx, requested = h_idx[keep], d_idx[keep], c_idx[keep], requested[keep]
    order = np.argsort(requested, kind="stable")
    h_idx, d_idx, c_idx, requested = h_idx[order], d_idx[order], c_idx[order], requested[order]
    n = len(requested)

    lat = np.empty(n)
    lon = np.empty(n)
    for j, d in enumerate(districts):
        mask = d_idx == j
        if mask.any():
            lat[mask], lon[mask] = geography.random_points_in(d.geometry, int(mask.sum()), rng)
    outside = rng.random(n) < 0.002  # a few misplaced GPS fixes, kept and flagged as real feeds do
    min_lat, _, _, max_lon = geography.city_bounds()  # just beyond the city's south-east corner
    lat[outside] = min_lat - 0.045 + rng.random(outside.sum()) * 0.02
    lon[outside] = max_lon + 0.05 + rng.random(outside.sum()) * 0.02
    district_code, sub_code = geography.locator().locate(lat, lon)

    frame = pd.DataFrame(
        {
            "category": np.array([c.code for c in cats])[c_idx],
            "requested_at": requested,
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "district_code": district_code,
            "subdistrict_code": sub_code,
            "outside_city": district_code == None,  # noqa: E711 - elementwise on an object array
        }
    )
    _add_lifecycle(frame, rng, spec, c_idx)
    _add_text(frame, rng, c_idx)
    return frame


def _add_lifecycle(frame: pd.DataFrame, rng: np.random.Generator, spec: DemoSpec, c_idx: np.ndarray) -> None:
    """Acknowledge, work and close times by category; what has not happened by `end` sets the status."""
    cats = catalogue().categories
    n = len(frame)
    median = np.array([c.median_close_hours for c in cats])[c_idx]
    close_h = median * rng.lognormal(0, CLOSE_SIGMA, n)
    ack_h = np.minimum(close_h * 0.3, ACK_MEDIAN_H * rng.lognormal(0, ACK_SIGMA, n))
    work_h = ack_h + (close_h - ack_h) * rng.uniform(0.1, 0.6, n)
    stuck = rng.random(n) < STUCK_SHARE
    close_h = np.where(stuck, close_h * STUCK_FACTOR, close_h)  # forgotten reports, closed weeks late
    req = frame["requested_at"].to_numpy()
    end = np.datetime64(spec.end, "us")

    def at(hours: np.ndarray) -> np.ndarray:
        return req + (hours * 3_600_000_000).astype(np.int64).astype("timedelta64[us]")

    ack, work, close = at(ack_h), at(work_h), at(close_h)
    nat = np.datetime64("NaT", "us")
    close = np.where(close > end, nat, close)
    work = np.where(work > end, nat, work)
    ack = np.where(ack > end, nat, ack)
    status = np.full(n, "open", dtype=object)
    status[~np.isnat(ack)] = "acknowledged"
    status[~np.isnat(work)] = "in_progress"
    status[~np.isnat(close)] = "closed"
    frame["acknowledged_at"] = ack
    frame["in_progress_at"] = work
    frame["closed_at"] = close
    frame["status"] = status
    updated = np.where(~np.isnat(close), close, np.where(~np.isnat(work), work, np.where(~np.isnat(ack), ack, req)))
    frame["updated_at"] = updated
    frame["agency"] = np.array([c.agency for c in cats])[c_idx]
    channels = np.array(catalogue().channel_codes)
    frame["channel"] = rng.choice(channels, size=n, p=channel_shares())
    frame["service_code"] = frame["category"]
    limits = np.array([c.sla_working_days for c in cats])[c_idx]
    frame["due_at"] = sla.due_times(req, limits)


def channel_shares() -> np.ndarray:
    """Each catalogue channel's share of reports, summing to one (equal shares when the pack gives none)."""
    shares = np.array([c.share for c in catalogue().channels], dtype=float)
    return shares / shares.sum() if shares.sum() > 0 else np.full(len(shares), 1 / len(shares))


def _add_text(frame: pd.DataFrame, rng: np.random.Generator, c_idx: np.ndarray) -> None:
    n = len(frame)
    cats = catalogue().categories
    pick = rng.integers(0, 1000, n)
    street = np.array(catalog.STREETS)[rng.integers(0, len(catalog.STREETS), n)]
    number = rng.integers(1, 250, n)
    texts = np.empty(n, dtype=object)
    for k, c in enumerate(cats):
        mask = c_idx == k
        options = np.array(catalog.DESCRIPTIONS.get(c.code, (c.label_id,)))
        texts[mask] = options[pick[mask] % len(options)]
    frame["address"] = pd.Series(street).str.cat(pd.Series(number).astype(str), sep=" No. ").to_numpy()
    frame["description"] = pd.Series(texts).str.cat(pd.Series(street), sep=", dekat ").to_numpy()
    first = np.array(catalog.FIRST_NAMES)[rng.integers(0, len(catalog.FIRST_NAMES), n)]
    last = np.array(catalog.LAST_NAMES)[rng.integers(0, len(catalog.LAST_NAMES), n)]
    frame["reporter_name"] = pd.Series(first).str.cat(pd.Series(last), sep=" ").to_numpy()
    frame["reporter_phone"] = "08" + pd.Series(rng.integers(1_100_000_000, 1_999_999_999, n)).astype(str).to_numpy()
    year = frame["requested_at"].dt.year.astype(str).to_numpy()
    frame["source"] = "laksa"
    frame["source_id"] = pd.Series(year).str.cat(pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7), sep="-")
    frame["source_id"] = "TNG-" + frame["source_id"]


def flood_surge(hours_before_end: np.ndarray) -> np.ndarray:
    """Extra cm at the flood gauge: the sluice upstream opened after the storm, so it passes danger level."""
    return FLOOD_SURGE_CM * np.clip((4.0 - hours_before_end) / 3.0, 0.0, 1.0)


def flood_reports(spec: DemoSpec, sensors: pd.DataFrame) -> pd.DataFrame:
    """The flood scenario's reports: flooding near the gauge in the last hours, some spots reported twice."""
    rng = np.random.default_rng(spec.seed + 1)  # its own stream, so the rest of the city stays as it was
    gauge = sensors.loc[sensors["id"] == FLOOD_GAUGE].iloc[0]
    spots = len(FLOOD_REPORTS_PER_SPOT)
    bearing, dist_m = rng.uniform(0, 2 * np.pi, spots), rng.uniform(300, 1500, spots)
    spot = np.repeat(np.arange(spots), FLOOD_REPORTS_PER_SPOT)
    n = len(spot)
    north = dist_m[spot] * np.cos(bearing[spot]) + rng.normal(0, 30, n)
    east = dist_m[spot] * np.sin(bearing[spot]) + rng.normal(0, 30, n)
    lat = gauge["lat"] + north / 111_320
    lon = gauge["lon"] + east / (111_320 * np.cos(np.radians(gauge["lat"])))
    end = np.datetime64(spec.end, "us")
    requested = end - (rng.uniform(0.2, 3.0, n) * 3.6e9).astype("timedelta64[us]")
    district, sub = geography.locator().locate(lat, lon)
    ack = np.where(rng.random(n) < 0.3, requested + np.timedelta64(20, "m"), np.datetime64("NaT", "us"))
    ack = np.where(ack > end, np.datetime64("NaT", "us"), ack)
    nat = np.full(n, np.datetime64("NaT", "us"))
    texts = catalog.DESCRIPTIONS["banjir"]
    first = np.array(catalog.FIRST_NAMES)[rng.integers(0, len(catalog.FIRST_NAMES), n)]
    last = np.array(catalog.LAST_NAMES)[rng.integers(0, len(catalog.LAST_NAMES), n)]
    return pd.DataFrame(
        {
            "category": "banjir",
            "requested_at": requested,
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "district_code": district,
            "subdistrict_code": sub,
            "outside_city": district == None,  # noqa: E711 - elementwise on an object array
            "acknowledged_at": ack,
            "in_progress_at": nat,
            "closed_at": nat,
            "status": np.where(np.isnat(ack), "open", "acknowledged"),
            "updated_at": np.where(np.isnat(ack), requested, ack),
            "agency": "BPBD",
            "channel": rng.choice(["whatsapp", "call_112", "app", "social_media"], n),
            "service_code": "banjir",
            "due_at": sla.due_times(requested, np.full(n, sla.sla_working_days("banjir"))),
            "address": [f"{catalog.STREETS[i % len(catalog.STREETS)]} No. {10 + i}" for i in spot],
            "description": [f"{texts[i % len(texts)]}, dekat {gauge['name']}" for i in range(n)],
            "reporter_name": [f"{a} {b}" for a, b in zip(first, last, strict=True)],
            "reporter_phone": ["08" + str(x) for x in rng.integers(1_100_000_000, 1_999_999_999, n)],
            "source": "laksa",
            "source_id": [f"TNG-FLOOD-{spec.end:%Y%m%d}-{i + 1:03d}" for i in range(n)],
        }
    )


# ---------------------------------------------------------------- services


def build_service_metrics(spec: DemoSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Daily figures per connected service; today's row covers the hours so far."""
    end_wib = spec.end + zone().offset
    days = pd.date_range(end=end_wib.date(), periods=spec.days + 1, freq="D")
    frames = []
    fraction_today = (end_wib.hour * 3600 + end_wib.minute * 60) / 86_400
    for i, svc in enumerate(catalog.SERVICES):
        n = len(days)
        weekday = days.day_of_week.to_numpy()
        growth = np.linspace(0.9, 1.05, n)
        tx = svc.daily_transactions * growth * np.where(weekday < 5, 1.0, 0.55) * rng.lognormal(0, 0.1, n)
        tx[-1] *= fraction_today
        availability = np.minimum(100, 99.2 + rng.gamma(2, 0.25, n))
        outages = rng.random(n) < 0.03
        availability[outages] = rng.uniform(80, 97, outages.sum())
        if i % 9 == 4:  # a service having a bad day now, as there always is one
            availability[-1] = 96.4
        p95 = svc.base_p95_ms * rng.lognormal(0, 0.18, n) * np.where(outages, 2.5, 1.0)
        satisfaction = np.clip(4.2 + rng.normal(0, 0.15, n) - outages * 0.6, 1, 5)
        frames.append(
            pd.DataFrame(
                {
                    "service_code": svc.code,
                    "period_start": (days - pd.Timedelta(zone().offset)).to_numpy(),
                    "transactions": np.round(tx).astype(int),
                    "availability_pct": np.round(availability, 2),
                    "p95_response_ms": np.round(p95),
                    "satisfaction": np.round(satisfaction, 2),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
