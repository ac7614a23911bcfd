"""Certificate PDFs: A4 landscape, English and Japanese, serial number and a QR code to the public
verification page. Uses ReportLab's built-in Japanese CID font, so no font file is needed."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from flask_babel import force_locale, lazy_pgettext
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from completion.models import Certificate

FONT = "HeiseiKakuGo-W5"
_registered = False

#: Certificate titles by kind; each certificate shows the English and the Japanese (catalogue, context
#: ``certificate``) one above the other.
TITLES = {
    "completion": lazy_pgettext("certificate", "Certificate of Completion"),
    "attendance": lazy_pgettext("certificate", "Certificate of Attendance"),
}
_VERBS = {
    "completion": lazy_pgettext("certificate", "has successfully completed"),
    "attendance": lazy_pgettext("certificate", "has attended"),
}
_CERTIFY = lazy_pgettext("certificate", "This is to certify that")
_ISSUED_BY = lazy_pgettext("certificate", "Issued by")
_DATE_OF_ISSUE = lazy_pgettext("certificate", "Date of issue")
_SERIAL = lazy_pgettext("certificate", "Serial No.")
_VERIFY = lazy_pgettext("certificate", "Verify")


def _both(text) -> tuple[str, str]:
    """(English, Japanese) of a catalogue string, whatever the current locale."""
    with force_locale("en"):
        english = str(text)
    with force_locale("ja"):
        return english, str(text)


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _ja_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _en_date(day: date) -> str:
    return day.strftime("%d %B %Y").lstrip("0")


def render_certificate(cert: Certificate, verify_url: str) -> bytes:
    """One certificate as PDF bytes."""
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    en_title, ja_title = _both(TITLES[cert.kind])
    pdf.setTitle(f"{en_title} {cert.serial}")
    pdf.setAuthor(cert.issuer_name or "Kakehashi")
    ink = HexColor("#14508c")
    pdf.setStrokeColor(ink)
    pdf.setLineWidth(3)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(0.8)
    pdf.rect(38, 38, width - 76, height - 76)

    centre = width / 2
    pdf.setFillColor(ink)
    pdf.setFont(font, 30)
    pdf.drawCentredString(centre, height - 110, en_title)
    pdf.setFont(font, 22)
    pdf.drawCentredString(centre, height - 145, ja_title)

    pdf.setFillColor(HexColor("#1d2430"))
    pdf.setFont(font, 13)
    pdf.drawCentredString(centre, height - 190, " / ".join(_both(_CERTIFY)))
    pdf.setFont(font, 26)
    pdf.drawCentredString(centre, height - 232, cert.holder_name)
    pdf.setFont(font, 13)
    pdf.drawCentredString(centre, height - 272, " / ".join(_both(_VERBS[cert.kind])))
    pdf.setFont(font, 18)
    pdf.drawCentredString(centre, height - 305, cert.course_title)
    pdf.setFont(font, 12)
    pdf.drawCentredString(
        centre, height - 332,
        f"{_en_date(cert.start_date)} – {_en_date(cert.end_date)}  /  "
        f"{_ja_date(cert.start_date)}～{_ja_date(cert.end_date)}")

    pdf.setFont(font, 12)
    issued = cert.issued_at.date() if hasattr(cert.issued_at, "date") else cert.issued_at
    issuer_line = cert.issuer_name or ""
    if cert.funder_name:
        issuer_line = f"{issuer_line}  ·  {cert.funder_name}" if issuer_line else cert.funder_name
    pdf.drawString(70, 120, f"{' / '.join(_both(_ISSUED_BY))}: {issuer_line}")
    pdf.drawString(70, 100, f"{' / '.join(_both(_DATE_OF_ISSUE))}: {_en_date(issued)} / {_ja_date(issued)}")
    pdf.drawString(70, 80, f"{' / '.join(_both(_SERIAL))}: {cert.serial}")

    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 110
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 70 - size, 62)
    pdf.setFont(font, 8)
    pdf.drawRightString(width - 70, 52, f"{' / '.join(_both(_VERIFY))}: {verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificates_zip(items: list[tuple[Certificate, str]], progress=None) -> bytes:
    """A zip of certificate PDFs named by serial and holder; ``progress(n)`` after each PDF if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n, (cert, url) in enumerate(items, start=1):
            safe = "".join(ch if ch.isalnum() else "_" for ch in cert.holder_name)[:60]
            archive.writestr(f"{cert.serial}_{safe}.pdf", render_certificate(cert, url))
            if progress is not None:
                progress(n)
    return buffer.getvalue()
