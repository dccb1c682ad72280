import dataclasses
import hashlib
import io
import logging
from datetime import date

import pytest
from PIL import Image

from tests.certificates import pdf_tools as pdf
from ujisim.certificates import cards, drawing, render, signing
from ujisim.core.documents import CardData, CertificateData, LabelData


def _assert_fonts_embedded(document: bytes) -> None:
    used = pdf.fonts(document)
    assert used, "no fonts found"
    assert all(used.values()), used
    assert all("DejaVuSans" in name for name in used), used


def _qr_verifies(document: bytes, keys, data, page: int = 0, dpi: int = 200):
    """Decode the one QR on the rendered page and check its token against ``data``."""
    codes = pdf.barcodes(document, pdf.QR, page=page, dpi=dpi)
    assert len(codes) == 1, [c.text for c in codes]
    assert codes[0].text == data.verification_url
    result = signing.verify(signing.token_from_url(codes[0].text), keys, data)
    assert result.valid, result.reason
    return result


# --- certificate ---------------------------------------------------------------------------------


def test_certificate_is_one_a4_page_in_both_languages(certificate):
    document = render.certificate_pdf(certificate)
    pdf.assert_size(document, pdf.A4, pages=1)
    text = pdf.text(document)
    for expected in (
        "SERTIFIKAT LULUS UJIAN TEORI SIM",
        "Pass Certificate",
        "Siti Nurhaliza Rahmawati",
        f"NIK {certificate.nik_masked}",
        "27 dari 30",
        "27 of 30",
        "17 Agustus 2026",
        "17 August 2026",
        certificate.exam_id,
        "golongan A",
    ):
        assert expected in text, expected
    assert "3174012501900001" not in text


def test_certificate_fonts_are_embedded(certificate):
    _assert_fonts_embedded(render.certificate_pdf(certificate))


def test_certificate_qr_decodes_from_the_rendered_page_and_verifies(certificate, key, keys):
    result = _qr_verifies(render.certificate_pdf(certificate), keys, certificate, dpi=150)
    assert result.payload.document_id == certificate.exam_id
    assert result.payload.key_id == key.key_id


def test_a_certificate_must_be_signed_before_it_is_rendered(certificate_data):
    with pytest.raises(ValueError, match="verification URL"):
        render.certificate_pdf(certificate_data)


def test_a_very_long_name_still_fits(certificate, keys):
    long_name = "Muhammad Rizky Pratama Ramadhan Saputra Wijayakusuma Hadiningrat Prawiranegara"
    data = dataclasses.replace(certificate, candidate_name=long_name)
    document = render.certificate_pdf(data)
    assert pdf.text(document)


# --- licence card --------------------------------------------------------------------------------


def test_card_is_front_and_back_on_id1(card):
    document = render.card_pdf(card)
    pdf.assert_size(document, pdf.ID1, pages=2)
    front = pdf.text(document, 0)
    for expected in (
        "BUDI SANTOSO",
        "Makassar, 25-01-1990",
        "22-11-2031",
        card.licence_number,
        "Satpas Polres Metro Jakarta Selatan",
        "Laki-laki / Male",
    ):
        assert expected in front, expected
    back = pdf.text(document, 1)
    assert "Verifikasi kartu" in back
    assert card.licence_number in back


def test_card_fonts_are_embedded(card):
    _assert_fonts_embedded(render.card_pdf(card))


def test_card_photo_is_placed_at_300_dpi(card):
    images = pdf.placed_images(render.card_pdf(card), page=0)
    photos = [image for image in images if image["px"] == cards.PHOTO_PX]
    assert len(photos) == 1, images
    photo = photos[0]
    # resampled from 600 x 800 to exactly the placed size at 300 dpi, and kept as JPEG
    assert photo["dpi"] == pytest.approx((300, 300), abs=0.5)
    assert photo["filters"] == ["DCTDecode"]
    for image in images:  # the signature too
        assert image["dpi"] == pytest.approx((300, 300), abs=0.5), image


def test_a_photo_of_another_shape_and_format_is_cropped_to_fit(make_card, landscape_png):
    card = make_card(photo=landscape_png, signature=None)
    images = pdf.placed_images(render.card_pdf(card), page=0)
    assert [image["px"] for image in images] == [cards.PHOTO_PX]
    assert images[0]["dpi"] == pytest.approx((300, 300), abs=0.5)


