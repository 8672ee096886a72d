"""A grid worker on a phone: my grid → next unvisited household → record the visit → progress."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.tests.factories import TEST_PASSWORD
from outpost.registry.models import Resident, Visit
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    valid_id_number,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW_ID = valid_id_number(321, region="420102", born=datetime.date(1995, 3, 8))


@pytest.mark.parametrize("width", [360, 1280])
def test_grid_worker_records_a_visit_and_sees_the_progress(
    browser, live_server, district, grid_worker_a1, screenshot, width
):
    campaign = CampaignFactory(unit=district.station, scope_units=[district.community_a])
    first = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="1", room="101")
    head = ResidentFactory(household=first, name="王建国", relation_to_head="head")
    ResidentFactory(household=first, name="李秀英", relation_to_head="spouse")
    second = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="1", room="102")
    ResidentFactory(household=second)
    HouseholdFactory(unit=district.grid_a2)  # another grid: never offered

    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", grid_worker_a1.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/registry/my-grid/")
    assert page.text_content("[data-testid=visited-count]") == "0"
    assert page.text_content("[data-testid=total-count]") == "2"
    screenshot(page, f"my-grid-before-{width}")
    next_button = page.locator(".next-button")
    assert next_button.bounding_box()["height"] >= 56  # a big touch target
    next_button.click()
    page.wait_for_url(f"**/registry/visits/new/{first.pk}/?campaign={campaign.pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll

    head_card = page.locator("fieldset.member", has=page.locator(f'input[value="{head.pk}"]'))
    head_card.locator('input[name$="-travelled"][value="yes"]').check()
    assert head_card.locator('input[name$="-origin_place"]').is_visible()

    page.click("button.add-member")  # htmx: one more row for a person not yet registered
    page.wait_for_selector('input[name="new-0-name"]')
    assert page.input_value("#id_new-TOTAL_FORMS") == "1"
    page.fill('input[name="new-0-name"]', "赵新来")
    page.fill('input[name="new-0-document_number"]', NEW_ID)
    page.select_option('select[name="new-0-relation_to_head"]', "tenant")

    # Saving without saying where the head came back from: the error names him, and the
    # new member's entries are kept.
    page.click(".savebar button[type=submit]")
    page.wait_for_selector("#errors")
    assert "王建国" in page.text_content("#errors")
    assert "王建国" in head_card.locator(".field-error").first.text_content()
    assert page.input_value('input[name="new-0-name"]') == "赵新来"
    screenshot(page, f"visit-form-errors-{width}")

    back = timezone.localdate() - datetime.timedelta(days=3)
    head_card.locator('input[name$="-origin_place"]').fill("湖北省武汉市")
    head_card.locator('input[name$="-returned_on"]').fill(back.isoformat())
    head_card.locator('select[name$="-transport"]').select_option("train")
    screenshot(page, f"visit-form-filled-{width}")
    page.click(".savebar button[type=submit]")

    # Saved: straight on to the next unvisited household of the grid.
    page.wait_for_url(f"**/registry/visits/new/{second.pk}/?campaign={campaign.pk}")
    screenshot(page, f"visit-form-next-{width}")
    visit = Visit.objects.get(household=first)
    assert visit.members.count() == 3
    traveller = visit.members.get(resident=head)
    assert (traveller.origin_place, traveller.returned_on) == ("湖北省武汉市", back)
    assert Resident.objects.get(id_number=NEW_ID).household == first

    page.goto(f"{live_server.url}/registry/my-grid/")
    assert page.text_content("[data-testid=visited-count]") == "1"
    screenshot(page, f"my-grid-after-{width}")

    page.goto(f"{live_server.url}/registry/campaigns/{campaign.pk}/")
    assert "赵新来" not in page.content()
    screenshot(page, f"campaign-progress-grid-{width}")
    context.close()
