"""PDF renderers for the documents in ``documents``: pass certificate (A4), licence card (ID-1),
imposition sheets of cards (A4, 10 a sheet) and delivery labels (A6).

Plain functions from frozen data to PDF bytes. Output is deterministic (reportlab's
``invariant`` mode, fixed metadata, deterministic JPEG encoding), so the same data gives the same
bytes. Text is set in DejaVu Sans, embedded as a subset; the layout is our own (no emblems).
The card and the imposition sheets live in ``cards``; they are re-exported here.
"""

from __future__ import annotations

import io
from datetime import date

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit

from ujisim.certificates.cards import card_pdf, imposition_pdf
from ujisim.certificates.drawing import (
    ACCENT,
    CLASS_TEXT,
    INK,
    MUTED,
    RULE,
    clip,
    draw_qr,
    fit,
    fitted,
    fonts,
    long_date,
    new_canvas,
    paragraphs,
    typing_address,
)
from ujisim.core.documents import CertificateData, LabelData

__all__ = ["card_pdf", "certificate_pdf", "imposition_pdf", "label_pdf"]

#: 3 dots of a 203 dpi label printer, so the bars land on whole printer dots
BAR_WIDTH = 0.375 * mm


def certificate_pdf(data: CertificateData) -> bytes:
    """A4 pass certificate for the theory exam, in Indonesian and English: its number (the one
    examiners search), the Satpas office, and the QR with the short code to type beside it."""
    f = fonts()
    buffer = io.BytesIO()
    c = new_canvas(buffer, A4, f"Sertifikat ujian teori SIM {data.licence_class} - {data.exam_id}")
    width, height = A4
    margin = 18 * mm

    c.setStrokeColor(ACCENT)
    c.setLineWidth(2.2)
    c.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    c.setLineWidth(0.6)
    c.rect(margin + 4, margin + 4, width - 2 * margin - 8, height - 2 * margin - 8)
    c.setFillColor(ACCENT)
    c.rect(margin + 4, height - margin - 70, width - 2 * margin - 8, 66, stroke=0, fill=1)

    centre = width / 2
    c.setFillColor(white)
    c.setFont(f.bold, 21)
    c.drawCentredString(centre, height - margin - 36, "SERTIFIKAT LULUS UJIAN TEORI SIM")
    c.setFont(f.regular, 12.5)
    c.drawCentredString(
        centre, height - margin - 56, "Driving Licence Theory Test: Pass Certificate"
    )

    y = height - margin - 120
    c.setFillColor(MUTED)
    c.setFont(f.regular, 11)
    c.drawCentredString(centre, y, "Diberikan kepada  ·  Awarded to")
    y -= 38
    c.setFillColor(INK)
    name_width = width - 2 * margin - 40
    size = fit(c, data.candidate_name, f.bold, 28, name_width, 14)
    c.setFont(f.bold, size)
    c.drawCentredString(centre, y, clip(c, data.candidate_name, f.bold, size, name_width))
    y -= 22
    c.setFillColor(MUTED)
    c.setFont(f.regular, 11)
    c.drawCentredString(centre, y, f"NIK {data.nik_masked}")

    percent = data.score * 100 // data.total
    class_id, class_en = CLASS_TEXT[data.licence_class]
    statements = [
        (
            f.regular,
            INK,
            f"telah lulus ujian teori Surat Izin Mengemudi (SIM) golongan {data.licence_class} "
            f"({class_id}) dengan {data.score} dari {data.total} jawaban benar.",
        ),
        (
            f.regular,
            MUTED,
            f"has passed the theory test for a class {data.licence_class} driving licence "
            f"({class_en}) with {data.score} of {data.total} answers correct.",
        ),
    ]
    y -= 42
    text_width = width - 2 * margin - 80
    for font, colour, text in statements:
        c.setFillColor(colour)
        c.setFont(font, 12)
        for line in simpleSplit(text, font, 12, text_width):
            c.drawCentredString(centre, y, line)
            y -= 17
        y -= 8

    rows = [
        ("Golongan SIM", "Licence class", data.licence_class),
        ("Nilai", "Score", f"{percent}  ({data.score} / {data.total})"),
        ("Tanggal lulus", "Date passed", _both_dates(data.passed_on)),
        ("Kantor Satpas", "Satpas office", data.office or "-"),
        ("Nomor sertifikat", "Certificate number", data.exam_id),
    ]
    y -= 14
    left = margin + 40
    value_x = left + 150
    table_width = width - 2 * margin - 80
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    for label_id, label_en, value in rows:
        c.line(left, y + 16, left + table_width, y + 16)
        c.setFillColor(INK)
        c.setFont(f.bold, 10.5)
        c.drawString(left, y, label_id)
        c.setFillColor(MUTED)
        c.setFont(f.regular, 8.5)
        c.drawString(left, y - 11, label_en)
        c.setFillColor(INK)
        fitted(c, value, f.bold, value_x, y - 4, 12, left + table_width - value_x, 7)
        y -= 34
    c.line(left, y + 16, left + table_width, y + 16)

    qr_size = 150
    qr_x, qr_y = width - margin - 24 - qr_size, margin + 30
    draw_qr(c, data.verification_url, qr_x, qr_y, qr_size)
    note_width = qr_x - left - 20
    top = qr_y + qr_size
    c.setFillColor(INK)
    c.setFont(f.bold, 11)
    c.drawString(left, top - 12, "Periksa keaslian  ·  Check authenticity")
    # the short code, for whoever cannot scan: typed at the address below it
    c.setFillColor(MUTED)
    c.setFont(f.regular, 8.5)
    c.drawString(left, top - 30, "Kode verifikasi  ·  Verification code")
    c.setFillColor(INK)
    fitted(c, data.short_code or "-", f.bold, left, top - 50, 18, note_width, 10)
    c.setFillColor(MUTED)
    fitted(
        c,
        f"Ketik di  ·  Type it at  {typing_address(data.verification_url)}",
        f.regular,
        left,
        top - 64,
        9,
        note_width,
        6,
    )
    notes = [
        (
            INK,
            "Sertifikat ini ditandatangani secara digital. Pindai kode QR atau ketik kode "
            "verifikasi untuk memeriksa keasliannya.",
        ),
        (
            MUTED,
            "This certificate is digitally signed. Scan the QR code or type the verification "
            "code to check that it is genuine.",
        ),
        (INK, "Sertifikat ini bukan SIM.  ·  This certificate is not a driving licence."),
    ]
    paragraphs(
        c, notes, font=f.regular, size=9, x=left, y=top - 84, width=note_width, leading=12, gap=5
    )

    c.showPage()
    c.save()
    return buffer.getvalue()


