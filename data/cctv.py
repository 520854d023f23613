"""The city's cameras: which to show, which are nearest an incident, and the demo cameras' own pictures.

Cameras are sensors of kind `cctv`; their heartbeat (1 = online) arrives like any reading, so a camera
is offline by the same rule as every sensor. Demo cameras have no real picture: `render_snapshot` draws a
street-like scene with the camera's name and WIB time on it, so the CCTV wall works offline and in tests.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from data.demo.generate import hash_unit
from data.models import Sensor, SensorLatest
from data.queries.sensors import classify, sensor_states
from data.timebuckets import to_wib

CCTV = "cctv"
DEFAULT_SNAPSHOT_INTERVAL_S = 10
EARTH_RADIUS_M = 6_371_000.0
SNAPSHOT_SIZE = (640, 360)


def local_snapshot_path(sensor_id: str) -> str:
    """The app's own snapshot route for a camera (what demo cameras point at)."""
    return f"/cctv/{sensor_id}/snapshot.jpg"


def cameras(engine: Engine, now: datetime, district: str | None = None) -> pd.DataFrame:
    """Every active camera with state (online means normal here), age of its last heartbeat and refresh interval."""
    # all kinds, then cameras: sensor_states(kind="cctv") alone has only empty thresholds and cannot classify them
    frame = sensor_states(engine, now, district=district)
    frame = frame[frame["kind"] == CCTV].copy() if not frame.empty else frame
    if frame.empty:
        return pd.DataFrame(columns=["id", "name", "district_code", "lat", "lon", "state", "age_s", "snapshot_url",
                                     "stream_url", "snapshot_interval_s"])  # fmt: skip
    with engine.connect() as conn:
        intervals = dict(conn.execute(select(Sensor.id, Sensor.snapshot_interval_s).where(Sensor.kind == CCTV)).all())
    frame["snapshot_interval_s"] = [intervals.get(i) or DEFAULT_SNAPSHOT_INTERVAL_S for i in frame["id"]]
    frame["online"] = frame["state"] != "offline"
    return frame.reset_index(drop=True)


