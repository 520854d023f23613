"""The wall's map layers, alert ticker and takeover (the KPI board is in `kpi_board`).

Every figure is one aggregation in the database returning a few rows; the map and ticker are built
from these small frames and never load a table.
"""

from __future__ import annotations

import weakref
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, func, inspect, select

from data.frames import frame_of
from data.models import Complaint, District
from data.queries.complaints import open_by_district

MAP_COMPLAINT_HOURS = 72
MAP_COMPLAINT_LIMIT = 20_000


def district_names(engine: Engine) -> dict[str, str]:
    """Kecamatan code -> name (a few rows), for titles and for checking a district given in a URL."""
    with engine.connect() as conn:
        return dict(conn.execute(select(District.code, District.name).order_by(District.code)).all())


_WITH_ALERTS: weakref.WeakSet[Engine] = weakref.WeakSet()


def has_alerts(engine: Engine) -> bool:
    """Whether the alerts feature's tables exist in this store (the wall works without them).

    A store that has them keeps them, so the catalog is asked until the answer is yes, then never again."""
    if engine in _WITH_ALERTS:
        return True
    if inspect(engine).has_table("alerts"):
        _WITH_ALERTS.add(engine)
        return True
    return False


def ticker_alerts(engine: Engine, now: datetime, district: str | None = None, limit: int = 12) -> pd.DataFrame:
    """The newest live alerts for the ticker (empty frame when the alerts feature is absent)."""
    columns = ["id", "severity", "title", "district_code", "opened_at", "status"]
    if not has_alerts(engine):
        return pd.DataFrame(columns=columns)
    from data.alerts.queries import active_alerts

    return active_alerts(engine, now, district).head(limit)[columns]


def takeover(engine: Engine, now: datetime) -> dict | None:
    """The danger alert that takes over the playlist, or None."""
    if not has_alerts(engine):
        return None
    from data.alerts.queries import takeover_alert

    return takeover_alert(engine, now)


def district_shapes(engine: Engine) -> pd.DataFrame:
    """Each kecamatan's outline (GeoJSON text) and centre: what the map draws, and what never changes."""
    shapes = select(District.code, District.centroid_lat, District.centroid_lon, District.geometry)
    with engine.connect() as conn:
        return frame_of(conn.execute(shapes))


def district_map_measures(engine: Engine, now: datetime, shapes: bool = True) -> pd.DataFrame:
    """Per kecamatan: open complaints, per 10,000 residents, SLA breaches (open past due) and live alerts,
    with the outlines when `shapes` (a refresh checking whether anything changed needs the figures only)."""
    frame = open_by_district(engine, now)
    alerts = _alerts_by_district(engine, now)
    frame["alerts"] = frame["code"].map(alerts).fillna(0).astype(int)
    return frame.merge(district_shapes(engine), on="code", how="left") if shapes else frame


def _alerts_by_district(engine: Engine, now: datetime) -> dict[str, int]:
    if not has_alerts(engine):
        return {}
    from data.alerts.models import Alert

    stmt = (
        select(Alert.district_code, func.count())
        .where(Alert.status.in_(("open", "acknowledged")), Alert.opened_at <= now)
        .group_by(Alert.district_code)
    )
    with engine.connect() as conn:
        return {code: int(n) for code, n in conn.execute(stmt).all() if code}


def recent_complaint_points(
    engine: Engine, now: datetime, hours: int = MAP_COMPLAINT_HOURS, district: str | None = None
) -> pd.DataFrame:
    """Where complaints were received in the last `hours` (lat, lon only: the heat layer needs no more)."""
    stmt = (
        select(Complaint.lat, Complaint.lon)
        .where(Complaint.requested_at > now - timedelta(hours=hours), Complaint.requested_at <= now)
        .where(Complaint.lat.is_not(None), Complaint.lon.is_not(None))
        .where(Complaint.outside_city.is_(False))  # the city's own map: records from outside stay off it
        .order_by(Complaint.requested_at.desc())
        .limit(MAP_COMPLAINT_LIMIT)
    )
    if district:
        stmt = stmt.where(Complaint.district_code == district)
    with engine.connect() as conn:
        return frame_of(conn.execute(stmt), ["lat", "lon"])
