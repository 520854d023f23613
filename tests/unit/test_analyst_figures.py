"""The analysts' charts speak words, give every axis a title, never put two units on one scale, and leave
room above the plot for the mode bar; the grid shows words for codes and speaks the page's language."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
import pytest

from callbacks.analyst_grid import _grid_row
from layouts import analyst
from layouts.analyst_figures import MODEBAR_ROOM, backlog_age, close_by_agency, sensor_vs_complaints
from tests.helpers.components import find

READINGS = pd.DataFrame(
    {
        "kind": ["rainfall", "rainfall", "water_level", "water_level"],
        "period": ["2026-11-01", "2026-11-02"] * 2,
        "value": [12.0, 40.0, 300.0, 335.0],
    }
)
REPORTS = pd.DataFrame({"period": ["2026-11-01", "2026-11-02"], "n": [3, 9]})


def test_rain_and_river_level_get_their_own_axes_and_every_axis_a_title():
    fig = sensor_vs_complaints(READINGS, REPORTS, ["banjir"], "id")
    axes = {trace.name: trace.yaxis for trace in fig.data}
    assert axes["Curah hujan (mm)"] != axes["Tinggi muka air (puncak, cm)"]
    assert len(set(axes.values())) == 3  # complaints, rain, river level: three scales
    panel_names = [a.text for a in fig.layout.annotations]
    assert "<b>Curah hujan (mm)</b>" in panel_names and "<b>Tinggi muka air (puncak, cm)</b>" in panel_names
    assert fig.layout.yaxis.title.text == "Keluhan (jumlah)"
    assert fig.layout.xaxis3.title.text.startswith("Tanggal")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_time_to_close_legends_and_backlog_axis_use_words_not_codes(lang):
    buckets = pd.DataFrame({"agency": ["DLH"] * 5, "bucket": ["<1d", "1-3d", "3-7d", "7-14d", ">14d"], "n": [5] * 5})
    sla = pd.DataFrame({"agency": ["DLH"], "sla_pct": [90.0]})
    names = [tr.name for tr in close_by_agency(buckets, sla, [], lang).data]
    backlog = pd.DataFrame({"bucket": ["<1d", ">14d"], "late": [0, 1], "n": [4, 2]})
    ticks = list(backlog_age(backlog, lang).data[0].x)
    for code in ("<1d", "1-3d", "3-7d", "7-14d", ">14d"):
        assert not any(code in label for label in [*names, *ticks]), code
    assert ("kurang dari 1 hari" if lang == "id" else "under 1 day") in names


def test_charts_leave_room_above_the_plot_for_the_mode_bar():
    fig = sensor_vs_complaints(READINGS, REPORTS, ["banjir"], "id")
    assert fig.layout.margin.t >= MODEBAR_ROOM >= 30


def test_grid_rows_show_words_for_category_status_and_channel():
    record = {"id": 1, "category": "kesehatan", "status": "open", "channel": "call_112", "late": 0}
    assert _grid_row(record, "id") | {} == {
        "id": 1, "category": "Layanan kesehatan", "status": "Menunggu", "channel": "Telepon 112", "late": 0,
    }  # fmt: skip
    assert _grid_row(record, "en")["channel"] == "Call 112"


def _grid(lang):
    return find(analyst.records_grid(lang), dag.AgGrid)


def test_grid_speaks_indonesian_with_id_numbers_and_english_on_request():
    ind = _grid("id").dashGridOptions["localeText"]
    assert (ind["to"], ind["of"], ind["page"]) == ("sampai", "dari", "Halaman")
    assert ind["noRowsToShow"] == "Tidak ada baris untuk ditampilkan" and ind["thousandSeparator"] == "."
    eng = _grid("en").dashGridOptions["localeText"]
    assert "to" not in eng and eng["thousandSeparator"] == ","
    assert _grid("id").defaultColDef["wrapHeaderText"] is True
