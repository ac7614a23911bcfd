"""Small helpers shared by the exercise views."""

from __future__ import annotations

from flask import abort

from core import filestore


def send_attachment(attachment):
    """Send an inject attachment from the file store as a download (never rendered inline), or 404."""
    if attachment is None:
        abort(404)
    return filestore.send(attachment.file_key, kind=attachment.KIND, download_name=attachment.filename)
