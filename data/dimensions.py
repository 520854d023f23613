"""Scores for the six dimensions of "Gerakan Menuju 100 Smart City", by the City Score method.

A dimension's score is the mean of its items' scores (actual against target, 1.0 = on target), where the
items are the City Score measures tagged with the dimension, plus the availability and user satisfaction
of the connected services tagged with it (scored against the city-wide service targets). The two city-wide
service measures are left out of the dimensions, since their per-dimension parts already count there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from data.cityscore import Measure, MeasureScore, load_measures, measure_score
from data.models import SMART_CITY_DIMENSIONS
from data.queries.services import mean_availability

SERVICE_MEASURES = ("service_availability", "service_satisfaction")


@dataclass(frozen=True)
class DimensionItem:
    """One measure behind a dimension's score: what was measured, against what, and how it scored."""

    key: str
    label_id: str
    label_en: str
    unit: str
    better: str
    actual: float | None
    target: float
    score: float | None

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    score: float | None
    items: tuple[DimensionItem, ...]

    @property
    def scored_items(self) -> int:
        return sum(1 for i in self.items if i.score is not None)


def _item(
    measure: Measure, actual: float | None, key: str | None = None, suffix: tuple[str, str] = ("", "")
) -> DimensionItem:
    return DimensionItem(
        key=key or measure.key,
        label_id=measure.label_id + suffix[0],
        label_en=measure.label_en + suffix[1],
        unit=measure.unit,
        better=measure.better,
        actual=actual,
        target=measure.target,
        score=measure_score(measure, actual),
    )


def service_items(health: pd.DataFrame, measures: tuple[Measure, ...]) -> dict[str, list[DimensionItem]]:
    """Per dimension: its connected services' weighted availability and mean satisfaction, scored on the targets."""
    by_key = {m.key: m for m in measures}
    out: dict[str, list[DimensionItem]] = {d: [] for d in SMART_CITY_DIMENSIONS}
    if health.empty:
        return out
    for dimension, group in health.groupby("dimension"):
        if dimension not in out:
            continue
        n = len(group)
        suffix = (f" ({n} layanan)", f" ({n} services)")
        if "service_availability" in by_key and group["availability_pct"].notna().any():
            actual = mean_availability(group.dropna(subset=["availability_pct"]))
            out[dimension].append(_item(by_key["service_availability"], actual, f"service_availability.{dimension}",
                                        suffix))  # fmt: skip
        if "service_satisfaction" in by_key and group["satisfaction"].notna().any():
            actual = float(group["satisfaction"].mean())
            out[dimension].append(_item(by_key["service_satisfaction"], actual, f"service_satisfaction.{dimension}",
                                        suffix))  # fmt: skip
    return out


def dimension_scores(
    measure_scores: list[MeasureScore], health: pd.DataFrame, measures: tuple[Measure, ...]
) -> list[DimensionScore]:
    """All six dimensions in the programme's order, each with its items and their mean score (None if none)."""
    from_services = service_items(health, measures)
    out = []
    for dimension in SMART_CITY_DIMENSIONS:
        items = [
            _item(s.measure, s.actual)
            for s in measure_scores
            if s.measure.dimension == dimension and s.measure.key not in SERVICE_MEASURES
        ]
        items += from_services[dimension]
        scores = [i.score for i in items if i.score is not None]
        out.append(DimensionScore(dimension, sum(scores) / len(scores) if scores else None, tuple(items)))
    return out


def city_dimensions(
    engine: Engine, now: datetime, targets_path: Path, district: str | None = None
) -> list[DimensionScore]:
    """The six dimension scores of the city (or one kecamatan) now, from the same snapshot as the City Score."""
    from data.queries.snapshot import city_snapshot

    snap = city_snapshot(engine, now, targets_path, district)
    return dimension_scores(snap.measures, snap.service_health, load_measures(targets_path))
