"""The demo city's digital estate: 172 applications like Kota Tangerang's, most not yet connected to the room.

The 25 services of `catalog.SERVICES` send metrics (connected); the rest are registered only, some sending
data by hand or irregularly (partial). Names and agencies are plausible for a Kota's OPD, not an inventory.
Dates are drawn from a seeded generator so monthly coverage history can be backfilled reproducibly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, select

from data.city import zone
from data.demo import catalog
from data.demo.generate import hash_unit
from data.estate.coverage import clear_history, write_history
from data.models import Sensor, Service
from data.store import bump_data_version

# agency -> the sector the inventory files its applications under
AGENCY_SECTOR = {
    "Diskominfo": "komunikasi dan informatika", "Disdukcapil": "administrasi kependudukan",
    "Dinas Kesehatan": "kesehatan", "Dinas Pendidikan": "pendidikan", "DPMPTSP": "perizinan",
    "Bapenda": "pajak", "BPKAD": "keuangan", "BKPSDM": "kepegawaian", "Bappeda": "perencanaan",
    "Dinas Perhubungan": "transportasi", "DLH": "lingkungan hidup", "Dinas PUPR": "pekerjaan umum",
    "Dinas Perkimtan": "perumahan", "Dinas Sosial": "sosial", "Disnaker": "ketenagakerjaan",
    "Disperindag": "perdagangan", "Dinas Koperasi dan UKM": "umkm", "Disbudpar": "pariwisata",
    "Dispora": "olahraga", "Dispusip": "kearsipan", "DP3AP2KB": "perlindungan anak",
    "Dinas Ketahanan Pangan dan Pertanian": "pangan", "Satpol PP": "ketertiban", "BPBD": "kebencanaan",
    "Damkar": "kebakaran", "Inspektorat": "pengawasan", "Bagian Hukum": "hukum", "Bagian Organisasi": "organisasi",
    "Bagian Pengadaan Barang dan Jasa": "pengadaan", "Setwan DPRD": "legislatif", "Kesbangpol": "kesbangpol",
    "RSUD Kota Tangerang": "kesehatan", "Bagian Umum": "umum", "Bagian Protokol dan Kompim": "kehumasan",
    "Bagian Perekonomian": "perekonomian", "Bagian Kesra": "kesejahteraan rakyat",
    "Bagian Pemerintahan": "pemerintahan", "Kecamatan": "kewilayahan", "Kelurahan": "kewilayahan",
}  # fmt: skip

CAMERA_INTERVALS_S = (5, 10, 15)
EG, PS = "e_government", "public_service"
GOV, BRA, ECO, LIV, SOC, ENV = "governance", "branding", "economy", "living", "society", "environment"

# code, name, agency, kind, dimension, partial (True) or not connected (False)
UNCONNECTED: tuple[tuple[str, str, str, str, str, bool], ...] = (
    ("e-office", "e-Office Naskah Dinas", "Diskominfo", EG, GOV, True),
    ("satu-data", "Satu Data Kota Tangerang", "Diskominfo", EG, GOV, True),
    ("wifi-publik", "Wi-Fi Publik Tangerang", "Diskominfo", PS, LIV, True),
    ("sso-asn", "Single Sign-On ASN", "Diskominfo", EG, GOV, False),
    ("email-dinas", "Email Dinas", "Diskominfo", EG, GOV, False),
    ("cloud-pemkot", "Pusat Data dan Cloud Pemkot", "Diskominfo", EG, GOV, True),
    ("open-data", "Portal Open Data", "Diskominfo", PS, GOV, True),
    ("tangerang-tv", "Tangerang TV Streaming", "Diskominfo", PS, BRA, False),
    ("medsos-monitor", "Monitoring Media Sosial", "Diskominfo", EG, BRA, False),
    ("statistik-sektoral", "Statistik Sektoral", "Diskominfo", EG, GOV, False),
    ("tte", "Tanda Tangan Elektronik", "Diskominfo", EG, GOV, True),
    ("domain-subdomain", "Layanan Subdomain dan Hosting OPD", "Diskominfo", EG, GOV, False),
    ("antrean-dukcapil", "Antrean Online Disdukcapil", "Disdukcapil", PS, SOC, True),
    ("cetak-ktp-el", "Monitoring Cetak KTP-el", "Disdukcapil", EG, SOC, False),
    ("akta-lahir", "Akta Kelahiran Online", "Disdukcapil", PS, SOC, False),
    ("pindah-datang", "Layanan Pindah Datang", "Disdukcapil", PS, SOC, False),
    ("ikd", "Identitas Kependudukan Digital", "Disdukcapil", PS, SOC, True),
    ("sikda", "SIKDA Generik Puskesmas", "Dinas Kesehatan", EG, LIV, True),
    ("e-posyandu", "e-Posyandu", "Dinas Kesehatan", PS, LIV, False),
    ("cegah-stunting", "Si Cegah Stunting", "Dinas Kesehatan", PS, LIV, False),
    ("ambulans-siaga", "Ambulans Siaga", "Dinas Kesehatan", PS, LIV, True),
    ("imunisasi", "Pencatatan Imunisasi", "Dinas Kesehatan", EG, LIV, False),
    ("surveilans-dbd", "Surveilans Penyakit DBD", "Dinas Kesehatan", EG, LIV, False),
    ("sehat-jiwa", "Konseling Sehat Jiwa", "Dinas Kesehatan", PS, LIV, False),
    ("dapodik-kota", "Dapodik Kota", "Dinas Pendidikan", EG, SOC, False),
    ("beasiswa", "Beasiswa Tangerang Cerdas", "Dinas Pendidikan", PS, SOC, True),
    ("sekolah-digital", "Sekolah Digital (e-Learning)", "Dinas Pendidikan", PS, SOC, False),
    ("e-rapor", "e-Rapor SD/SMP", "Dinas Pendidikan", EG, SOC, False),
    ("tunjangan-guru", "Tunjangan Guru Honorer", "Dinas Pendidikan", EG, SOC, False),
    ("daftar-paud", "Pendaftaran PAUD", "Dinas Pendidikan", PS, SOC, False),
    ("cctv-sekolah", "CCTV Sekolah untuk Orang Tua", "Dinas Pendidikan", PS, SOC, True),
    ("mpp-antrean", "Mal Pelayanan Publik (antrean)", "DPMPTSP", PS, ECO, True),
    ("izin-reklame", "Izin Reklame", "DPMPTSP", PS, ECO, False),
    ("simbg", "Persetujuan Bangunan Gedung (SIMBG)", "DPMPTSP", PS, ECO, True),
    ("peluang-investasi", "Peta Peluang Investasi", "DPMPTSP", PS, ECO, False),
    ("lkpm", "Laporan Kegiatan Penanaman Modal", "DPMPTSP", EG, ECO, False),
    ("e-pbb", "e-PBB", "Bapenda", PS, ECO, True),
    ("e-tax-hotel-resto", "e-Tax Hotel dan Restoran", "Bapenda", PS, ECO, True),
    ("pajak-parkir", "Pajak Parkir Online", "Bapenda", PS, ECO, False),
    ("pajak-reklame", "Pajak Reklame", "Bapenda", PS, ECO, False),
    ("pajak-air-tanah", "Pajak Air Tanah", "Bapenda", PS, ECO, False),
    ("qris-pajak", "Pembayaran QRIS Pajak Daerah", "Bapenda", PS, ECO, False),
    ("sipd-penatausahaan", "SIPD Penatausahaan", "BPKAD", EG, GOV, True),
    ("simda-bmd", "SIMDA BMD (Aset Daerah)", "BPKAD", EG, GOV, False),
    ("sp2d-online", "SP2D Online", "BPKAD", EG, GOV, False),
    ("gaji-asn", "Penggajian ASN", "BPKAD", EG, GOV, False),
    ("cms-bank", "Cash Management System", "BPKAD", EG, GOV, False),
    ("simpeg", "SIMPEG", "BKPSDM", EG, GOV, True),
    ("presensi-asn", "Presensi Online ASN", "BKPSDM", EG, GOV, True),
    ("e-diklat", "e-Diklat", "BKPSDM", EG, GOV, False),
    ("cuti-online", "Cuti Online", "BKPSDM", EG, GOV, False),
    ("talenta-asn", "Manajemen Talenta ASN", "BKPSDM", EG, GOV, False),
    ("kenaikan-pangkat", "Kenaikan Pangkat Online", "BKPSDM", EG, GOV, False),
    ("e-musrenbang", "e-Musrenbang", "Bappeda", PS, GOV, True),
    ("e-planning", "e-Planning", "Bappeda", EG, GOV, False),
    ("e-monev", "e-Monev Pembangunan", "Bappeda", EG, GOV, False),
    ("e-sakip", "e-SAKIP", "Bappeda", EG, GOV, False),
    ("izin-riset", "Izin Riset dan Inovasi", "Bappeda", PS, GOV, False),
    ("parkir-elektronik", "Parkir Elektronik", "Dinas Perhubungan", PS, LIV, True),
    ("uji-kir", "Uji KIR Online", "Dinas Perhubungan", PS, LIV, False),
    ("pju-cerdas", "Monitoring PJU Cerdas", "Dinas Perhubungan", EG, LIV, True),
    ("rute-angkutan", "Info Rute Angkutan Kota", "Dinas Perhubungan", PS, LIV, False),
    ("halte-pintar", "Halte Pintar", "Dinas Perhubungan", PS, LIV, False),
    ("armada-sampah", "Monitoring Armada Sampah", "DLH", EG, ENV, True),
    ("timbangan-tpa", "Timbangan TPA Rawa Kucing", "DLH", EG, ENV, True),
    ("persetujuan-lingkungan", "Persetujuan Lingkungan (UKL-UPL)", "DLH", PS, ENV, False),
    ("inventaris-rth", "Inventaris Ruang Terbuka Hijau", "DLH", EG, ENV, False),
    ("limbah-b3", "Pelaporan Limbah B3", "DLH", PS, ENV, False),
    ("monitoring-adipura", "Monitoring Adipura", "DLH", EG, ENV, False),
    ("lapor-jalan", "Lapor Jalan Rusak", "Dinas PUPR", PS, LIV, True),
    ("monitoring-drainase", "Monitoring Drainase", "Dinas PUPR", EG, ENV, True),
    ("rumah-pompa", "Rumah Pompa Terpadu", "Dinas PUPR", EG, ENV, True),
    ("proyek-pupr", "Sistem Informasi Proyek PUPR", "Dinas PUPR", EG, GOV, False),
    ("peta-tata-ruang", "Peta Tata Ruang Kota", "Dinas PUPR", PS, ECO, False),
    ("krk", "Keterangan Rencana Kota", "Dinas PUPR", PS, ECO, False),
    ("data-rtlh", "Data Rumah Tidak Layak Huni", "Dinas Perkimtan", EG, LIV, False),
    ("psu-perumahan", "Penyerahan PSU Perumahan", "Dinas Perkimtan", PS, LIV, False),
    ("layanan-makam", "Layanan Pemakaman (TPU)", "Dinas Perkimtan", PS, LIV, False),
    ("rusunawa", "Sewa Rusunawa", "Dinas Perkimtan", PS, LIV, False),
    ("verifikasi-dtks", "Verifikasi DTKS", "Dinas Sosial", EG, SOC, True),
    ("layanan-disabilitas", "Layanan Disabilitas", "Dinas Sosial", PS, SOC, False),
    ("penanganan-pmks", "Penanganan PMKS", "Dinas Sosial", EG, SOC, False),
    ("rehabilitasi-sosial", "Rehabilitasi Sosial", "Dinas Sosial", EG, SOC, False),
    ("bursa-kerja", "Bursa Kerja Online", "Disnaker", PS, ECO, True),
    ("pelatihan-kerja", "Pelatihan Kerja (BLK)", "Disnaker", PS, ECO, False),
    ("kartu-ak1", "Kartu Pencari Kerja (AK-1)", "Disnaker", PS, ECO, False),
    ("hubungan-industrial", "Pengaduan Hubungan Industrial", "Disnaker", PS, ECO, False),
    ("harga-pangan", "Info Harga Pangan", "Disperindag", PS, ECO, True),
    ("pasar-online", "Pasar Online", "Disperindag", PS, ECO, False),
    ("tera-ulang", "Tera Ulang Metrologi", "Disperindag", PS, ECO, False),
    ("toko-modern", "Pendataan Toko Modern", "Disperindag", EG, ECO, False),
    ("data-koperasi", "Data Koperasi", "Dinas Koperasi dan UKM", EG, ECO, False),
    ("katalog-umkm", "Katalog Produk UMKM", "Dinas Koperasi dan UKM", PS, ECO, False),
    ("pembiayaan-umkm", "Fasilitasi Pembiayaan UMKM", "Dinas Koperasi dan UKM", PS, ECO, False),
    ("kalender-event", "Kalender Event Kota", "Disbudpar", PS, BRA, True),
    ("cagar-budaya", "Cagar Budaya Digital", "Disbudpar", PS, BRA, False),
    ("festival-cisadane", "Festival Cisadane", "Disbudpar", PS, BRA, False),
    ("data-ekraf", "Data Ekonomi Kreatif", "Disbudpar", EG, BRA, False),
    ("data-hotel-resto", "Data Hotel dan Restoran", "Disbudpar", EG, BRA, False),
    ("sewa-gor", "Sewa Fasilitas Olahraga", "Dispora", PS, SOC, False),
    ("database-atlet", "Database Atlet", "Dispora", EG, SOC, False),
    ("kepemudaan", "Kepemudaan Online", "Dispora", PS, SOC, False),
    ("srikandi", "Arsip Digital (SRIKANDI)", "Dispusip", EG, GOV, True),
    ("perpustakaan-keliling", "Jadwal Perpustakaan Keliling", "Dispusip", PS, SOC, False),
    ("inlislite", "Katalog INLISLite", "Dispusip", EG, SOC, False),
    ("perlindungan-anak", "Perlindungan Perempuan dan Anak", "DP3AP2KB", PS, SOC, True),
    ("pelayanan-kb", "Pelayanan KB", "DP3AP2KB", PS, SOC, False),
    ("kota-layak-anak", "Kota Layak Anak", "DP3AP2KB", EG, SOC, False),
    ("puspaga", "PUSPAGA Konseling Keluarga", "DP3AP2KB", PS, SOC, False),
    ("urban-farming", "Urban Farming", "Dinas Ketahanan Pangan dan Pertanian", PS, ENV, False),
    ("keamanan-pangan", "Keamanan Pangan Segar", "Dinas Ketahanan Pangan dan Pertanian", PS, LIV, False),
    ("rumah-potong-hewan", "Rumah Potong Hewan", "Dinas Ketahanan Pangan dan Pertanian", EG, ECO, False),
    ("laporan-trantibum", "Laporan Trantibum", "Satpol PP", PS, LIV, True),
    ("penataan-pkl", "Penataan PKL", "Satpol PP", EG, LIV, False),
    ("penegakan-perda", "Penegakan Perda", "Satpol PP", EG, GOV, False),
    ("kaji-cepat", "Kaji Cepat Bencana", "BPBD", EG, ENV, True),
    ("peta-rawan-bencana", "Peta Rawan Bencana", "BPBD", PS, ENV, False),
    ("logistik-bencana", "Logistik Bencana", "BPBD", EG, ENV, False),
    ("lapor-kebakaran", "Lapor Kebakaran", "Damkar", PS, LIV, True),
    ("peta-hidran", "Peta Hidran", "Damkar", EG, LIV, False),
    ("proteksi-kebakaran", "Pemeriksaan Proteksi Kebakaran", "Damkar", PS, LIV, False),
    ("wbs", "Whistleblowing System", "Inspektorat", PS, GOV, False),
    ("e-audit", "e-Audit", "Inspektorat", EG, GOV, False),
    ("gratifikasi", "Pelaporan Gratifikasi", "Inspektorat", PS, GOV, False),
    ("produk-hukum", "e-Produk Hukum", "Bagian Hukum", EG, GOV, False),
    ("anjab", "Analisis Jabatan", "Bagian Organisasi", EG, GOV, False),
    ("skm", "Survei Kepuasan Masyarakat", "Bagian Organisasi", PS, GOV, True),
    ("lpse", "LPSE", "Bagian Pengadaan Barang dan Jasa", PS, ECO, True),
    ("sirup", "SiRUP", "Bagian Pengadaan Barang dan Jasa", EG, GOV, False),
    ("e-katalog-lokal", "e-Katalog Lokal", "Bagian Pengadaan Barang dan Jasa", PS, ECO, False),
    ("aspirasi-dprd", "Aspirasi DPRD", "Setwan DPRD", PS, GOV, False),
    ("risalah-sidang", "Risalah Sidang", "Setwan DPRD", EG, GOV, False),
    ("pendaftaran-ormas", "Pendaftaran Ormas", "Kesbangpol", PS, SOC, False),
    ("pemantauan-pemilu", "Pemantauan Pemilu", "Kesbangpol", EG, GOV, False),
    ("simrs", "SIMRS RSUD", "RSUD Kota Tangerang", EG, LIV, True),
    ("rujukan-online", "Rujukan Online", "RSUD Kota Tangerang", PS, LIV, False),
    ("tempat-tidur-rsud", "Ketersediaan Tempat Tidur", "RSUD Kota Tangerang", PS, LIV, True),
    ("kendaraan-dinas", "Kendaraan Dinas", "Bagian Umum", EG, GOV, False),
    ("ruang-rapat", "Peminjaman Ruang Rapat", "Bagian Umum", EG, GOV, False),
    ("agenda-pimpinan", "Agenda Pimpinan", "Bagian Protokol dan Kompim", EG, GOV, False),
    ("rilis-humas", "Rilis Humas", "Bagian Protokol dan Kompim", PS, BRA, True),
    ("smart-city-portal", "Portal Tangerang Smart City", "Bagian Protokol dan Kompim", PS, BRA, False),
    ("inflasi-daerah", "Pengendalian Inflasi Daerah", "Bagian Perekonomian", EG, ECO, False),
    ("hibah-bansos", "Hibah dan Bansos Online", "Bagian Kesra", PS, SOC, False),
    ("profil-kelurahan", "Profil Kelurahan", "Bagian Pemerintahan", EG, GOV, False),
    ("paten-kecamatan", "PATEN Kecamatan", "Kecamatan", PS, GOV, True),
    ("surat-pengantar", "Surat Pengantar RT/RW Online", "Kelurahan", PS, SOC, False),
)


@dataclass(frozen=True)
class EstateApp:
    """One application of the demo estate with the dates that drive its coverage history."""

    code: str
    name: str
    agency: str
    category: str
    kind: str
    dimension: str
    integration_state: str
    registered_at: datetime
    connected_at: datetime | None
    partial_since: datetime | None


def demo_estate(end: datetime, history_days: int, seed: int = 42) -> list[EstateApp]:
    """Every application, with dates: connected ones joined the room 1-24 months ago (before metrics begin)."""
    rng = np.random.default_rng(seed + 9)
    apps: list[EstateApp] = []
    month = timedelta(days=30.44)
    for spec in catalog.SERVICES:
        registered = end - timedelta(days=float(rng.uniform(900, 3300)))
        # joined before the metrics begin, however long the history asked for (--days 730 and more)
        connected = end - timedelta(days=float(rng.uniform(history_days + 3, max(730.0, history_days + 60.0))))
        registered = min(registered, connected - timedelta(days=30))
        kind = EG if spec.dimension == GOV and spec.category not in ("pengaduan", "portal warga") else PS
        apps.append(
            EstateApp(
                spec.code,
                spec.name,
                spec.agency,
                spec.category,
                kind,
                spec.dimension,
                "connected",
                registered.replace(microsecond=0),
                connected.replace(microsecond=0),
                None,
            )  # fmt: skip
        )
    for code, name, agency, kind, dimension, partial in UNCONNECTED:
        # a few were registered recently, so the inventory grows over the history too
        days_ago = float(rng.uniform(60, 700)) if rng.random() < 0.08 else float(rng.uniform(760, 3300))
        registered = (end - timedelta(days=days_ago)).replace(microsecond=0)
        since = max(registered, end - rng.uniform(1, 20) * month).replace(microsecond=0) if partial else None
        apps.append(
            EstateApp(
                code,
                name,
                agency,
                AGENCY_SECTOR[agency],
                kind,
                dimension,
                "partial" if partial else "not_connected",
                registered,
                None,
                since,
            )  # fmt: skip
        )
    return apps


def month_ends(end: datetime, months: int) -> list[tuple[str, datetime]]:
    """The last `months` WIB months up to `end` as ('YYYY-MM', the UTC moment the month ends or `end`)."""
    local = end + zone().offset
    year, mon = local.year, local.month
    out = []
    for _ in range(months):
        nxt = datetime(year + (mon == 12), mon % 12 + 1, 1) - zone().offset
        out.append((f"{year:04d}-{mon:02d}", min(nxt, end)))
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return list(reversed(out))


def coverage_history(apps: list[EstateApp], end: datetime, months: int = 24) -> list[dict]:
    """Month-by-month counts the estate's dates imply: what a Kominfo office would have recorded."""
    rows = []
    for month, until in month_ends(end, months):
        registered = [a for a in apps if a.registered_at <= until]
        connected = sum(1 for a in registered if a.connected_at and a.connected_at <= until)
        partial = sum(1 for a in registered if a.partial_since and a.partial_since <= until)
        rows.append({"month": month, "total": len(registered), "connected": connected, "partial": partial})
    return rows


