"""The site's one image intake (core/images.py): every bad upload is refused with its own code;
good ones come back re-encoded without metadata; webcam frames and the face analysis go through
the same checks with their own limits."""

import dataclasses
import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image, ImageFile

from tests.renewal.conftest import image_bytes
from ujisim.core.errors import InvalidImage
from ujisim.core.images import (
    MAX_BYTES,
    PROFILES,
    Profile,
    clean_image,
    open_image,
)

pytestmark = pytest.mark.usefixtures("app")


def refusal(data: bytes, kind: str = "photo") -> str:
    with pytest.raises(InvalidImage) as caught:
        clean_image(data, kind)
    assert caught.value.message  # a sentence for the holder
    assert caught.value.status == 422
    return caught.value.fields[kind]


def _exif_jpeg() -> bytes:
    image = Image.open(io.BytesIO(image_bytes()))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "ujisim-test-software"  # Software
    exif[0x8825] = {2: (6.0, 10.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def test_jpeg_is_reencoded_without_metadata():
    original = _exif_jpeg()
    assert b"SecretCam" in original
    assert b"taken at home" in original
    clean = clean_image(original, "photo")
    assert clean.content_type == "image/jpeg"
    assert b"SecretCam" not in clean.data
    assert b"taken at home" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert (image.width, image.height) == (400, 500)


def test_exif_orientation_is_applied_before_it_is_dropped():
    image = Image.open(io.BytesIO(image_bytes(size=(500, 400))))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    clean = clean_image(out.getvalue(), "photo")
    assert (clean.width, clean.height) == (400, 500)


def test_png_photo_and_transparent_signature():
    assert clean_image(image_bytes("PNG"), "photo").content_type == "image/jpeg"
    rgba = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    out = io.BytesIO()
    rgba.save(out, "PNG", pnginfo=_text_chunk("Author", "someone"))
    clean = clean_image(out.getvalue(), "signature")
    assert clean.content_type == "image/png"
    assert b"someone" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.mode == "L"
        assert image.getpixel((5, 5)) == 255


def _text_chunk(key, value):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def test_empty():
    assert refusal(b"") == "required"


def test_larger_than_5_mb():
    assert refusal(image_bytes() + b"\0" * MAX_BYTES) == "too_large"


def test_gif_and_webp_and_text_are_refused():
    assert refusal(image_bytes("GIF")) == "format"
    assert refusal(image_bytes("WEBP")) == "format"
    assert refusal(b"just some text, not an image") == "format"


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
        b'  \n<!-- a comment --><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_svg(svg):
    assert refusal(svg) == "svg"


def test_decompression_bomb_is_refused_before_decoding():
    # 6000 x 6000 = 36 megapixels of one colour: a small file that would take 108 MB decoded
    out = io.BytesIO()
    Image.new("L", (6000, 6000)).save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < MAX_BYTES
    assert refusal(out.getvalue()) == "too_many_pixels"


def test_bomb_header_lying_about_its_size():
    # a PNG whose header claims 100000 x 100000 pixels (10 gigapixels)
    data = bytearray(image_bytes("PNG", size=(300, 300)))
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    assert refusal(bytes(data)) == "too_many_pixels"


def test_truncated_jpeg_and_png():
    jpeg, png = image_bytes(), image_bytes("PNG")
    assert refusal(jpeg[: len(jpeg) // 2]) == "corrupt"
    assert refusal(png[: len(png) // 2]) == "corrupt"


def test_corrupt_data():
    # a JPEG whose Huffman table is nonsense (JPEG decoders shrug off garbage in the scan
    # itself, which is harmless: the pixels are re-encoded anyway)
    jpeg = bytearray(image_bytes())
    dht = jpeg.find(b"\xff\xc4")
    jpeg[dht + 5 : dht + 21] = b"\xff" * 16
    assert refusal(bytes(jpeg)) == "corrupt"
    png = bytearray(image_bytes("PNG"))
    idat = png.find(b"IDAT")
    png[idat + 10 : idat + 200] = b"\x00" * 190  # bytes no longer match their CRC
    assert refusal(bytes(png)) == "corrupt"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<html><script>alert(1)</script></html>")
    return out.getvalue()


def test_jpeg_with_a_zip_appended():
    assert refusal(image_bytes() + _zip()) == "polyglot"


def test_jpeg_with_html_appended():
    assert refusal(image_bytes() + b"<html><script>alert(1)</script></html>") == "polyglot"


def test_png_with_data_after_iend():
    assert refusal(image_bytes("PNG") + b"<!doctype html><p>hi") == "polyglot"


def test_png_that_is_also_a_web_page():
    # the HTML sits inside a text chunk: a valid PNG that a browser sniffing it would run
    out = io.BytesIO()
    Image.open(io.BytesIO(image_bytes("PNG"))).save(
        out, "PNG", pnginfo=_text_chunk("Comment", "<html><body><script>alert(1)</script>")
    )
    assert refusal(out.getvalue()) == "polyglot"


def test_jpeg_comment_with_php():
    image = Image.open(io.BytesIO(image_bytes()))
    out = io.BytesIO()
    image.save(out, "JPEG", comment=b"<?php system($_GET['c']); ?>")
    assert refusal(out.getvalue()) == "polyglot"


def test_too_small():
    assert refusal(image_bytes(size=(120, 150))) == "too_small"
    assert refusal(image_bytes(size=(60, 20)), "signature") == "too_small"


def test_trailing_null_padding_is_tolerated():
    assert clean_image(image_bytes() + b"\x00" * 16, "photo").content_type == "image/jpeg"


# -- webcam frames and the face analysis -------------------------------------------------------


def _frame(size=(640, 480), **save) -> bytes:
    return image_bytes(size=size, quality=80, **save)


def test_snapshots_and_check_frames_follow_one_set_of_rules():
    assert PROFILES["snapshot"] is PROFILES["frame"]
    assert clean_image(_frame(), "frame").content_type == "image/jpeg"
    assert refusal(image_bytes("PNG", size=(160, 120)), "frame") == "format"
    assert refusal(_frame() + b"\0" * PROFILES["frame"].max_bytes, "frame") == "too_large"
    assert refusal(_frame(size=(60, 40)), "frame") == "too_small"
    assert refusal(_frame() + _zip(), "frame") == "polyglot"


def test_open_image_gives_the_checked_picture_without_storing_it():
    image = open_image(image_bytes(size=(500, 400), exif=_orientation(6)), "photo")
    assert image.size == (400, 500)  # upright
    assert image.mode == "RGB"
    with pytest.raises(InvalidImage) as caught:
        open_image(image_bytes() + b"<html><script>alert(1)</script></html>", "face", "frame")
    assert caught.value.fields == {"frame": "polyglot"}


def test_a_draft_decodes_fewer_pixels_but_judges_the_size_as_sent():
    big = image_bytes(size=(1600, 1200))
    assert open_image(big, "face", draft_side=400).size == (400, 300)  # JPEG at 1/4 scale
    strict = Profile(min_size=(1600, 1200))
    assert open_image(big, strict, draft_side=400).size == (400, 300)
    turned = image_bytes(size=(1600, 1200), exif=_orientation(6))
    assert open_image(turned, Profile(min_size=(1200, 1600)), draft_side=400).size == (300, 400)
    with pytest.raises(InvalidImage) as caught:
        open_image(turned, strict, draft_side=400)
    assert caught.value.fields == {"image": "too_small"}


def test_a_profile_can_be_given_directly():
    tight = dataclasses.replace(PROFILES["face"], max_pixels=100_000)
    with pytest.raises(InvalidImage) as caught:
        clean_image(image_bytes(), tight)
    assert caught.value.fields == {"image": "too_many_pixels"}


def test_truncated_files_stay_refused_when_a_library_allows_them(monkeypatch):
    # face_recognition sets this process-wide flag when it is imported
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    jpeg = _frame()
    assert refusal(jpeg[: len(jpeg) - 2000], "frame") == "corrupt"


def _orientation(value: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif
