"""The signature of a renewal checked before payment, as Satpas officers check it: signed on
plain white paper (bright, unsaturated, no ruled lines), in dark ink, cropped to the signature,
and a signature at all (a photo of something else has far too much "ink"). The card prints the
signature from this image, so a grey, lined or faint one prints as a smudge.

Ink is what is clearly darker than the paper; the paper is the brightest 70 % of the image (a
signature never covers more). Each rule returns a :class:`~ujisim.renewal.photo_geometry.Fault`."""

from __future__ import annotations

import numpy as np
from flask_babel import gettext as _
from PIL import Image

from ujisim.renewal.photo_geometry import Fault

#: the paper: its median brightness (0-255) at least this, its median saturation (0-1) at most
PAPER_MIN_LIGHT = 175
PAPER_MAX_SATURATION = 0.15
#: ink is at least this much darker than the paper
INK_CONTRAST = 35
#: the ink's darker part (20th percentile) at most this bright: ballpoint or marker ink
INK_MAX_LIGHT = 120
#: a ruled line: a row darker than the paper across this share of the width; two or more lines
LINE_ROW_SHARE = 0.6
MIN_LINES = 2
#: the ink's bounding box covers at least this share of the width and of the height
MIN_INK_BOX = (0.6, 0.35)
#: share of strongly coloured pixels above which the picture is a colour photo, not ink on paper
MAX_COLOURFUL = 0.25
#: ink share of the image: below, no signature; above, a photo of something else
INK_SHARE = (0.003, 0.3)


def _paper(grey: np.ndarray, saturation: np.ndarray) -> tuple[float, float]:
    bright = grey >= np.percentile(grey, 30)
    return float(np.median(grey[bright])), float(np.median(saturation[bright]))


def _lines(grey: np.ndarray, paper: float) -> int:
    """Ruled lines: runs of rows darker than the paper across most of the width."""
    rows = (grey < paper - 15).mean(axis=1) >= LINE_ROW_SHARE
    starts = rows & ~np.concatenate([[False], rows[:-1]])
    return int(starts.sum())


def check_signature(image: Image.Image) -> list[Fault]:
    """Every signature rule on the decoded upload (RGB, transparency already on white)."""
    rgb = np.asarray(image.convert("RGB"))
    grey = np.asarray(image.convert("L"), dtype=float)
    saturation = np.asarray(image.convert("RGB").convert("HSV"), dtype=float)[..., 1] / 255
    paper, paper_saturation = _paper(grey, saturation)
    ink = grey < paper - INK_CONTRAST
    share = float(ink.mean())
    faults = []
    if paper < PAPER_MIN_LIGHT or paper_saturation > PAPER_MAX_SATURATION:
        faults.append(
            Fault(
                "signature_paper_not_white",
                _(
                    "The paper is not white. Sign on plain white paper and photograph it in "
                    "daylight, without shadows."
                ),
            )
        )
    elif _lines(grey, paper) >= MIN_LINES:
        faults.append(
            Fault(
                "signature_lined_paper",
                _("The paper has lines. Sign on plain white paper without lines or squares."),
            )
        )
    colourful = float((saturation > 0.35).mean())
    if share > INK_SHARE[1] or colourful > MAX_COLOURFUL:
        faults.append(
            Fault(
                "signature_not_a_signature",
                _(
                    "This does not look like a signature. Upload a photo or scan of your "
                    "signature on white paper, nothing else."
                ),
            )
        )
        return faults
    faint = grey < paper - 15
    if share < INK_SHARE[0]:
        if faint.mean() < INK_SHARE[0]:
            faults.append(
                Fault(
                    "signature_missing",
                    _("No signature was found. Sign in dark ink and upload the photo again."),
                )
            )
            return faults
        ink = faint
    if float(np.percentile(grey[ink], 20)) > INK_MAX_LIGHT:
        faults.append(
            Fault(
                "signature_light_ink",
                _("The ink is too light. Sign with a black or dark blue pen, pressing firmly."),
            )
        )
    rows, cols = np.nonzero(ink)
    box_width = (cols.max() - cols.min() + 1) / rgb.shape[1]
    box_height = (rows.max() - rows.min() + 1) / rgb.shape[0]
    if box_width < MIN_INK_BOX[0] or box_height < MIN_INK_BOX[1]:
        faults.append(
            Fault(
                "signature_not_cropped",
                _(
                    "The signature is small in a large picture. Crop the photo close around "
                    "your signature, leaving only a small margin."
                ),
            )
        )
    return faults
