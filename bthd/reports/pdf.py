"""The commission report as an A4 PDF, laid out with ReportLab.

Why ReportLab: it installs from PyPI as wheels with no system library (unlike WeasyPrint, which
needs Pango/Cairo, or a headless browser), draws tables that split across pages with their header
repeated, and writes reproducible files: with ``invariant=1`` the creation date and document id
are fixed, so the same run gives byte-identical PDFs. The font is DejaVu Sans, shipped with
matplotlib's wheel, embedded (subset) so accents, the no-break spaces of French figures, ``€``
and ``–`` print everywhere.

Layout: a title page (area, date of the run), then the blocks of
:class:`bthd.reports.content.ReportContent`; page numbers ("page 2 sur 7") and, on every page
that shows figures made on generated data, a red "SYNTHETIC" footer.

Not for: gathering the figures (see :mod:`bthd.reports.content`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bthd.reports.content import Block, ReportContent

#: Page margins, points.
MARGIN = 18 * mm
#: Width of the text, points.
FRAME_W = A4[0] - 2 * MARGIN

_FONT, _BOLD = "DejaVuSans", "DejaVuSans-Bold"
_GREEN = colors.HexColor("#1b7837")
_RED = colors.HexColor("#b2182b")


def _fonts() -> None:
    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(_FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(_FONT, normal=_FONT, bold=_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=_FONT, fontSize=9.5, leading=13, spaceAfter=5)
    return {
        "body": base,
        "h1": ParagraphStyle(
            "h1", base, fontName=_BOLD, fontSize=15, leading=19, textColor=_GREEN, spaceBefore=8
        ),
        "h2": ParagraphStyle("h2", base, fontName=_BOLD, fontSize=11.5, leading=15, spaceBefore=6),
        "title": ParagraphStyle("title", base, fontName=_BOLD, fontSize=24, leading=30),
        "big": ParagraphStyle("big", base, fontSize=14, leading=19),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10, spaceAfter=0),
        "num": ParagraphStyle(
            "num", base, fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT
        ),
        "head": ParagraphStyle("head", base, fontName=_BOLD, fontSize=8, leading=10, spaceAfter=0),
        "caption": ParagraphStyle("caption", base, fontSize=8.5, textColor=colors.HexColor("#555")),
        "synthetic": ParagraphStyle(
            "synthetic", base, fontSize=8.5, leading=11, textColor=_RED, borderPadding=4
        ),
    }


class _Synthetic(Flowable):
    """Zero-size mark: the page it lands on shows generated data (footer drawn at the end)."""

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv._bthd_synthetic.add(self.canv.getPageNumber())


def _canvas_class(footer: str, page: str, of: str) -> type[Canvas]:
    class _Numbered(Canvas):
        """Draws 'page N sur M' and the synthetic footer once the page count is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._bthd_synthetic: set[int] = set()

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            n = len(self._pages)
            synthetic = set(self._bthd_synthetic)
            for state in self._pages:
                self.__dict__.update(state)
                num = self.getPageNumber()
                self.setFont(_FONT, 8)
                self.setFillColor(colors.HexColor("#555"))
                if num > 1:
                    self.drawRightString(A4[0] - MARGIN, 10 * mm, f"{page} {num} {of} {n}")
                if num in synthetic:
                    self.setFillColor(_RED)
                    self.setFont(_BOLD, 8)
                    self.drawString(MARGIN, 10 * mm, footer)
                super().showPage()
            super().save()

    return _Numbered


