"""What every wall screen's callbacks share: which slots to refresh and the slot's own params."""

from __future__ import annotations

from layouts.i18n import lang_of


def should_refresh(slot: object, position: dict | None) -> bool:
    """True when a slot is on screen or next in the playlist (it is rendered before it is shown).

    `position` is the playlist's {"current": slot, "next": slot, "takeover": bool}; a single screen
    page has no position and always refreshes. The takeover slot refreshes whenever a takeover is on.
    """
    if not position:
        return True
    if slot == "takeover":
        return bool(position.get("takeover"))
    return slot in (position.get("current"), position.get("next"))


def slot_lang(params: dict | None) -> str:
    return lang_of((params or {}).get("lang"))


def slot_district(params: dict | None) -> str | None:
    return (params or {}).get("district") or None
