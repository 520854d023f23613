"""GET /api/v1/summary: the room's aggregates for a provincial or national room, signed so it can trust them.

Read with an ingest token of scope `summary` (`python -m dashboard tokens create ingest --name provinsi
--scope summary`). The body is signed with SUMMARY_SIGNING_KEY (headers X-CityOps-Timestamp and
X-CityOps-Signature, the same scheme as webhooks); without a key the feed is off and says so.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from flask import Flask, Response, jsonify
from sqlalchemy import Engine

from callbacks.cache import cached
from callbacks.context import runtime as current_runtime
from dashboard.api_auth import check_ingest_token
from data.city import CityPack
from data.city import current as current_city
from data.federation.config import FederationPack
from data.federation.pull import SIGNATURE_HEADER, TIMESTAMP_HEADER
from data.federation.rollup import federation_summary
from data.federation.summary import RoomIdentity, build_room_summary
from data.signing import sign
from data.store import utcnow

SUMMARY_DOMAINS = ("complaints", "observations", "sensors", "alerts", "services", "federation")


def register(server: Flask) -> None:
    server.add_url_rule("/api/v1/summary", "room_summary", room_summary)


def _refused(status: int, message: str) -> Response:
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="city-ops-room"'
    return response


def summary_json(engine: Engine, pack: CityPack | FederationPack, now: datetime, targets_path: Path) -> str:
    """The body the room signs: a city's own figures, or for a provincial room its members' figures added up
    (for the nation)."""
    if isinstance(pack, FederationPack):
        return federation_summary(engine, pack, now).to_json()
    identity = RoomIdentity(
        name=pack.name, short_name=pack.short_name, kind=pack.kind, code=pack.code,
        zone=pack.zone.name, zone_label=pack.zone.label,
    )  # fmt: skip
    return build_room_summary(engine, identity, pack.zone.offset, now, targets_path).to_json()


def room_summary() -> Response:
    """The signed summary, computed once per data version and minute however many rooms ask."""
    if not check_ingest_token("summary"):
        return _refused(401, "a bearer token with scope 'summary' is required")
    runtime = current_runtime()
    key = runtime.settings.summary_signing_key
    if not key:
        return _refused(503, "the summary feed is off: SUMMARY_SIGNING_KEY is not set on this room")
    pack = current_city()
    now = utcnow().replace(second=0, microsecond=0)
    body = cached(SUMMARY_DOMAINS, summary_json, runtime.engine, pack, now, runtime.settings.targets_path, ttl_s=60.0)
    stamp = str(int(time.time()))
    response = Response(body, mimetype="application/json")
    response.headers[TIMESTAMP_HEADER] = stamp
    response.headers[SIGNATURE_HEADER] = sign(key, stamp, body)
    response.headers["Cache-Control"] = "no-store"
    return response
