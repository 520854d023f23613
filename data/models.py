"""The city's schema: places, services, complaints, sensors and the bookkeeping of feeds.

Times are naive UTC datetimes in the database on every engine (SQLite has no zones); they are
shown in WIB (Asia/Jakarta) at the edges.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

COMPLAINT_STATUSES = ("open", "acknowledged", "in_progress", "closed")
SENSOR_KINDS = ("water_level", "rainfall", "pm25", "traffic_flow", "noise", "cctv")
SMART_CITY_DIMENSIONS = (
    "governance",
    "branding",
    "economy",
    "living",
    "society",
    "environment",
)
INTEGRATION_STATES = ("connected", "partial", "not_connected")


class Base(DeclarativeBase):
    pass


class District(Base):
    """A kecamatan."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    population: Mapped[int] = mapped_column(Integer)
    area_km2: Mapped[float] = mapped_column(Float)
    centroid_lat: Mapped[float] = mapped_column(Float)
    centroid_lon: Mapped[float] = mapped_column(Float)
    geometry: Mapped[str] = mapped_column(Text, doc="GeoJSON geometry, EPSG:4326")
    population_estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Subdistrict(Base):
    """A kelurahan."""

    __tablename__ = "subdistricts"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    population: Mapped[int] = mapped_column(Integer)
    area_km2: Mapped[float] = mapped_column(Float)
    centroid_lat: Mapped[float] = mapped_column(Float)
    centroid_lon: Mapped[float] = mapped_column(Float)
    geometry: Mapped[str] = mapped_column(Text)


class Service(Base):
    """One of the city's digital services (applications), connected to the room or not."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    agency: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32), default="public_service", server_default="public_service")
    dimension: Mapped[str] = mapped_column(String(32), default="governance", server_default="governance")
    integration_state: Mapped[str] = mapped_column(String(16), default="not_connected", server_default="not_connected")
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    registered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    connected_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ServiceCoverageMonth(Base):
    """How many city applications were registered, connected and partly connected in a WIB month."""

    __tablename__ = "service_coverage_history"

    month: Mapped[str] = mapped_column(String(7), primary_key=True, doc="YYYY-MM (WIB)")
    total: Mapped[int] = mapped_column(Integer)
    connected: Mapped[int] = mapped_column(Integer)
    partial: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class ServiceMetric(Base):
    """A service's figures over one period (a day by default)."""

    __tablename__ = "service_metrics"
    __table_args__ = (UniqueConstraint("service_id", "period_start", name="uq_service_metric_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    period_start: Mapped[datetime] = mapped_column(DateTime, index=True)
    transactions: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    availability_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    p95_response_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    satisfaction: Mapped[float | None] = mapped_column(Float, nullable=True, doc="score 1-5")


class Complaint(Base):
    """A citizen's report, shaped after an Open311 GeoReport v2 service request."""

    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_complaint_source"),
        Index("ix_complaints_requested", "requested_at"),
        Index("ix_complaints_status_requested", "status", "requested_at"),
        Index("ix_complaints_district_requested", "district_code", "requested_at"),
        Index("ix_complaints_category_requested", "category", "requested_at"),
        Index("ix_complaints_closed", "closed_at"),
        Index("ix_complaints_closed_cover", "closed_at", "requested_at", "due_at"),  # revision p001_perf_indexes
        Index("ix_complaints_status_due", "status", "due_at"),
        Index("ix_complaints_agency_requested", "agency", "requested_at"),  # revision p003_agency_index
        Index("ix_complaints_source_id", "source_id"),  # revision o001_token_source: Open311 ids across sources
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80))
    service_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    status_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="app", server_default="app")
    agency: Mapped[str | None] = mapped_column(String(120), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expected_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, doc="SLA due time")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    subdistrict_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outside_city: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    media_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    reporter_name: Mapped[str | None] = mapped_column(String(120), nullable=True, doc="personal")
    reporter_phone: Mapped[str | None] = mapped_column(String(40), nullable=True, doc="personal")
    attributes: Mapped[str | None] = mapped_column(Text, nullable=True, doc="Open311 service attributes, JSON")