def haversine_m(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres from one point to many."""
    p1, p2 = math.radians(lat), np.radians(lats)
    dphi, dlmb = p2 - p1, np.radians(lons) - math.radians(lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def nearest_cameras(engine: Engine, lat: float, lon: float, n: int = 4, now: datetime | None = None) -> pd.DataFrame:
    """The n active cameras nearest a point (the database orders them), with distance_m, state and URLs.

    For incidents: their tiles open the CCTV screen on exactly these cameras.
    """
    from data.store import utcnow

    if n <= 0:
        return cameras(engine, now or utcnow()).head(0).assign(distance_m=[])
    scale = math.cos(math.radians(lat))
    distance2 = func.pow(Sensor.lat - lat, 2) + func.pow((Sensor.lon - lon) * scale, 2)
    if engine.dialect.name == "sqlite":  # SQLite may lack pow(); a product is the same square
        distance2 = (Sensor.lat - lat) * (Sensor.lat - lat) + ((Sensor.lon - lon) * scale) * (
            (Sensor.lon - lon) * scale
        )
    stmt = select(Sensor.id).where(Sensor.kind == CCTV, Sensor.active.is_(True)).order_by(distance2, Sensor.id).limit(n)
    with engine.connect() as conn:
        ids = list(conn.execute(stmt).scalars())
    frame = cameras(engine, now or utcnow())
    frame = frame[frame["id"].isin(ids)].copy()
    frame["distance_m"] = haversine_m(lat, lon, frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)).round()
    return frame.sort_values(["distance_m", "id"]).reset_index(drop=True)


def camera(engine: Engine, sensor_id: str, now: datetime) -> dict | None:
    """One camera's name, URLs and state (normal or offline), or None if there is no such active camera."""
    stmt = (
        select(
            Sensor.id,
            Sensor.name,
            Sensor.kind,
            Sensor.expected_interval_s,
            Sensor.snapshot_url,
            Sensor.stream_url,
            Sensor.snapshot_interval_s,
            Sensor.warning_threshold,
            Sensor.danger_threshold,
            SensorLatest.value,
            SensorLatest.observed_at,
        )  # fmt: skip
        .join(SensorLatest, SensorLatest.sensor_id == Sensor.id, isouter=True)
        .where(Sensor.id == sensor_id, Sensor.kind == CCTV, Sensor.active.is_(True))
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    frame = pd.DataFrame([dict(row)])
    numeric = ["value", "warning_threshold", "danger_threshold", "expected_interval_s"]
    frame[numeric] = frame[numeric].astype(float)
    frame["observed_at"] = pd.to_datetime(frame["observed_at"])
    frame["age_s"] = (pd.Timestamp(now) - frame["observed_at"]).dt.total_seconds()
    out = frame.iloc[0].to_dict()
    out["state"] = str(classify(frame, now)[0])
    return out


# ---------------------------------------------------------------- demo pictures


def _sky(hour: float) -> tuple[tuple[int, int, int], tuple[int, int, int], float]:
    """Top and horizon sky colours and how lit the scene is (0 night .. 1 noon) for a WIB hour."""
    light = max(0.0, math.sin(math.pi * (hour - 6) / 12)) if 6 <= hour <= 18 else 0.0
    if 5.5 <= hour < 7 or 17 <= hour < 18.7:
        return (70, 80, 130), (235, 150, 90), max(light, 0.35)
    night_top, day_top = np.array([10, 14, 32]), np.array([110, 160, 215])
    night_low, day_low = np.array([25, 32, 60]), np.array([200, 215, 230])
    top = tuple(int(v) for v in night_top + (day_top - night_top) * light)
    low = tuple(int(v) for v in night_low + (day_low - night_low) * light)
    return top, low, light


def _shade(colour: tuple[int, int, int], light: float) -> tuple[int, int, int]:
    k = 0.35 + 0.65 * light
    return tuple(int(c * k) for c in colour)


@lru_cache(maxsize=256)
def render_snapshot(sensor_id: str, name: str, moment_utc: datetime) -> bytes:
    """A JPEG street scene for a demo camera at a moment: road or river, traffic moving with time, name and WIB time.

    `lru_cache` suffices: a pure function of its arguments (no database), asked again by every screen showing it."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = SNAPSHOT_SIZE
    wib = to_wib(moment_utc)
    hour = wib.hour + wib.minute / 60
    top, low, light = _sky(hour)
    rng = np.random.default_rng(int(hash_unit(sensor_id) * 1e6))
    horizon = int(h * (0.38 + 0.1 * hash_unit(sensor_id[::-1])))
    gradient = np.linspace(0, 1, horizon)[:, None]
    sky = (np.array(top) * (1 - gradient) + np.array(low) * gradient).astype(np.uint8)
    img = Image.new("RGB", (w, h), _shade((90, 95, 90), light))
    img.paste(Image.fromarray(np.repeat(sky[:, None, :], w, axis=1).reshape(horizon, w, 3)), (0, 0))
    draw = ImageDraw.Draw(img)
    x = 0
    while x < w:  # buildings along the horizon, windows lit at night
        bw, bh = int(rng.integers(40, 110)), int(rng.integers(30, horizon - 10))
        draw.rectangle([x, horizon - bh, x + bw, horizon], fill=_shade(tuple(rng.integers(70, 170, 3)), light))
        for wy in range(horizon - bh + 8, horizon - 8, 14):
            for wx in range(x + 6, x + bw - 8, 14):
                lit = light < 0.3 and rng.random() < 0.55
                draw.rectangle([wx, wy, wx + 6, wy + 7], fill=(250, 220, 120) if lit else _shade((60, 70, 80), light))
        x += bw + int(rng.integers(2, 12))
    river = hash_unit(sensor_id) > 0.7
    road_colour = _shade((70, 110, 130) if river else (55, 55, 58), light)
    draw.polygon([(w * 0.42, horizon), (w * 0.58, horizon), (w * 1.05, h), (-w * 0.05, h)], fill=road_colour)
    if not river:
        for i in range(8):  # lane markings, getting longer towards the camera
            y0 = horizon + (h - horizon) * (i / 8) ** 1.6
            y1 = horizon + (h - horizon) * ((i + 0.5) / 8) ** 1.6
            draw.line([(w / 2, y0), (w / 2, y1)], fill=_shade((230, 230, 210), light), width=max(1, int(1 + i)))
    seconds = (moment_utc - datetime(1970, 1, 1)).total_seconds()
    for lane in range(6):  # vehicles (or boats) moving along, positions follow the clock
        speed = 0.05 + 0.04 * lane
        pos = (seconds * speed / 10 + lane * 0.37 + hash_unit(sensor_id + str(lane))) % 1.0
        y = horizon + (h - horizon) * pos**1.4
        size = 6 + 60 * pos**1.4
        side = -1 if lane % 2 else 1
        cx = w / 2 + side * (0.12 + 0.3 * pos) * w * (0.5 if river else 0.8) * (0.3 + 0.2 * (lane % 3))
        colour = tuple(int(c) for c in rng.integers(40, 230, 3))
        draw.rectangle([cx - size, y - size * 0.55, cx + size, y], fill=_shade(colour, light))
        if light < 0.3 and not river:
            draw.ellipse([cx - size * 0.8, y - size * 0.25, cx - size * 0.5, y - size * 0.05], fill=(255, 240, 180))
            draw.ellipse([cx + size * 0.5, y - size * 0.25, cx + size * 0.8, y - size * 0.05], fill=(255, 240, 180))
    noise = Image.effect_noise((w, h), 18).convert("RGB")
    img = Image.blend(img, noise, 0.08)
    draw = ImageDraw.Draw(img, "RGBA")
    font = ImageFont.load_default(size=20)
    draw.rectangle([0, 0, w, 34], fill=(0, 0, 0, 150))
    draw.text((10, 6), name, font=font, fill=(255, 255, 255))
    stamp = wib.strftime("%d-%m-%Y %H:%M:%S %Z")
    draw.text((w - 10 - draw.textlength(stamp, font=font), 6), stamp, font=font, fill=(255, 255, 255))
    draw.ellipse([12, h - 26, 24, h - 14], fill=(220, 30, 30))
    draw.text((30, h - 30), f"REC  {sensor_id}", font=ImageFont.load_default(size=16), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=72)
    return out.getvalue()


def incident_point(engine: Engine, incident_id: int) -> tuple[float, float] | None:
    """Where an incident is (lat, lon), or None when there is no such incident (or no incidents table yet)."""
    from sqlalchemy import inspect, text

    if not inspect(engine).has_table("incidents"):
        return None
    with engine.connect() as conn:
        row = conn.execute(text("SELECT lat, lon FROM incidents WHERE id = :id"), {"id": int(incident_id)}).first()
    return (float(row[0]), float(row[1])) if row else None


def camera_page(frame: pd.DataFrame, per_page: int, page: int) -> tuple[pd.DataFrame, int, int]:
    """One page of cameras (1-based page number wraps around) and the number of pages.

    The cameras are shared evenly between the pages (20 at 12 a page: 10 and 10; 10 at 4: 3, 3 and 4), so the
    last page is never a few tiles in an empty grid."""
    pages = max(1, math.ceil(len(frame) / max(1, per_page)))
    index = page % pages
    n = len(frame)
    return frame.iloc[index * n // pages : (index + 1) * n // pages], index + 1, pages
