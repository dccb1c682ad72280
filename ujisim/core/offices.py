"""The Satpas offices (Satuan Penyelenggara Administrasi SIM) this deployment serves: where a
candidate's theory exam is registered and where a renewed card is issued. Pass rates are reported
per office.

``UJISIM_SATPAS_OFFICES`` lists them, separated by semicolons; each entry is the office's name,
optionally followed by ``|`` and its return address (printed as the sender on shipping labels),
its telephone and its opening hours (named in the ready-for-pick-up message):
``Satpas X | Jl. Contoh 1, Kota 12345 | (021) 1234567 | Senin-Jumat 08.00-14.00; Satpas Y``.
Without it, a few offices of the Korlantas network stand in for a demo, with demo details.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Office:
    """One Satpas office as the deployment describes it."""

    name: str
    #: the return address on shipping labels (empty when the deployment gives none)
    address: str = ""
    phone: str = ""
    #: opening hours of the counter, in words (e.g. "Senin-Jumat 08.00-14.00")
    hours: str = ""


#: demo details of the stand-in offices: a return address at city level (Polda Metro Jaya's
#: Daan Mogot office as publicly listed), a placeholder telephone with the city's area code and
#: the usual counter hours. A deployment configures the real ones.
_DEMO_HOURS = "Senin-Jumat 08.00-14.00, Sabtu 08.00-12.00"
DEFAULT_DETAILS = {
    "Satpas Polda Metro Jaya": (
        "Jl. Daan Mogot Km 11, Kedaung Kali Angke, Cengkareng, Jakarta Barat 11710",
        "(021) 0000 0001",
    ),
    "Satpas Polrestabes Bandung": ("Kota Bandung, Jawa Barat 40111", "(022) 0000 0002"),
    "Satpas Polrestabes Surabaya": ("Kota Surabaya, Jawa Timur 60111", "(031) 0000 0003"),
    "Satpas Polrestabes Medan": ("Kota Medan, Sumatera Utara 20111", "(061) 0000 0004"),
    "Satpas Polrestabes Makassar": ("Kota Makassar, Sulawesi Selatan 90111", "(0411) 000 0005"),
    "Satpas Polresta Denpasar": ("Kota Denpasar, Bali 80111", "(0361) 000 0006"),
    "Satpas Polres Tegal": ("Slawi, Kabupaten Tegal, Jawa Tengah 52411", "(0283) 000 0007"),
    "Satpas Polresta Jayapura": ("Kota Jayapura, Papua 99111", "(0967) 000 0008"),
}
DEFAULT_OFFICES = tuple(DEFAULT_DETAILS)


def _office(entry: str) -> Office:
    name, *details = (part.strip() for part in entry.split("|"))
    name = name[:120]
    if not any(details):
        address, phone = DEFAULT_DETAILS.get(name, ("", ""))
        return Office(name, address, phone, _DEMO_HOURS if address else "")
    address, phone, hours = (details + ["", "", ""])[:3]
    return Office(name, address[:200], phone[:40], hours[:200])


def parse_office_records(text: str | None) -> tuple[Office, ...]:
    """``"A | addr | phone | hours; B;; C"`` -> the offices in the given order (a name given
    twice is kept once, the first time); the demo offices when none is given."""
    records: dict[str, Office] = {}
    for entry in (text or "").split(";"):
        office = _office(entry)
        if office.name:
            records.setdefault(office.name, office)
    return tuple(records.values()) or tuple(_office(name) for name in DEFAULT_OFFICES)


def parse_offices(text: str | None) -> tuple[str, ...]:
    """``"A; B;; C"`` -> ``("A", "B", "C")`` (names kept in the given order, duplicates once)."""
    return tuple(office.name for office in parse_office_records(text))


def offices() -> tuple[str, ...]:
    return current_app.config["SATPAS_OFFICES"]


def office(name: str | None) -> Office:
    """The configured record of office ``name``; one without details when the deployment does
    not serve it (a licence issued by an office that is no longer listed)."""
    for record in current_app.config.get("SATPAS_OFFICE_RECORDS") or ():
        if record.name == name:
            return record
    return Office(name or "")