def _widths(b: Block) -> list[float]:
    """Column widths from the content: no number and no header word is broken."""
    ncol = len(b.header) if b.header else len(b.rows[0])
    pad = 14.0  # cell padding (6 + 6) and a margin
    need = []
    for j in range(ncol):
        cells = [r[j] for r in b.rows if j < len(r)]
        w_cells = max((stringWidth(c, _FONT, 8) for c in cells), default=0.0)
        head = b.header[j] if b.header else ""
        w_head = max((stringWidth(w, _BOLD, 8) for w in head.split()), default=0.0)
        need.append(max(w_cells if j else min(w_cells, 60 * mm), w_head) + pad)
    if ncol == 2:  # label / value: the value wraps beyond 60 % of the width
        need[1] = min(need[1], FRAME_W * 0.6)
    elif need[0] + max(need[1:]) * (ncol - 1) <= FRAME_W:  # figures: columns of one width
        need[1:] = [max(need[1:])] * (ncol - 1)
    total = sum(need)
    if total >= FRAME_W:
        return [w * FRAME_W / total for w in need]
    extra = FRAME_W - total
    if ncol == 2:  # label / value: the label takes the room
        return [need[0] + extra, need[1]]
    return [w + extra / ncol for w in need]


def _table(b: Block, st: dict[str, ParagraphStyle]) -> Table:
    widths = _widths(b)
    data: list[list[Any]] = []
    if b.header and any(b.header):
        data.append([Paragraph(h, st["head"]) for h in b.header])
    for r in b.rows:
        data.append([Paragraph(c, st["cell"] if i == 0 else st["num"]) for i, c in enumerate(r)])
    t = Table(data, colWidths=widths, repeatRows=1 if b.header and any(b.header) else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if b.header and any(b.header):
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef5ee")))
    t.setStyle(TableStyle(style))
    return t


def _image(b: Block, st: dict[str, ParagraphStyle], max_h: float) -> list[Any]:
    with PILImage.open(io.BytesIO(b.image)) as im:
        w, h = im.size
    width = FRAME_W
    height = width * h / w
    if height > max_h:
        height, width = max_h, max_h * w / h
    return [
        Image(io.BytesIO(b.image), width=width, height=height),
        Paragraph(b.text, st["caption"]),
    ]


def render_pdf(rc: ReportContent) -> bytes:
    """The A4 PDF of ``rc`` (same content, same bytes)."""
    _fonts()
    st = _styles()
    L = rc.labels
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{rc.title} — {rc.area}",
        author="bthd",
        creator="bthd",
        subject=L["subtitle"],
        invariant=1,
    )
    story: list[Any] = [
        Spacer(1, 50 * mm),
        Paragraph(rc.title, st["title"]),
        Spacer(1, 6 * mm),
        Paragraph(f"{L['area']} : <b>{rc.area}</b>", st["big"]),
        Paragraph(f"{L['run_of']} {rc.run_date}", st["big"]),
        Spacer(1, 4 * mm),
        Paragraph(L["subtitle"], st["body"]),
        Spacer(1, 30 * mm),
    ]
    if rc.synthetic_note:
        story += [
            _Synthetic(),
            Paragraph(f"<b>{L['synthetic']}</b> — {rc.synthetic_note}", st["synthetic"]),
        ]
    story.append(PageBreak())
    max_h = A4[1] - 2 * MARGIN - 40 * mm
    pending_heading: list[Any] = []
    for b in rc.blocks:
        items: list[Any] = []
        if b.kind == "pagebreak":
            story.append(PageBreak())
            continue
        if b.kind in ("h1", "h2"):
            pending_heading.append(Paragraph(b.text, st[b.kind]))
            continue
        if b.synthetic:
            items.append(_Synthetic())
        if b.kind == "p":
            items.append(Paragraph(b.text, st["synthetic" if b.synthetic else "body"]))
        elif b.kind in ("table", "figures"):
            items.append(_table(b, st))
            items.append(Spacer(1, 3 * mm))
        elif b.kind == "image":
            items += _image(b, st, max_h)
        if b.synthetic:  # also where the block ends (it may move to the next page)
            items.append(_Synthetic())
        if pending_heading:
            story.append(KeepTogether([*pending_heading, *items[:3]]))
            story += items[3:]
            pending_heading = []
        else:
            story += items
    story += pending_heading
    doc.build(story, canvasmaker=_canvas_class(L["synthetic_footer"], L["page"], L["of"]))
    return buf.getvalue()
