"""PDF rendering throughput on one core: certificates/s, single-card print files/s and a
1,000-card imposed batch, each with its ratio to a minimal reportlab page rendered in the same run
(one line of text on an A4 page), so machines of different speed can be compared.

    .venv/bin/python bench/pdf_bench.py [--certificates 300] [--cards 200] [--batch 1000]

The process is pinned to one CPU. Every certificate and card is distinct (own name, id, token and
photo, made before timing), so nothing is served from a cache; signing is included in the
certificate rate. Prints JSON. Targets (issue 6): >= 100 certificates/s per core; the 1,000-card
batch in <= 15 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from ujisim.certificates import drawing, render, signing  # noqa: E402
from ujisim.core.documents import CardData, CertificateData, mask_nik  # noqa: E402
from ujisim.core.secrets import SigningKey, _new_signing_key  # noqa: E402

BASE_URL = "https://ujisim.example.id/verify"
NAMES = ["Siti Rahmawati", "Budi Santoso", "Agus Prasetyo", "Dewi Lestari", "Yohanes Wenda"]


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"cpu {cpu}"


def photo(number: int) -> bytes:
    """A distinct 600 x 800 passport-style JPEG (a drawn face; colours vary with ``number``)."""
    image = Image.new("RGB", (600, 800), (30 + number % 50, 80, 150 + number % 100))
    draw = ImageDraw.Draw(image)
    draw.ellipse((170, 150, 430, 470), fill=(225, 185 + number % 20, 150))
    draw.rectangle((120, 520, 480, 800), fill=(245, 245, 245))
    draw.text((20, 20), str(number), fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def certificates(count: int) -> list[CertificateData]:
    return [
        CertificateData(
            candidate_name=f"{NAMES[i % len(NAMES)]} {i}",
            nik_masked=mask_nik(f"3174{i:012d}"),
            licence_class="AC"[i % 2],
            score=21 + i % 10,
            total=30,
            passed_on=date(2026, 1 + i % 12, 1 + i % 28),
            exam_id=f"01JD3K4Q8Z8P5N6M7R8S{i:06d}",
        )
        for i in range(count)
    ]


def cards(count: int, key: SigningKey) -> list[CardData]:
    signature = io.BytesIO()
    sig = Image.new("L", (400, 120), 255)
    ImageDraw.Draw(sig).line([(10, 90), (80, 20), (150, 100), (390, 60)], fill=0, width=6)
    sig.save(signature, "PNG")
    return [
        signing.with_verification(
            CardData(
                licence_number=f"1234-5678-{i:06d}",
                licence_class="AC"[i % 2],
                name=f"{NAMES[i % len(NAMES)]} {i}",
                place_of_birth="Jayapura",
                date_of_birth=date(1980 + i % 20, 1 + i % 12, 1 + i % 28),
                address=f"Jl. Melati Raya No. {i} RT 003/RW 005, Kel. Cipete Selatan, "
                "Kec. Cilandak, Jakarta Selatan 12410",
                sex="LP"[i % 2],
                issued_on=date(2026, 11, 22),
                expires_on=date(2031, 11, 22),
                issuing_office="Satpas Polres Metro Jakarta Selatan",
                photo=photo(i),
                blood_type=("A", "B", "AB", "O", None)[i % 5],
                signature=signature.getvalue(),
            ),
            key,
            BASE_URL,
        )
        for i in range(count)
    ]


def minimal_page() -> bytes:
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, "Hello")
    c.showPage()
    c.save()
    return buffer.getvalue()


def rate(function, items) -> tuple[float, float]:
    """Items per second over ``items``, and the elapsed seconds."""
    function(items[0])  # warm: font registration and imports are start-up costs, not per item
    start = time.perf_counter()
    for item in items:
        function(item)
    elapsed = time.perf_counter() - start
    return len(items) / elapsed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=300)
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--minimal", type=int, default=2000)
    args = parser.parse_args()

    pinned = pin_to_one_core()
    key = SigningKey(_new_signing_key())
    certificate_data = certificates(args.certificates)
    card_data = cards(max(args.cards, args.batch), key)

    minimal_rate, _ = rate(lambda _: minimal_page(), list(range(args.minimal)))

    def sign_and_render(data: CertificateData) -> bytes:
        return render.certificate_pdf(signing.with_verification(data, key, BASE_URL))

    certificate_rate, _ = rate(sign_and_render, certificate_data)
    card_rate, _ = rate(render.card_pdf, card_data[: args.cards])

    render.imposition_pdf(card_data[:10])
    start = time.perf_counter()
    batch = render.imposition_pdf(card_data[: args.batch])
    batch_seconds = time.perf_counter() - start
    batch_cards_rate = args.batch / batch_seconds

    try:
        import _rl_accel  # noqa: F401

        accelerated = True
    except ImportError:
        accelerated = False

    result = {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "pinned": pinned,
            "reportlab_accelerator": accelerated,
            "fonts_embedded": drawing.fonts().embedded,
        },
        "minimal_page": {"pages_per_s": round(minimal_rate, 1)},
        "certificate": {
            "count": args.certificates,
            "per_s": round(certificate_rate, 1),
            "ms_each": round(1000 / certificate_rate, 2),
            "ratio_to_minimal_page": round(certificate_rate / minimal_rate, 3),
            "target_per_s": 100,
            "meets_target": certificate_rate >= 100,
        },
        "card": {
            "count": args.cards,
            "per_s": round(card_rate, 1),
            "ms_each": round(1000 / card_rate, 2),
            "ratio_to_minimal_page": round(card_rate / minimal_rate, 3),
        },
        "imposed_batch": {
            "cards": args.batch,
            "sheets": -(-args.batch // 10) * 2,
            "seconds": round(batch_seconds, 2),
            "cards_per_s": round(batch_cards_rate, 1),
            "ratio_to_minimal_page": round(batch_cards_rate / minimal_rate, 3),
            "megabytes": round(len(batch) / 1e6, 1),
            "target_seconds": 15 * args.batch / 1000,
            "meets_target": batch_seconds <= 15 * args.batch / 1000,
        },
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
