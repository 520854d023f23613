"""The written summary says what the figures say, in Indonesian by default and English on request."""

from data.summary import BriefingFigures, percent_change, summary_sentences, summary_text

FIGS = BriefingFigures(
    open_now=1120,
    open_week_ago=1000,
    score_now=0.87,
    score_week_ago=0.91,
    late_open=140,
    sla_target_pct=90,
    worst_district="Cipondoh",
    worst_category="banjir",
    worst_sla_pct=62.4,
    active_alerts=3,
)


def test_indonesian_summary_from_the_figures():
    lines = summary_sentences(FIGS, "id")
    assert lines[0] == "Keluhan terbuka naik 12% dari minggu lalu (1.120)"
    assert lines[1] == "Cipondoh tertinggal pada SLA banjir (62% selesai tepat waktu)"
    assert lines[2] == "Skor Kota 0,87, turun 0,04 dari minggu lalu"
    assert lines[3] == "140 keluhan terbuka melewati SLA dan 3 peringatan aktif"
    assert summary_text(FIGS).startswith("Keluhan terbuka naik 12% dari minggu lalu (1.120); Cipondoh tertinggal")


def test_english_on_request():
    lines = summary_sentences(FIGS, "en")
    assert lines[0] == "Open complaints rose 12% from last week (1,120)"
    assert lines[1] == "Cipondoh lags on flooding SLA (62% closed on time)"


def test_missing_or_steady_figures_change_the_wording_not_crash():
    steady = BriefingFigures(open_now=1010, open_week_ago=1000, score_now=0.9, score_week_ago=0.905)
    assert summary_sentences(steady, "id") == [
        "Keluhan terbuka stabil dibanding minggu lalu (1.010)",
        "Skor Kota stabil di 0,90",
    ]
    assert summary_sentences(BriefingFigures(), "id") == [] and summary_text(BriefingFigures()) == ""
    on_target = BriefingFigures(worst_district="X", worst_category="sampah", worst_sla_pct=95, sla_target_pct=90)
    assert summary_sentences(on_target, "id") == []
    assert percent_change(5, 0) is None and percent_change(90, 100) == -10.0
