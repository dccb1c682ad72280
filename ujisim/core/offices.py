"""The Satpas offices (Satuan Penyelenggara Administrasi SIM) this deployment serves: where a
candidate's theory exam is registered and where a renewed card is issued. Pass rates are reported
per office.

``UJISIM_SATPAS_OFFICES`` lists them, separated by semicolons; without it, a few offices of the
Korlantas network stand in for a demo.
"""

from __future__ import annotations

from flask import current_app

DEFAULT_OFFICES = (
    "Satpas Polda Metro Jaya",
    "Satpas Polrestabes Bandung",
    "Satpas Polrestabes Surabaya",
    "Satpas Polrestabes Medan",
    "Satpas Polrestabes Makassar",
    "Satpas Polresta Denpasar",
    "Satpas Polres Tegal",
    "Satpas Polresta Jayapura",
)


def parse_offices(text: str | None) -> tuple[str, ...]:
    """``"A; B;; C"`` -> ``("A", "B", "C")`` (names kept in the given order, duplicates once)."""
    names = [name.strip()[:120] for name in (text or "").split(";")]
    return tuple(dict.fromkeys(name for name in names if name)) or DEFAULT_OFFICES


def offices() -> tuple[str, ...]:
    return current_app.config["SATPAS_OFFICES"]
