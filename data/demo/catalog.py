"""What the demo city is made of beyond its pack's catalogue: street names, report texts, reporters,
and the city's applications (named sensor sites are the pack's `demo_sites`).

Categories, channels and sensor kinds are the city pack's catalogue (`data.city`, default
`data/config/catalogue.yaml`); the demo only reads them. Figures are plausible, inspired by LAKSA
(14,012 reports in 2024, 95.89 % closed); they are a demo, not statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

STREETS = (
    "Jl. Jenderal Sudirman",
    "Jl. MH Thamrin",
    "Jl. Daan Mogot",
    "Jl. Imam Bonjol",
    "Jl. KH Hasyim Ashari",
    "Jl. Ciledug Raya",
    "Jl. Gatot Subroto",
    "Jl. Perintis Kemerdekaan",
    "Jl. Benteng Betawi",
    "Jl. Moh. Toha",
    "Jl. Veteran",
    "Jl. Kisamaun",
    "Jl. Raden Saleh",
    "Jl. Teuku Umar",
    "Jl. Cendrawasih",
    "Jl. Halim Perdana Kusuma",
    "Jl. Marsekal Suryadarma",
    "Jl. Otto Iskandar Dinata",
    "Jl. Pembangunan",
    "Jl. Prabu Kian Santang",
    "Jl. Hos Cokroaminoto",
    "Jl. Maulana Hasanudin",
    "Jl. Sultan Ageng Tirtayasa",
)

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "banjir": ("Air masuk rumah setinggi lutut", "Genangan air di jalan tidak surut", "Banjir setinggi 40 cm"),
    "drainase": ("Saluran air tersumbat sampah", "Got mampet, air meluap ke jalan", "Gorong-gorong tertutup lumpur"),
    "jalan_rusak": ("Jalan berlubang besar membahayakan motor", "Aspal mengelupas sepanjang 50 m", "Jalan amblas"),
    "pju_mati": ("Lampu PJU padam sejak tiga malam", "Lampu jalan mati, rawan kejahatan", "PJU berkedip-kedip"),
    "sampah": ("Sampah menumpuk belum diangkut", "Pembakaran sampah oleh warga", "TPS liar di pinggir jalan"),
    "pohon_tumbang": ("Pohon tumbang menutup jalan", "Dahan besar patah menimpa kabel"),
    "kemacetan": ("Macet parah di persimpangan", "Lampu lalu lintas mati, macet panjang"),
    "adminduk": ("KTP-el belum jadi sejak dua bulan", "Antrean pembuatan KK terlalu lama", "Data NIK tidak sinkron"),
    "kesehatan": ("Antrean puskesmas sangat panjang", "Obat tidak tersedia di puskesmas"),
    "pendidikan": ("Kendala pendaftaran sekolah online", "Atap ruang kelas bocor"),
    "perizinan": ("Izin usaha belum terbit", "Proses PBG lambat"),
    "ketertiban": ("PKL menutup trotoar", "Parkir liar di bahu jalan", "Ada sarang tawon di rumah warga"),
    "kebakaran": ("Kebakaran rumah warga", "Korsleting listrik, api di gudang"),
}

FIRST_NAMES = (
    "Agus",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fitri",
    "Gilang",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Putri",
    "Rizky",
    "Siti",
    "Teguh",
    "Wahyu",
    "Yulia",
)
LAST_NAMES = (
    "Santoso",
    "Wijaya",
    "Saputra",
    "Lestari",
    "Hidayat",
    "Kusuma",
    "Pratama",
    "Nugroho",
    "Rahayu",
    "Setiawan",
    "Permana",
    "Hasanah",
)


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    agency: str
    category: str
    dimension: str
    daily_transactions: int
    base_p95_ms: float


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("tangerang-live", "Tangerang LIVE", "Diskominfo", "portal warga", "governance", 42_000, 420),
    ServiceSpec("laksa", "LAKSA (Layanan Aspirasi dan Kotak Saran)", "Diskominfo", "pengaduan", "governance", 900, 380),
    ServiceSpec("e-kinerja", "e-Kinerja ASN", "BKPSDM", "kepegawaian", "governance", 6_500, 510),
    ServiceSpec("e-budgeting", "e-Budgeting", "BPKAD", "keuangan", "governance", 1_200, 640),
    ServiceSpec("jdih", "JDIH Kota Tangerang", "Bagian Hukum", "regulasi", "governance", 800, 300),
    ServiceSpec("ppid", "PPID Online", "Diskominfo", "informasi publik", "governance", 450, 330),
    ServiceSpec("tangerang-gemilang", "Portal Tangerang Gemilang", "Diskominfo", "portal", "branding", 9_000, 290),
    ServiceSpec("wisata-tangerang", "Wisata Kota Tangerang", "Disbudpar", "pariwisata", "branding", 1_500, 350),
    ServiceSpec("sipanda", "SiPanda Pajak Daerah", "Bapenda", "pajak", "economy", 5_200, 700),
    ServiceSpec("e-bphtb", "e-BPHTB", "Bapenda", "pajak", "economy", 700, 680),
    ServiceSpec("oss-perizinan", "Perizinan Online", "DPMPTSP", "perizinan", "economy", 1_900, 760),
    ServiceSpec("tangerang-ekraf", "UMKM Naik Kelas", "Dinas Koperasi dan UKM", "umkm", "economy", 1_100, 420),
    ServiceSpec("e-retribusi", "e-Retribusi Pasar", "Disperindag", "retribusi", "economy", 2_600, 450),
    ServiceSpec("silacak-banjir", "Siaga Banjir", "BPBD", "kebencanaan", "environment", 1_300, 260),
    ServiceSpec("bank-sampah", "Bank Sampah Digital", "DLH", "persampahan", "environment", 2_100, 340),
    ServiceSpec("udara-bersih", "Pantau Udara", "DLH", "lingkungan", "environment", 700, 250),
    ServiceSpec("atcs", "ATCS Lalu Lintas", "Dinas Perhubungan", "transportasi", "living", 3_800, 310),
    ServiceSpec("si-angkot", "Tayo Bus Tracker", "Dinas Perhubungan", "transportasi", "living", 8_400, 280),
    ServiceSpec("e-puskesmas", "e-Puskesmas", "Dinas Kesehatan", "kesehatan", "living", 11_000, 530),
    ServiceSpec("tangerang-sehat", "Antrean RSUD Online", "RSUD Kota Tangerang", "kesehatan", "living", 4_300, 600),
    ServiceSpec("ppdb-online", "PPDB Online", "Dinas Pendidikan", "pendidikan", "society", 3_000, 820),
    ServiceSpec("e-dukcapil", "Dukcapil Online (Si Dukun)", "Disdukcapil", "adminduk", "society", 7_600, 690),
    ServiceSpec("bansos", "Data Bansos Terpadu", "Dinas Sosial", "sosial", "society", 1_700, 560),
    ServiceSpec("perpustakaan", "Perpustakaan Digital", "Dispusip", "literasi", "society", 1_400, 270),
    ServiceSpec("tangerang-112", "Call Center 112", "Diskominfo", "kedaruratan", "living", 1_100, 200),
)
