"""Decision letters (acceptance with joining instructions, waitlist, regret) in the recipient's language.

Sent after the commit through the existing ``core.mail.send_mail`` (the mail queue of the jobs
feature replaces it once it is on main).
"""

from __future__ import annotations

from flask_babel import force_locale

from core.extensions import db
from core.i18n import _
from core.mail import send_mail
from nominations.models import Candidate
from nominations.services import Letter


def compose(letter: Letter, candidate: Candidate) -> tuple[str, str]:
    """Subject and body of a letter, in the recipient's language."""
    call, cohort = candidate.call, candidate.call.cohort
    with force_locale(letter.locale if letter.locale in ("en", "ja") else "en"):
        values = {"name": candidate.full_name, "course": cohort.title, "code": cohort.code,
                  "start": cohort.start_date.isoformat(), "end": cohort.end_date.isoformat()}
        if letter.kind == "acceptance":
            subject = _("Accepted: %(course)s (%(code)s)", **values)
            body = _("Dear %(name)s,\n\nWe are pleased to inform you that you have been accepted for %(course)s "
                     "(%(code)s), %(start)s to %(end)s.", **values)
            if call.joining_instructions:
                body += "\n\n" + _("Joining instructions:") + "\n" + call.joining_instructions
        elif letter.kind == "waitlist":
            subject = _("Waiting list: %(course)s (%(code)s)", **values)
            body = _("Dear %(name)s,\n\nYour nomination for %(course)s (%(code)s) has been placed on the waiting "
                     "list. We will write to you if a seat becomes free.", **values)
        else:
            subject = _("Your nomination for %(course)s (%(code)s)", **values)
            body = _("Dear %(name)s,\n\nThank you for your interest in %(course)s (%(code)s). We regret that we "
                     "cannot offer you a place this time.", **values)
    return subject, body


def send(letters: list[Letter]) -> int:
    """Send the letters of a committed decision; returns how many were sent."""
    for letter in letters:
        candidate = db.session.get(Candidate, letter.candidate_id)
        subject, body = compose(letter, candidate)
        send_mail(letter.to, subject, body)
    return len(letters)
