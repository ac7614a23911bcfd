"""Certificate PDFs: A4 landscape, English and Japanese, serial number, a signature/seal area, the
programme's logo when it has one, and a QR code to the public verification page.

Fonts: the text is set in IPAexGothic, embedded as a subset (only the glyphs used), so the PDF prints the
same on a machine without any Japanese font. The font file comes from the ``matplotlib-fontja`` package
(``fonts/ipaexg.ttf``, IPA Font License v1.0, which allows embedding fonts in PDF documents). If that
package is missing, ReportLab's CID font HeiseiKakuGo-W5 is used instead, which is NOT embedded (the
reader must then supply a Japanese font)."""

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

FONT = "IPAexGothic"
LATIN_FONT = "DejaVuSans"  # for letters IPAexGothic lacks (Vietnamese ễ, ộ, …), from matplotlib's own fonts
FALLBACK_FONT = "HeiseiKakuGo-W5"
_registered: str | None = None

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
_SIGNATURE = lazy_pgettext("certificate", "Signature")
_SEAL = lazy_pgettext("certificate", "Seal")


def _both(text) -> tuple[str, str]:
    """(English, Japanese) of a catalogue string, whatever the current locale."""
    with force_locale("en"):
        english = str(text)
    with force_locale("ja"):
        return english, str(text)


