"""The player room (trainee portal): a team sees its situation and released injects and responds.

Every route answers 404 unless the signed-in trainee is on a team of the run; the feed query
selects only what a player may see (never expected actions, unreleased injects or other teams'
responses). ``feed.json`` answers 304 Not Modified while the run's and the team's revision are
unchanged.

The room page also hands its script a signed poll token: idle polls that present it are answered
304 by ``exercises.pollgate`` in front of the app, with one small query and without the full request
pipeline; everything else reaches these views.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import URLSafeTimedSerializer

from accounts.permissions import trainee_required
from core.i18n import _
from core.uow import unit_of_work
from exercises import lifecycle, queries
from exercises.blueprint import bp
from exercises.forms import ResponseForm
from exercises.pollgate import TOKEN_SALT, etag_for
from exercises.services import play
from exercises.views.common import send_attachment
from exercises.vocab import RUN_STATUS_NAMES


def poll_token(run_id: int, team_id: int, user_id: int) -> str:
    """The signed token the room's script sends with each poll (see ``exercises.pollgate``)."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=TOKEN_SALT).dumps([run_id, team_id, user_id])


def _not_modified(etag: str):
    response = make_response("", 304)
    response.set_etag(etag, weak=True)
    return response


def _player(run_id: int, own_unit_of_work: bool = True):
    """(team, run, current module) of the signed-in trainee, releasing due injects first; 404 otherwise.

    Releasing is a write on GET, idempotent (an inject is released once; a repeated request releases nothing
    more). It is committed here, unless the caller posts a write of its own (``own_unit_of_work=False``):
    then it lands with the caller's one commit.
    """
    found = queries.player_team(run_id, current_user.id)
    if found is None:
        abort(404)
    team, run, module = found
    if play.has_due(run):
        if own_unit_of_work:
            with unit_of_work():
                play.release_due(run)
        else:
            play.release_due(run)
        team, run, module = queries.player_team(run_id, current_user.id)
    return team, run, module


def _room(team, run, module, status: int = 200, **extra):
    injects, log = queries.player_feed(run.id, team.id)
    return render_template(
        "exercises/play_room.html", team=team, run=run, module=module, injects=injects, log=log,
        form=ResponseForm(formdata=None), accepting=run.status in lifecycle.LIVE_STATUSES, statuses=RUN_STATUS_NAMES,
        etag=f'W/"{etag_for(run.id, run.revision, team.id, team.revision)}"',
        poll_token=poll_token(run.id, team.id, current_user.id), **extra), status


@bp.route("/play")
@trainee_required
def play_index():
    """The exercises this trainee plays in."""
    return render_template("exercises/play_index.html", rows=queries.player_runs(current_user.id),
                           statuses=RUN_STATUS_NAMES)


@bp.route("/play/<int:run_id>")
@trainee_required
def play_room(run_id: int):
    """The team's room: situation, released injects (newest first), response forms and the team log."""
    team, run, module = _player(run_id)
    return _room(team, run, module)


@bp.route("/play/<int:run_id>/feed.json")
@trainee_required
def play_feed(run_id: int):
    """The room's content as JSON for polling; 304 when nothing changed since the ETag the page has."""
    team, run, module = _player(run_id)
    etag = etag_for(run.id, run.revision, team.id, team.revision)
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag)
    injects, log = queries.player_feed(run.id, team.id)
    accepting = run.status in lifecycle.LIVE_STATUSES
    form = ResponseForm()
    response = jsonify({
        "status": run.status, "status_label": str(RUN_STATUS_NAMES[run.status]), "accepting": accepting,
        "situation": render_template("exercises/_play_situation.html", run=run, module=module),
        "injects": [{"id": i.id, "key": f"{len(i.responses)}.{i.responses[-1].id if i.responses else 0}",
                     "html": render_template("exercises/_play_inject.html", run=run, inject=i, form=form,
                                             accepting=accepting)} for i in injects],
        "log": render_template("exercises/_play_log.html", log=log),
    })
    response.set_etag(etag, weak=True)
    return response


@bp.route("/play/<int:run_id>/respond", methods=["POST"])
@trainee_required
def play_respond(run_id: int):
    """Post the team's response or decision (to one inject, or to the team log)."""
    team, run, module = _player(run_id, own_unit_of_work=False)
    form = ResponseForm()
    raw_id = form.inject_id.data
    inject_id = int(raw_id) if raw_id and str(raw_id).isdigit() else None
    if form.validate_on_submit():
        with unit_of_work(form.text, success=_("Sent to the exercise staff.")):
            play.post_response(run, team, current_user, inject_id=inject_id, kind=form.kind.data,
                               text=form.text.data, decision_owner=form.decision_owner.data)
            anchor = f"inject-{inject_id}" if inject_id else "log"
            return redirect(url_for("exercises.play_room", run_id=run.id, _anchor=anchor))
    # Show the room again with the team's text kept and the message next to the box.
    visible = {i.id for i in queries.player_feed(run.id, team.id)[0]}
    return _room(team, run, module, 400, failed=form,
                 # not an inject this team can see: show the text and message at the team log
                 failed_inject_id=inject_id if inject_id in visible else None)


@bp.route("/play/<int:run_id>/injects/<int:inject_id>/attachment")
@trainee_required
def play_attachment(run_id: int, inject_id: int):
    """Download the attachment of a released inject the team may see."""
    team, run, _module = _player(run_id)
    return send_attachment(queries.player_attachment(run.id, team.id, inject_id))


