"""Small helpers shared by the exercise views."""

from __future__ import annotations

from io import BytesIO

from flask import abort, send_file


def send_attachment(attachment):
    """Send an inject attachment as a download (never rendered inline), or 404."""
    if attachment is None:
        abort(404)
    return send_file(BytesIO(attachment.data), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
