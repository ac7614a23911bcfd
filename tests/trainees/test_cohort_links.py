"""The cohort page links to the features built around a cohort (only those that exist)."""

from tests import factories


def test_cohort_page_offers_the_cohort_invitation(client, db, login_as):
    cohort = factories.cohort()
    db.session.commit()
    login_as("organiser")
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert f'action="/cohorts/{cohort.id}/invite"' in page
    assert "Invite accepted and confirmed trainees to the portal" in page
