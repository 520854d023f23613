"""Cameras: demo pictures, nearest cameras, how each camera is shown, and the snapshot route's answers."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import numpy as np
import pytest
from dash import html
from PIL import Image
from sqlalchemy import select, update

from callbacks.wall_cctv import choose
from data.cctv import camera_page, cameras, haversine_m, nearest_cameras, render_snapshot
from data.models import Sensor, SensorLatest
from data.store import utcnow
from layouts.wall_cctv import camera_tile, cctv_screen_url, media_kind
from tests.conftest import DEMO_END
from tests.helpers.components import find, find_all, props, texts


def test_demo_picture_is_a_jpeg_that_changes_with_time():
    first = render_snapshot("cctv-001", "CCTV Tangerang", datetime(2026, 11, 20, 5, 0, 0))
    later = render_snapshot("cctv-001", "CCTV Tangerang", datetime(2026, 11, 20, 5, 0, 10))
    image = Image.open(io.BytesIO(first))
    assert image.format == "JPEG" and image.size == (640, 360)
    assert first != later
    night = np.asarray(Image.open(io.BytesIO(render_snapshot("cctv-001", "x", datetime(2026, 11, 20, 15, 0)))))
    noon = np.asarray(image)
    assert night[60:120].mean() < noon[60:120].mean()  # 22:00 WIB is darker than 12:00 WIB


def test_nearest_cameras_are_ordered_by_true_distance(small_city):
    point = (-6.19, 106.64)
    near = nearest_cameras(small_city, *point, n=3, now=DEMO_END)
    every = cameras(small_city, DEMO_END)
    distances = np.sort(haversine_m(*point, every["lat"].to_numpy(float), every["lon"].to_numpy(float)))
    assert len(near) == 3
    assert near["distance_m"].tolist() == pytest.approx(distances[:3].round().tolist())
    assert near["distance_m"].is_monotonic_increasing


def test_media_kind_picks_what_a_browser_can_play():
    assert media_kind("https://cam.example/live/index.m3u8", None) == "hls"
    assert media_kind("http://10.1.2.3/axis-cgi/mjpg/video.cgi", None) == "mjpeg"
    assert media_kind("rtsp://10.1.2.3/stream1", "/cctv/c1/snapshot.jpg") == "snapshot"
    assert media_kind("rtsp://10.1.2.3/stream1", None) == "none"
    assert media_kind(float("nan"), float("nan")) == "none"


def test_offline_camera_tile_has_no_picture_at_all():
    cam = {"id": "c1", "name": "CCTV Uji", "state": "offline", "age_s": 7200.0, "snapshot_url": "/cctv/c1/snapshot.jpg"}
    tile = camera_tile(cam, "id")
    assert props(tile)["data-state"] == "offline"
    assert find_all(tile, class_name="cctv-media") == [] and find_all(tile, html.Img) == []
    assert find_all(tile, html.Video) == []
    assert texts(find(tile, class_name="cctv-offline-card")) == ["KAMERA LURING", "sinyal terakhir 2 jam lalu"]
    online = camera_tile({**cam, "state": "normal", "snapshot_interval_s": 5}, "id")
    img = props(find(online, html.Img, class_name="cctv-media"))
    assert img["src"] == "/cctv/c1/snapshot.jpg" and img["data-interval"] == "5"


def test_choice_from_the_query_string():
    c = choose({"district": "36.71.01"}, "?cameras=cctv-001,cctv-002&per_page=10&rotate=3")
    assert c == {"per_page": 9, "rotate_s": 10, "cameras": ["cctv-001", "cctv-002"], "incident": None,
                 "district": "36.71.01"}  # fmt: skip
    assert choose(None, "?incident=12")["incident"] == 12
    assert cctv_screen_url(incident=12) == "/wall/cctv?incident=12"
    assert cctv_screen_url(["a", "b"], lang="en") == "/wall/cctv?cameras=a%2Cb&lang=en"


def test_pages_wrap_around():
    import pandas as pd

    frame = pd.DataFrame({"id": [f"c{i}" for i in range(10)]})
    shown, page, pages = camera_page(frame, 4, 5)
    assert (page, pages, shown["id"].tolist()) == (3, 3, ["c6", "c7", "c8", "c9"])


def test_cameras_are_shared_evenly_so_the_last_page_is_not_mostly_empty():
    import pandas as pd

    frame = pd.DataFrame({"id": [f"c{i}" for i in range(20)]})
    sizes = [len(camera_page(frame, 12, p)[0]) for p in range(2)]
    assert sizes == [10, 10]


def test_snapshot_route_serves_online_refuses_offline_and_unknown(small_city, settings_for):
    from dashboard.app import create_app

    app = create_app(settings_for(str(small_city.url)))
    now = utcnow()
    with small_city.begin() as conn:
        ids = list(conn.execute(select(Sensor.id).where(Sensor.kind == "cctv").order_by(Sensor.id)).scalars())
        conn.execute(update(SensorLatest).where(SensorLatest.sensor_id == ids[0]).values(observed_at=now, value=1.0))
        conn.execute(update(SensorLatest).where(SensorLatest.sensor_id == ids[1])
                     .values(observed_at=now - timedelta(days=2), value=1.0))  # fmt: skip
    client = app.server.test_client()
    ok = client.get(f"/cctv/{ids[0]}/snapshot.jpg")
    assert ok.status_code == 200 and ok.mimetype == "image/jpeg"
    assert "no-store" in ok.headers["Cache-Control"]
    assert Image.open(io.BytesIO(ok.data)).size == (640, 360)
    assert client.get(f"/cctv/{ids[1]}/snapshot.jpg").status_code == 503
    assert client.get("/cctv/no-such-camera/snapshot.jpg").status_code == 404
