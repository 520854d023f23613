"""CSV and Excel exports of the analysts' filtered complaint records, streamed in constant memory.

`/analyst/export.csv?<the page's query string>` yields the file while rows come off a server-side
cursor; `/analyst/export.xlsx` writes with xlsxwriter's constant_memory mode to a temporary file (an
.xlsx is a zip, finished only at the end) and streams that file, so a million rows never sit in memory.
Personal columns are left out unless `include_personal` is allowed; every export is recorded through
`record_export` (who, which filter, how many rows), the one place an audit trail hooks in.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime

from flask import Flask, Response, g, request, stream_with_context

from callbacks.analyst_grid import personal_data_allowed
from callbacks.context import runtime as current_runtime
from data.auth.events import record_export as log_export
from data.queries.analyst_filter import (
    MULTI,
    FilterState,
    KnownValues,
    from_query,
    known_values,
    to_filter,
    to_query,
)
from data.queries.analyst_records import iter_records, record_columns
from data.store import utcnow
from data.timebuckets import to_wib, wib_today

LOG = logging.getLogger("city.exports")
EXCEL_MAX_ROWS = 1_048_576  # one sheet's limit, header included; more rows continue on a new sheet
CSV_FLUSH_ROWS = 2000


def register(server: Flask) -> None:
    server.add_url_rule("/analyst/export.csv", "analyst_export_csv", export_csv)
    server.add_url_rule("/analyst/export.xlsx", "analyst_export_xlsx", export_xlsx)


def record_export(who: str, fmt: str, state: FilterState, rows: int, personal: bool) -> None:
    """Note an export: who, what format, which filter, how many rows, in the log and in the security log."""
    LOG.info(
        "export %s",
        json.dumps({"who": who, "format": fmt, "filter": to_query(state), "rows": rows, "personal": personal}),
    )
    engine = current_runtime().engine
    log_export(engine, who, f"complaints.{fmt}", to_query(state), rows, personal=personal, ip=request.remote_addr)


def _who() -> str:
    user = getattr(g, "user", None)
    name = getattr(user, "username", None) or getattr(user, "name", None) or (user if isinstance(user, str) else None)
    return str(name or request.remote_addr or "anonymous")


class BadExportRequestError(ValueError):
    """A query string the export cannot honour exactly; answered 400 with the reason, never a guessed file."""


def _request_state() -> tuple[FilterState, dict | None, list | None, KnownValues]:
    """The page's filter from the query string plus the grid's own column filters and sort (JSON).

    Any value that would be dropped or changed (a bad day, an unknown district, broken JSON) raises
    BadExportRequestError: a file that silently holds other rows than asked for is worse than no file."""
    rt = current_runtime()
    params = {k: request.args.getlist(k) for k in request.args}
    known = known_values(rt.engine)
    state, rejected = from_query(params, known, wib_today(utcnow()))
    grid_filter = _json_arg("grid", dict, rejected)
    sort = _json_arg("sort", list, rejected)
    if rejected:
        raise BadExportRequestError("; ".join(rejected))
    return state, grid_filter, sort, known


def _json_arg(name: str, kind: type, rejected: list[str]) -> object:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, kind):
        rejected.append(f"{name}: not a JSON {'object' if kind is dict else 'list'}")
        return None
    return value


def _bad_request(error: BadExportRequestError) -> Response:
    reason = (
        f"Export ditolak, parameter tidak valid / export refused, invalid parameters: {error}\n"
        "Tanggal: YYYY-MM-DD, rentang paling lama 3 tahun; nilai filter seperti di halaman /analyst.\n"
        "Days: YYYY-MM-DD, at most 3 years apart; filter values as on the /analyst page.\n"
    )
    return Response(reason, status=400, mimetype="text/plain")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Times in WIB without zone suffix (what a spreadsheet user reads); text a spreadsheet would run as a
    formula (a citizen's '=HYPERLINK(...)' or '@SUM(...)') gets a leading apostrophe, so it stays text."""
    if isinstance(value, datetime):
        return to_wib(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


FILENAME_MAX_VALUES = 3  # more values of one filter are counted, not listed, so the name stays readable


def export_filename(state: FilterState, known: KnownValues, ext: str, column_filtered: bool = False) -> str:
    """'keluhan_2026-11-01_2026-11-30_Cipondoh_banjir.csv': the days and every filter, so two exports of
    different views never get the same name; only letters, digits, '.', '-' and '_' (safe on every system)."""
    parts = ["keluhan", state.start_day, state.end_day]
    for key, name in MULTI.items():
        values = [str(v) for v in getattr(state, name)]
        if not values:
            continue
        if name == "districts":
            values = [known.districts.get(v, v) for v in values]
        elif name == "subdistricts":
            values = [known.subdistricts.get(v, (v, ""))[0] for v in values]
        elif name == "hours":
            values = [f"{int(v):02d}h" for v in values]
        elif name == "weekdays":
            values = [f"hari{v}" for v in values]
        if len(values) > FILENAME_MAX_VALUES:
            values = [f"{len(values)}-{key}"]
        parts.append("+".join(values))
    if column_filtered:
        parts.append("kolom-difilter")
    name = "_".join(re.sub(r"[^A-Za-z0-9.+-]+", "-", p).strip("-") for p in parts)
    return f"{name[:180]}.{ext}"


def csv_chunks(rows: Iterator[tuple], header: list[str], on_done: Callable[[int], None]) -> Iterator[str]:
    """CSV text in chunks of a few thousand rows; `on_done(count)` runs when the stream ends or is cut."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so Excel opens UTF-8 (Indonesian place names, µg/m³) correctly
    writer.writerow(header)
    count = 0
    try:
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
            if count % CSV_FLUSH_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
    finally:
        on_done(count)


def export_csv() -> Response:
    rt = current_runtime()
    try:
        state, grid_filter, sort, known = _request_state()
    except BadExportRequestError as error:
        return _bad_request(error)
    personal = personal_data_allowed()
    who = _who()
    rows = iter_records(rt.engine, to_filter(state), utcnow(), sort, grid_filter, personal)
    body = csv_chunks(rows, record_columns(personal), lambda n: record_export(who, "csv", state, n, personal))
    filename = export_filename(state, known, "csv", bool(grid_filter))
    return Response(
        stream_with_context(body),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def write_xlsx(path: str, rows: Iterator[tuple], header: list[str], sheet_name: str = "keluhan") -> int:
    """Write rows to an .xlsx at `path` in constant memory; returns the number of data rows written."""
    import xlsxwriter

    # Strings are always written as strings: never as formulas or links, whatever a citizen typed.
    options = {"constant_memory": True, "remove_timezone": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(path, options)
    bold = book.add_format({"bold": True})
    sheet, line, count, part = None, EXCEL_MAX_ROWS, 0, 0
    for row in rows:
        if line >= EXCEL_MAX_ROWS:
            part += 1
            sheet = book.add_worksheet(sheet_name if part == 1 else f"{sheet_name}_{part}")
            sheet.write_row(0, 0, header, bold)
            sheet.freeze_panes(1, 0)
            line = 1
        sheet.write_row(line, 0, [_cell(v) for v in row])
        line += 1
        count += 1
    if sheet is None:
        sheet = book.add_worksheet(sheet_name)
        sheet.write_row(0, 0, header, bold)
    book.close()
    return count


def _file_chunks(path: str, size: int = 1 << 16) -> Iterator[bytes]:
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(size):
                yield chunk
    finally:
        os.unlink(path)


def export_xlsx() -> Response:
    rt = current_runtime()
    try:
        state, grid_filter, sort, known = _request_state()
    except BadExportRequestError as error:
        return _bad_request(error)
    personal = personal_data_allowed()
    rows = iter_records(rt.engine, to_filter(state), utcnow(), sort, grid_filter, personal)
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-")
    os.close(fd)
    try:
        count = write_xlsx(path, rows, record_columns(personal))
    except Exception:
        os.unlink(path)
        raise
    record_export(_who(), "xlsx", state, count, personal)
    filename = export_filename(state, known, "xlsx", bool(grid_filter))
    return Response(
        _file_chunks(path),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(os.path.getsize(path)),
        },
    )
