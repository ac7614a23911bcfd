"""Helpers shared by the impact views: the result of an assessment (scores, radar, peers)."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

from core.i18n import _
from impact import queries, radar
from impact.models import Assessment


def lang() -> str:
    return "ja" if str(get_locale() or "en").startswith("ja") else "en"


def answer_levels(assessment: Assessment) -> dict[int, str | None]:
    return {item.id: request.form.get(f"item-{item.id}") for g in assessment.instrument.groups for item in g.items}


def result_context(assessment: Assessment) -> dict:
    """Baseline vs follow-up of the assessment's organisation and instrument, with the radar and peers."""
    baseline, followup = queries.pair_for(assessment)
    ids = [a.id for a in (baseline, followup) if a is not None]
    sc = queries.scores(ids) if ids else {}
    b = sc.get(baseline.id) if baseline else None
    f = sc.get(followup.id) if followup else None
    inst = (followup or baseline or assessment).instrument
    lg = lang()
    groups = [(g.code, g.name(lg)) for g in inst.groups]
    series = []
    if b:
        series.append((_("Baseline"), "series-baseline", [b.groups.get(code) for code, _n in groups]))
    if f:
        series.append((_("Follow-up"), "series-followup", [f.groups.get(code) for code, _n in groups]))
    rows = []
    for code, name in groups:
        bv = b.groups.get(code) if b else None
        fv = f.groups.get(code) if f else None
        rows.append((name, bv, fv, None if bv is None or fv is None else fv - bv))
    latest = f or b
    position, peers = queries.peer_position(followup or baseline, latest.overall) if latest else (None, 0)
    return {
        "assessment": assessment, "baseline": baseline, "followup": followup, "b": b, "f": f, "rows": rows,
        "chart": radar.radar([name for _c, name in groups], series, inst.scale_min, inst.scale_max),
        "instrument": inst, "position": position, "peers": peers,
        "overall_change": None if not (b and f) else f.overall - b.overall,
    }
