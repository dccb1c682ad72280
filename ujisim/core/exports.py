"""CSV exports that spreadsheets open safely (the audit explorer and the reports)."""

from __future__ import annotations

import csv
import io

#: a cell starting with one of these is read as a formula by spreadsheet programs
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula: text starting with
    =, +, -, @, tab or CR gets a leading apostrophe (OWASP "CSV injection"). Numbers pass as
    they are (a negative number is not a formula)."""
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)  # also lazy strings and other objects csv would str() anyway
    return "'" + text if text.startswith(FORMULA_START) else text


class SafeCsvWriter:
    """``csv.writer`` with CRLF rows whose every cell goes through ``spreadsheet_safe`` (the
    audit and report exports)."""

    def __init__(self, out: io.StringIO):
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in row])
