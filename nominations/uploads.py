"""Checks on uploaded documents (endorsement letters, CVs): PDF or DOCX only, by content, size-limited.

The extension alone is never trusted: a PDF must start with ``%PDF-`` and a DOCX must be a ZIP
archive holding ``word/document.xml`` (a renamed .xlsx or an executable is refused).
"""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Default upload limit (bytes); ``KAKEHASHI_NOMINATION_UPLOAD_MAX_BYTES`` overrides it.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class UploadRefused(ValueError):
    """The file is not an accepted document; ``code`` is ``type``, ``size`` or ``empty``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff_document(filename: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The content type of an accepted document, or ``UploadRefused``."""
    if not data:
        raise UploadRefused("empty")
    if len(data) > max_bytes:
        raise UploadRefused("size")
    name = (filename or "").lower()
    if name.endswith(".pdf") and data.startswith(b"%PDF-"):
        return PDF
    if name.endswith(".docx") and data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            pass
    raise UploadRefused("type")
