"""Words every page uses."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"id": "{room_title}", "en": "{room_title}"},  # from the city pack
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
    "city": {"id": "{whole}", "en": "{whole}"},  # Seluruh kota / Seluruh kabupaten, per pack
    "district": {"id": "Kecamatan", "en": "District"},
    "subdistrict": {"id": "{Subdistrict}", "en": "{Subdistrict}"},  # kelurahan, desa, kampung, ... per pack
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
