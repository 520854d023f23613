"""The application registry: demo estate, coverage now/by agency/by month, health states, CSV in and out."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from data.demo import catalog
from data.demo.estate import demo_estate
from data.estate.coverage import coverage_by_month, record_coverage, write_history
from data.estate.inventory import InventoryError, export_inventory, import_inventory
from data.estate.registry import (
    connected_service_health,
    coverage_by_agency,
    coverage_by_dimension,
    coverage_summary,
    health_states,
    lagging_agencies,
)
from data.models import Service, ServiceMetric
from tests.conftest import DEMO_END


def test_demo_estate_is_a_realistic_mostly_unconnected_inventory():
    apps = demo_estate(DEMO_END, 21)
    assert len(apps) == 172
    assert len({a.code for a in apps}) == 172
    connected = {a.code for a in apps if a.integration_state == "connected"}
    assert connected == {s.code for s in catalog.SERVICES}
    assert sum(a.integration_state == "not_connected" for a in apps) > len(apps) / 2
    assert all(a.connected_at < DEMO_END - timedelta(days=21) for a in apps if a.connected_at)


def test_seeded_coverage_counts_match_the_registry_rows(small_city):
    summary = coverage_summary(small_city)
    with small_city.connect() as conn:
        by_state = dict(
            conn.execute(select(Service.integration_state, func.count()).group_by(Service.integration_state)).all()
        )
    assert summary.total == sum(by_state.values()) == 172
    assert (summary.connected, summary.partial, summary.not_connected) == (
        by_state["connected"], by_state["partial"], by_state["not_connected"])  # fmt: skip
    assert summary.connected_pct == pytest.approx(100 * by_state["connected"] / 172)
    agencies = coverage_by_agency(small_city)
    assert agencies["total"].sum() == 172 and agencies["connected"].sum() == summary.connected
    dims = coverage_by_dimension(small_city)
    assert list(dims["dimension"]) == ["governance", "branding", "economy", "living", "society", "environment"]
    assert dims["total"].sum() == 172


def test_lagging_agencies_are_the_least_connected_with_enough_apps():
    frame = pd.DataFrame(
        {
            "agency": ["A", "B", "C", "D"],
            "total": [10, 4, 2, 6],
            "connected": [5, 0, 0, 0],
            "partial": [0, 1, 0, 0],
            "not_connected": [5, 3, 2, 6],
        }  # fmt: skip
    )
    frame["connected_pct"] = 100.0 * frame["connected"] / frame["total"]
    out = lagging_agencies(frame, n=3, min_apps=3)
    assert list(out["agency"]) == ["D", "B", "A"]  # C has too few apps; ties broken by most unconnected


def test_coverage_history_has_past_months_and_this_month_live(sqlite_engine):
    now = datetime(2026, 3, 10, 3, 0)
    write_history(sqlite_engine, [{"month": "2026-01", "total": 10, "connected": 1, "partial": 0},
                                  {"month": "2026-02", "total": 12, "connected": 2, "partial": 1}])  # fmt: skip
    with sqlite_engine.begin() as conn:
        conn.execute(Service.__table__.insert(), [
            {"code": f"app-{i}", "name": f"App {i}", "agency": "Diskominfo", "category": "x",
             "integration_state": "connected" if i < 3 else "not_connected"} for i in range(13)])  # fmt: skip
    history = coverage_by_month(sqlite_engine, now, months=12)
    assert list(history["month"]) == ["2026-01", "2026-02", "2026-03"]
    assert history.iloc[-1][["total", "connected"]].tolist() == [13, 3]
    record_coverage(sqlite_engine, now)
    record_coverage(sqlite_engine, now)  # the month's row is overwritten, never doubled
    assert coverage_by_month(sqlite_engine, now + timedelta(days=30), 12)["month"].tolist() == [
        "2026-01", "2026-02", "2026-03", "2026-04"]  # fmt: skip


def test_health_state_is_the_worse_of_availability_and_latency():
    now = datetime(2026, 3, 10)
    frame = pd.DataFrame({
        "period_start": [now, now, now, now, now - timedelta(days=5), None],
        "availability_pct": [99.8, 98.0, 99.9, 90.0, 99.9, None],
        "p95_response_ms": [300, 300, 1500, 300, 300, None]})  # fmt: skip
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    assert list(health_states(frame, now)) == ["good", "degraded", "degraded", "down", "stale", "no_data"]


def test_connected_service_without_metrics_is_listed_as_no_data(small_city):
    with small_city.begin() as conn:
        conn.execute(Service.__table__.insert().values(code="baru", name="Aplikasi Baru", agency="Diskominfo",
                                                       category="x", integration_state="connected"))  # fmt: skip
    health = connected_service_health(small_city, DEMO_END)
    assert len(health) == len(catalog.SERVICES) + 1
    assert health.set_index("code").loc["baru", "health"] == "no_data"
    with small_city.connect() as conn:
        n_metrics = conn.execute(select(func.count(func.distinct(ServiceMetric.service_id)))).scalar()
    assert health["period_start"].notna().sum() == n_metrics


CSV_OK = (
    "\ufeffcode;name;agency;category;kind;dimension;integration_state;registered_at\n"
    "si-banjir;Siaga Banjir Baru;BPBD;kebencanaan;layanan publik;Smart Environment;terhubung;2025-01-02 08:00\n"
    ";Pasar Digital;Disperindag;perdagangan;public_service;ekonomi;sebagian;\n"
)


def test_import_accepts_excel_style_indonesian_inventory(sqlite_engine):
    report = import_inventory(sqlite_engine, io.StringIO(CSV_OK), now=datetime(2026, 3, 10))
    assert (report.inserted, report.updated) == (2, 0)
    with sqlite_engine.connect() as conn:
        rows = {r.code: r for r in conn.execute(select(Service))}
    banjir = rows["si-banjir"]
    assert (banjir.kind, banjir.dimension, banjir.integration_state) == ("public_service", "environment", "connected")
    assert banjir.registered_at == datetime(2025, 1, 2, 1, 0)  # 08:00 WIB
    assert banjir.connected_at == datetime(2026, 3, 10)  # connected now, since the file gave no date
    assert rows["pasar-digital"].integration_state == "partial"  # code derived from the name
    assert coverage_by_month(sqlite_engine, datetime(2026, 4, 2), 3)["connected"].tolist() == [1, 1]


def test_import_with_errors_reports_every_line_and_writes_nothing(sqlite_engine):
    bad = ("code,name,agency,kind,dimension,integration_state,registered_at\n"
           "a,App A,Dinas X,public_service,smart mobility,connected,\n"
           "b,,Dinas X,e_government,governance,,\n"
           "a,App A2,Dinas X,public_service,living,connected,kemarin\n")  # fmt: skip
    with pytest.raises(InventoryError) as err:
        import_inventory(sqlite_engine, io.StringIO(bad))
    problems = err.value.problems
    assert any("line 2" in p and "dimension" in p for p in problems)
    assert any("line 3" in p and "name is empty" in p for p in problems)
    assert any("line 4" in p and "registered_at" in p for p in problems)
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Service)).scalar() == 0


def test_import_rejects_a_file_without_the_needed_columns(sqlite_engine):
    with pytest.raises(InventoryError, match="header lacks"):
        import_inventory(sqlite_engine, io.StringIO("nama,dinas\nA,B\n"))


def test_export_then_import_round_trips_the_registry(small_city):
    out = io.StringIO()
    n = export_inventory(small_city, out)
    assert n == 172
    report = import_inventory(small_city, io.StringIO(out.getvalue()))
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 172)


def test_the_estate_builds_for_two_years_of_history_and_more():
    """`seed --days 730` (the benchmark city) once failed here; every app joins before its metrics begin."""
    from datetime import datetime, timedelta

    from data.demo.estate import demo_estate

    end = datetime(2026, 11, 20)
    for days in (730, 1000):
        apps = demo_estate(end, days)
        connected = [a for a in apps if a.connected_at is not None]
        assert connected and all(a.connected_at <= end - timedelta(days=days) for a in connected)
        assert all(a.registered_at <= a.connected_at for a in connected)
