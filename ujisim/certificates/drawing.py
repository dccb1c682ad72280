"""Drawing helpers shared by the renderers: embedded fonts, a deterministic canvas, text that
fits its box, and QR codes.

QR codes are encoded by zxing-cpp (C++, about 1 ms with the best mask chosen; reportlab's
pure-Python encoder takes about 55 ms, which alone would break the 100 certificates/s budget) and
drawn as one vector path.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import zxingcpp
from babel.dates import format_date
from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)

# Streams are Flate-compressed binary; the ASCII85 layer reportlab adds by default only makes the
# files 25% bigger and slower to write. (Process-wide, and reportlab is used only here.)
rl_config.useA85 = 0

#: Debian's fonts-dejavu-core (``.ci/run`` installs it on a new machine)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

INK = HexColor("#1d2b36")
MUTED = HexColor("#5b6b78")
ACCENT = HexColor("#1f6f78")
ACCENT_LIGHT = HexColor("#e6f1f2")
RULE = HexColor("#b9c6cf")

CLASS_TEXT = {
    "A": ("mobil penumpang dan barang s.d. 3.500 kg", "cars and goods vehicles up to 3,500 kg"),
    "C": ("sepeda motor s.d. 250 cc", "motorcycles up to 250 cc"),
    "C1": ("sepeda motor di atas 250 cc s.d. 500 cc", "motorcycles over 250 cc up to 500 cc"),
    "C2": ("sepeda motor di atas 500 cc", "motorcycles over 500 cc"),
}


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    #: False when DejaVu Sans is missing and the PDF falls back to unembedded Helvetica
    embedded: bool


@functools.cache
def fonts(font_dir: Path | None = None) -> Fonts:
    """Register DejaVu Sans (regular and bold) once; fall back to Helvetica, loudly, if missing."""
    font_dir = font_dir or FONT_DIR
    regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        log.warning(
            "DejaVu Sans not found in %s (apt-get install fonts-dejavu-core): PDFs fall back to "
            "Helvetica, which is NOT embedded and lacks non-Latin-1 characters",
            font_dir,
        )
        return Fonts("Helvetica", "Helvetica-Bold", embedded=False)
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return Fonts("DejaVuSans", "DejaVuSans-Bold", embedded=True)


def new_canvas(buffer: io.BytesIO, pagesize, title: str) -> Canvas:
    """A canvas whose output depends only on what is drawn on it."""
    # invariant=1 fixes the creation date and document id, so equal data gives equal bytes
    # the initial font would otherwise be Helvetica, listed in the file though never used
    c = Canvas(
        buffer, pagesize=pagesize, invariant=1, pageCompression=1, initialFontName=fonts().regular
    )
    c.setTitle(title)
    c.setAuthor("ujisim")
    c.setCreator("ujisim")
    c.setProducer("ujisim (reportlab)")
    return c


def long_date(value: date, locale: str) -> str:
    return format_date(value, "d MMMM yyyy", locale=locale)


def short_date(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def paragraphs(
    c: Canvas,
    blocks,
    *,
    font: str,
    size: float,
    x: float,
    y: float,
    width: float,
    leading: float,
    gap: float,
) -> float:
    """Draw (colour, text) blocks wrapped to ``width`` downwards from ``y``; return the new y."""
    from reportlab.lib.utils import simpleSplit

    c.setFont(font, size)
    for colour, text in blocks:
        c.setFillColor(colour)
        for line in simpleSplit(text, font, size, width):
            c.drawString(x, y, line)
            y -= leading
        y -= gap
    return y


def fit(c: Canvas, text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size from ``size`` down to ``smallest`` at which ``text`` fits ``width``."""
    while size > smallest and c.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def clip(c: Canvas, text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` (for the rare value that cannot shrink)."""
    if c.stringWidth(text, font, size) <= width:
        return text
    while text and c.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def fitted(c, text, font, x, y, size, width, smallest):
    """Draw one line, shrunk to fit and clipped if even the smallest size is too wide."""
    size = fit(c, text, font, size, width, smallest)
    c.setFont(font, size)
    c.drawString(x, y, clip(c, text, font, size, width))


def _qr_modules(text: str) -> np.ndarray:
    """The QR symbol's dark modules (error correction M, no quiet zone) as a boolean matrix."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.asarray(symbol.to_image(scale=1, add_quiet_zones=False)) < 128


def draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code as one vector path, ``size`` square including a 4-module quiet zone.

    The path is written in module units (whole numbers) under one scaling matrix: a QR has
    about 800 runs of dark modules, and formatting each coordinate through reportlab's
    path API costs more than the rest of a certificate.
    """
    if not text:
        raise ValueError("no verification URL: sign the document first (with_verification)")
    dark = _qr_modules(text)
    count = dark.shape[0]
    module = size / (count + 8)
    c.setFillColor(white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    # runs of dark modules along each row: +1 where a run starts, -1 just past its end; in
    # row-major order the n-th start and the n-th end belong to the same run
    edges = np.diff(np.pad(dark, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    ends = np.nonzero(edges == -1)[1]
    bottoms = (count - 1 - rows).tolist()
    lengths = (ends - starts).tolist()
    # each run is 1.02 modules tall so anti-aliased viewers show no seams between rows
    ops = [
        f"{start} {bottom} {length} 1.02 re"
        for start, bottom, length in zip(starts.tolist(), bottoms, lengths, strict=True)
    ]
    c.saveState()
    c.setFillColor(INK)
    c.transform(module, 0, 0, module, x + 4 * module, y + 4 * module)
    c.addLiteral("\n".join(ops) + "\nf")
    c.restoreState()


def typing_address(verification_url: str) -> str:
    """Where the short code is typed, as printed: ``https://host/verify/<token>`` ->
    ``host/verify`` (the verification page's form)."""
    return verification_url.split("://", 1)[-1].rsplit("/", 1)[0]


def split_anywhere(c: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """Break a long unspaced string (a URL) into lines that fit ``width``."""
    lines, line, used = [], "", 0.0
    for char in text:
        advance = c.stringWidth(char, font, size)
        if line and used + advance > width:
            lines.append(line)
            line, used = "", 0.0
        line += char
        used += advance
    return [*lines, line] if line else lines
