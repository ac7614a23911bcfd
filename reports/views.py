"""Report pages: the dashboard, workbook downloads and filling a ministry template."""

from __future__ import annotations

import io
import re
import tempfile
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from accounts.permissions import organiser_required
from core import audit, filestore
from core.db import as_utc, utcnow
from core.extensions import db
from core.i18n import _
from core.refdata import (
    BUCKET_NAMES,
    GENDERS,
    MODALITIES,
    country_name,
    fiscal_year_label,
    gender_name,
    modality_name,
    org_type_choices,
    sector_choices,
    sector_name,
)
from core.spreadsheets import XLSX_MIME
from core.uow import unit_of_work
from reports import cache, charts, labels, queries, sources, statistics, template_fill, workbook
from reports import jobs as report_jobs
from reports.filters import ARG_NAMES, FilterError, ReportFilter
from reports.forms import TemplateForm
from trainees.models import Cohort

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


COMPLETION_CHART_COHORTS = 20


def _page_lang() -> str:
    return "ja" if str(get_locale() or "en").startswith("ja") else "en"


def _parse(args) -> tuple[ReportFilter | None, dict[str, str]]:
    """The report filter from request arguments, or the problems (field → message)."""
    try:
        filt = ReportFilter.parse(args)
        filt.check_exists(db.session)
    except FilterError as exc:
        return None, exc.errors
    return filt, {}


def _data(filt: ReportFilter) -> statistics.ReportData:
    return cache.cached(("data", filt.cache_key()), lambda: statistics.compute(filt))


def _download_name(stem: str, filt: ReportFilter, lang: str) -> str:
    parts = [stem, *(v for v in (filt.programme, filt.cohort) if v)]
    if filt.fy_from is not None or filt.fy_to is not None:
        parts.append(f"FY{filt.fy_from or ''}-{filt.fy_to or ''}" if filt.fy_from != filt.fy_to
                     else f"FY{filt.fy_from}")
    if lang == "ja":
        parts.append("ja")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts)) + ".xlsx"


#: what a workbook download is called and recorded as, by its origin (the export form or a cohort page)
WORKBOOK_ORIGINS = {"kakehashi-report": "report.export", "kakehashi-cohort": "report.export_cohort"}


def _audit_workbook(filt: ReportFilter, lang: str, no_pii: bool, action: str, rows: int, publication: bool,
                    k: int, background: bool = False) -> None:
    described = "; ".join(f"{k}: {v}" for k, v in filt.describe("en")) or "all data"
    kind = f"for publication (k={k})" if publication else ("no names" if no_pii else "with names")
    audit.record(action, object_type="Report",
                 summary=f"{described}; lang {lang}; {kind}; {rows} participant rows"
                         + ("; as a background job" if background else ""))


def _send_workbook(filt: ReportFilter, lang: str, no_pii: bool, stem: str, action: str,
                   publication: bool = False):
    k = current_app.config["PUBLICATION_MIN_PEOPLE"]
    rows = _data(filt).summary.enrolments
    if not publication and rows >= current_app.config["REPORT_JOB_MIN_ROWS"]:
        # Too large for one request: a page with a button that starts a background job (no write on GET).
        response = make_response(render_template(
            "reports/export_job.html", rows=rows, args=filt.to_args(), lang=lang, no_pii=no_pii, stem=stem,
            described=filt.describe(_page_lang())))
        response.headers["Cache-Control"] = "no-store, private"
        return response
    with tempfile.TemporaryFile() as spool:
        if publication:  # aggregate only, small cells suppressed (reports/suppression.py)
            info = workbook.build_publication_workbook(spool, filt, lang=lang, k=k, data=_data(filt))
        else:
            info = workbook.build_workbook(spool, filt, lang=lang, no_pii=no_pii, data=_data(filt))
        spool.seek(0)
        content = spool.read()
    with unit_of_work():  # the download is recorded in the audit log (every download is an event)
        _audit_workbook(filt, lang, no_pii, action, info.participant_rows, publication, k)
    return send_file(io.BytesIO(content), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=_download_name(stem, filt, lang))


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "on", "true", "yes", "y")


