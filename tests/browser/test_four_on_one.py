"""A grid worker on a phone: their four-on-one list shows the key person they are responsible
for, overdue first, and logging a contact takes one button and a short form."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.tests.factories import TEST_PASSWORD
from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus
from outpost.keypersons.models import ContactEntry, TeamMember
from outpost.keypersons.services import key_person_create, key_person_status_change
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("width", [360, 1280])
def test_grid_worker_sees_their_key_person_and_logs_a_contact(
    browser, live_server, district, officer_a, grid_worker_a1, screenshot, width
):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1), name="孙丽")
    key_person = key_person_create(
        acting_user=officer_a,
        resident=resident,
        category=KeyPersonCategory.RISK_REGION_ARRIVAL,
        identified_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    key_person_status_change(
        acting_user=officer_a,
        key_person=key_person,
        status=KeyPersonStatus.UNDER_MANAGEMENT,
        on=timezone.localdate() - datetime.timedelta(days=2),
    )
    # The team was proposed from the grid: the grid worker holds the grid's place.
    assert TeamMember.objects.filter(key_person=key_person, worker=grid_worker_a1).exists()

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", grid_worker_a1.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/keypersons/mine/")
    card = page.locator("[data-testid=key-person]", has_text="孙丽")
    assert "is-overdue" in card.get_attribute("class")  # no contact in two days
    screenshot(page, f"four-on-one-list-{width}")
    card.locator("a.log-button").click()
    page.wait_for_url("**/contacts/new/**")
    page.check("input[name=channel][value=phone]")
    page.check("input[name=outcome][value=reached]")
    page.fill("textarea[name=note]", "体温36.5℃，无不适")
    screenshot(page, f"four-on-one-contact-{width}")
    page.click("form.contact-form button[type=submit]")
    page.wait_for_url("**/keypersons/mine/**")
    entry = ContactEntry.objects.get(key_person=key_person)
    assert entry.worker == grid_worker_a1 and entry.note == "体温36.5℃，无不适"
    card = page.locator("[data-testid=key-person]", has_text="孙丽")
    assert "is-overdue" not in card.get_attribute("class")
    screenshot(page, f"four-on-one-after-{width}")
    context.close()
