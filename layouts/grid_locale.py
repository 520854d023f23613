"""AG Grid's own words (paging, filters, column menu, overlays) in Indonesian, and its numbers in id-ID.

AG Grid speaks English unless given `localeText`; its paging line ("1 to 50 of 20,372") also takes the
thousands separator from there. English keeps AG Grid's defaults, with the separators said explicitly.
"""

from __future__ import annotations

from layouts.i18n import lang_of

_ID = {
    # paging: "1 sampai 50 dari 20.372", "Halaman 1 dari 408"
    "page": "Halaman",
    "of": "dari",
    "to": "sampai",
    "more": "lainnya",
    "next": "Berikutnya",
    "last": "Terakhir",
    "first": "Pertama",
    "previous": "Sebelumnya",
    "firstPage": "Halaman pertama",
    "lastPage": "Halaman terakhir",
    "nextPage": "Halaman berikutnya",
    "previousPage": "Halaman sebelumnya",
    "pageLastRowUnknown": "?",
    "pageSizeSelectorLabel": "Baris per halaman:",
    "ariaPageSizeSelectorLabel": "Baris per halaman",
    "footerTotal": "Total",
    # overlays
    "loadingOoo": "Memuat…",
    "loadingError": "GALAT",
    "noRowsToShow": "Tidak ada baris untuk ditampilkan",
    # filters
    "filterOoo": "Saring…",
    "searchOoo": "Cari…",
    "selectAll": "(Pilih semua)",
    "blanks": "(Kosong)",
    "noMatches": "Tidak ada yang cocok",
    "equals": "Sama dengan",
    "notEqual": "Tidak sama dengan",
    "blank": "Kosong",
    "notBlank": "Tidak kosong",
    "empty": "Pilih satu…",
    "lessThan": "Kurang dari",
    "greaterThan": "Lebih dari",
    "lessThanOrEqual": "Kurang dari atau sama dengan",
    "greaterThanOrEqual": "Lebih dari atau sama dengan",
    "inRange": "Di antara",
    "inRangeStart": "Dari",
    "inRangeEnd": "Sampai",
    "contains": "Mengandung",
    "notContains": "Tidak mengandung",
    "startsWith": "Diawali",
    "endsWith": "Diakhiri",
    "before": "Sebelum",
    "after": "Sesudah",
    "andCondition": "DAN",
    "orCondition": "ATAU",
    "applyFilter": "Terapkan",
    "resetFilter": "Atur ulang",
    "clearFilter": "Hapus",
    "cancelFilter": "Batal",
    "textFilter": "Saringan teks",
    "numberFilter": "Saringan angka",
    "dateFilter": "Saringan tanggal",
    "invalidNumber": "Angka tidak valid",
    "invalidDate": "Tanggal tidak valid",
    # column menu
    "columnFilter": "Saringan kolom",
    "columnChooser": "Pilih kolom",
    "chooseColumns": "Pilih kolom",
    "sortAscending": "Urutkan naik",
    "sortDescending": "Urutkan turun",
    "sortUnSort": "Hapus urutan",
    "pinColumn": "Sematkan kolom",
    "pinLeft": "Sematkan di kiri",
    "pinRight": "Sematkan di kanan",
    "noPin": "Tanpa sematan",
    "autosizeThisColumn": "Sesuaikan lebar kolom ini",
    "autosizeAllColumns": "Sesuaikan lebar semua kolom",
    "resetColumns": "Atur ulang kolom",
    "copy": "Salin",
    "ariaLabelColumnMenu": "Menu kolom",
    "ariaLabelColumnFilter": "Saringan kolom",
    "ariaFilterMenuOpen": "Buka menu saringan",
    "ariaFilterValue": "Nilai saringan",
    "ariaFilterFromValue": "Saring dari nilai",
    "ariaFilterToValue": "Saring sampai nilai",
    "ariaSortableColumn": "Tekan ENTER untuk mengurutkan",
    "ariaChecked": "dicentang",
    "ariaUnchecked": "tidak dicentang",
    # numbers in the paging line
    "thousandSeparator": ".",
    "decimalSeparator": ",",
}
_EN = {"thousandSeparator": ",", "decimalSeparator": "."}


def grid_locale_text(lang: str) -> dict[str, str]:
    """The `localeText` grid option for a page in `lang`."""
    return dict(_ID if lang_of(lang) == "id" else _EN)
