"""Flask route for camera snapshots: /cctv/<sensor_id>/snapshot.jpg.

Demo cameras (whose snapshot_url is this route) get a picture drawn for the current moment, rounded to
their refresh interval so many screens share one image. An offline camera answers 503, never an old
picture, and no response may be cached, so every tile shows what the camera sees now or nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, Response

from callbacks.context import runtime as current_runtime
from data.cctv import DEFAULT_SNAPSHOT_INTERVAL_S, camera, local_snapshot_path, render_snapshot
from data.store import utcnow

NO_STORE = {"Cache-Control": "no-store, no-cache, max-age=0, must-revalidate", "Pragma": "no-cache"}


def register(server: Flask) -> None:
    server.add_url_rule("/cctv/<sensor_id>/snapshot.jpg", "cctv_snapshot", snapshot)


EPOCH = datetime(1970, 1, 1)


def floor_to_interval(moment: datetime, interval_s: int) -> datetime:
    """The start of the refresh interval a naive UTC moment falls in (screens asking within it share a picture)."""
    seconds = int((moment - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=seconds - seconds % max(1, interval_s))


def snapshot(sensor_id: str) -> Response:
    """The camera's current picture as JPEG, 503 when it is offline, 404 when there is no such camera."""
    runtime = current_runtime()
    now = utcnow()
    cam = camera(runtime.engine, sensor_id, now)
    if cam is None:
        return Response("no such camera\n", status=404, mimetype="text/plain", headers=NO_STORE)
    if cam["snapshot_url"] != local_snapshot_path(sensor_id):
        message = f"this camera's pictures come from its own address: {cam['snapshot_url'] or cam['stream_url']}\n"
        return Response(message, status=404, mimetype="text/plain", headers=NO_STORE)
    if cam["state"] == "offline":
        return Response("camera offline\n", status=503, mimetype="text/plain", headers=NO_STORE)
    interval = int(cam["snapshot_interval_s"] or DEFAULT_SNAPSHOT_INTERVAL_S)
    body = render_snapshot(sensor_id, str(cam["name"]), floor_to_interval(now, interval))
    return Response(body, mimetype="image/jpeg", headers=NO_STORE)
