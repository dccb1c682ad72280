"""The licence card print file (ID-1, front and back) and imposition sheets of cards (A4, 10 a
sheet, crop marks, backs mirrored for duplex).

The photo is resampled with Pillow to exactly the pixels its placed size needs at 300 dpi and
embedded as JPEG; the signature (optional) likewise, in greyscale.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from PIL import ExifTags, Image, ImageOps
from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from ujisim.certificates.drawing import (
    ACCENT,
    ACCENT_LIGHT,
    CLASS_TEXT,
    INK,
    MUTED,
    RULE,
    clip,
    draw_qr,
    fitted,
    fonts,
    new_canvas,
    paragraphs,
    short_date,
    typing_address,
)
from ujisim.core.documents import SEXES, CardData
from ujisim.exam import classes

#: ID-1 (ISO/IEC 7810), the size of a bank card and of the SIM
ID1 = (85.60 * mm, 53.98 * mm)
PHOTO_DPI = 300
#: the photo's pixel size on the card; placed at exactly PHOTO_DPI (240 x 300 px = 20.3 x 25.4 mm)
PHOTO_PX = (240, 300)
SIGNATURE_PX = (240, 72)
CARDS_ACROSS, CARDS_DOWN = 2, 5
CARDS_PER_SHEET = CARDS_ACROSS * CARDS_DOWN
#: space between cards on a sheet, so a slightly off cut does not touch the next card
GUTTER = (6 * mm, 2 * mm)


def _flatten(image: Image.Image, mode: str) -> Image.Image:
    """``image`` in ``mode`` (RGB or L), transparent parts on white."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    return image if image.mode == mode else image.convert(mode)


def _resample(image_bytes: bytes, size: tuple[int, int]) -> Image.Image:
    """Decode, orient, flatten on white and cover-crop ``image_bytes`` to exactly ``size`` px."""
    with Image.open(io.BytesIO(image_bytes)) as source:
        # a JPEG is decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still covers the
        # target: the decoder's downscale is cheap and good, and big uploads stay cheap
        source.draft("RGB", size)
        image = source
        if source.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            image = ImageOps.exif_transpose(source)
        image = _flatten(image, "RGB")
        # crop to the target's aspect ratio (a little above centre, where a face is)
        width, height = image.size
        scale = min(width / size[0], height / size[1])
        crop_w, crop_h = size[0] * scale, size[1] * scale
        left = (width - crop_w) / 2
        top = (height - crop_h) * 0.4
        box = (left, top, left + crop_w, top + crop_h)
        return image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def _photo_reader(photo: bytes) -> ImageReader:
    """The photo resampled to PHOTO_PX and stored as JPEG (embedded as is: DCTDecode)."""
    out = io.BytesIO()
    _resample(photo, PHOTO_PX).save(out, "JPEG", quality=92, dpi=(PHOTO_DPI, PHOTO_DPI))
    out.seek(0)
    return ImageReader(out)