def dashboard_charts(data: statistics.ReportData, lang: str) -> dict:
    """Chart geometry and the rows of the data tables beside them."""
    s = data.summary
    countries = sorted(data.by_country.rows, key=lambda r: (-r.enrolments, r.code))
    country_rows = [(country_name(r.code, lang), r.code, r.enrolments, r.completed) for r in countries]
    sector_rows = [(sector_name(r.code, lang), r.code, r.public, r.private, r.other, r.enrolments)
                   for r in data.by_sector]
    fy_rows = [(fiscal_year_label(r.fiscal_year, lang), r.enrolments, r.cumulative, r.fiscal_year)
               for r in data.by_fiscal_year]
    genders = {"F": s.female, "M": s.male, "X": s.other_gender, "NS": s.not_stated}
    gender_rows = [(gender_name(g, lang), genders[g], (genders[g] / s.enrolments) if s.enrolments else None)
                   for g in GENDERS]
    recent = data.by_cohort[-COMPLETION_CHART_COHORTS:]
    cohort_rows = [(c.code, c.title, c.enrolments, c.completed, c.completion_rate, c.id) for c in recent]
    return {
        "country": charts.hbar([(name, n, f"{n:,}") for name, _, n, _ in country_rows]),
        "country_rows": country_rows,
        "sector": charts.stacked_hbar([(name, [(pub, "bar-public"), (pri, "bar-private"),
                                                             (oth, "bar-other")], f"{total:,}")
                                       for name, code, pub, pri, oth, total in sector_rows]),
        "sector_rows": sector_rows,
        "fy": charts.column_line([(str(fy), n, cum) for _, n, cum, fy in fy_rows]),
        "fy_rows": fy_rows,
        "gender": charts.hbar([(name, n, f"{n:,}") for name, n, _ in gender_rows]),
        "gender_rows": gender_rows,
        "completion": charts.hbar([(code, rate or 0, "—" if rate is None else f"{rate:.0%}")
                                   for code, _, _, _, rate, _ in cohort_rows], max_value=1.0),
        "completion_rows": cohort_rows,
        "cohorts_total": len(data.by_cohort),
    }


def _feature_sections(filt: ReportFilter, lang: str) -> list[Markup]:
    scope = statistics.scope(filt, lang)
    # Sections are HTML rendered by the feature's own (autoescaped) templates.
    return [Markup(html) for html in sources.dashboard_sections(scope)]  # noqa: S704


def _filter_context(args, errors: dict[str, str]) -> dict:
    options = cache.cached(("options",), queries.filter_options)
    return {
        "args": {k: (args.get(k) or "") for k in (*ARG_NAMES, "fy")},
        "errors": errors,
        "options": options,
        "modalities": [(m, modality_name(m, _page_lang())) for m in MODALITIES],
        "sectors": sector_choices(_page_lang()),
        "org_types": org_type_choices(_page_lang()),
        "country_name": country_name,
    }


@bp.app_template_filter("report_int")
def _report_int(value) -> str:
    return "—" if value is None else f"{value:,}"


@bp.app_template_filter("report_pct")
def _report_pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@bp.app_template_filter("report_dec")
def _report_dec(value) -> str:
    return "—" if value is None else f"{value:.2f}"


# --- routes ----------------------------------------------------------------------------------------

def _figures(filt: ReportFilter, lang: str) -> Markup:
    """The KPIs, charts, tables, feature sections and definitions as HTML, cached like the data."""

    def render() -> Markup:
        data = _data(filt)
        html = render_template("reports/_figures.html", data=data, charts=dashboard_charts(data, lang),
                               sections=_feature_sections(filt, lang),
                               definitions=labels.definitions(lang)
                               + sources.definitions(statistics.scope(filt, lang)),
                               lang=lang, buckets=BUCKET_NAMES)
        return Markup(html)  # noqa: S704 - rendered by our own autoescaped template

    return cache.cached(("figures", filt.cache_key(), lang), render)


@bp.route("/")
@organiser_required
def dashboard():
    """KPIs, charts with their data tables, filters, definitions and the export button."""
    filt, errors = _parse(request.args)
    lang = _page_lang()

    def body() -> Markup:
        figures = _figures(filt, lang) if filt is not None else None
        html = render_template("reports/_dashboard_body.html", filt=filt, figures=figures, lang=lang,
                               definitions=labels.definitions(lang), **_filter_context(request.args, errors))
        return Markup(html)  # noqa: S704 - rendered by our own autoescaped template

    raw_args = tuple(sorted(request.args.items(multi=True)))
    content = body() if errors else cache.cached(("dashboard", raw_args, lang), body)
    return render_template("reports/dashboard.html", body=content)


@bp.route("/export.xlsx")
@organiser_required
def export():
    """The report workbook for the filters in the query string."""
    filt, errors = _parse(request.args)
    if filt is None:
        flash(_("Correct the filters before downloading."), "error")
        return redirect(url_for("reports.dashboard", **request.args.to_dict()))
    lang = request.args.get("lang") if request.args.get("lang") in ("en", "ja") else _page_lang()
    return _send_workbook(filt, lang, _flag(request.args.get("no_pii")), "kakehashi-report", "report.export",
                          publication=_flag(request.args.get("publication")))


@bp.route("/export/job", methods=["POST"])
@organiser_required
def export_job():
    """Start the background job that builds a large report workbook; then show its progress."""
    filt, errors = _parse(request.form)
    if filt is None:
        flash(_("Correct the filters before downloading."), "error")
        return redirect(url_for("reports.dashboard"))
    lang = request.form.get("lang") if request.form.get("lang") in ("en", "ja") else _page_lang()
    stem = request.form.get("stem") if request.form.get("stem") in WORKBOOK_ORIGINS else "kakehashi-report"
    no_pii = _flag(request.form.get("no_pii"))
    parameters = {"args": filt.to_args(), "lang": lang, "no_pii": no_pii,
                  "download_name": _download_name(stem, filt, lang)}
    running = report_jobs.pending_workbook(parameters, current_user.id)
    if running is not None:  # a second click: the run already under way
        return redirect(url_for("notifications.job_run", run_id=running.id))
    rows = _data(filt).summary.enrolments
    with unit_of_work(success=_("Preparing the workbook in the background.")):
        _audit_workbook(filt, lang, no_pii, WORKBOOK_ORIGINS[stem], rows, False,
                        current_app.config["PUBLICATION_MIN_PEOPLE"], background=True)
        run = report_jobs.start_workbook(parameters, rows, current_user)
        return redirect(url_for("notifications.job_run", run_id=run.id))


