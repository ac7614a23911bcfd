"""Issue 3 journey in Chromium: an organiser creates a cohort, imports a file with one bad row, sees the
preview, fixes the file, confirms the import, adds a session and marks attendance."""

from __future__ import annotations

import csv
import re

import pytest

from accounts.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

HEADER = ["family_name", "given_names", "email", "gender", "nationality", "organisation", "sector", "org_type",
          "status"]
ROWS = [
    ["Vongsa", "Khamla", "khamla.vongsa@example.org", "F", "Lao PDR", "Lao CERT (demo)", "ICT", "national_csirt",
     "confirmed"],
    ["", "Sokha", "sokha@example.org", "M", "KH", "Ministry of Posts (demo)", "GOV", "ministry", "confirmed"],
    ["Pereira", "Ana", "ana.pereira@example.org", "F", "Timor-Leste", "Central Bank (demo)", "FIN", "regulator",
     "confirmed"],
]


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_create_cohort_import_fix_confirm_and_mark_attendance(live_server, context, tmp_path):
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail", exact=True).fill("organiser@demo.kakehashi.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Programme", exact=True).select_option(index=1)  # the first real programme
    page.get_by_label("Code", exact=True).fill("E2E-2026-LA")
    page.get_by_label("Title", exact=True).fill("Incident Response Workshop (Vientiane)")
    page.get_by_label("Modality", exact=True).select_option("workshop_in_country")
    page.get_by_label("Host country", exact=True).select_option("LA")
    page.get_by_label("City", exact=True).fill("Vientiane")
    page.get_by_label("Start date", exact=True).fill("2026-12-07")
    page.get_by_label("End date", exact=True).fill("2026-12-01")  # wrong on purpose: before the start
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()
    page.get_by_label("End date", exact=True).fill("2026-12-09")
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("E2E-2026-LA")

    bad = [*ROWS[:2], [*ROWS[2][:4], "Atlantis", *ROWS[2][5:]]]
    page.get_by_role("link", name="Import trainees from a spreadsheet").click()
    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(str(_write(tmp_path / "nominees.csv", bad)))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text(re.compile("1 row is invalid, so nothing can be imported"))).to_be_visible()
    bad_row = page.get_by_role("row").filter(has_text="ana.pereira@example.org")
    expect(bad_row).to_contain_text("invalid")
    expect(bad_row).to_contain_text("nationality")

    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(str(_write(tmp_path / "nominees-fixed.csv", ROWS)))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Confirming adds 3 new and updates 0 existing trainees.")).to_be_visible()
    page.get_by_role("button", name="Confirm import").click()

    page.goto(live_server.url + "/cohorts")
    page.get_by_role("link", name="E2E-2026-LA").click()
    expect(page.get_by_role("cell", name="VONGSA Khamla", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Sokha", exact=True)).to_be_visible()

    page.get_by_role("link", name="Add the first session").click()
    page.get_by_label("Title", exact=True).fill("Opening and incident triage")
    page.get_by_label("Date", exact=True).fill("2026-12-07")
    page.get_by_label("Time zone").fill("Asia/Vientiane")
    page.get_by_role("button", name="Save session").click()
    page.get_by_role("link", name="Attendance sheet").click()
    page.get_by_role("button", name="Mark the rest present and save").click()
    expect(page.get_by_role("status").first).to_be_visible()
    page.get_by_label("Late").first.check()
    page.get_by_role("button", name="Save attendance").click()
    page.goto(page.url)
    expect(page.get_by_label("Late").first).to_be_checked()
    expect(page.get_by_label("Present").nth(1)).to_be_checked()
