"""The daily report as a PDF (reportlab platypus tables, DejaVu Sans embedded so that every
character prints on any machine; Helvetica only when the font is missing)."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ujisim.exam.reports import CLASSES, DailyReport

#: Debian's fonts-dejavu-core, as used by the certificate renderer
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@functools.cache
def _fonts() -> tuple[str, str]:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def daily_pdf(report: DailyReport) -> bytes:
    """Render ``report``: the daily table, totals, and the pending queues."""
    regular, bold = _fonts()
    buffer = io.BytesIO()
    title = _(
        "Daily report %(start)s to %(end)s",
        start=report.start.isoformat(),
        end=report.end.isoformat(),
    )
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author="ujisim",
        invariant=1,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=12, leading=15, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    unavailable = _("not yet available")

    header = [
        _("Date"),
        _("Exams"),
        _("Passed"),
        _("Pass rate"),
        _("Average duration"),
        _("Voided"),
        *(f"SIM {c}" for c in CLASSES),
        *(str(s.label) for s in report.sources),
    ]

    def cells(label: str, row) -> list[str]:
        return [
            label,
            str(row.exams),
            str(row.passed),
            _pct(row.pass_rate),
            _duration(row.average_duration_s),
            str(row.voided),
            *(f"{row.by_class[c][1]}/{row.by_class[c][0]}" for c in CLASSES),
            *(
                unavailable if row.extra.get(s.name) is None else str(row.extra[s.name])
                for s in report.sources
            ),
        ]

    data = [header] + [cells(r.day.isoformat(), r) for r in report.days]
    data.append(cells(_("Total"), report.totals))
    common = [
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("FONTNAME", (0, 0), (-1, 0), bold),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b9c6cf")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f1f2")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ]
    # the last row of the daily table is the total
    style = TableStyle([*common, ("FONTNAME", (0, -1), (-1, -1), bold)])
    queues = [[_("Queue"), _("Waiting"), _("Oldest since (UTC)"), _("Age")]]
    for q in report.queues:
        if not q.available:
            queues.append([str(q.label), unavailable, "", ""])
            continue
        age = "" if q.age is None else _("%(h)s h", h=int(q.age.total_seconds() // 3600))
        since = q.oldest_at.strftime("%Y-%m-%d %H:%M") if q.oldest_at else ""
        queues.append([str(q.label), str(q.count), since, age])
    story = [
        Paragraph(title, h1),
        Paragraph(
            _(
                "Days in %(zone)s. Generated %(at)s UTC.",
                zone=report.zone,
                at=report.generated_at.strftime("%Y-%m-%d %H:%M"),
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Table(data, repeatRows=1, style=style),
        Paragraph(_("Pending queues"), h2),
        Table(queues, style=TableStyle(common)),
    ]
    doc.build(story)
    return buffer.getvalue()