@bp.route("/cohorts/<int:cohort_id>.xlsx")
@organiser_required
def cohort_workbook(cohort_id: int):
    """The report workbook of one cohort (linked from the cohort page)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    lang = request.args.get("lang") if request.args.get("lang") in ("en", "ja") else _page_lang()
    filt = ReportFilter(cohort=cohort.code)
    return _send_workbook(filt, lang, _flag(request.args.get("no_pii")), "kakehashi-cohort", "report.export_cohort",
                          publication=_flag(request.args.get("publication")))


FILLED_KIND = "report_filled_form"  # a filled ministry form waiting for its download (file store)
FILLED_LIFETIME = timedelta(hours=1)


@bp.route("/template", methods=["GET", "POST"])
@organiser_required
def template():
    """Upload a ministry form with placeholders and get it back filled for the chosen filters."""
    form = TemplateForm()
    if request.method == "GET":
        form.lang.data = _page_lang()
    args = request.form if request.method == "POST" else request.args
    filt, errors = _parse(args) if request.method == "POST" else (None, {})
    context = _filter_context(args, errors)
    page = {"form": form, "placeholders": template_fill.PLACEHOLDERS, "tables": template_fill.TABLES,
            "warnings": [], "download": None, **context}
    if not form.validate_on_submit() or filt is None:
        return render_template("reports/template.html", **page)
    upload = form.template.data
    max_bytes = current_app.config["REPORTS_TEMPLATE_MAX_BYTES"]
    content = upload.stream.read(max_bytes + 1)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", (upload.filename or "form.xlsx").rsplit(".", 1)[0]) + "-filled.xlsx"
    try:
        template_fill.check_upload(content, upload.filename or "", max_bytes)
        data = _data(filt)
        lang = form.lang.data
        if data.summary.enrolments >= current_app.config["REPORT_FILL_JOB_MIN_ROWS"]:
            return _start_fill_job(content, upload.filename or "", name, filt, lang, form.no_pii.data,
                                   data.summary.enrolments)
        programme = queries.programme_by_code(filt.programme)
        result = template_fill.fill(content, workbook.template_values(data, filt, lang, programme),
                                    workbook.template_tables(data, filt, lang, form.no_pii.data))
    except template_fill.TemplateError as exc:
        form.template.errors = [*form.template.errors, exc.message]
        return render_template("reports/template.html", **page)
    key = None
    with unit_of_work():
        audit.record("report.template_fill", object_type="Report",
                     summary=f"{upload.filename}; {result.replaced} placeholders, {result.tables} tables; "
                             f"{'; '.join(f'{k}: {v}' for k, v in filt.describe('en')) or 'all data'}")
        if result.warnings:  # kept in the shared file store (any instance serves the download), for an hour
            key = filestore.put(result.content, name=name, content_type=XLSX_MIME, kind=FILLED_KIND,
                                owner_id=current_user.id, expires_at=utcnow() + FILLED_LIFETIME)
    if not result.warnings:
        return send_file(_bytes_io(result.content), mimetype=XLSX_MIME, as_attachment=True, download_name=name)
    page["warnings"] = result.warnings
    page["download"] = {"filename": name, "key": key, "replaced": result.replaced}
    return render_template("reports/template.html", **page)


def _start_fill_job(content: bytes, filename: str, name: str, filt: ReportFilter, lang: str, no_pii: bool,
                    rows: int):
    """A large fill: keep the checked upload in the file store and fill it in a background job."""
    parameters = {"args": filt.to_args(), "lang": lang, "no_pii": bool(no_pii), "download_name": name,
                  "ui_locale": _page_lang()}
    with unit_of_work(success=_("Filling the form in the background.")):
        audit.record("report.template_fill", object_type="Report",
                     summary=f"{filename}; as a background job; {rows} participant rows; "
                             f"{'; '.join(f'{k}: {v}' for k, v in filt.describe('en')) or 'all data'}")
        run = report_jobs.start_fill(content, parameters, rows, current_user)
        return redirect(url_for("notifications.job_run", run_id=run.id))


@bp.route("/template/download", methods=["POST"])
@organiser_required
def template_download():
    """Download a filled form shown with warnings: only its owner, only within the hour (from the file store)."""
    key = request.form.get("key", "")
    stored = filestore.info(key, kind=FILLED_KIND)
    expired = stored is None or (stored.expires_at is not None and as_utc(stored.expires_at) <= utcnow())
    if expired or stored.owner_id != current_user.id:
        flash(_("That download has expired or was changed. Fill the form again."), "error")
        return redirect(url_for("reports.template"))
    return filestore.send(key, kind=FILLED_KIND)


def _bytes_io(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)