def _signature_reader(signature: bytes) -> ImageReader:
    """The signature fitted (not cropped) into SIGNATURE_PX on white, greyscale."""
    with Image.open(io.BytesIO(signature)) as source:
        # _flatten may hand back ``source`` itself, so resize before the file is closed
        image = _flatten(source, "L")
        image.thumbnail(SIGNATURE_PX, Image.Resampling.LANCZOS, reducing_gap=3.0)
    box = Image.new("L", SIGNATURE_PX, 255)
    box.paste(image, ((SIGNATURE_PX[0] - image.width) // 2, (SIGNATURE_PX[1] - image.height) // 2))
    return ImageReader(box)


def _px_to_pt(px: int) -> float:
    return px * 72 / PHOTO_DPI


def _card_field(c, f, x, y, width, label, value, size=6.3):
    c.setFillColor(MUTED)
    c.setFont(f.regular, 3.9)
    c.drawString(x, y + size + 0.6, label)
    c.setFillColor(INK)
    fitted(c, value, f.bold, x, y, size, width, 4.2)


def _draw_card_front(c: Canvas, data: CardData, photo: ImageReader, signature) -> None:
    """The card's front at the origin, ID1 in size."""
    f = fonts()
    w, h = ID1
    band = 19.0
    c.setFillColor(ACCENT)
    c.rect(0, h - band, w, band, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(f.bold, 7.2)
    c.drawString(7, h - 9.5, "SURAT IZIN MENGEMUDI")
    c.setFont(f.regular, 5.2)
    c.drawString(7, h - 16, "DRIVING LICENCE  ·  INDONESIA")
    c.setFont(f.bold, 15)
    c.drawRightString(w - 7, h - 15.5, classes.label(data.licence_class))
    c.setFont(f.regular, 4.2)
    c.drawRightString(w - 20.5, h - 8.5, "GOLONGAN")
    c.drawRightString(w - 20.5, h - 14, "CLASS")

    photo_w, photo_h = _px_to_pt(PHOTO_PX[0]), _px_to_pt(PHOTO_PX[1])
    photo_x, photo_y = 7, h - band - 5 - photo_h
    c.drawImage(photo, photo_x, photo_y, photo_w, photo_h)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    c.rect(photo_x, photo_y, photo_w, photo_h)

    sig_w, sig_h = _px_to_pt(SIGNATURE_PX[0]), _px_to_pt(SIGNATURE_PX[1])
    sig_y = photo_y - 3 - sig_h
    if signature is not None:
        c.drawImage(signature, photo_x, sig_y, sig_w, sig_h)
    c.setStrokeColor(RULE)
    c.line(photo_x, sig_y, photo_x + sig_w, sig_y)
    c.setFillColor(MUTED)
    c.setFont(f.regular, 3.6)
    c.drawString(photo_x, sig_y - 4.2, "Tanda tangan · Signature")

    x = photo_x + photo_w + 7
    col = w - x - 7
    half = (col - 4) / 2
    y = h - band - 13
    step = 14.6
    _card_field(c, f, x, y, col, "Nama · Name", data.name.upper(), size=7)
    y -= step
    born = f"{data.place_of_birth}, {short_date(data.date_of_birth)}"
    _card_field(c, f, x, y, col, "Tempat, tgl. lahir · Place, date of birth", born)
    y -= step
    sex_id, sex_en = SEXES[data.sex]
    _card_field(c, f, x, y, half, "Jenis kelamin · Sex", f"{sex_id} / {sex_en}")
    _card_field(c, f, x + half + 4, y, half, "Gol. darah · Blood", data.blood_type or "-")
    y -= step
    c.setFillColor(MUTED)
    c.setFont(f.regular, 3.9)
    c.drawString(x, y + 6.9, "Alamat · Address")
    c.setFillColor(INK)
    c.setFont(f.regular, 5.4)
    lines = simpleSplit(data.address, f.regular, 5.4, col)
    if len(lines) > 2:
        lines = [lines[0], clip(c, " ".join(lines[1:]), f.regular, 5.4, col)]
    for i, line in enumerate(lines):
        c.drawString(x, y - i * 6.2, line)
    y -= step + 6.2
    _card_field(c, f, x, y, half, "Berlaku s.d. · Valid until", short_date(data.expires_on))
    _card_field(c, f, x + half + 4, y, half, "Terbit · Issued", short_date(data.issued_on))
    y -= step
    _card_field(c, f, x, y, col, "Penerbit · Issued by", data.issuing_office, size=5.4)

    c.setFillColor(ACCENT_LIGHT)
    c.rect(0, 0, w, 15, stroke=0, fill=1)
    c.setFillColor(MUTED)
    c.setFont(f.regular, 3.9)
    c.drawString(7, 5, "No. SIM")
    c.setFillColor(INK)
    number_width = w - 31
    if data.serial:
        # this copy's serial, bottom right: the QR names it too, so a superseded copy shows
        number_width -= 62
        c.setFillColor(MUTED)
        c.setFont(f.regular, 3.6)
        c.drawRightString(w - 7, 9.2, "No. seri · Serial")
        c.setFillColor(INK)
        c.setFont(f.bold, 5.4)
        c.drawRightString(w - 7, 3.6, data.serial)
    fitted(c, data.licence_number, f.bold, 24, 4.6, 8.5, number_width, 6)


def _draw_card_back(c: Canvas, data: CardData) -> None:
    """The card's back at the origin: the QR, the short code beside it to type instead, and how
    to check the card."""
    f = fonts()
    w, h = ID1
    qr_size = h - 14
    draw_qr(c, data.verification_url, w - 7 - qr_size, 7, qr_size)
    x, width = 7, w - 14 - qr_size - 6
    y = h - 14
    c.setFillColor(ACCENT)
    c.setFont(f.bold, 6.4)
    c.drawString(x, y, "Verifikasi kartu")
    c.setFillColor(MUTED)
    c.setFont(f.regular, 5.2)
    c.drawString(x, y - 7, "Verify this card")
    y -= 15
    c.setFillColor(MUTED)
    c.setFont(f.regular, 3.9)
    c.drawString(x, y, "Kode verifikasi · Verification code")
    c.setFillColor(INK)
    fitted(c, data.short_code or "-", f.bold, x, y - 8, 7.4, width, 5)
    c.setFillColor(MUTED)
    fitted(c, typing_address(data.verification_url), f.regular, x, y - 14, 4.3, width, 3.4)
    y -= 22
    blocks = [
        (INK, "Pindai kode QR atau ketik kode di atas untuk memeriksa keaslian SIM ini."),
        (MUTED, "Scan the QR code or type the code above to check this licence."),
    ]
    y = paragraphs(c, blocks, font=f.regular, size=4.6, x=x, y=y, width=width, leading=5.6, gap=2.5)
    class_id, class_en = CLASS_TEXT[data.licence_class]
    c.setFillColor(INK)
    c.setFont(f.bold, 4.6)
    name = classes.label(data.licence_class)  # C1 -> C I
    c.drawString(x, y, f"Golongan {name} · Class {name}")
    y -= 5.6
    c.setFont(f.regular, 4.3)
    for text in (class_id, class_en):
        for line in simpleSplit(text, f.regular, 4.3, width):
            c.drawString(x, y, line)
            y -= 5.2
    c.setFillColor(MUTED)
    c.setFont(f.regular, 3.9)
    found = "Jika menemukan kartu ini, serahkan ke kantor polisi terdekat. · If found, please "
    found += "hand it to the nearest police office."
    fy = 7 + 5 * 4.6
    for line in simpleSplit(found, f.regular, 3.9, width)[:4]:
        c.drawString(x, fy, line)
        fy -= 4.6
    c.setFillColor(INK)
    c.setFont(f.bold, 5)
    c.drawString(x, 7, clip(c, data.licence_number, f.bold, 5, width))


def _card_images(data: CardData):
    signature = _signature_reader(data.signature) if data.signature else None
    return _photo_reader(data.photo), signature


def card_pdf(data: CardData) -> bytes:
    """The card's print file: page 1 the front (photo at 300 dpi), page 2 the back (QR)."""
    buffer = io.BytesIO()
    c = new_canvas(buffer, ID1, f"SIM {data.licence_class} {data.licence_number}")
    photo, signature = _card_images(data)
    _draw_card_front(c, data, photo, signature)
    c.showPage()
    _draw_card_back(c, data)
    c.showPage()
    c.save()
    return buffer.getvalue()


# --- imposition ----------------------------------------------------------------------------------


def _slots() -> list[tuple[float, float]]:
    """Lower-left corners of the 10 card positions on an A4 sheet, row by row from the top."""
    w, h = ID1
    gx, gy = GUTTER
    block_w = CARDS_ACROSS * w + (CARDS_ACROSS - 1) * gx
    block_h = CARDS_DOWN * h + (CARDS_DOWN - 1) * gy
    left, bottom = (A4[0] - block_w) / 2, (A4[1] - block_h) / 2
    return [
        (left + col * (w + gx), bottom + (CARDS_DOWN - 1 - row) * (h + gy))
        for row in range(CARDS_DOWN)
        for col in range(CARDS_ACROSS)
    ]


def _crop_marks(c: Canvas) -> None:
    """Marks in the sheet margins on every cut line (both edges of each card column and row)."""
    w, h = ID1
    slots = _slots()
    xs = sorted({x for x, _ in slots} | {x + w for x, _ in slots})
    ys = sorted({y for _, y in slots} | {y + h for _, y in slots})
    offset, length = 1.5 * mm, 4 * mm
    c.setStrokeColor(INK)
    c.setLineWidth(0.25)
    for x in xs:
        c.line(x, ys[-1] + offset, x, ys[-1] + offset + length)
        c.line(x, ys[0] - offset, x, ys[0] - offset - length)
    for y in ys:
        c.line(xs[0] - offset, y, xs[0] - offset - length, y)
        c.line(xs[-1] + offset, y, xs[-1] + offset + length, y)


def _sheet_label(c: Canvas, text: str) -> None:
    """The sheet's name, upright along the left edge, clear of the crop marks."""
    c.saveState()
    c.setFillColor(MUTED)
    c.setFont(fonts().regular, 6)
    c.translate(7 * mm, A4[1] / 2)
    c.rotate(90)
    c.drawCentredString(0, 0, text)
    c.restoreState()


def imposition_pdf(cards: Iterable[CardData]) -> bytes:
    """A4 sheets of 10 cards (2 x 5) with crop marks: for each group of 10 a fronts sheet, then
    a backs sheet mirrored left to right, so a long-edge duplex print puts each back behind its
    front."""
    cards = list(cards)
    if not cards:
        raise ValueError("no cards to impose")
    buffer = io.BytesIO()
    c = new_canvas(buffer, A4, f"SIM print batch ({len(cards)} cards)")
    slots = _slots()
    groups = [cards[i : i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)]
    for number, group in enumerate(groups, start=1):
        _impose(c, group, slots, _draw_front_slot)
        _sheet_label(c, f"Lembar {number}/{len(groups)} depan · Sheet {number} front")
        c.showPage()
        mirrored = [_mirror(slot) for slot in range(CARDS_PER_SHEET)]
        _impose(c, group, [slots[i] for i in mirrored], lambda c, card: _draw_card_back(c, card))
        _sheet_label(c, f"Lembar {number}/{len(groups)} belakang · Sheet {number} back")
        c.showPage()
    c.save()
    return buffer.getvalue()


def _mirror(slot: int) -> int:
    row, col = divmod(slot, CARDS_ACROSS)
    return row * CARDS_ACROSS + (CARDS_ACROSS - 1 - col)


def _draw_front_slot(c: Canvas, card: CardData) -> None:
    _draw_card_front(c, card, *_card_images(card))


def _impose(c: Canvas, group: Sequence[CardData], slots, draw) -> None:
    _crop_marks(c)
    w, h = ID1
    for card, (x, y) in zip(group, slots, strict=False):
        c.saveState()
        c.translate(x, y)
        # clip to the card so no element can spill into a neighbour
        clip = c.beginPath()
        clip.rect(0, 0, w, h)
        c.clipPath(clip, stroke=0, fill=0)
        draw(c, card)
        c.restoreState()
