"""After-action report (AAR): the data of the page and the .xlsx workbook.

Sheets: Overview, Objectives and ratings, Timeline (injects and responses in time order),
Observations, Improvement plan. With ``anonymous=True`` (non-attribution, for sharing across
countries) teams are shown as Team A, B, …; trainee names, organisations, e-mail addresses, team
names and the teams' country names are replaced in every text, and staff names are left out.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import datetime

from core.db import as_utc, utcnow
from core.i18n import _
from core.refdata import country_name, sector_name
from core.spreadsheets import new_workbook, put_cell, workbook_bytes, write_sheet
from exercises import queries, timeline
from exercises.models import ExerciseRun
from exercises.placeholders import fill
from exercises.vocab import (
    CSF_FUNCTIONS,
    FIRST_SERVICES,
    IMPROVEMENT_STATUSES,
    OBSERVATION_KINDS,
    POETE,
    RESPONSE_KINDS,
    RUN_STATUS_NAMES,
)
from trainees.display import current_lang


def team_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


class Scrubber:
    """Replaces identifying words (whole words, any case) in free text."""

    def __init__(self, replacements: dict[str, str]):
        words = sorted((w for w in replacements if len(w.strip()) >= 3), key=len, reverse=True)
        self._map = {w.casefold(): replacements[w] for w in words}
        self._pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE) if words else None

    def __call__(self, text: str | None) -> str:
        if not text or self._pattern is None:
            return text or ""
        return self._pattern.sub(lambda m: self._map.get(m.group(0).casefold(), m.group(0)), text)


@dataclass
class TeamRow:
    label: str
    country: str
    members: list[str]
    organisations: list[str]


@dataclass
class ObjectiveRow:
    position: int
    text: str
    csf: str
    first: str
    overall: tuple[str, str] | None
    by_team: list[tuple[str, str, str]]


@dataclass
class TimelineRow:
    at: datetime | None
    elapsed: str
    scenario_time: str
    kind: str
    team: str
    title: str
    text: str


@dataclass
class Report:
    run_id: int
    anonymous: bool
    title: str
    cohort: str
    status: str
    tlp: str
    sector: str
    threat: str
    started_at: datetime | None
    ended_at: datetime | None
    running_time: str
    generated_at: datetime
    teams: list[TeamRow] = field(default_factory=list)
    objectives: list[ObjectiveRow] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    observations: list[list] = field(default_factory=list)
    improvements: list[list] = field(default_factory=list)
    hotwash: str = ""
    rating_counts: dict[str, int] = field(default_factory=dict)
    injects_released: int = 0
    injects_skipped: int = 0
    responses: int = 0


def _scrubber(teams, labels: dict[int, str], run: ExerciseRun) -> Scrubber:
    words: dict[str, str] = {}
    participant, organisation, country_word = _("[participant]"), _("[organisation]"), _("[country]")
    for team in teams:
        words[team.name] = labels[team.id]
        if team.country:
            words[country_name(team.country)] = country_word
            words[country_name(team.country, "ja")] = country_word
        for member in team.members:
            trainee = member.trainee
            for name in (trainee.full_name, f"{trainee.given_names} {trainee.family_name}", trainee.family_name,
                         trainee.given_names, trainee.native_name):
                if name and name.strip():
                    words[name.strip()] = participant
            words[trainee.email] = participant
            words[trainee.organisation.name] = organisation
            words[country_name(trainee.nationality)] = country_word
    country_value = (run.placeholder_values or {}).get("COUNTRY")
    if country_value:
        words[country_value] = country_word
    return Scrubber(words)


def build(run: ExerciseRun, anonymous: bool = False) -> Report:
    """Gather everything the AAR shows (one query per part, whatever the size of the run)."""
    content = queries.run_content(run.id)
    teams = queries.run_teams(run.id)
    labels = {t.id: (_("Team %(letter)s", letter=team_letter(i)) if anonymous else t.name)
              for i, t in enumerate(teams)}
    scrub = _scrubber(teams, labels, run) if anonymous else (lambda text: text or "")
    values = run.placeholder_values or {}
    report = Report(
        run_id=run.id, anonymous=anonymous, title=scrub(fill(run.title, values)),
        cohort=scrub(f"{run.cohort.code} — {run.cohort.title}"), status=str(RUN_STATUS_NAMES[run.status]),
        tlp=run.tlp, sector=sector_name(run.sector_code, current_lang()) if run.sector_code else "",
        threat=scrub(run.threat_type),
        started_at=as_utc(run.started_at), ended_at=as_utc(run.ended_at),
        running_time=timeline.format_duration(run.elapsed_seconds()), generated_at=utcnow(),
        hotwash=scrub(run.hotwash_notes))
    for team in teams:
        report.teams.append(TeamRow(
            label=labels[team.id], country="" if anonymous else country_name(team.country, current_lang()),
            members=[] if anonymous else sorted(m.trainee.full_name for m in team.members),
            organisations=[] if anonymous else sorted({m.trainee.organisation.name for m in team.members})))
    ratings = queries.ratings(run.id)
    counts = dict.fromkeys("PSMU", 0)
    for objective in content.objectives:
        overall = ratings.get((objective.id, None))
        if overall is not None:
            counts[overall.rating] += 1
        report.objectives.append(ObjectiveRow(
            position=objective.position, text=scrub(fill(objective.text, values)),
            csf=f"{objective.csf_function} {CSF_FUNCTIONS[objective.csf_function]}" if objective.csf_function else "",
            first=f"{objective.first_service} {FIRST_SERVICES[objective.first_service]}"
            if objective.first_service else "",
            overall=(overall.rating, scrub(overall.rationale)) if overall else None,
            by_team=[(labels[t.id], r.rating, scrub(r.rationale)) for t in teams
                     if (r := ratings.get((objective.id, t.id))) is not None]))
    report.rating_counts = counts
    injects = {i.id: i for i in content.injects}
    for inject in content.injects:
        if inject.status == "released":
            report.timeline.append(TimelineRow(
                at=as_utc(inject.released_at), elapsed=timeline.format_duration(inject.released_elapsed or 0),
                scenario_time=inject.scenario_time, kind=_("Inject %(n)d", n=inject.position),
                team=labels.get(inject.team_id, _("all teams")), title=scrub(fill(inject.title, values)),
                text=scrub(fill(f"{inject.from_persona} → {inject.audience}".strip(" →"), values))))
    responses = queries.run_responses(run.id)
    for response in responses:
        inject = injects.get(response.inject_id)
        by = "" if anonymous or response.author is None else f" ({response.author.display_name})"
        report.timeline.append(TimelineRow(
            at=as_utc(response.created_at), elapsed=timeline.format_duration(response.elapsed_seconds),
            scenario_time=inject.scenario_time if inject else "", kind=str(RESPONSE_KINDS[response.kind]),
            team=labels[response.team_id], title=scrub(fill(inject.title, values)) if inject else _("Team log"),
            text=scrub(response.text) + scrub(f" — {response.decision_owner}" if response.decision_owner else "")
            + by))
    report.timeline.sort(key=lambda r: (r.at or report.generated_at))
    report.injects_released = sum(1 for i in content.injects if i.status == "released")
    report.injects_skipped = sum(1 for i in content.injects if i.status == "skipped")
    report.responses = len(responses)
    for obs in queries.observations(run.id):
        report.observations.append([
            as_utc(obs.created_at), timeline.format_duration(obs.elapsed_seconds), str(OBSERVATION_KINDS[obs.kind]),
            f"{obs.objective.position}. {scrub(fill(obs.objective.text, values))}" if obs.objective else "",
            f"{obs.inject.position}. {scrub(fill(obs.inject.title, values))}" if obs.inject else "",
            labels.get(obs.team_id, "") if obs.team_id else "", scrub(obs.text),
            "" if anonymous or obs.evaluator is None else obs.evaluator.display_name])
    for number, item in enumerate(queries.improvements(run.id), start=1):
        report.improvements.append([
            number, f"{item.objective.position}. {scrub(fill(item.objective.text, values))}" if item.objective else "",
            scrub(item.issue), scrub(item.corrective_action), str(POETE[item.poete]), scrub(item.owner_organisation),
            "" if anonymous else item.point_of_contact, item.due_date, str(IMPROVEMENT_STATUSES[item.status])])
    return report


def workbook(report: Report) -> bytes:
    """The AAR as .xlsx (formula-safe text, numbers and dates as typed cells)."""
    wb = new_workbook()
    ws = wb.create_sheet(_("Overview"))
    overview = [
        (_("Exercise"), report.title), (_("Cohort"), report.cohort), (_("Status"), report.status),
        (_("TLP marking"), f"TLP:{report.tlp}"), (_("Sector"), report.sector), (_("Threat type"), report.threat),
        (_("Started (UTC)"), report.started_at), (_("Ended (UTC)"), report.ended_at),
        (_("Running time"), report.running_time), (_("Teams"), len(report.teams)),
        (_("Injects released"), report.injects_released), (_("Injects skipped"), report.injects_skipped),
        (_("Responses and decisions"), report.responses),
        *[(_("Objectives rated %(r)s", r=r), n) for r, n in report.rating_counts.items()],
        (_("Improvement items"), len(report.improvements)),
        (_("Non-attributed"), _("yes") if report.anonymous else _("no")),
        (_("Generated (UTC)"), report.generated_at), (_("Hot-wash notes"), report.hotwash),
    ]
    last = write_sheet(ws, [_("Item"), _("Value")], overview, [28, 90], wrap_columns=(2,))
    if not report.anonymous:
        row = last + 2
        put_cell(ws, row, 1, _("Team"))
        put_cell(ws, row, 2, _("Members (organisations)"))
        for team in report.teams:
            row += 1
            put_cell(ws, row, 1, team.label)
            put_cell(ws, row, 2, "; ".join(team.members) + (f" ({'; '.join(team.organisations)})"
                                                            if team.organisations else ""), wrap=True)
    else:
        row = last + 2
        put_cell(ws, row, 1, _("Teams"))
        put_cell(ws, row, 2, ", ".join(t.label for t in report.teams))
    rows = []
    for objective in report.objectives:
        overall = objective.overall or ("", "")
        rows.append([objective.position, objective.text, objective.csf, objective.first, _("Overall"), *overall])
        rows += [[objective.position, objective.text, objective.csf, objective.first, team, rating, rationale]
                 for team, rating, rationale in objective.by_team]
    write_sheet(wb.create_sheet(_("Objectives and ratings")),
                [_("#"), _("Objective"), _("NIST CSF"), _("FIRST service"), _("Team"), _("Rating"), _("Rationale")],
                rows, [5, 50, 14, 26, 16, 8, 60], wrap_columns=(2, 7))
    write_sheet(wb.create_sheet(_("Timeline")),
                [_("Time (UTC)"), _("Running time"), _("Scenario time"), _("Entry"), _("Team"), _("Inject"),
                 _("Text")],
                [[r.at, r.elapsed, r.scenario_time, r.kind, r.team, r.title, r.text] for r in report.timeline],
                [18, 11, 14, 12, 16, 36, 70], wrap_columns=(6, 7))
    write_sheet(wb.create_sheet(_("Observations")),
                [_("Time (UTC)"), _("Running time"), _("Kind"), _("Objective"), _("Inject"), _("Team"),
                 _("Observation"), _("Evaluator")],
                report.observations, [18, 11, 18, 36, 30, 14, 70, 20], wrap_columns=(4, 5, 7))
    write_sheet(wb.create_sheet(_("Improvement plan")),
                [_("#"), _("Objective"), _("Issue"), _("Corrective action"), _("POETE"), _("Owner organisation"),
                 _("Point of contact"), _("Due"), _("Status")],
                report.improvements, [5, 30, 45, 45, 13, 26, 20, 12, 12], wrap_columns=(2, 3, 4))
    return workbook_bytes(wb)