class ComplaintStatusChange(Base):
    """One step in a complaint's life, so a later status never erases how it got there."""

    __tablename__ = "complaint_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str | None] = mapped_column(String(80), nullable=True)


class Sensor(Base):
    """A field device: river gauge, rain gauge, air monitor, traffic counter, noise meter or camera."""

    __tablename__ = "sensors"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    warning_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    danger_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    expected_interval_s: Mapped[int] = mapped_column(Integer, default=600, server_default=text("600"))
    datastream_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    network: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stream_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    snapshot_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    snapshot_interval_s: Mapped[int | None] = mapped_column(Integer, nullable=True, doc="camera image refresh")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Observation(Base):
    """One reading of one sensor; (sensor, time) is unique so re-sent readings never double."""

    __tablename__ = "observations"

    sensor_id: Mapped[str] = mapped_column(ForeignKey("sensors.id"), primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class SensorLatest(Base):
    """Each sensor's newest reading, kept as data arrives so the wall never scans observations."""

    __tablename__ = "sensor_latest"

    sensor_id: Mapped[str] = mapped_column(ForeignKey("sensors.id"), primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(DateTime)
    value: Mapped[float] = mapped_column(Float)
    previous_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    previous_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ObservationHourly(Base):
    """Hourly rollup of observations per sensor, maintained at ingest, for trends over long windows."""

    __tablename__ = "observations_hourly"
    # "every sensor's last hour before a moment" (leader's score history) bounds hour alone: revision p002;
    # each sensor's range read from the index alone (values INCLUDEd on PostgreSQL, trailing keys on SQLite)
    __table_args__ = (
        Index("ix_observations_hourly_hour", "hour"),
        Index(
            "ix_observations_hourly_cover",
            "sensor_id",
            "hour",
            postgresql_include=["n", "total", "min_value", "max_value"],
        ),  # revision p004_hourly_cover_index
    )

    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    min_value: Mapped[float] = mapped_column(Float)
    max_value: Mapped[float] = mapped_column(Float)


class ObservationDaily(Base):
    """Daily rollup of the hourly one per sensor and WIB day, maintained at ingest (revision p005): a quarter
    of a few hundred gauges is ~17,000 rows here against ~400,000 hourly rows to bucket by day."""

    __tablename__ = "observations_daily"

    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[datetime] = mapped_column(DateTime, primary_key=True, doc="UTC instant the WIB day starts")
    hours: Mapped[int] = mapped_column(Integer, doc="hours of the day with readings")
    hourly_mean_sum: Mapped[float] = mapped_column(Float, doc="sum of the hours' means (rain: the day's mm)")
    max_value: Mapped[float] = mapped_column(Float)


class FeedStatus(Base):
    """When each feed last delivered data, which the wall turns into fresh or stale."""

    __tablename__ = "feed_status"

    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_data_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_ingest_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expected_interval_s: Mapped[int] = mapped_column(Integer, default=600, server_default=text("600"))
    records_total: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class IngestError(Base):
    """A record a feed sent that could not be stored, with the reason, so nothing is lost silently."""

    __tablename__ = "ingest_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    location: Mapped[str | None] = mapped_column(String(120), nullable=True, doc="line, index or topic")
    reason: Mapped[str] = mapped_column(Text)
    record: Mapped[str | None] = mapped_column(Text, nullable=True)


class DataVersion(Base):
    """A counter per data domain, bumped on every write, so caches and maps rebuild only on change."""

    __tablename__ = "data_versions"

    domain: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ComplaintService(Base):
    """A kind of request citizens can file (an Open311 `service`), as other systems' services.json lists them."""

    __tablename__ = "complaint_services"

    service_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    service_group: Mapped[str | None] = mapped_column(String(120), nullable=True)
    keywords: Mapped[str | None] = mapped_column(Text, nullable=True)
    type: Mapped[str] = mapped_column(String(16), default="realtime", server_default="realtime")
    source: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