@pytest.mark.parametrize("mode", ["L", "CMYK", "P"])
def test_greyscale_cmyk_and_palette_images_are_accepted(make_card, mode):
    image = Image.new("RGB", (300, 400), (40, 90, 200)).convert(mode)
    photo, signature = io.BytesIO(), io.BytesIO()
    image.save(photo, "PNG" if mode == "P" else "JPEG")
    image.convert("L" if mode == "CMYK" else mode).save(signature, "PNG")
    card = make_card(photo=photo.getvalue(), signature=signature.getvalue())
    images = pdf.placed_images(render.card_pdf(card), page=0)
    assert sorted(image["px"] for image in images) == [cards.SIGNATURE_PX, cards.PHOTO_PX]


def test_card_qr_on_the_back_decodes_and_verifies(card, keys):
    result = _qr_verifies(render.card_pdf(card), keys, card, page=1, dpi=300)
    assert result.payload.doc_type == "card"
    assert result.payload.document_id == card.document_id


def test_long_values_are_shrunk_or_clipped_to_the_card(make_card, keys):
    card = make_card(
        name="Muhammad Rizky Pratama Ramadhan Saputra Wijayakusuma Hadiningrat",
        address="Jl. Letnan Jenderal Soeprapto Gang Kelinci Nomor 123 Blok C RT 011/RW 012, "
        "Kelurahan Cempaka Putih Timur, Kecamatan Cempaka Putih, Kota Jakarta Pusat 10510",
        issuing_office="Satuan Penyelenggara Administrasi SIM Polres Metro Jakarta Pusat",
    )
    document = render.card_pdf(card)
    front = pdf.text(document)
    assert "MUHAMMAD RIZKY" in front
    assert "…" in front
    _qr_verifies(document, keys, card, page=1, dpi=300)


def test_card_without_blood_type_or_signature(make_card):
    card = make_card(blood_type=None, signature=None)
    assert "Gol. darah" in pdf.text(render.card_pdf(card))


# --- imposition ----------------------------------------------------------------------------------


@pytest.fixture
def batch(make_card):
    return [make_card(number) for number in range(12)]


def test_imposition_puts_ten_cards_a_sheet_with_backs_after_fronts(batch):
    document = render.imposition_pdf(batch)
    # 12 cards: sheet 1 (10) front + back, sheet 2 (2) front + back
    pdf.assert_size(document, pdf.A4, pages=4)
    first_front = pdf.text(document, 0)
    assert all(card.licence_number in first_front for card in batch[:10])
    assert batch[10].licence_number not in first_front
    second_front = pdf.text(document, 2)
    assert all(card.licence_number in second_front for card in batch[10:])
    assert "Sheet 1 front" in first_front
    assert "Sheet 1 back" in pdf.text(document, 1)
    _assert_fonts_embedded(document)
    photos = [i for i in pdf.placed_images(document, 0) if i["px"] == cards.PHOTO_PX]
    assert len(photos) == 10
    assert all(p["dpi"] == pytest.approx((300, 300), abs=0.5) for p in photos)


def test_imposed_backs_are_mirrored_for_duplex_and_every_qr_verifies(batch, keys):
    document = render.imposition_pdf(batch)
    codes = pdf.barcodes(document, pdf.QR, page=1, dpi=200)
    assert len(codes) == 10
    by_id = {}
    for code in codes:
        result = signing.verify(signing.token_from_url(code.text), keys)
        assert result.valid, result.reason
        by_id[result.payload.document_id] = code.position
    page_width = pdf.render(document, 1, dpi=200).width
    for index, card in enumerate(batch[:10]):
        position = by_id[card.document_id]
        centre_x = (position.top_left.x + position.bottom_right.x) / 2
        front_column = index % 2
        back_column = 0 if centre_x < page_width / 2 else 1
        assert back_column == 1 - front_column, card.licence_number


def test_imposition_slots_fit_the_sheet_and_do_not_overlap():
    width, height = cards.ID1
    slots = cards._slots()
    assert len(slots) == cards.CARDS_PER_SHEET == 10
    margin = 5 * pdf.MM  # room for crop marks outside the printer's dead zone
    for x, y in slots:
        assert margin <= x <= pdf.A4[0] - margin - width
        assert margin <= y <= pdf.A4[1] - margin - height
    for i, (x1, y1) in enumerate(slots):
        for x2, y2 in slots[i + 1 :]:
            assert abs(x1 - x2) >= width or abs(y1 - y2) >= height


