"""Freshness components: the data-health strip (one chip per feed) and the 'reconnecting' mark.

A chip is a plain value object so any page (wall, leaders, operators) can show the same strip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dash import html

from layouts.i18n import fmt_number, t


@dataclass(frozen=True)
class FeedChip:
    feed: str
    label: str
    age_text: str
    stale: bool
    age_s: float | None = None


def feed_label(feed: str, lang: str) -> str:
    """'sensors.water_level' -> 'Tinggi air' via the texts, falling back to the feed name."""
    key = "feed_" + feed.replace(".", "_")
    label = t(key, lang)
    return feed if label == key else label


def health_strip(chips: Sequence[FeedChip], lang: str, outside: int = 0) -> list[html.Span]:
    """The chips of the strip, stale feeds first (oldest first), then a '+N' for those the strip has no room for
    (assets/wall.js counts them); a stale feed is hatched and says so in words, not only in colour. `outside`
    complaints of the last day were located outside the city: kept, never counted, and said here first."""
    out = []
    if outside:
        out.append(
            html.Span(
                [html.I(className="bi bi-geo-alt-fill"), html.B(fmt_number(outside, lang)),
                 html.Span(t("outside_arrivals", lang), className="feed-age")],
                className="feed-chip stale outside", title=t("outside_arrivals_why", lang), **{"data-feed": "outside"},
            )
        )  # fmt: skip
    ordered = sorted(chips, key=lambda c: (not c.stale, -(c.age_s or 0.0)))
    for chip in ordered:
        icon = "bi-exclamation-diamond-fill" if chip.stale else "bi-check-circle-fill"
        words = f"{t('stale', lang)} · {chip.age_text}" if chip.stale else chip.age_text
        out.append(
            html.Span(
                [html.I(className=f"bi {icon}"), html.B(chip.label), html.Span(words, className="feed-age")],
                className="feed-chip" + (" stale" if chip.stale else ""),
                **{"data-feed": chip.feed, "data-stale": "1" if chip.stale else "0"},
            )
        )
    out.append(html.Span(className="feed-chip feed-more", title=t("more_feeds", lang)))
    return out


def reconnecting_mark(lang: str) -> html.Span:
    """Hidden until assets/wall.js sees refreshes stop or the server warming; the last good figures stay on
    screen meanwhile, and the mark says when they arrived ("data terakhir 17:42 · menyambung ulang")."""
    return html.Span(
        [
            html.I(className="bi bi-arrow-repeat"),
            html.Span(className="reconnecting-since", **{"data-words": t("last_data", lang)}),
            t("reconnecting", lang),
        ],
        className="reconnecting",
    )
