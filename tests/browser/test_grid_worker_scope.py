"""A grid worker logs in on a phone, sees only their grid, and cannot open another grid's resident."""

import pytest

from outpost.core.tests.factories import TEST_PASSWORD
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("width", [360, 1280])
def test_grid_worker_sees_only_their_grid(
    browser, live_server, district, grid_worker_a1, screenshot, width
):
    mine = [HouseholdFactory(unit=district.grid_a1) for _ in range(3)]
    for household in mine:
        ResidentFactory(household=household)
    neighbours = HouseholdFactory(unit=district.grid_a2)
    stranger = ResidentFactory(household=neighbours, name="隔壁网格居民")

    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", grid_worker_a1.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    header = page.text_content("header")
    assert "甲社区第1网格" in header  # the user's unit is always in view
    assert "网格员" in header  # Chinese even though the browser asks for English
    screenshot(page, f"grid-worker-home-{width}")

    page.goto(f"{live_server.url}/registry/households/")
    body = page.text_content("main")
    for household in mine:
        assert household.household_number in body
    assert neighbours.household_number not in body
    screenshot(page, f"grid-worker-households-{width}")

    response = page.goto(f"{live_server.url}/registry/residents/{stranger.pk}/")
    assert response.status == 404
    assert "隔壁网格居民" not in page.content()
    context.close()
