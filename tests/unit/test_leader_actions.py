"""The briefing's three things to act on: danger alerts, then the worst SLA gap, then the weakest district."""

from __future__ import annotations

import pandas as pd

from callbacks.leader_actions import leader_actions
from data.cityscore import Measure, MeasureScore

GAPS = pd.DataFrame([{"district_code": "36.71.02", "district": "Larangan", "category": "adminduk", "sla_pct": 77.0}])
DISTRICTS = pd.DataFrame(
    [
        {"code": "36.71.01", "name": "Benda", "score": 0.95, "late": 10, "open_per_10k": 16.5},
        {"code": "36.71.09", "name": "Cibodas", "score": 0.77, "late": 50, "open_per_10k": 17.1},
    ]
)
ALERTS = [
    {"severity": "warning", "title": "Lonjakan banjir", "district": "Pinang"},
    {"severity": "danger", "title": "Pos Cisadane 387 cm", "district": "Tangerang"},
]
WEAK = MeasureScore(Measure("ratio", "Rasio selesai/masuk", "Closed/received", "", "higher", 1.0, "x"), 0.45, 0.45)


def test_danger_alerts_then_sla_gap_then_weakest_district():
    acts = leader_actions(ALERTS, GAPS, DISTRICTS, [WEAK], 90.0, "id")
    assert [a["headline"] for a in acts] == [
        "1 peringatan bahaya aktif",
        "SLA adminduk (ktp/kk) di Larangan: 77%",
        "Cibodas: skor terendah 0,77",
    ]
    assert acts[0]["href"] == "/ops?lang=id" and "Pos Cisadane 387 cm" in acts[0]["detail"]
    assert acts[2]["href"] == "/leader/district/36.71.09?lang=id"


def test_weak_measures_fill_in_when_the_city_is_on_target():
    on_target = DISTRICTS.assign(score=1.1)
    acts = leader_actions([], GAPS.assign(sla_pct=95.0), on_target, [WEAK], 90.0, "en")
    assert [a["headline"] for a in acts] == ["Closed/received: score 0.45"]


def test_nothing_to_act_on_gives_no_actions():
    assert leader_actions([], GAPS.iloc[0:0], DISTRICTS.assign(score=1.2), [], 90.0, "id") == []
