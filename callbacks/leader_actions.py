"""The briefing's "three things to act on": chosen from figures the page already has, most urgent first.

Danger alerts come first (lives and property), then the worst SLA gap (a service failing its promise), then the
lowest-scoring district; the weakest City Score measures fill in when there is less to say.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from data.cityscore import MeasureScore
from layouts.i18n import category_label, fmt_number, t

ACTIONS = 3


def _alert_action(alerts: Sequence[dict], lang: str) -> dict | None:
    for severity, tone in (("danger", "bad"), ("warning", "warn")):
        hits = [a for a in alerts if a.get("severity") == severity]
        if hits:
            first = hits[0]
            detail = " · ".join(x for x in (first.get("title"), first.get("district")) if x)
            headline = t(f"leader_act_{severity}", lang).format(n=fmt_number(len(hits), lang))
            return {"headline": headline, "detail": detail, "href": f"/ops?lang={lang}", "tone": tone}
    return None


def _sla_action(gaps: pd.DataFrame, target: float | None, lang: str) -> dict | None:
    if gaps.empty:
        return None
    worst = gaps.iloc[0]
    if target is not None and float(worst["sla_pct"]) >= target:
        return None
    headline = t("leader_act_sla", lang).format(
        category=category_label(str(worst["category"]), lang).lower(),
        district=worst["district"],
        pct=fmt_number(float(worst["sla_pct"]), lang),
    )
    detail = t("leader_act_sla_detail", lang).format(target=fmt_number(target, lang)) if target is not None else ""
    href = f"/leader/district/{worst['district_code']}?lang={lang}"
    return {"headline": headline, "detail": detail, "href": href, "tone": "bad"}


def _district_action(districts: pd.DataFrame, lang: str) -> dict | None:
    scored = districts.dropna(subset=["score"])
    if scored.empty or float(scored["score"].min()) >= 1.0:
        return None
    low = scored.loc[scored["score"].idxmin()]
    headline = t("leader_act_district", lang).format(district=low["name"], score=fmt_number(low["score"], lang, 2))
    per_10k = None if pd.isna(low.get("open_per_10k")) else float(low["open_per_10k"])
    detail = t("leader_act_district_detail", lang).format(
        late=fmt_number(int(low["late"]), lang), per_10k=fmt_number(per_10k, lang, 1)
    )
    href = f"/leader/district/{low['code']}?lang={lang}"
    return {"headline": headline, "detail": detail, "href": href, "tone": "warn"}


def _measure_action(m: MeasureScore, lang: str) -> dict:
    headline = t("leader_act_measure", lang).format(measure=m.measure.label(lang), score=fmt_number(m.score, lang, 2))
    detail = f"{t('leader_target', lang)} {fmt_number(m.measure.target, lang, 1)}"
    return {"headline": headline, "detail": detail, "href": f"/analyst?lang={lang}", "tone": "warn"}


def leader_actions(
    alerts: Sequence[dict],
    gaps: pd.DataFrame,
    districts: pd.DataFrame,
    bottom: Sequence[MeasureScore],
    sla_target: float | None,
    lang: str,
) -> list[dict]:
    """Up to three actions (headline, detail, href, tone); none when everything is on target."""
    picks = [_alert_action(alerts, lang), _sla_action(gaps, sla_target, lang), _district_action(districts, lang)]
    actions = [a for a in picks if a]
    for m in bottom:
        if len(actions) >= ACTIONS:
            break
        if m.score is not None and m.score < 1.0:
            actions.append(_measure_action(m, lang))
    return actions[:ACTIONS]
