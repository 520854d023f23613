"""Exports stream exactly the filtered records, leave personal data out, and stay in constant memory."""

import csv
import io
import logging
import re
import tracemalloc
import zipfile
from datetime import date
from urllib.parse import quote

import pytest

from dashboard.app import create_app
from dashboard.exports import write_xlsx
from data.queries.analyst_filter import from_query, known_values, to_filter
from data.queries.analyst_records import count_records
from data.store import utcnow
from data.timebuckets import wib_today

QUERY = "?from=2026-11-10&to=2026-11-20&district=36.71.05&category=sampah&category=banjir"


def _params(query):
    from urllib.parse import parse_qs

    return parse_qs(query.lstrip("?"))


def test_csv_has_exactly_the_rows_the_filter_counts(small_city, settings_for, caplog):
    app = create_app(settings_for(str(small_city.url)))
    state, _ = from_query(_params(QUERY), known_values(small_city), wib_today(utcnow()))
    expected = count_records(small_city, to_filter(state), utcnow())
    assert expected > 0
    with caplog.at_level(logging.INFO, logger="city.exports"):
        response = app.server.test_client().get("/analyst/export.csv" + QUERY)
        body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "id" and "reporter_name" not in rows[0] and "reporter_phone" not in rows[0]
    assert len(rows) - 1 == expected
    assert {r[rows[0].index("category")] for r in rows[1:]} <= {"sampah", "banjir"}
    assert any(f'"rows": {expected}' in rec.getMessage() for rec in caplog.records)


def test_unknown_filter_values_are_refused_with_400_not_passed_to_sql(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    client = app.server.test_client()
    evil = client.get("/analyst/export.csv?from=2026-11-10&to=2026-11-20&district=1'%20OR%201=1--")
    assert evil.status_code == 400 and "district=1' OR 1=1--" in evil.get_data(as_text=True)
    assert client.get("/analyst/export.csv?from=2026-11-10&to=2026-11-20").status_code == 200


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("?from=bad", "from=bad"),
        ("?from=2026-11-01&to=2026-13-45", "to=2026-13-45"),
        ("?range=fortnight", "range=fortnight"),
        ("?status=lost", "status=lost"),
        ("?by=year", "by=year"),
        ("?from=2020-01-01&to=2026-11-20", "from=2020-01-01"),
        ("?grid=%7Bnot-json", "grid"),
        ("?sort=%7B%7D", "sort"),
    ],
)
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_bad_parameters_answer_400_with_the_reason_never_a_30_day_file(small_city, settings_for, query, reason, ext):
    app = create_app(settings_for(str(small_city.url)))
    response = app.server.test_client().get(f"/analyst/export.{ext}{query}")
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert reason in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_file_name_names_the_days_and_every_filter(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    client = app.server.test_client()
    plain = client.get("/analyst/export.csv?from=2026-11-10&to=2026-11-20")
    plain.get_data()
    assert 'filename="keluhan_2026-11-10_2026-11-20.csv"' in plain.headers["Content-Disposition"]
    grid = quote('{"late":{"filterType":"number","type":"equals","filter":1}}')
    filtered = client.get("/analyst/export.xlsx" + QUERY + "&status=open&hour=7&grid=" + grid)
    disposition = filtered.headers["Content-Disposition"]
    assert 'filename="keluhan_2026-11-10_2026-11-20_Cipondoh_sampah+banjir_open_07h_kolom-difilter.xlsx"' in (
        disposition
    )


def test_grid_column_filter_travels_into_the_export(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    grid = '{"late":{"filterType":"number","type":"equals","filter":1}}'
    body = app.server.test_client().get("/analyst/export.csv" + QUERY + "&grid=" + quote(grid)).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    late = rows[0].index("late")
    assert rows[1:] and all(r[late] == "1" for r in rows[1:])


def test_xlsx_export_opens_with_the_same_rows(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    state, _ = from_query(_params(QUERY), known_values(small_city), date(2026, 11, 23))
    expected = count_records(small_city, to_filter(state), utcnow())
    response = app.server.test_client().get("/analyst/export.xlsx" + QUERY)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert len(re.findall(r"<row ", sheet)) == expected + 1


def test_xlsx_writer_memory_does_not_grow_with_rows(tmp_path):
    """Rows written with constant_memory: peak memory is the same for 1,000 and 10,000 rows."""
    row = (1, "2026-11-20 10:00:00", "sampah", "open", "app", "DLH", "Cipondoh", "Kenanga", "x" * 60, None, None, 0)
    header = [f"c{i}" for i in range(len(row))]

    def rows(n):
        for i in range(n):
            yield (i, *row[1:])

    peaks = []
    for n in (1_000, 10_000):
        tracemalloc.start()
        assert write_xlsx(str(tmp_path / f"rows{n}.xlsx"), rows(n), header) == n
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # ten times the rows, and not even twice the memory (a row-holding writer would need ~10x)
    assert peaks[1] < 2 * peaks[0]
