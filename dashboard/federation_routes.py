"""The federation room's download: the assessment table (CSV or XLSX) of a period, one row per member with the
six smart-city dimensions of its last reported day, for the programme's periodic assessment.

`/federation/export.csv?from=2026-11-01&to=2026-11-30` (each member's own local days; default: the last 30 days
of the room's own calendar). A malformed or reversed period is a 400 that says why.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta

import orjson
from flask import Flask, Response, g, request

from callbacks.context import runtime as current_runtime
from dashboard.exports import csv_chunks, write_xlsx
from data.auth.events import record_event
from data.city import current as current_room
from data.federation.outlines import context_outlines, member_outlines
from data.federation.queries import ASSESSMENT_COLUMNS, assessment_table
from data.store import utcnow
from layouts.federation_figures import OUTLINES_ROUTE

MAX_PERIOD_DAYS = 3 * 366


def register(server: Flask) -> None:
    server.add_url_rule("/federation/export.<fmt>", "federation_export", export_assessment)
    server.add_url_rule(OUTLINES_ROUTE, "federation_outlines", outlines_geojson)


def outlines_geojson(which: str) -> Response:
    """The members' outlines (or their provinces'), fetched once by the browser and cached: the wall's map
    figure then names them by URL instead of carrying ~0.5 MB of GeoJSON on every redraw."""
    codes = tuple(m.code for m in current_room().federation.members)
    build = {"members": member_outlines, "context": context_outlines}.get(which)
    if build is None:
        return Response("unknown outlines\n", status=404, mimetype="text/plain")
    response = Response(orjson.dumps(build(codes)), mimetype="application/geo+json")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


class BadPeriodError(ValueError):
    pass


def _period() -> tuple[date, date]:
    today = (utcnow() + current_room().zone.offset).date()
    try:
        start = date.fromisoformat(request.args.get("from") or (today - timedelta(days=29)).isoformat())
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        raise BadPeriodError("from and to are days written YYYY-MM-DD") from None
    if end < start:
        raise BadPeriodError("to is before from")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BadPeriodError("a period is at most 3 years")
    return start, end


def export_assessment(fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        return Response("unknown format: use .csv or .xlsx\n", status=404, mimetype="text/plain")
    try:
        start, end = _period()
    except BadPeriodError as exc:
        return Response(f"Periode tidak valid / invalid period: {exc}\n", status=400, mimetype="text/plain")
    runtime = current_runtime()
    frame = assessment_table(runtime.engine, current_room().federation, start, end)
    rows = [tuple(None if v != v else v for v in row) for row in frame.itertuples(index=False)]  # NaN -> empty
    header = list(ASSESSMENT_COLUMNS)
    filename = f"penilaian_{current_room().code}_{start}_{end}.{fmt}"
    who = getattr(g.get("user"), "name", "anonymous")
    with runtime.engine.begin() as conn:
        record_event(conn, "export", actor=who, subject="federation assessment", detail=f"{fmt} {start}..{end}")
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        body = "".join(csv_chunks(iter(rows), header, lambda _n: None))
        return Response(body, mimetype="text/csv", headers=disposition)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, iter(rows), header, sheet_name="penilaian")
        with open(path, "rb") as fh:
            data = fh.read()
    finally:
        os.unlink(path)
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, mimetype=mimetype, headers=disposition)
