"""The City Score (Boston's method): each measure's actual against its target, averaged.

A measure scores actual/target when higher is better and target/actual when lower is better,
so 1.0 is on target, above 1 beats it; the score of a period is the mean of its measures' scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

SCORE_CAP = 2.0  # one runaway measure must not hide the others


@dataclass(frozen=True)
class Measure:
    key: str
    label_id: str
    label_en: str
    unit: str
    better: str  # "higher" or "lower"
    target: float
    dimension: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True)
class MeasureScore:
    measure: Measure
    actual: float | None
    score: float | None


@lru_cache(maxsize=8)
def load_measures(path: Path) -> tuple[Measure, ...]:
    """Measures and targets from the YAML file (TARGETS_FILE); a broken file fails loudly at start. Cached per
    path with `lru_cache`: the file is read-only while the app runs and no data version touches it."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    out = []
    for key, spec in (raw.get("measures") or {}).items():
        if spec.get("better") not in ("higher", "lower"):
            raise ValueError(f"{path}: measure {key!r} needs better: higher|lower")
        if float(spec["target"]) <= 0:
            raise ValueError(f"{path}: measure {key!r} needs a positive target")
        out.append(
            Measure(
                key=key,
                label_id=spec["label"]["id"],
                label_en=spec["label"].get("en", spec["label"]["id"]),
                unit=spec.get("unit", ""),
                better=spec["better"],
                target=float(spec["target"]),
                dimension=spec.get("dimension", "governance"),
            )
        )
    return tuple(out)


def measure_score(measure: Measure, actual: float | None) -> float | None:
    if actual is None:
        return None
    if measure.better == "higher":
        score = actual / measure.target
    else:
        score = measure.target / actual if actual > 0 else SCORE_CAP
    return min(SCORE_CAP, max(0.0, score))


def score_measures(measures: tuple[Measure, ...], actuals: dict[str, float | None]) -> list[MeasureScore]:
    return [MeasureScore(m, actuals.get(m.key), measure_score(m, actuals.get(m.key))) for m in measures]


def city_score(scores: list[MeasureScore]) -> float | None:
    """Mean of the measures that have a value today."""
    values = [s.score for s in scores if s.score is not None]
    return sum(values) / len(values) if values else None


def ranked(scores: list[MeasureScore], n: int = 5) -> tuple[list[MeasureScore], list[MeasureScore]]:
    """The n best and the n worst measures (by score), for the top-5 / bottom-5 panels."""
    known = sorted((s for s in scores if s.score is not None), key=lambda s: s.score, reverse=True)
    return known[:n], list(reversed(known[-n:]))
