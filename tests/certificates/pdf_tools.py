"""Reading our PDFs back: page sizes, text and fonts (pypdf), pixels and placed images
(pypdfium2), and barcodes in the rendered pixels (zxing-cpp)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import zxingcpp
from pypdf import PdfReader

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
A6 = (105 * MM, 148 * MM)
ID1 = (85.60 * MM, 53.98 * MM)


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader(pdf).pages]


def assert_size(pdf: bytes, expected: tuple[float, float], pages: int) -> None:
    sizes = page_sizes(pdf)
    assert len(sizes) == pages
    for width, height in sizes:
        assert abs(width - expected[0]) <= 0.5, (width, expected)
        assert abs(height - expected[1]) <= 0.5, (height, expected)


def text(pdf: bytes, page: int = 0) -> str:
    return reader(pdf).pages[page].extract_text()


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font used on any page -> whether its program is embedded in the file."""
    found = {}
    for page in reader(pdf).pages:
        resources = page.get("/Resources")
        if resources is None or "/Font" not in resources:
            continue
        for font in resources["/Font"].values():
            font = font.get_object()
            descriptor_owner = font
            if font.get("/Subtype") == "/Type0":
                descriptor_owner = font["/DescendantFonts"][0].get_object()
            descriptor = descriptor_owner.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                name in descriptor.get_object()
                for name in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return found


def render(pdf: bytes, page: int = 0, dpi: int = 200):
    """The page as a PIL image, rendered by PDFium."""
    document = pdfium.PdfDocument(pdf)
    try:
        return document[page].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def barcodes(pdf: bytes, fmt, page: int = 0, dpi: int = 200) -> list:
    """Barcodes of format ``fmt`` decoded from the rendered page (not from the drawing code)."""
    return zxingcpp.read_barcodes(render(pdf, page, dpi), formats=fmt)


QR = zxingcpp.BarcodeFormat.QRCode
CODE128 = zxingcpp.BarcodeFormat.Code128


def placed_images(pdf: bytes, page: int = 0) -> list[dict]:
    """Each image on the page: its pixel size, its placed size in points and the resulting dpi."""
    document = pdfium.PdfDocument(pdf)
    try:
        result = []
        for image in document[page].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            left, bottom, right, top = image.get_bounds()
            px_w, px_h = image.get_px_size()
            width, height = right - left, top - bottom
            result.append(
                {
                    "px": (px_w, px_h),
                    "pt": (width, height),
                    "dpi": (px_w / (width / 72), px_h / (height / 72)),
                    "filters": image.get_filters(),
                }
            )
        return result
    finally:
        document.close()
