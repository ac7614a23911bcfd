"""Pure rules: run status transitions, staff roles, placeholders, inject field helpers."""

from __future__ import annotations

import pytest

from exercises import lifecycle, placeholders
from exercises.injects import format_expected_actions, parse_expected_actions, parse_flag, resolve_channel
from exercises.vocab import CHANNELS

LEGAL = {
    ("prepare", "draft"): "ready", ("unprepare", "ready"): "draft", ("start", "ready"): "running",
    ("pause", "running"): "paused", ("resume", "paused"): "running", ("end", "running"): "ended",
    ("end", "paused"): "ended", ("evaluate", "ended"): "evaluated", ("reopen", "evaluated"): "ended",
}


@pytest.mark.parametrize("action", list(lifecycle.ACTIONS))
@pytest.mark.parametrize("status", lifecycle.RUN_STATUSES)
def test_every_transition_is_either_legal_or_refused(action, status):
    if (action, status) in LEGAL:
        assert lifecycle.can(action, status)
        assert lifecycle.target(action, status) == LEGAL[(action, status)]
    else:
        assert not lifecycle.can(action, status)
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.target(action, status)


def test_allowed_actions_and_roles():
    assert lifecycle.allowed_actions("running") == ["pause", "end"]
    assert lifecycle.allowed_actions("draft", lifecycle.CONTROL_ACTIONS) == []
    assert lifecycle.may_control({"controller"}) and lifecycle.may_control({"facilitator"})
    assert not lifecycle.may_control({"evaluator", "observer"})
    assert lifecycle.may_evaluate({"evaluator"}) and not lifecycle.may_evaluate({"controller", "observer"})
    assert not lifecycle.can("fly", "running")
    # the poll queries write "status != 'draft'" for this set
    assert set(lifecycle.RUN_STATUSES) - {"draft"} == lifecycle.PLAYER_STATUSES


def test_placeholders_found_in_order_filled_and_missing():
    texts = ["Call {NATIONAL_CSIRT} and {OWN_THING}", None, "In {COUNTRY}: {NATIONAL_CSIRT}", "{not_one} {X}"]
    assert placeholders.find(texts) == ["COUNTRY", "NATIONAL_CSIRT", "OWN_THING"]
    values = {"COUNTRY": "Viet Nam", "NATIONAL_CSIRT": "  ", "OWN_THING": "Ours"}
    assert placeholders.fill("In {COUNTRY}, {NATIONAL_CSIRT}, {OWN_THING}", values) == \
        "In Viet Nam, {NATIONAL_CSIRT}, Ours"
    assert placeholders.missing(["COUNTRY", "NATIONAL_CSIRT"], values) == ["NATIONAL_CSIRT"]
    assert placeholders.fill(None, values) == ""


def test_placeholder_suggestions_come_from_the_host_country():
    names = ["COUNTRY", "NATIONAL_CSIRT", "CENTRAL_BANK", "CURRENCY", "HOLIDAY", "GRID_OPERATOR"]
    th = placeholders.suggest(names, "TH")
    assert th["COUNTRY"] == "Thailand" and th["NATIONAL_CSIRT"] == "ThaiCERT"
    assert th["CENTRAL_BANK"] == "Bank of Thailand" and th["CURRENCY"] == "THB" and th["HOLIDAY"] == "Songkran"
    assert th["GRID_OPERATOR"] == ""  # no sensible default
    assert placeholders.suggest(["COUNTRY"], None) == {"COUNTRY": ""}
    assert placeholders.suggest(["COUNTRY"], "VN")["COUNTRY"] == "Viet Nam"


def test_expected_actions_round_trip_and_roles():
    text = "- CSIRT lead: Isolate the segment\n\n* Review contract (A.5.19–5.21): plan fixes\nJust do it"
    actions = parse_expected_actions(text)
    assert actions == [{"role": "CSIRT lead", "action": "Isolate the segment"},
                       {"role": "", "action": "Review contract (A.5.19–5.21): plan fixes"},
                       {"role": "", "action": "Just do it"}]
    assert parse_expected_actions(format_expected_actions(actions)) == actions


def test_channels_and_flags():
    assert resolve_channel("E-mail") == "email" and resolve_channel("SIEM alert") == "alert"
    assert resolve_channel("in_person") == "in_person" and resolve_channel("carrier pigeon") is None
    assert all(resolve_channel(code) == code for code in CHANNELS)
    assert parse_flag("Yes") is True and parse_flag("no") is False and parse_flag(None) is False
    assert parse_flag(1) is True and parse_flag(True) is True and parse_flag("maybe") is None


def test_markdown_is_sanitised_and_placeholders_filled():
    from exercises.rendering import render_markdown

    html = str(render_markdown("**Hi {COUNTRY}** <script>alert(1)</script> [x](javascript:alert(1)) "
                               "<img src=x onerror=alert(1)> [ok](https://example.org)", {"COUNTRY": "Lao PDR"}))
    assert "<strong>Hi Lao PDR</strong>" in html
    assert "<script" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript' not in html and '<img src="x">' in html  # the one policy allows relative images
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html
