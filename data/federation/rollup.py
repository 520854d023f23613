"""A provincial room's own summary, for the national room above it: its members' newest summaries added up.

Counts are summed; scores and percentages are the members' mean (each member a city, weighted alike, as the
programme's assessment compares them); the members stand where a city lists its kecamatan. A member that went
quiet counts with its last figures, and its feeds are reported stale, so the nation sees the gap.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from statistics import mean

import orjson
from sqlalchemy import Engine, select

from data.federation.config import FederationPack
from data.federation.models import FederationMember
from data.federation.summary import (
    AlertFigures,
    ComplaintFigures,
    DayFigure,
    DimensionFigure,
    DistrictFigure,
    FeedFigure,
    IntegrationFigures,
    RoomIdentity,
    RoomSummary,
    SensorFigures,
)


def _mean(values: list) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(mean(present), 4) if present else None


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def federation_summary(engine: Engine, pack: FederationPack, now: datetime) -> RoomSummary:
    """The province as one room: what its members last said, with each member's freshness as a feed."""
    with engine.connect() as conn:
        rows = conn.execute(select(FederationMember.code, FederationMember.last_ok_at, FederationMember.summary)).all()
    config = pack.federation
    docs = [(code, last, RoomSummary.model_validate(orjson.loads(body))) for code, last, body in rows if body]
    summaries = [s for _, _, s in docs]
    by_dimension: dict[str, list] = defaultdict(list)
    for s in summaries:
        for d in s.dimensions:
            by_dimension[d.dimension].append(d.score)
    days: dict = defaultdict(list)
    for s in summaries:
        for day in s.history:
            days[day.day].append(day)
    integration = [s.integration for s in summaries]
    apps, connected = sum(i.applications for i in integration), sum(i.connected for i in integration)
    active, online = sum(s.sensors.active for s in summaries), sum(s.sensors.online for s in summaries)
    return RoomSummary(
        generated_at=now,
        local_date=(now + pack.zone.offset).date(),
        room=RoomIdentity(
            name=pack.name,
            short_name=pack.short_name,
            kind=pack.kind,
            code=pack.code,
            zone=pack.zone.name,
            zone_label=pack.zone.label,
        ),  # fmt: skip
        score=_mean([s.score for s in summaries]),
        measures=(),
        dimensions=[DimensionFigure(dimension=k, score=_mean(v)) for k, v in sorted(by_dimension.items())],
        integration=IntegrationFigures(
            applications=apps,
            connected=connected,
            partial=sum(i.partial for i in integration),
            not_connected=sum(i.not_connected for i in integration),
            connected_pct=_pct(connected, apps),
        ),  # fmt: skip
        complaints=ComplaintFigures(
            open=sum(s.complaints.open for s in summaries),
            late=sum(s.complaints.late for s in summaries),
            received_today=sum(s.complaints.received_today for s in summaries),
            closed_today=sum(s.complaints.closed_today for s in summaries),
            sla_pct=_mean([s.complaints.sla_pct for s in summaries]),
            median_close_h=_mean([s.complaints.median_close_h for s in summaries]),
        ),  # fmt: skip
        sensors=SensorFigures(active=active, online=online, online_pct=_pct(online, active)),
        alerts=AlertFigures(
            danger=sum(s.alerts.danger for s in summaries),
            warning=sum(s.alerts.warning for s in summaries),
            unacknowledged=sum(s.alerts.unacknowledged for s in summaries),
        ),  # fmt: skip
        feeds=[
            FeedFigure(
                feed=f"room {code}",
                age_seconds=(now - last).total_seconds() if last else None,
                stale=last is None or now - last > timedelta(seconds=config.stale_after_seconds),
            )
            for code, last, _ in docs
        ],  # fmt: skip
        districts=[
            DistrictFigure(
                code=s.room.code,
                name=s.room.name,
                open=s.complaints.open,
                late=s.complaints.late,
                per_10k=None,
                alerts=s.alerts.danger + s.alerts.warning,
            )
            for s in summaries
        ],  # fmt: skip
        history=[
            DayFigure(
                day=day,
                received=sum(d.received for d in items),
                closed=sum(d.closed for d in items),
                backlog=sum(d.backlog for d in items),
                sla_pct=_mean([d.sla_pct for d in items]),
                score=_mean([d.score for d in items]),
            )
            for day, items in sorted(days.items())[-30:]
        ],  # fmt: skip
    )
