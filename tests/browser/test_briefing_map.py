"""The leader reads the map of an office's communities on a desktop and on a phone: each
area is a link to its community's dashboard, the page never scrolls sideways on a phone,
and the legend and the table say what the colours mean."""

import pytest

from outpost.core.choices import Role
from outpost.core.tests.factories import TEST_PASSWORD, staff_user
from outpost.keypersons.tests.factories import key_person_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _block(west: float, south: float) -> dict:
    ring = [
        [west, south],
        [west + 0.01, south],
        [west + 0.012, south + 0.012],
        [west, south + 0.01],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.parametrize("width", [1280, 360])
def test_the_map_links_each_community_to_its_dashboard(
    browser, live_server, district, screenshot, width
):
    for n, unit in enumerate((district.community_a, district.community_b)):
        unit.boundary = _block(121.6 + n * 0.01, 38.9)
        unit.save(update_fields=["boundary"])
    key_person_in(district.grid_a1)
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", leader.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/briefing/?unit={district.office.pk}&map=key_persons")

    areas = page.locator("[data-testid=map] svg a")
    assert areas.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("[data-testid=map-legend] li").count() >= 2
    screenshot(page, f"briefing-map-{width}")
    page.locator(f"[data-testid=map] svg a[data-unit='{district.community_a.pk}']").click()
    page.wait_for_load_state()
    assert f"unit={district.community_a.pk}" in page.url
    assert district.community_a.name in page.locator("h1").inner_text()
    context.close()