def test_imposition_draws_crop_marks_in_the_margin(batch):
    image = pdf.render(render.imposition_pdf(batch[:1]), 0, dpi=300).convert("L")
    scale = 300 / 72
    x, y = cards._slots()[0]
    top = pdf.A4[1] - (y + cards.ID1[1])  # the first card's top edge, from the page top
    # a vertical mark on the card's left cut line, just above the sheet's top row of cards
    column = round(x * scale)
    rows = range(round((top - 5 * pdf.MM) * scale), round((top - 2 * pdf.MM) * scale))
    assert min(image.getpixel((column + dx, row)) for row in rows for dx in (-1, 0, 1)) < 160
    # and only there: a little to the left of the cut line the margin is blank
    assert min(image.getpixel((column - 20, row)) for row in rows) > 250


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="no cards"):
        render.imposition_pdf([])


# --- label ---------------------------------------------------------------------------------------


def test_label_is_a6_with_the_address(label):
    document = render.label_pdf(label)
    pdf.assert_size(document, pdf.A6, pages=1)
    text = pdf.text(document)
    for expected in (
        "Budi Santoso",
        "Kel./Desa Cipete Selatan, Kec. Cilandak",
        "Kota Jakarta Selatan",
        "DKI Jakarta",
        "12410",
        "0812-3456-7890",
        "RR123456789ID",
        "Satpas Polres Metro Jakarta Selatan",
    ):
        assert expected in text, expected
    _assert_fonts_embedded(document)


def test_label_barcode_decodes_from_the_rendered_page(label):
    codes = pdf.barcodes(render.label_pdf(label), pdf.CODE128, dpi=300)
    assert [code.text for code in codes] == [label.tracking_number]


# --- determinism, fonts, validation --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["certificate", "card", "imposition", "label"])
def test_same_data_gives_the_same_bytes(kind, certificate, card, make_card, label):
    renderers = {
        "certificate": (render.certificate_pdf, certificate, {"score": 28}),
        "card": (render.card_pdf, card, {"name": "Budi Santosa"}),
        "imposition": (render.imposition_pdf, [card, make_card(2)], None),
        "label": (render.label_pdf, label, {"postal_code": "12411"}),
    }
    function, data, change = renderers[kind]
    first, second = function(data), function(data)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    if change:
        assert function(dataclasses.replace(data, **change)) != first


def test_without_dejavu_the_renderers_fall_back_loudly(missing_fonts, certificate, label, caplog):
    with caplog.at_level(logging.WARNING, logger="ujisim.certificates.drawing"):
        document = render.certificate_pdf(certificate)
    assert "DejaVu Sans not found" in caplog.text
    assert not drawing.fonts().embedded
    assert set(pdf.fonts(document)) <= {"/Helvetica", "/Helvetica-Bold"}
    assert "Siti Nurhaliza Rahmawati" in pdf.text(document)
    pdf.assert_size(render.label_pdf(label), pdf.A6, pages=1)


def test_the_fonts_are_there_on_this_machine():
    # CI installs fonts-dejavu-core (.ci/run); without it every PDF would be unembedded
    assert drawing.fonts().embedded, f"install fonts-dejavu-core ({drawing.FONT_DIR})"


@pytest.mark.parametrize(
    ("factory", "changes", "message"),
    [
        ("certificate", {"nik_masked": "3174012501900001"}, "masked"),
        ("certificate", {"licence_class": "B"}, "class"),
        ("certificate", {"score": 31}, "score"),
        ("card", {"photo": b"GIF89a...."}, "JPEG or PNG"),
        ("card", {"sex": "M"}, "sex"),
        ("card", {"expires_on": date(2020, 1, 1)}, "expires"),
        ("card", {"blood_type": "Z"}, "blood"),
        ("label", {"postal_code": "1241"}, "postal"),
    ],
)
def test_documents_refuse_bad_data(factory, changes, message, certificate, card, label):
    data = {"certificate": certificate, "card": card, "label": label}[factory]
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(data, **changes)


def test_documents_are_frozen(certificate):
    with pytest.raises(dataclasses.FrozenInstanceError):
        certificate.score = 30  # type: ignore[misc]
    assert {CertificateData.DOC_TYPE, CardData.DOC_TYPE, LabelData.DOC_TYPE} == {
        "certificate",
        "card",
        "label",
    }


@pytest.mark.parametrize(
    ("cls", "text"),
    [("C1", "sepeda motor di atas 250 cc s.d. 500 cc"), ("C2", "sepeda motor di atas 500 cc")],
)
def test_c_i_and_c_ii_cards_name_their_class(make_card, cls, text):
    """SIM C I and C II (issue 19, point 8): the card says what the class may ride."""
    card = cards.card_pdf(make_card(licence_class=cls))
    back = " ".join(pdf.text(card, page=1).split())
    assert text in back
    name = {"C1": "C I", "C2": "C II"}[cls]
    assert f"Golongan {name} · Class {name}" in back
    assert name in pdf.text(card)
