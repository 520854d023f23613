"""The registry of wall screens: name -> layout builder, shared by /wall/<name> and the playlist.

How a screen plugs in (e.g. ``services`` or ``cctv``):

1. Write ``layouts/wall_<name>.py`` and, at import time, call::

       register_screen(WallScreen(name="services", title_key="screen_services", build=services_screen,
                                  feeds=("service_metrics",)))

   Every ``layouts/wall_*.py`` module is imported when the registry is first read, so nothing else
   needs editing for the screen to appear at ``/wall/services`` and in ``/wall/playlist?screens=...``.
2. ``build(ctx: ScreenContext)`` returns the screen's component tree. The same screen can appear twice
   in one playlist (two districts), so every id inside it must carry the slot: use
   ``slot_id("services-grid", ctx)`` -> ``{"type": "services-grid", "slot": ctx.slot}``.
3. Its callbacks (``callbacks/wall_<name>.py``, listed in ``dashboard/app.py``) use ``MATCH`` on the
   slot, take ``Input(ids.WALL_TICK, "n_intervals")`` for the refresh, and read the slot's district and
   language from ``State(slot_params_id(MATCH), "data")`` (a dict: screen, district, lang, dwell).
   ``callbacks.wall_common.should_refresh(slot, position)`` tells a callback whether its slot is on
   screen or next in the playlist; hidden slots should skip the refresh (``raise PreventUpdate``).
4. Size everything in viewport units inside the slot (the frame is 100vw x the height under the
   header); the wall's theme (assets/theme.css) gives ``wall-panel``, ``wall-panel-title`` and colours.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from dash.development.base_component import Component

import layouts
from layouts import ids


@dataclass(frozen=True)
class ScreenContext:
    """What a screen builder knows: its slot on the page, the district (None = whole city), the language."""

    slot: int | str
    district: str | None
    lang: str
    kiosk: bool = False
    tile_url: str = "none"
    measure: str = "per_10k"  # the map's choropleth: per_10k, late (SLA breaches) or alerts


@dataclass(frozen=True)
class WallScreen:
    """One screen of the wall. `feeds` are the feed names its panels depend on (for the stale state)."""

    name: str
    title_key: str
    build: Callable[[ScreenContext], Component]
    feeds: tuple[str, ...] = field(default_factory=tuple)
    order: int = 100


_REGISTRY: dict[str, WallScreen] = {}
_discovered = False


def register_screen(screen: WallScreen) -> WallScreen:
    """Add a screen to the wall; registering the same name again replaces it (module reloads in tests)."""
    if not screen.name.isidentifier() or screen.name in ("playlist",):
        raise ValueError(f"wall screen name {screen.name!r} must be a plain word and not 'playlist'")
    _REGISTRY[screen.name] = screen
    return screen


def _discover() -> None:
    """Import every layouts/wall_*.py so each registers itself."""
    global _discovered  # noqa: PLW0603 - a one-time import of plug-in modules
    if _discovered:
        return
    _discovered = True
    for info in pkgutil.iter_modules(layouts.__path__):
        if info.name.startswith("wall_") and info.name != "wall_screens":
            importlib.import_module(f"{layouts.__name__}.{info.name}")


def screens() -> dict[str, WallScreen]:
    """Every registered screen by name, in display order."""
    _discover()
    return dict(sorted(_REGISTRY.items(), key=lambda item: (item[1].order, item[0])))


def get_screen(name: str | None) -> WallScreen | None:
    return screens().get(name or "")


def slot_id(kind: str, ctx: ScreenContext | int | str) -> dict[str, object]:
    """A pattern-matching id for a component of one slot."""
    slot = ctx.slot if isinstance(ctx, ScreenContext) else ctx
    return {"type": kind, "slot": slot}


def slot_params_id(slot: object) -> dict[str, object]:
    """The id of the store holding a slot's params (pass MATCH in callbacks)."""
    return {"type": ids.WALL_SLOT_PARAMS, "slot": slot}
