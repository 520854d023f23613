"""Words of the login and administration pages."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "login_title": {"id": "Masuk", "en": "Log in"},
    "login_intro": {
        "id": "Ruang kendali ini memuat data warga. Masuk dengan akun Anda.",
        "en": "This operations room holds citizens' data. Log in with your account.",
    },
    "username": {"id": "Nama pengguna", "en": "Username"},
    "password": {"id": "Kata sandi", "en": "Password"},
    "login_button": {"id": "Masuk", "en": "Log in"},
    "login_error_bad_credentials": {
        "id": "Nama pengguna atau kata sandi salah.",
        "en": "Wrong username or password.",
    },
    "login_error_blocked": {
        "id": "Terlalu banyak percobaan gagal. Coba lagi dalam 15 menit atau hubungi administrator.",
        "en": "Too many failed attempts. Try again in 15 minutes or ask an administrator.",
    },
    "logged_out": {"id": "Anda telah keluar.", "en": "You have logged out."},
    "logout": {"id": "Keluar", "en": "Log out"},
    "wall_token_hint": {
        "id": "Layar dinding tidak perlu masuk: gunakan alamat dengan token perangkat dari administrator.",
        "en": "Wall screens need no login: use the address with a device token from an administrator.",
    },
    "admin_title": {"id": "Administrasi akses", "en": "Access administration"},
    "admin_users": {"id": "Pengguna", "en": "Users"},
    "admin_tokens": {"id": "Token perangkat & ingest", "en": "Device & ingest tokens"},
    "admin_log": {"id": "Log keamanan", "en": "Security log"},
    "admin_open_demo": {
        "id": "Belum ada pengguna: demo terbuka hanya di 127.0.0.1. Tambahkan administrator sebelum dipakai "
        "di jaringan.",
        "en": "No users yet: the demo is open on 127.0.0.1 only. Add an administrator before using it on a network.",
    },
    "role": {"id": "Peran", "en": "Role"},
    "display_name": {"id": "Nama tampilan", "en": "Display name"},
    "personal_data": {"id": "Data pribadi", "en": "Personal data"},
    "active": {"id": "Aktif", "en": "Active"},
    "last_login": {"id": "Terakhir masuk", "en": "Last login"},
    "add_user": {"id": "Tambah pengguna", "en": "Add user"},
    "disable": {"id": "Nonaktifkan", "en": "Disable"},
    "enable": {"id": "Aktifkan", "en": "Enable"},
    "new_password": {"id": "Kata sandi baru", "en": "New password"},
    "set_password": {"id": "Ganti kata sandi", "en": "Set password"},
    "token_kind": {"id": "Jenis", "en": "Kind"},
    "token_name": {"id": "Nama token", "en": "Token name"},
    "token_scopes": {"id": "Cakupan (feed atau peran)", "en": "Scopes (feeds or role)"},
    "create_token": {"id": "Buat token", "en": "Create token"},
    "revoke": {"id": "Cabut", "en": "Revoke"},
    "token_once": {
        "id": "Salin sekarang; token ini tidak akan ditampilkan lagi:",
        "en": "Copy it now; this token will not be shown again:",
    },
    "select_row": {"id": "Pilih satu baris dulu.", "en": "Select a row first."},
    "done": {"id": "Selesai.", "en": "Done."},
    "event_at": {"id": "Waktu", "en": "Time"},
    "event_action": {"id": "Tindakan", "en": "Action"},
    "event_actor": {"id": "Oleh", "en": "By"},
    "event_subject": {"id": "Objek", "en": "Subject"},
    "event_ok": {"id": "Berhasil", "en": "OK"},
    "event_detail": {"id": "Rincian", "en": "Detail"},
}