def font_file() -> str | None:
    """Path of the embeddable Japanese TrueType font, or None (found without importing matplotlib)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("matplotlib_fontja")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "fonts", "ipaexg.ttf")
        if os.path.exists(path):
            return path
    return None


def _latin_file() -> str | None:
    import importlib.util
    import os

    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")
        if os.path.exists(path):
            return path
    return None


class _Pen:
    """Draws text in the Japanese font, switching to the Latin font for characters it lacks."""

    def __init__(self, pdf, font: str):
        self.pdf, self.font, self.size = pdf, font, 12
        main = pdfmetrics.getFont(font)
        self.glyphs = getattr(getattr(main, "face", None), "charToGlyph", None)
        try:
            self.latin = pdfmetrics.getFont(LATIN_FONT) if self.glyphs is not None else None
        except KeyError:
            self.latin = None

    def setFont(self, _font: str, size: float) -> None:  # noqa: N802 - mirrors the canvas method
        self.size = size

    def _runs(self, text: str) -> list[tuple[str, str]]:
        runs: list[tuple[str, str]] = []
        for ch in text:
            font = self.font
            if self.latin is not None and ord(ch) not in self.glyphs and ord(ch) in self.latin.face.charToGlyph:
                font = LATIN_FONT
            if runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + ch)
            else:
                runs.append((font, ch))
        return runs

    def _draw(self, x: float, y: float, text: str, anchor: float) -> None:
        runs = self._runs(text)
        widths = [pdfmetrics.stringWidth(run, font, self.size) for font, run in runs]
        x -= anchor * sum(widths)
        for (font, run), w in zip(runs, widths, strict=True):
            self.pdf.setFont(font, self.size)
            self.pdf.drawString(x, y, run)
            x += w

    def drawString(self, x, y, text):  # noqa: N802
        self._draw(x, y, text, 0.0)

    def drawCentredString(self, x, y, text):  # noqa: N802
        self._draw(x, y, text, 0.5)

    def drawRightString(self, x, y, text):  # noqa: N802
        self._draw(x, y, text, 1.0)


def _font() -> str:
    global _registered
    if _registered is None:
        path = font_file()
        if path:
            from reportlab.pdfbase.ttfonts import TTFont

            pdfmetrics.registerFont(TTFont(FONT, path))  # subset-embedded as FontFile2 on save
            latin = _latin_file()
            if latin:
                pdfmetrics.registerFont(TTFont(LATIN_FONT, latin))
            _registered = FONT
        else:
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
            _registered = FALLBACK_FONT
    return _registered


def _ja_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _en_date(day: date) -> str:
    return day.strftime("%d %B %Y").lstrip("0")


def render_certificate(cert: Certificate, verify_url: str, logo: bytes | None = None) -> bytes:
    """One certificate as PDF bytes (``logo``: PNG/JPEG bytes of the programme's logo, drawn top left)."""
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    en_title, ja_title = _both(TITLES[cert.kind])
    pen = _Pen(pdf, font)
    pdf.setTitle(f"{en_title} {cert.serial}")
    pdf.setAuthor(cert.issuer_name or "Kakehashi")
    ink = HexColor("#14508c")
    pdf.setStrokeColor(ink)
    pdf.setLineWidth(3)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(0.8)
    pdf.rect(38, 38, width - 76, height - 76)

    if logo:
        _draw_logo(pdf, logo, 60, height - 60 - 70, 160, 70)

    centre = width / 2
    pdf.setFillColor(ink)
    pen.setFont(font, 30)
    pen.drawCentredString(centre, height - 110, en_title)
    pen.setFont(font, 22)
    pen.drawCentredString(centre, height - 145, ja_title)

    pdf.setFillColor(HexColor("#1d2430"))
    pen.setFont(font, 13)
    pen.drawCentredString(centre, height - 190, " / ".join(_both(_CERTIFY)))
    pen.setFont(font, 26)
    pen.drawCentredString(centre, height - 232, cert.holder_name)
    pen.setFont(font, 13)
    pen.drawCentredString(centre, height - 272, " / ".join(_both(_VERBS[cert.kind])))
    pen.setFont(font, 18)
    pen.drawCentredString(centre, height - 305, cert.course_title)
    pen.setFont(font, 12)
    pen.drawCentredString(
        centre, height - 332,
        f"{_en_date(cert.start_date)} – {_en_date(cert.end_date)}  /  "
        f"{_ja_date(cert.start_date)}～{_ja_date(cert.end_date)}")

    pen.setFont(font, 12)
    issued = cert.issued_at.date() if hasattr(cert.issued_at, "date") else cert.issued_at
    issuer_line = cert.issuer_name or ""
    if cert.funder_name:
        issuer_line = f"{issuer_line}  ·  {cert.funder_name}" if issuer_line else cert.funder_name
    pen.drawString(70, 120, f"{' / '.join(_both(_ISSUED_BY))}: {issuer_line}")
    pen.drawString(70, 100, f"{' / '.join(_both(_DATE_OF_ISSUE))}: {_en_date(issued)} / {_ja_date(issued)}")
    pen.drawString(70, 80, f"{' / '.join(_both(_SERIAL))}: {cert.serial}")

    # signature and seal area: a line to sign on and a dashed square for the organisation's seal (印)
    sign_x, sign_y = 420, 110
    pdf.setLineWidth(0.6)
    pdf.line(sign_x, sign_y, sign_x + 150, sign_y)
    pen.setFont(font, 9)
    pen.drawString(sign_x, sign_y - 13, " / ".join(_both(_SIGNATURE)))
    if cert.issuer_name:
        pen.drawString(sign_x, sign_y - 26, cert.issuer_name)
    pdf.setDash(3, 2)
    pdf.rect(sign_x + 165, sign_y - 20, 56, 56)
    pdf.setDash()
    pen.drawCentredString(sign_x + 193, sign_y - 32, " / ".join(_both(_SEAL)))

    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 110
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 70 - size, 62)
    pen.setFont(font, 8)
    pen.drawRightString(width - 70, 52, f"{' / '.join(_both(_VERIFY))}: {verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_logo(pdf, data: bytes, x: float, y: float, max_w: float, max_h: float) -> None:
    """Draw an image scaled into the box; an unreadable image is left out rather than failing the PDF."""
    from reportlab.lib.utils import ImageReader

    try:
        image = ImageReader(io.BytesIO(data))
        w, h = image.getSize()
    except Exception:  # noqa: BLE001 - a broken upload must not stop certificates from printing
        return
    scale = min(max_w / w, max_h / h)
    pdf.drawImage(image, x, y, w * scale, h * scale, mask="auto")


def certificates_zip(items: list[tuple[Certificate, str]], progress=None, logo: bytes | None = None) -> bytes:
    """A zip of certificate PDFs named by serial and holder; ``progress(n)`` after each PDF if given;
    ``logo``: the programme's logo (one cohort's certificates share their programme)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n, (cert, url) in enumerate(items, start=1):
            safe = "".join(ch if ch.isalnum() else "_" for ch in cert.holder_name)[:60]
            archive.writestr(f"{cert.serial}_{safe}.pdf", render_certificate(cert, url, logo))
            if progress is not None:
                progress(n)
    return buffer.getvalue()
