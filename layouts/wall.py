"""The wall's page frame: header (title, data-health strip, the city's clock), the screen slots, playlist controls.

Every screen of the wall and every playlist is built here from the registry in layouts/wall_screens.py.
A single screen is one slot; a playlist renders all its slots at once and assets/wall.js only switches
which one is visible, so switching never flickers, never shows a spinner and never reloads the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dash import dcc, html

from data.city import zone
from layouts import ids
from layouts.components.freshness import reconnecting_mark
from layouts.i18n import lang_of, t
from layouts.wall_screens import ScreenContext, get_screen, screens, slot_id, slot_params_id

DEFAULT_SCREEN = "overview"
MIN_DWELL_S = 5
MAX_DWELL_S = 3600
TAKEOVER_S = 60  # a danger alert's takeover of a playlist, then a banner until acknowledged
DISTRICT_CODE = re.compile(r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$")


@dataclass(frozen=True)
class PlaylistItem:
    screen: str
    dwell_s: int
    district: str | None = None


def parse_playlist(spec: str | None, default_district: str | None = None) -> tuple[list[PlaylistItem], list[str]]:
    """`map:60,kpi:20:36.71.01` -> items and a list of errors (each error names the bad part)."""
    items: list[PlaylistItem] = []
    errors: list[str] = []
    known = screens()
    for part in [p.strip() for p in (spec or "").split(",") if p.strip()]:
        bits = part.split(":")
        name = bits[0].strip().lower()
        if name not in known:
            errors.append(f"{part!r}: unknown screen {name!r}")
            continue
        dwell = 30
        if len(bits) > 1 and bits[1].strip():
            if not bits[1].strip().isdigit() or not MIN_DWELL_S <= int(bits[1]) <= MAX_DWELL_S:
                errors.append(f"{part!r}: dwell must be {MIN_DWELL_S}-{MAX_DWELL_S} seconds")
                continue
            dwell = int(bits[1])
        district = bits[2].strip() if len(bits) > 2 and bits[2].strip() else default_district
        if district and not DISTRICT_CODE.match(district):
            errors.append(f"{part!r}: district code must look like 36.71.01")
            continue
        items.append(PlaylistItem(name, dwell, district))
    if not items and not errors:
        errors.append("no screens given")
    return items, errors


def _slot_frame(
    slot: int | str, item: PlaylistItem, lang: str, kiosk: bool, active: bool, measure: str = "per_10k"
) -> html.Div:
    """One slot: its params store and the screen built for it (hidden unless active)."""
    screen = get_screen(item.screen)
    ctx = ScreenContext(slot=slot, district=item.district, lang=lang, kiosk=kiosk, measure=measure)
    params = {"screen": item.screen, "district": item.district, "lang": lang, "dwell": item.dwell_s, "slot": slot,
              "kiosk": kiosk}  # fmt: skip
    return html.Div(
        [dcc.Store(id=slot_params_id(slot), data=params), screen.build(ctx) if screen else None],
        id=slot_id(ids.WALL_SLOT, slot),
        className=f"wall-slot screen-{item.screen}" + (" active" if active else ""),
        **{"data-slot": str(slot), "data-dwell": str(item.dwell_s), "data-screen": item.screen},
    )


def _nav(lang: str, current: str, district: str | None) -> html.Nav:
    """Links to every screen and the other language (hidden in kiosk mode)."""
    query = f"?district={district}&" if district else "?"
    other = "en" if lang == "id" else "id"
    links = [
        dcc.Link(
            t(s.title_key, lang),
            href=f"/wall/{name}{query}lang={lang}",
            className="wall-nav-link" + (" current" if name == current else ""),
        )  # fmt: skip
        for name, s in screens().items()
    ]
    links.append(dcc.Link(other.upper(), href=f"/wall/{current}{query}lang={other}", className="wall-nav-link lang"))
    return html.Nav(links, className="wall-nav")


def _header(lang: str, title: str) -> html.Header:
    return html.Header(
        [
            html.Div(
                [html.Span(t("app_title", lang), className="wall-app"), html.Span(title, id=ids.WALL_TITLE)],
                className="wall-titles",
            ),  # fmt: skip
            html.Div(id=ids.WALL_HEALTH, className="wall-health"),
            reconnecting_mark(lang),
            # the clock runs in the browser in the city's zone, whatever zone the wall PC is set to
            html.Div(
                id=ids.WALL_CLOCK,
                className="wall-clock",
                **{"data-zone": zone().label, "data-offset-hours": str(zone().offset_hours)},
            ),
            html.Span(id=ids.WALL_HEARTBEAT, className="wall-heartbeat"),
        ],
        className="wall-header",
    )


def _error(messages: list[str], lang: str, help_key: str) -> html.Div:
    """What was wrong, and a link to every screen that exists (in the same language)."""
    links = [
        dcc.Link(t(s.title_key, lang), href=f"/wall/{name}?lang={lang}", className="wall-error-link")
        for name, s in screens().items()
    ]
    return html.Div(
        [
            html.B(t(help_key, lang)),
            html.Ul([html.Li(m) for m in messages]),
            html.Div([html.Span(f"{t('valid_screens', lang)}:"), *links], className="wall-error-links"),
        ],  # fmt: skip
        className="wall-error",
        role="alert",
    )


def _page(
    slots: list[html.Div], lang: str, kiosk: bool, current: str, params: dict, extra: list | None = None
) -> html.Div:
    district = params.get("district")
    return html.Div(
        [
            dcc.Store(id=ids.WALL_PARAMS, data=params),
            dcc.Store(id=ids.WALL_POSITION, data=params.get("position")),
            dcc.Store(id=ids.WALL_TAKEOVER, data=None),
            dcc.Interval(id=ids.WALL_TICK, interval=10_000),
            dcc.Interval(id=ids.WALL_CLOCK_TICK, interval=1_000),
            _header(lang, t(f"screen_{current}", lang)),
            None if kiosk else _nav(lang, current, district),
            html.Div(id=ids.WALL_ERROR),
            html.Main(slots + (extra or []), className="wall-slots"),
        ],
        id=ids.WALL_ROOT,
        className="wall theme-dark" + (" kiosk" if kiosk else "") + (" playlist" if extra else ""),
        lang=lang,
    )


def layout(
    district: str | None = None,
    lang: str | None = None,
    kiosk: str | None = None,
    screen: str | None = None,
    measure: str | None = None,
    **_: object,
) -> html.Div:
    """`/wall` and `/wall/<screen>`: one screen in one slot; an unknown screen says which ones exist."""
    lang = lang_of(lang)
    is_kiosk = kiosk in ("1", "true", "yes")
    name = (screen or DEFAULT_SCREEN).lower()
    district = district or None
    params = {"district": district, "lang": lang, "kiosk": is_kiosk, "screen": name}
    if name == "playlist":
        return playlist_layout(district=district, lang=lang, kiosk=kiosk, measure=measure, **_)
    if get_screen(name) is None:
        return _page([_error([f"/wall/{name}"], lang, "unknown_screen")], lang, is_kiosk, DEFAULT_SCREEN, params)
    item = PlaylistItem(name, 0, district)
    slot = _slot_frame(0, item, lang, is_kiosk, active=True, measure=_measure(measure))
    return _page([slot], lang, is_kiosk, name, params)


def _measure(value: object) -> str:
    """The map measure from `?measure=`; open complaints per 10,000 residents unless one of the others."""
    return value if value in ("per_10k", "late", "alerts") else "per_10k"  # type: ignore[return-value]


def screen_layout(screen: str | None = None, **params: object) -> html.Div:
    return layout(screen=screen, **params)  # type: ignore[arg-type]


def _takeover_seconds(value: object) -> tuple[int, list[str]]:
    """`?takeover=N`: how long a new danger alert holds the playlist (5-3600 s, default 60)."""
    if value in (None, ""):
        return TAKEOVER_S, []
    text = str(value).strip()
    if text.isdigit() and MIN_DWELL_S <= int(text) <= MAX_DWELL_S:
        return int(text), []
    return TAKEOVER_S, [f"takeover={text!r}: must be {MIN_DWELL_S}-{MAX_DWELL_S} seconds"]


def playlist_layout(
    screens: str | None = None, district: str | None = None, lang: str | None = None, kiosk: str | None = None,
    measure: str | None = None, takeover: str | None = None, **_: object,
) -> html.Div:  # fmt: skip
    """`/wall/playlist?screens=map:60,kpi:20`: every slot rendered up front, rotated by assets/wall.js.

    A new danger alert takes the wall over for `?takeover=` seconds (60), then stays as a banner."""
    lang = lang_of(lang)
    is_kiosk = kiosk in ("1", "true", "yes")
    items, errors = parse_playlist(screens, district or None)
    takeover_s, bad_takeover = _takeover_seconds(takeover)
    errors += bad_takeover
    params = {"district": district or None, "lang": lang, "kiosk": is_kiosk, "screen": "playlist"}
    if errors:
        messages = errors + [t("playlist_help", lang)]
        return _page([_error(messages, lang, "bad_playlist")], lang, is_kiosk, "playlist", params)
    params["position"] = {"current": 0, "next": 1 % len(items), "takeover": False}
    slots = [_slot_frame(i, item, lang, is_kiosk, i == 0, _measure(measure)) for i, item in enumerate(items)]
    takeover_slot = _slot_frame("takeover", PlaylistItem("map", 0, None), lang, is_kiosk, active=False)
    takeover_slot.className += " wall-takeover"
    setattr(takeover_slot, "data-takeover-s", str(takeover_s))  # read by assets/wall.js
    takeover_slot.children.insert(0, html.Div(t("takeover", lang), id=slot_id(ids.WALL_TAKEOVER_TITLE, "takeover"),
                                         className="takeover-title"))  # fmt: skip
    buttons = [
        html.Button(html.I(className=f"bi {icon}"), className="wall-ctl", title=t(word, lang), **{"data-action": act})
        for act, icon, word in (
            ("prev", "bi-skip-backward-fill", "previous"),
            ("pause", "bi-pause-fill", "pause"),
            ("next", "bi-skip-forward-fill", "next"),
        )
    ]
    controls = html.Div(
        [
            html.Div(html.Div(className="wall-progress-fill"), className="wall-progress"),
            html.Div([*buttons, html.Span(t("paused", lang), className="wall-paused")], className="wall-controls"),
        ],
        className="wall-playlist-bar",
    )
    return _page(slots, lang, is_kiosk, "playlist", params, extra=[takeover_slot, controls])
