"""The value parsers and file readers: what real systems send reads right, what is broken says why."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest

from data.ingest import readers
from data.ingest.mappings import load_mapping, parse_mapping
from data.ingest.observations import RawReadings, collect_readings
from data.ingest.readers import FileUnreadableError, iter_csv_chunks, iter_json_array, sniff_delimiter
from data.ingest.values import BadValueError, parse_coordinates, parse_number, parse_numbers, parse_time, parse_times

NOW = datetime(2026, 11, 20, 6, 0)


def test_time_without_zone_is_read_as_wib_and_said_so():
    assert parse_time("2026-11-20 12:00:00") == (datetime(2026, 11, 20, 5, 0), True)
    assert parse_time("2026-11-20T12:00:00+07:00") == (datetime(2026, 11, 20, 5, 0), False)
    assert parse_time("2026-11-20T05:00:00Z") == (datetime(2026, 11, 20, 5, 0), False)
    assert parse_time("2010-12-23T11:20:00-0700") == (datetime(2010, 12, 23, 18, 20), False)


def test_epoch_seconds_and_milliseconds_are_both_understood():
    moment = datetime(2026, 11, 20, 5, 0)
    seconds = moment.replace(tzinfo=UTC).timestamp()
    assert parse_time(int(seconds))[0] == moment
    assert parse_time(str(int(seconds * 1000)))[0] == moment


def test_day_first_dates_from_spreadsheets_and_unreadable_times():
    assert parse_time("20/11/2026 12:00")[0] == datetime(2026, 11, 20, 5, 0)
    with pytest.raises(BadValueError, match="not an ISO 8601 time"):
        parse_time("kemarin sore")
    with pytest.raises(BadValueError, match="missing"):
        parse_time("  ")


@pytest.mark.parametrize(
    ("text", "expected"), [("1,5", 1.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), (" 42 ", 42.0), (7, 7.0)]
)
def test_numbers_with_indonesian_and_english_separators(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", float("nan"), "abc", True])
def test_non_finite_and_non_numbers_are_refused(bad):
    with pytest.raises(BadValueError):
        parse_number(bad)


def test_coordinates_checked_and_zero_zero_means_unknown():
    assert parse_coordinates("-6,18", "106,63") == (-6.18, 106.63)
    assert parse_coordinates(0, 0) == (None, None)
    assert parse_coordinates(None, "") == (None, None)
    with pytest.raises(BadValueError, match="latitude"):
        parse_coordinates(91, 106)
    with pytest.raises(BadValueError, match="together"):
        parse_coordinates(-6.1, None)


def test_column_parsers_agree_with_the_scalar_ones():
    raw = ["2026-11-20T05:00:00Z", "2026-11-20 12:10:00", "", "nonsense", "2099-01-01T00:00:00Z", "1970-01-01"]
    times, zoneless, reasons = parse_times(raw, NOW)
    assert times[0] == np.datetime64("2026-11-20T05:00:00")
    assert times[1] == np.datetime64(parse_time(raw[1])[0])
    assert zoneless.tolist() == [False, True, False, False, False, False]
    assert reasons[0] is None and reasons[1] is None
    assert "missing" in reasons[2] and "ISO 8601" in reasons[3]
    assert "future" in reasons[4] and "2000" in reasons[5]
    values, why = parse_numbers(["1,5", "2.5", "NaN", "", "x", "1e3"])
    assert values[[0, 1, 5]].tolist() == [1.5, 2.5, 1000.0]
    assert [w is None for w in why] == [True, True, False, False, False, True]
    assert "finite" in why[2] and "missing" in why[3] and "not a number" in why[4]


def test_csv_reader_handles_bom_semicolons_quoted_newlines_and_line_numbers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes('\ufeffa;b\n1;"two\nlines"\n\n3;4\n'.encode())
    chunks = list(iter_csv_chunks(path))
    assert chunks[0].header == ["a", "b"]
    assert chunks[0].rows == [["1", "two\nlines"], ["3", "4"]]
    assert chunks[0].lines == [2, 5]


def test_windows_1252_files_are_read_not_refused(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("nama,nilai\nCaf\xe9 Tangerang,1\n".encode("cp1252"))
    assert next(iter_csv_chunks(path)).rows == [["Café Tangerang", "1"]]


def test_delimiter_sniffing():
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a,b;c,d") == ","
    assert sniff_delimiter("a\tb\tc") == "\t"


def test_json_array_streams_items_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(readers, "JSON_CHUNK", 7)
    items = list(iter_json_array(io.StringIO('[{"a": 1}, {"b": [1, 2, 3]}, 12345678, "x,]"]')))
    assert items == [{"a": 1}, {"b": [1, 2, 3]}, 12345678, "x,]"]
    with pytest.raises(FileUnreadableError):
        list(iter_json_array(io.StringIO('[{"a": 1}, {"b": ')))


def test_sensorthings_forms_become_readings():
    raw = RawReadings()
    doc = {
        "value": [
            {"phenomenonTime": "2026-11-20T05:00:00Z", "result": 1, "Datastream": {"@iot.id": 9}},
            {"phenomenonTime": "a/2026-11-20T05:10:00Z", "result": 2, "Datastream@iot.id": "9"},
            {
                "Datastream@iot.navigationLink": "http://x/v1.1/Datastreams(9)",
                "components": ["id", "phenomenonTime", "result"],
                "dataArray": [[1, "2026-11-20T05:20:00Z", 3]],
            },
        ]
    }
    collect_readings(doc, raw)
    assert raw.refs == ["9", "9", "9"]
    assert raw.times == ["2026-11-20T05:00:00Z", "2026-11-20T05:10:00Z", "2026-11-20T05:20:00Z"]
    assert raw.locations == ["value[0]", "value[1]", "value[2].dataArray[0]"]


def test_shipped_mappings_load_and_broken_mappings_say_why(tmp_path):
    nyc = load_mapping("nyc311")
    assert nyc.status("Closed") == "closed" and nyc.channel("PHONE") == "phone"  # not call_112 (the emergency line)
    laksa = load_mapping("laksa")
    assert laksa.status("SELESAI") == "closed" and laksa.status("menunggu") == "open"
    assert laksa.category("Jalan Rusak") == "jalan_rusak"
    with pytest.raises(FileUnreadableError, match="no mapping named"):
        load_mapping("nope")
    with pytest.raises(FileUnreadableError, match="not ours"):
        parse_mapping({"columns": {"source_id": "a", "requested_at": "b"}, "statuses": {"x": "done"}}, "m")
    with pytest.raises(FileUnreadableError, match="must map"):
        parse_mapping({"columns": {"source_id": "a"}}, "m")


def test_times_that_are_lists_are_rejected_with_a_reason_not_a_crash():
    """A JSON body whose observed_at cells are arrays (found by the property tests) is refused row by row."""
    from datetime import datetime

    from data.ingest.values import parse_times

    _, _, reasons = parse_times([["2026-11-20T05:00:00Z", "x"], ["a", "b"]], datetime(2026, 11, 23))
    assert all("is not an ISO 8601 time" in r for r in reasons)
