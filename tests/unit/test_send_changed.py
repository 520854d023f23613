"""Wall panels send only what changed: one signature scheme and one comparison for tiles, lists and the map."""

from dash import html

from callbacks.changes import changed_parts, signature


def test_a_signature_follows_the_content_and_nothing_else():
    assert signature([html.Li("Banjir · 3")]) == signature([html.Li("Banjir · 3")])
    assert signature([html.Li("Banjir · 3")]) != signature([html.Li("Banjir · 4")])
    assert signature("a", 1) != signature("a", "1")


def test_first_render_or_another_number_of_parts_sends_everything():
    assert changed_parts(["a", "b"], None) == [0, 1]
    assert changed_parts(["a", "b"], ["a"]) == [0, 1]


def test_a_refresh_sends_only_the_parts_whose_signature_moved():
    assert changed_parts(["a", "B", "c"], ["a", "b", "c"]) == [1]
    assert changed_parts(["a", "b"], ["a", "b"]) == []
