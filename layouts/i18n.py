"""Words and number formats for the two languages: Indonesian (default) and English.

Numbers follow the locale (1.234,5 in Indonesian); times are shown in WIB.
"""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal

from data.timebuckets import to_wib

LANGS = ("id", "en")
LOCALES = {"id": "id_ID", "en": "en_US"}

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"id": "Ruang Kendali Kota Tangerang", "en": "Tangerang City Operations Room"},
    "wall": {"id": "Layar Dinding", "en": "Wall"},
    "leader": {"id": "Pimpinan", "en": "Leaders"},
    "analyst": {"id": "Analis", "en": "Analysts"},
    "ops": {"id": "Operator", "en": "Operator"},
    "city_score": {"id": "Skor Kota", "en": "City Score"},
    "open_complaints": {"id": "Keluhan terbuka", "en": "Open complaints"},
    "late_complaints": {"id": "Terlambat", "en": "Late"},
    "received_today": {"id": "Masuk hari ini", "en": "Received today"},
    "closed_today": {"id": "Selesai hari ini", "en": "Closed today"},
    "within_sla": {"id": "Selesai sesuai SLA", "en": "Closed within SLA"},
    "median_close": {"id": "Median penyelesaian", "en": "Median time to close"},
    "p90_close": {"id": "P90 penyelesaian", "en": "P90 time to close"},
    "backlog_age": {"id": "Usia median tunggakan", "en": "Median backlog age"},
    "sensors_online": {"id": "Sensor daring", "en": "Sensors online"},
    "active_alerts": {"id": "Peringatan aktif", "en": "Active alerts"},
    "service_availability": {"id": "Ketersediaan layanan", "en": "Service availability"},
    "hours": {"id": "jam", "en": "h"},
    "stale": {"id": "BASI", "en": "STALE"},
    "last_data": {"id": "data terakhir", "en": "last data"},
    "ago": {"id": "lalu", "en": "ago"},
    "minutes": {"id": "mnt", "en": "min"},
    "no_data": {"id": "tidak ada data", "en": "no data"},
    "reconnecting": {"id": "menyambung ulang", "en": "reconnecting"},
    "city": {"id": "Seluruh kota", "en": "Whole city"},
    "district": {"id": "Kecamatan", "en": "District"},
    "subdistrict": {"id": "Kelurahan", "en": "Subdistrict"},
    "category": {"id": "Kategori", "en": "Category"},
    "channel": {"id": "Kanal", "en": "Channel"},
    "status": {"id": "Status", "en": "Status"},
    "agency": {"id": "Perangkat daerah", "en": "Agency"},
    "normal": {"id": "Normal", "en": "Normal"},
    "warning": {"id": "Waspada", "en": "Warning"},
    "danger": {"id": "Bahaya", "en": "Danger"},
    "offline": {"id": "Luring", "en": "Offline"},
    "open": {"id": "Menunggu", "en": "Open"},
    "acknowledged": {"id": "Diterima", "en": "Acknowledged"},
    "in_progress": {"id": "Proses", "en": "In progress"},
    "closed": {"id": "Selesai", "en": "Closed"},
}


def lang_of(value: object) -> str:
    """A supported language code from a query-string value; Indonesian when unknown."""
    return value if value in LANGS else "id"  # type: ignore[return-value]


def t(key: str, lang: str) -> str:
    """The phrase for `key` in `lang`; the key itself if nobody has translated it (visible, not fatal)."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["id"]


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English; an em dash for no value."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang_of(lang)])


def fmt_time_wib(moment: datetime | None, with_date: bool = False) -> str:
    """A stored UTC time as WIB clock time, e.g. '14:05 WIB' or '23/11 14:05 WIB'."""
    if moment is None:
        return "—"
    wib = to_wib(moment)
    return wib.strftime("%d/%m %H:%M WIB" if with_date else "%H:%M WIB")


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
    from data.demo.catalog import CATEGORY_BY_CODE

    cat = CATEGORY_BY_CODE.get(code)
    if cat is None:
        return code.replace("_", " ").capitalize()
    return cat.label_en if lang_of(lang) == "en" else cat.label_id
