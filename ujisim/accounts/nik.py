"""NIK (Nomor Induk Kependudukan), the 16-digit national id number.

Layout: PP KK CC DDMMYY SSSS: province, regency/city, district, birth date (women's day + 40),
serial. Province codes follow Kemendagri (including the Papua provinces formed in 2022).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ujisim.accounts.errors import NikError

PROVINCES = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung",
    "19": "Kepulauan Bangka Belitung", "21": "Kepulauan Riau", "31": "DKI Jakarta",
    "32": "Jawa Barat", "33": "Jawa Tengah", "34": "DI Yogyakarta", "35": "Jawa Timur",
    "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat", "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat", "62": "Kalimantan Tengah", "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara",
    "75": "Gorontalo", "76": "Sulawesi Barat", "81": "Maluku", "82": "Maluku Utara",
    "91": "Papua", "92": "Papua Barat", "93": "Papua Selatan", "94": "Papua Tengah",
    "95": "Papua Pegunungan", "96": "Papua Barat Daya",
}  # fmt: skip

# Western (WIB), central (WITA) and eastern (WIT) Indonesian time by province code.
WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}


@dataclass(frozen=True)
class Nik:
    value: str
    province: str
    sex: str  # "L" or "P"
    day: int
    month: int
    year2: int  # last two digits of the birth year

    def matches(self, birth: date) -> bool:
        return (birth.day, birth.month, birth.year % 100) == (self.day, self.month, self.year2)

    @property
    def timezone(self) -> str:
        if self.province in WIT:
            return "Asia/Jayapura"
        return "Asia/Makassar" if self.province in WITA else "Asia/Jakarta"


def _date_exists(day: int, month: int, year2: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year2, month, day)
        except ValueError:
            continue
        return True
    return False


def parse_nik(value: str) -> Nik:
    """Check a NIK's structure and return its parts, or raise NikError."""
    value = re.sub(r"[\s.-]", "", value or "")
    if value and (not value.isascii() or not value.isdigit()):
        raise NikError("digits")
    if len(value) != 16:
        raise NikError("length")
    province = value[:2]
    if province not in PROVINCES or value[2:4] == "00" or value[4:6] == "00":
        raise NikError("region")
    day, month, year2 = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex = "P" if day > 40 else "L"
    if day > 40:
        day -= 40
    if not _date_exists(day, month, year2):
        raise NikError("date")
    if value[12:] == "0000":
        raise NikError("serial")
    return Nik(value, province, sex, day, month, year2)


def check_nik(value: str, birth: date) -> Nik:
    """Parse and check that the birth date inside matches ``birth``."""
    nik = parse_nik(value)
    if not nik.matches(birth):
        raise NikError("birth_mismatch")
    return nik
