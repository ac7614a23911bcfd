"""The Japanese catalogue: complete, compiled, and every translation keeps the placeholders of its msgid.

When this fails after new strings were added, re-run the extract/update/compile commands in
translations/README.md and translate what is listed.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from core.i18n import _, ngettext

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
POT = TRANSLATIONS / "messages.pot"
JA_PO = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po"
JA_MO = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.mo"

# A %-conversion as Python (and Jinja's newstyle gettext, which always applies `%`) reads it:
# %(name)s, %d, %.2f, and %% for a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrs%]")


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def template():
    return [m for m in _read(POT) if m.id]


@pytest.fixture(scope="module")
def japanese():
    return _read(JA_PO)


def _forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def test_japanese_has_one_plural_form(japanese):
    assert japanese.num_plurals == 1
    assert japanese.plural_expr == "0"


def test_every_msgid_has_a_japanese_translation(template, japanese):
    missing = []
    for message in template:
        translated = japanese.get(_key(message))
        if translated is None or translated.fuzzy or not all(_forms(translated)):
            missing.append(_key(message))
    assert template, "messages.pot is empty"
    assert not missing, f"{len(missing)} msgids without a (non-fuzzy) Japanese translation: {missing[:20]}"


def test_every_translation_keeps_the_placeholders_of_its_msgid(template, japanese):
    wrong = []
    for message in template:
        translated = japanese.get(_key(message))
        if translated is None:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        want = Counter(PLACEHOLDER.findall(ids[0]))
        for form in filter(None, _forms(translated)):
            # Same conversions, and no stray `%`: a lone % in a template string breaks rendering.
            if Counter(PLACEHOLDER.findall(form)) != want or form.count("%") != ids[0].count("%"):
                wrong.append((ids[0], form))
    assert not wrong, f"{len(wrong)} translations change placeholders: {wrong[:10]}"


def test_committed_mo_matches_the_po(template, japanese):
    """The runtime reads messages.mo: it must hold exactly what the .po says (run `pybabel compile`)."""
    with JA_MO.open("rb") as fh:
        # context-less entries only: a msgctxt entry (e.g. "report" words) shares its msgid with a page string
        compiled = {_key(m): _forms(m) for m in read_mo(fh) if m.id and not m.context}
    stale = [_key(m) for m in template
             if japanese.get(_key(m)) is None or compiled.get(_key(m)) != _forms(japanese.get(_key(m)))]
    assert not stale, f"messages.mo is out of date for {len(stale)} msgids, e.g. {stale[:10]}"


def test_the_catalogue_compiles_and_translates_every_msgid(template, japanese):
    buffer = io.BytesIO()
    write_mo(buffer, japanese)
    buffer.seek(0)
    catalogue = GNUTranslations(buffer)
    untranslated = []
    for message in template:
        if isinstance(message.id, (list, tuple)):
            result = catalogue.ngettext(message.id[0], message.id[1], 2)
            untranslated += [message.id[0]] if result == message.id[1] else []
        elif catalogue.gettext(message.id) == message.id and not _is_identity(message.id):
            untranslated.append(message.id)
    assert not untranslated, untranslated[:20]


def _is_identity(msgid: str) -> bool:
    """Strings that are the same in Japanese (format-only strings such as a date pattern, and acronyms
    the glossary in translations/README.md keeps unchanged)."""
    return msgid in {"YYYY-MM-DD", "MSEL", "NIST CSF", "POETE"}


def test_the_app_serves_the_japanese_catalogue(app):
    with app.test_request_context(), force_locale("ja"):
        assert _("Trainee") == "研修員"
        assert _("Cohorts") == "研修コース"
        assert ngettext("%(num)d day", "%(num)d days", 1) == "1日間"
        assert ngettext("%(num)d day", "%(num)d days", 12) == "12日間"
    with app.test_request_context(), force_locale("en"):
        assert _("Trainee") == "Trainee"


def test_the_per_context_catalogue_follows_force_locale_and_refresh(app):
    """``_`` and templates look the catalogue up once per context (issue 17) but still follow a locale switched
    inside the request: ``force_locale`` (exports in the workbook's language) and back, and ``refresh``."""
    from flask import render_template_string
    from flask_babel import refresh

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert _("Trainee") == "Trainee"
        assert render_template_string("{{ _('Trainee') }}") == "Trainee"
        with force_locale("ja"):
            assert _("Trainee") == "研修員"
            assert render_template_string("{{ _('Trainee') }}") == "研修員"
            assert ngettext("%(num)d day", "%(num)d days", 2) == "2日間"
        assert _("Trainee") == "Trainee"
        assert render_template_string("{{ ngettext('%(num)d day', '%(num)d days', 2) }}") == "2 days"
        from babel import Locale
        from flask_babel import _get_current_context

        _get_current_context().forced_babel_locale = Locale.parse("ja")  # what refresh() restores the locale to
        refresh()  # a new locale object: the cached catalogue is not used for it
        assert _("Trainee") == "研修員"


def test_template_gettext_keeps_jinja_newstyle_results(app):
    """``_``/``gettext``/``ngettext`` in templates are called one level deep (issue 17) and give what Jinja's
    new-style callables give: the translation kept, the variables escaped, ``%%`` read as ``%``, in both
    languages, and unescaped where autoescaping is off."""
    from jinja2.ext import _make_new_gettext, _make_new_ngettext

    from core.i18n import translations

    source = ("{{ _('Select %(name)s', name=n) }}|{{ gettext('Change status') }}|{{ _('100%% <b>') }}|"
              "{{ ngettext('%(num)d day', '%(num)d days', k) }}|{% trans %}Change status{% endtrans %}")
    for lang in ("en", "ja"):
        with app.test_request_context("/"), force_locale(lang):
            ours = app.jinja_env.from_string(source)
            env = app.jinja_env.overlay()
            env.globals.update(gettext=_make_new_gettext(lambda s: translations().ugettext(s)),
                               ngettext=_make_new_ngettext(lambda s, p, n: translations().ungettext(s, p, n)))
            env.globals["_"] = env.globals["gettext"]
            jinjas = env.from_string(source)
            for k in (1, 3):
                assert ours.render(n="<A & B>", k=k) == jinjas.render(n="<A & B>", k=k)
            plain_ours = app.jinja_env.overlay(autoescape=False).from_string(source)
            assert "<A & B>" in plain_ours.render(n="<A & B>", k=1)


def test_url_pattern_gives_url_for_results(app):
    from flask import url_for

    from core.templating import UrlPattern

    with app.test_request_context("/", base_url="http://example.org/prefix"):
        pattern = UrlPattern("trainees.cohort_detail", "cohort_id")
        assert [pattern(n) for n in (1, 42, 10**12)] == [url_for("trainees.cohort_detail", cohort_id=n)
                                                         for n in (1, 42, 10**12)]
        assert pattern(7).startswith("/prefix/")


def test_dates_in_templates_equal_flask_babels(app):
    from datetime import date

    from flask_babel import format_date

    with app.test_request_context("/"):
        fmt_date = app.jinja_env.filters["fmt_date"]
        for lang in ("en", "ja"):
            with force_locale(lang):
                for day in (date(2024, 1, 2), date(2026, 12, 31)):
                    for style in ("short", "medium", "long", "full"):
                        assert fmt_date(day, style) == format_date(day, style)


def test_template_gettext_gives_what_jinjas_own_newstyle_gettext_gives(app):
    """Templates' ``_``/``gettext``/``ngettext`` are called directly (issue 17: Jinja's own went through an alias
    and two ``Context.call`` dispatches per string) and give the same text: marked safe, ``%%`` collapsed even
    without variables, variables escaped, ``num`` filled in; also outside autoescape, and in Japanese."""
    from flask import render_template_string
    from jinja2.ext import _make_new_gettext, _make_new_ngettext

    from core.i18n import ConstantGettext, install_template_gettext, translations

    jinja_gettext = _make_new_gettext(lambda s: translations().ugettext(s))
    jinja_ngettext = _make_new_ngettext(lambda s, p, n: translations().ungettext(s, p, n))
    sources = [
        "{{ _('Trainee') }}|{{ gettext('Trainee') }}|{{ _('100%% done') }}|{{ _('plain') }}",
        "{{ _('%(name)s unread', name='<b>&') }}|{{ _('%(n)d%% of %(m)d', n=3, m=4) }}",
        "{{ ngettext('%(num)d day', '%(num)d days', 1) }}|{{ ngettext('%(num)d day', '%(num)d days', 3, x='<') }}",
        "{% autoescape false %}{{ _('%(name)s unread', name='<b>') }}{{ _('a%%b') }}{% endautoescape %}",
        "{% trans %}Trainee{% endtrans %}|{% trans n=2 %}{{ n }} day{% pluralize %}{{ n }} days{% endtrans %}",
    ]
    for lang in ("en", "ja"):
        with app.test_request_context(), force_locale(lang):
            for source in sources:
                ours = render_template_string(source)
                app.jinja_env.globals.update(_=jinja_gettext, gettext=jinja_gettext, ngettext=jinja_ngettext)
                constant = app.jinja_env.extensions.pop(ConstantGettext.identifier)  # Jinja's calls, all of them
                try:
                    theirs = render_template_string(source)
                finally:
                    app.jinja_env.extensions[ConstantGettext.identifier] = constant
                    install_template_gettext(app)
                assert ours == theirs, (lang, source)
    with app.test_request_context(), force_locale("en"):
        assert render_template_string("{{ _('100%% done') }}|{{ _('%(n)s<', n='<') }}") == "100% done|&lt;<"


def _without(env, extension):
    """The environment's extensions without ``extension`` while the block runs (templates compiled meanwhile
    are compiled without it)."""
    from contextlib import contextmanager

    @contextmanager
    def block():
        taken = env.extensions.pop(extension.identifier)
        try:
            yield
        finally:
            env.extensions[extension.identifier] = taken
    return block()


def test_constant_strings_compile_to_one_filter_call_with_the_same_text_for_every_message(app, template):
    """``ConstantGettext`` (issue 17) compiles ``_('a constant')`` into a direct filter call: every message of the
    catalogue without variables gives the same text with it and without it, escaped or not, in both languages;
    only constant one-argument calls are rewritten, and what follows a call keeps its meaning."""
    from flask import render_template_string
    from markupsafe import Markup

    from core.i18n import ConstantGettext

    env = app.jinja_env
    compiled = env.compile("{{ _('Trainee') }}{{ _('%(n)d unread', n=2) }}{{ gettext('Trainee') }}", raw=True)
    assert compiled.count("kk_gettext") == 2 and "t_1(context, 'Trainee')" in compiled  # the filter, looked up once
    assert compiled.count("context.call(") == 2  # the call with a variable, and gettext(), as they were

    plain = [m.id for m in template if isinstance(m.id, str) and "%" not in m.id.replace("%%", "")]
    assert len(plain) > 500
    sources = ["{{ _(" + repr(msgid) + ") }}" for msgid in plain]
    sources += ["{% autoescape false %}{{ _(" + repr(msgid) + ") }}{% endautoescape %}" for msgid in plain[:50]]
    tricky = ["{{ _('Trainee')|upper }}", "{{ _('Trainee').upper() }}", "{{ _('Trainee')[0] }}",
              "{{ [_('Trainee'), _('Sign out')]|join('/') }}", "{{ _('Trainee') ~ _('Sign out') }}",
              "{{ x._('Trainee') }}", "{% if _('Trainee') %}y{% endif %}", "{{ _('a <b> & %%') }}",
              "{{ _(\"Trainee\") }}{{ _('Trainee') }}", "{{ _('Trainee') if true else _('Sign out') }}"]
    sources += tricky
    context = {"x": {"_": lambda s: Markup("<i>%s</i>") % s}}
    for lang in ("en", "ja"):
        with app.test_request_context(), force_locale(lang):
            ours = [render_template_string(source, **context) for source in sources]
            with _without(env, ConstantGettext):
                theirs = [render_template_string(source, **context) for source in sources]
    for source, mine, jinjas in zip(sources, ours, theirs, strict=True):
        assert mine == jinjas, source
    with app.test_request_context(), force_locale("ja"):
        assert render_template_string("{{ _('Sign out') }}") == _("Sign out") != "Sign out"
        assert render_template_string("{{ _('a <b> & %%') }}") == "a <b> & %"  # our catalogue's text: not escaped
