"""Words and number formats for the two languages: Indonesian (default) and English.

Numbers follow the locale (1.234,5 in Indonesian); times are shown in the city's zone (WIB, WITA or WIT).
Texts may name the city's own words, filled from its pack: {room_title}, {city}, {whole}, {zone}, {Subdistrict}.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

from babel import Locale
from babel.numbers import format_decimal

from data.city import catalogue, current
from data.timebuckets import to_wib
from layouts import texts

LANGS = ("id", "en")
LOCALES = {"id": "id_ID", "en": "en_US"}
BABEL_LOCALES = {lang: Locale.parse(code) for lang, code in LOCALES.items()}  # parsed once, not per number


class DuplicateTextKeyError(RuntimeError):
    """Two text modules define the same key: one page would silently show the other's words."""


def merge_texts(modules: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    """One dict of every module's TEXT; a key defined by two modules fails loudly (at import, so in every test)."""
    merged: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    clashes = []
    for name, text in modules.items():
        for key, entry in text.items():
            if key in owner:
                clashes.append(f"{key!r} in {owner[key]} and {name}")
            else:
                owner[key] = name
                merged[key] = entry
    if clashes:
        raise DuplicateTextKeyError(
            "text keys defined twice in layouts/texts (prefix them with the page, e.g. an_, ops_, wall_): "
            + "; ".join(clashes)
        )
    return merged


def _load_texts() -> dict[str, dict[str, str]]:
    """Merge the TEXT dicts of every module in layouts/texts (one per page, so pages never edit one file)."""
    modules = {}
    for info in pkgutil.iter_modules(texts.__path__):
        module = importlib.import_module(f"{texts.__name__}.{info.name}")
        modules[info.name] = getattr(module, "TEXT", {})
    return merge_texts(modules)


TEXT = _load_texts()


def lang_of(value: object) -> str:
    """A supported language code from a query-string value; Indonesian when unknown."""
    return value if value in LANGS else "id"  # type: ignore[return-value]


def t(key: str, lang: str) -> str:
    """The phrase for `key` in `lang`; the key itself if nobody has translated it (visible, not fatal)."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["id"]
    return _city_words(text, lang) if "{" in text else text


def _city_words(text: str, lang: str) -> str:
    """Fill the city's own words into a phrase; other {placeholders} are left for the caller's format()."""
    pack = current()
    words = {
        "{room_title}": pack.room_title(lang),
        "{city}": pack.name,
        "{whole}": pack.whole_area(lang_of(lang)),
        "{zone}": pack.zone.label,
        "{Subdistrict}": pack.subdistrict_word.capitalize() if lang_of(lang) == "id" else "Subdistrict",
    }
    for token, word in words.items():
        text = text.replace(token, word)
    return text


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English; an em dash for no value."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=BABEL_LOCALES[lang_of(lang)])


def fmt_time_wib(moment: datetime | None, with_date: bool = False, now: datetime | None = None) -> str:
    """A stored UTC time as the city's clock time, e.g. '14:05 WIB', '23/11 14:05 WITA', or with the year
    ('05/01/2027 09:00 WIB') when the date is not in the year of `now` (naive UTC; default the clock's)."""
    if moment is None:
        return "—"
    local = to_wib(moment)
    if not with_date:
        return local.strftime("%H:%M %Z")
    same_year = local.year == to_wib(now or datetime.now(UTC)).year
    return local.strftime("%d/%m %H:%M %Z" if same_year else "%d/%m/%Y %H:%M %Z")


def fmt_age(seconds: float | None, lang: str) -> str:
    """'12 mnt lalu' / '3 jam lalu' / '2 hari lalu'."""
    if seconds is None:
        return t("no_data", lang)
    minutes = max(0, int(seconds // 60))
    if minutes < 90:
        unit = t("minutes", lang)
        return f"{minutes} {unit} {t('ago', lang)}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} {t('hours', lang)} {t('ago', lang)}"
    days = hours // 24
    return f"{days} {'hari' if lang_of(lang) == 'id' else 'days'} {t('ago', lang)}"


def category_label(code: str, lang: str) -> str:
    cat = catalogue().category(code)
    if cat is None:
        return code.replace("_", " ").capitalize()
    return cat.label.text(lang_of(lang))