def seed_estate(engine: Engine, end: datetime, history_days: int, seed: int = 42) -> int:
    """Complete the registry around the connected services, backfill 24 months of coverage, tune the cameras."""
    apps = demo_estate(end, history_days, seed)
    table = Service.__table__
    with engine.begin() as conn:
        known = set(conn.execute(select(Service.code)).scalars())
        for app in apps:
            values = {k: getattr(app, k) for k in ("name", "agency", "category", "kind", "dimension",
                                                   "integration_state", "registered_at", "connected_at")}  # fmt: skip
            if app.code in known:
                conn.execute(table.update().where(Service.code == app.code).values(**values))
            else:
                conn.execute(table.insert().values(code=app.code, **values))
        bump_data_version(conn, "services")
    clear_history(engine)
    write_history(engine, coverage_history(apps, end), recorded_at=end)
    _tune_demo_cameras(engine)
    return len(apps)


def _tune_demo_cameras(engine: Engine) -> None:
    """Demo cameras refresh their snapshot every 5, 10 or 15 s, as real ones differ."""
    with engine.begin() as conn:
        for sensor_id in conn.execute(select(Sensor.id).where(Sensor.kind == "cctv")).scalars():
            interval = CAMERA_INTERVALS_S[int(hash_unit(sensor_id) * len(CAMERA_INTERVALS_S))]
            conn.execute(Sensor.__table__.update().where(Sensor.id == sensor_id).values(snapshot_interval_s=interval))
