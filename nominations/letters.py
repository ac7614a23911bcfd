"""Decision letters (acceptance with joining instructions, waitlist, regret) in the recipient's language.

Queued through ``core.mailqueue.queue_mail`` inside the decision's unit of work (before its commit): a
rolled-back decision sends nothing, a committed one is always delivered. Each queued letter is linked to its
candidate (``NominationLetter``) so the organiser can list a call's letters with their delivery status.
"""

from __future__ import annotations

from accounts.models import User
from core.extensions import db
from core.i18n import _
from core.mailqueue import queue_mail, recipient_locale
from nominations.models import Candidate, NominationLetter
from nominations.services import Letter


def compose(letter: Letter, candidate: Candidate) -> tuple[str, str]:
    """Subject and body of a letter, in the current language (see :func:`queue_letters`)."""
    call, cohort = candidate.call, candidate.call.cohort
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


def queue_letters(letters: list[Letter]) -> int:
    """Queue the letters of a decision (call inside its unit of work); returns how many were queued.

    Each letter is written in its recipient's language: the focal point's account setting, the
    candidate's chosen language (candidates have no account).
    """
    for letter in letters:
        candidate = db.session.get(Candidate, letter.candidate_id)
        user = db.session.get(User, letter.user_id) if letter.user_id else None
        locale = letter.locale if letter.locale in ("en", "ja") else None
        with recipient_locale(user, locale):
            subject, body = compose(letter, candidate)
        mail = queue_mail(letter.to, subject, body, kind=f"nomination_{letter.kind}", user=user)
        db.session.add(NominationLetter(candidate_id=candidate.id, mail_id=mail.id))  # listed on the call's Letters
    db.session.flush()
    return len(letters)


def queue_application_notice(candidate: Candidate) -> None:
    """Tell the focal point (in their language) that a candidate applied through their link and waits
    for their endorsement (call inside the application's unit of work)."""
    fp = candidate.focal_point
    if fp is None or fp.user is None:
        return
    with recipient_locale(fp.user):
        subject = _("New application: %(name)s (%(title)s)", name=candidate.full_name, title=candidate.call.title)
        body = _("%(name)s applied for %(title)s through your link. The application waits for your endorsement: "
                 "sign in to Kakehashi, open Nominations and attach the endorsement letter.",
                 name=candidate.full_name, title=candidate.call.title)
    queue_mail(fp.user.email, subject, body, kind="nomination_application", user=fp.user)
