"""Renewal photos and signatures go through the site's image intake (tests/core/test_images.py);
a refusal comes back as the renewal's InvalidDocument naming the field."""

import pytest

from tests.renewal.conftest import image_bytes
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.images import clean_image

pytestmark = pytest.mark.usefixtures("app")


@pytest.mark.parametrize(
    ("data", "kind", "field", "code"),
    [
        (b"", "photo", "photo", "required"),
        (image_bytes("GIF"), "photo", "photo", "format"),
        (image_bytes(size=(60, 20)), "signature", "signature", "too_small"),
        (image_bytes() + b"<?php echo 1; ?>", "photo", "ktp", "polyglot"),
    ],
)
def test_a_refusal_is_an_invalid_document_naming_the_field(data, kind, field, code):
    with pytest.raises(InvalidDocument) as caught:
        clean_image(data, kind, field if field != kind else None)
    assert caught.value.fields == {field: code}
    assert caught.value.code == code
    assert caught.value.message


def test_a_good_photo_comes_back_clean():
    clean = clean_image(image_bytes(), "photo")
    assert (clean.content_type, clean.width, clean.height) == ("image/jpeg", 400, 500)