def _both_dates(value: date) -> str:
    """``22 Agustus 2026 · 22 August 2026``, or once when the two languages agree."""
    in_id, in_en = long_date(value, "id"), long_date(value, "en")
    return in_id if in_id == in_en else f"{in_id}  ·  {in_en}"


def label_pdf(data: LabelData) -> bytes:
    """A6 delivery label: sender, recipient address block and a Code128 tracking barcode."""
    f = fonts()
    buffer = io.BytesIO()
    c = new_canvas(buffer, A6, f"Label pengiriman {data.tracking_number}")
    width, height = A6
    margin = 7 * mm
    inner = width - 2 * margin

    c.setFillColor(INK)
    c.rect(0, height - 30, width, 30, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(f.bold, 11)
    c.drawString(margin, height - 15, "DOKUMEN SIM")
    c.setFont(f.regular, 7.5)
    c.drawString(margin, height - 25, "Licence delivery  ·  jangan dilipat / do not fold")

    y = height - 46
    c.setFillColor(MUTED)
    c.setFont(f.regular, 7)
    c.drawString(margin, y, "Pengirim · From")
    y -= 10
    c.setFillColor(INK)
    fitted(c, data.sender_name, f.bold, margin, y, 8, inner, 6)
    y -= 9
    c.setFont(f.regular, 7)
    for line in simpleSplit(data.sender_address, f.regular, 7, inner)[:2]:
        c.drawString(margin, y, line)
        y -= 8.5
    if data.sender_phone:
        c.drawString(margin, y, f"Telp. {data.sender_phone}")
        y -= 8.5

    y -= 4
    c.setStrokeColor(INK)
    c.setLineWidth(1.2)
    c.line(margin, y, width - margin, y)
    y -= 16
    c.setFillColor(MUTED)
    c.setFont(f.regular, 8)
    c.drawString(margin, y, "Penerima · To")
    y -= 17
    c.setFillColor(INK)
    fitted(c, data.recipient, f.bold, margin, y, 15, inner, 9)
    y -= 15
    address = [
        data.street,
        f"Kel./Desa {data.village}, Kec. {data.district}",
        data.city,
        data.province,
    ]
    c.setFont(f.regular, 10)
    for part in address:
        for line in simpleSplit(part, f.regular, 10, inner)[:2]:
            c.drawString(margin, y, line)
            y -= 12.5
    y -= 10
    c.setFont(f.bold, 20)
    c.drawString(margin, y, data.postal_code)
    c.setFont(f.regular, 10)
    c.drawRightString(width - margin, y + 2, f"Telp. {data.phone}")

    barcode = Code128(
        data.tracking_number,
        barWidth=BAR_WIDTH,
        barHeight=22 * mm,
        humanReadable=False,  # the text is set below in the embedded font
        quiet=True,
    )
    bar_y = 18 * mm
    barcode.drawOn(c, (width - barcode.width) / 2, bar_y)
    c.setFillColor(INK)
    c.setFont(f.bold, 11)
    c.drawCentredString(width / 2, bar_y - 13, data.tracking_number)
    c.setStrokeColor(INK)
    c.setLineWidth(1.2)
    c.line(margin, bar_y + 22 * mm + 8, width - margin, bar_y + 22 * mm + 8)
    c.setFillColor(MUTED)
    c.setFont(f.regular, 7)
    c.drawString(margin, bar_y + 22 * mm + 14, "Nomor resi · Tracking number")

    c.showPage()
    c.save()
    return buffer.getvalue()
