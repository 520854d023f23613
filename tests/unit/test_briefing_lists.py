"""The briefing's cut lists say how many more there are, and of what kind, so a heading's count adds up."""

from layouts.briefing import more_line


def test_nothing_more_when_all_are_listed():
    assert more_line(6, 6, "id") == []


def test_the_rest_is_counted_and_named_by_kind():
    kinds = ["rainfall"] * 6 + ["water_level"] * 20 + ["rainfall"] * 17
    (line,) = more_line(len(kinds), 6, "id", kinds)
    assert line.children == "… dan 37 lainnya (20 pos duga air, 17 penakar hujan)"
    (line,) = more_line(len(kinds), 6, "en", kinds)
    assert line.children == "… and 37 more (20 river gauges, 17 rain gauges)"
