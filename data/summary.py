"""The briefing's few written lines, generated from the figures in Indonesian (default) or English.

A leader reads these between meetings, so each line names a direction and a number, and a district or
service that needs follow-up, e.g. "Keluhan terbuka naik 12% dari minggu lalu; Cipondoh tertinggal pada
SLA banjir". Nothing here queries: the caller passes the figures it already has.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from data.city import catalogue

STEADY_PCT = 2.0  # a change smaller than this reads as "stable", not as a rise or a fall
STEADY_SCORE = 0.01
LOCALES = {"id": "id_ID", "en": "en_US"}


@dataclass(frozen=True)
class BriefingFigures:
    """What the summary talks about; any figure may be missing (None) and its sentence is then left out."""

    open_now: int | None = None
    open_week_ago: int | None = None
    score_now: float | None = None
    score_week_ago: float | None = None
    late_open: int | None = None
    sla_target_pct: float | None = None
    worst_district: str | None = None
    worst_category: str | None = None
    worst_sla_pct: float | None = None
    active_alerts: int | None = None
    scope: str | None = None  # a district or agency name; None for the whole city


def _num(value: float, lang: str, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, "id_ID"))


def _category(code: str, lang: str) -> str:
    cat = catalogue().category(code)
    if cat is None:
        return code.replace("_", " ")
    return (cat.label_en if lang == "en" else cat.label_id).lower()


def percent_change(now: float | None, before: float | None) -> float | None:
    """Change from `before` to `now` in percent; None when there is no base to compare with."""
    if now is None or before is None or before == 0:
        return None
    return 100.0 * (now - before) / before


def _open_sentence(f: BriefingFigures, lang: str) -> str | None:
    change = percent_change(f.open_now, f.open_week_ago)
    if change is None:
        return None
    subject = "Open complaints" if lang == "en" else "Keluhan terbuka"
    if f.scope:
        subject += f" ({f.scope})"
    if abs(change) < STEADY_PCT:
        verb = "are steady against last week" if lang == "en" else "stabil dibanding minggu lalu"
        return f"{subject} {verb} ({_num(f.open_now, lang)})"
    if lang == "en":
        verb = "rose" if change > 0 else "fell"
        return f"{subject} {verb} {_num(abs(change), lang)}% from last week ({_num(f.open_now, lang)})"
    verb = "naik" if change > 0 else "turun"
    return f"{subject} {verb} {_num(abs(change), lang)}% dari minggu lalu ({_num(f.open_now, lang)})"


def _score_sentence(f: BriefingFigures, lang: str) -> str | None:
    if f.score_now is None:
        return None
    now = _num(f.score_now, lang, 2)
    if f.score_week_ago is None:
        return f"City Score {now}" if lang == "en" else f"Skor Kota {now}"
    delta = f.score_now - f.score_week_ago
    if abs(delta) < STEADY_SCORE:
        return f"City Score steady at {now}" if lang == "en" else f"Skor Kota stabil di {now}"
    if lang == "en":
        return f"City Score {now}, {'up' if delta > 0 else 'down'} {_num(abs(delta), lang, 2)} on last week"
    return f"Skor Kota {now}, {'naik' if delta > 0 else 'turun'} {_num(abs(delta), lang, 2)} dari minggu lalu"


def _gap_sentence(f: BriefingFigures, lang: str) -> str | None:
    if not (f.worst_district and f.worst_category) or f.worst_sla_pct is None:
        return None
    if f.sla_target_pct is not None and f.worst_sla_pct >= f.sla_target_pct:
        return None
    cat = _category(f.worst_category, lang)
    pct = _num(f.worst_sla_pct, lang)
    if lang == "en":
        return f"{f.worst_district} lags on {cat} SLA ({pct}% closed on time)"
    return f"{f.worst_district} tertinggal pada SLA {cat} ({pct}% selesai tepat waktu)"


def _late_sentence(f: BriefingFigures, lang: str) -> str | None:
    parts = []
    if f.late_open:
        n = _num(f.late_open, lang)
        parts.append(f"{n} open complaints are past SLA" if lang == "en" else f"{n} keluhan terbuka melewati SLA")
    if f.active_alerts:
        n = _num(f.active_alerts, lang)
        parts.append(f"{n} active alerts" if lang == "en" else f"{n} peringatan aktif")
    if not parts:
        return None
    return (" and " if lang == "en" else " dan ").join(parts)


def summary_sentences(figures: BriefingFigures, lang: str = "id") -> list[str]:
    """The briefing's lines, most important first; empty when there is nothing to say."""
    lang = "en" if lang == "en" else "id"
    builders = (_open_sentence, _gap_sentence, _score_sentence, _late_sentence)
    return [s for s in (b(figures, lang) for b in builders) if s]


def summary_text(figures: BriefingFigures, lang: str = "id") -> str:
    """The lines joined as one paragraph: 'A; B. C.' style with a full stop at the end."""
    lines = summary_sentences(figures, lang)
    if not lines:
        return ""
    head = "; ".join(lines[:2])
    rest = ". ".join(lines[2:])
    return head + "." + (f" {rest}." if rest else "")
