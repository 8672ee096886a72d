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
from tests.browser.support import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW_ID = valid_id_number(321, region="420102", born=datetime.date(1995, 3, 8))


def answer(card, *, presence="present", travelled="no", health="healthy"):
    """Choose a member's answers on the visit form: none is chosen beforehand."""
    if presence:
        card.locator(f'input[name$="-presence"][value="{presence}"]').check()
    card.locator(f'input[name$="-travelled"][value="{travelled}"]').check()
    card.locator('select[name$="-health_status"]').select_option(health)


@pytest.mark.parametrize("width", [360, 1280])
def test_grid_worker_records_a_visit_and_sees_the_progress(
    browser, live_server, district, grid_worker_a1, screenshot, width
):
    campaign = CampaignFactory(unit=district.station, scope_units=[district.community_a])
    first = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="1", room="101")
    head = ResidentFactory(household=first, name="王建国", relation_to_head="head")
    spouse = ResidentFactory(household=first, name="李秀英", relation_to_head="spouse")
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

    page.check('input[name="outcome"][value="completed"]')
    head_card = page.locator("fieldset.member", has=page.locator(f'input[value="{head.pk}"]'))
    spouse_card = page.locator("fieldset.member", has=page.locator(f'input[value="{spouse.pk}"]'))
    answer(head_card, travelled="yes")
    answer(spouse_card)
    assert head_card.locator('input[name$="-origin_place"]').is_visible()

    page.click("button.add-member")  # htmx: one more row for a person not yet registered
    page.wait_for_selector('input[name="new-0-name"]')
    assert page.input_value("#id_new-TOTAL_FORMS") == "1"
    page.fill('input[name="new-0-name"]', "赵新来")
    page.fill('input[name="new-0-document_number"]', NEW_ID)
    page.select_option('select[name="new-0-relation_to_head"]', "tenant")
    answer(page.locator("fieldset.member-new"), presence=None)

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

    # Saved: what was recorded, then on to the next unvisited household of the grid.
    page.wait_for_url("**/registry/visits/*/saved/")
    page.click("[data-testid=next-household]")
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


def test_a_visit_is_refused_until_each_answer_is_chosen_then_undone(
    browser, live_server, district, grid_worker_a1, screenshot
):
    campaign = CampaignFactory(unit=district.station, scope_units=[district.community_a])
    household = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="2", room="201")
    head = ResidentFactory(household=household, name="孙立平", relation_to_head="head")
    HouseholdFactory(unit=district.grid_a1, street="黄河路", building="2", room="202")
    context, page = log_in(browser, live_server, grid_worker_a1, 360)
    page.goto(f"{live_server.url}/registry/visits/new/{household.pk}/?campaign={campaign.pk}")
    assert page.locator("input[type=radio]:checked").count() == 0  # nothing chosen for them

    page.click(".savebar button[type=submit]")
    page.wait_for_selector("#errors")
    assert not Visit.objects.exists()
    page.check('input[name="outcome"][value="completed"]')
    page.click(".savebar button[type=submit]")
    page.wait_for_selector("#errors")
    head_card = page.locator("fieldset.member", has=page.locator(f'input[value="{head.pk}"]'))
    assert head_card.locator(".field-error").count() == 3  # presence, travel, health
    assert not Visit.objects.exists()
    screenshot(page, "visit-unanswered-360")

    answer(head_card, health="fever")
    page.click(".savebar button[type=submit]")
    page.wait_for_url("**/registry/visits/*/saved/")
    summary = page.text_content("[data-testid=visit-summary]")
    assert "孙立平" in summary and "发热" in summary
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "visit-saved-360")

    page.click("[data-testid=undo]")
    page.wait_for_url(f"**/registry/visits/new/{household.pk}/?campaign={campaign.pk}")
    assert not Visit.objects.exists()
    assert page.locator("input[type=radio]:checked").count() == 0
    screenshot(page, "visit-undone-360")
    context.close()
