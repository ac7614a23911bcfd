"""Acceptance 3 of issue 14: the certificate PDF renders its Japanese lines correctly on a machine without
Japanese fonts.

The PDF is rasterised with poppler's ``pdftoppm`` under a fontconfig that knows *no* font at all (so the
result is the same whatever this machine has installed: only fonts embedded in the PDF can be drawn), and
each Japanese line is compared, as black-and-white pixels, with the same text drawn by Pillow straight from
the font file. A PDF that relies on a local Japanese font (ReportLab's non-embedded CID font) is the
control: it renders nothing there, and the comparison says so.
"""

from __future__ import annotations

import io
import os
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4, landscape

from completion import pdf, services
from tests import factories
from tests.tools import required_program

DPI = 144
SCALE = DPI / 72  # pixels per PDF point


@pytest.fixture(scope="module")
def pdftoppm() -> str:
    return required_program("pdftoppm", "poppler's pdftoppm is not on the PATH (apt-get install -y poppler-utils)")


@pytest.fixture(scope="module")
def no_fonts(tmp_path_factory) -> dict:
    """An environment whose fontconfig has no font directory: a machine without any (Japanese) font."""
    folder = tmp_path_factory.mktemp("nofonts")
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig><cachedir>{folder}</cachedir></fontconfig>", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(folder)}


def _render(pdftoppm: str, env: dict, data: bytes, folder: Path) -> tuple[np.ndarray, str]:
    """The first page as a grey-scale array, and what pdftoppm complained about."""
    source = folder / "certificate.pdf"
    source.write_bytes(data)
    done = subprocess.run([pdftoppm, "-r", str(DPI), "-gray", "-png", "-singlefile", str(source),
                           str(folder / "page")], capture_output=True, env=env, timeout=120, check=True)
    with Image.open(folder / "page.png") as image:
        return np.asarray(image.convert("L")), done.stderr.decode("utf-8", "replace")


def _expected(text: str, size: float, baseline_from_top: float, page_px: tuple[int, int]) -> np.ndarray:
    """``text`` drawn by Pillow from the embedded font's own file, centred like ``drawCentredString``."""
    image = Image.new("L", page_px, 255)
    font = ImageFont.truetype(pdf.font_file(), round(size * SCALE), layout_engine=ImageFont.Layout.BASIC)
    ImageDraw.Draw(image).text((page_px[0] / 2, baseline_from_top * SCALE), text, font=font, fill=0, anchor="ms")
    return np.asarray(image)


def _overlap(rendered: np.ndarray, expected: np.ndarray, baseline_from_top: float, size: float) -> float:
    """Intersection over union of the ink of one line: a band around its baseline, as wide as the expected
    text plus a margin (so the certificate's frame and other lines stay out of it). Ink is anything clearly
    darker than the paper: the title is printed in blue, which is lighter than black in grey scale."""
    top, bottom = int((baseline_from_top - size * 1.1) * SCALE), int((baseline_from_top + size * 0.4) * SCALE)
    columns = np.where((expected[top:bottom] < 128).any(axis=0))[0]
    left, right = max(int(columns.min()) - 20, 0), int(columns.max()) + 20
    ink, want = rendered[top:bottom, left:right] < 200, expected[top:bottom, left:right] < 200
    union = np.logical_or(ink, want).sum()
    return float(np.logical_and(ink, want).sum() / union) if union else 0.0


#: (text, font size, baseline in points from the top of the page) as completion/pdf.py draws them
JAPANESE_LINES = [("修了証書", 22, 145), ("CSIRT 構築研修", 18, 305)]


def test_the_japanese_lines_render_from_the_embedded_font_on_a_machine_without_fonts(db, pdftoppm, no_fonts,
                                                                                     tmp_path):
    assert pdf.font_file(), "matplotlib-fontja (IPAexGothic) is a dependency"
    cohort = factories.cohort(title="CSIRT 構築研修", start_date=date(2026, 6, 1), end_date=date(2026, 6, 12))
    factories.enrolment(cohort_obj=cohort, status="completed")
    cert = services.issue_certificates(cohort, "completion")[0]
    rendered, complaints = _render(pdftoppm, no_fonts, pdf.render_certificate(cert, "https://example.org/v/x"),
                                   tmp_path)
    width, height = landscape(A4)
    assert rendered.shape == (round(height * SCALE), round(width * SCALE))
    assert "Couldn't find a font" not in complaints, complaints
    for text, size, baseline in JAPANESE_LINES:
        expected = _expected(text, size, baseline, (rendered.shape[1], rendered.shape[0]))
        assert _overlap(rendered, expected, baseline, size) > 0.6, text


def test_the_comparison_fails_for_a_pdf_that_needs_a_local_japanese_font(pdftoppm, no_fonts, tmp_path):
    """The control: ReportLab's CID font is not embedded, so without a local font nothing is drawn."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(pdf.FALLBACK_FONT))
    width, height = landscape(A4)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(width, height))
    text, size, baseline = JAPANESE_LINES[0]
    page.setFont(pdf.FALLBACK_FONT, size)
    page.drawCentredString(width / 2, height - baseline, text)
    page.showPage()
    page.save()
    rendered, complaints = _render(pdftoppm, no_fonts, buffer.getvalue(), tmp_path)
    assert "Couldn't find a font" in complaints
    expected = _expected(text, size, baseline, (rendered.shape[1], rendered.shape[0]))
    assert _overlap(rendered, expected, baseline, size) < 0.2
