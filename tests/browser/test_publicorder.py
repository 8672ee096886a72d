"""Public order on the phone: an officer at 360 px inspects a venue, fails one check and
finds its follow-up on the home page's to-do list; an officer patrols a route and checks in
at three checkpoints by their QR codes (the test reads each code's content from the
printed sheet, as the phone's camera would, and submits it)."""

import pytest
from django.urls import reverse

from outpost.publicorder.choices import InspectionStatus, PatrolStatus
from outpost.publicorder.models import ChecklistItem, Inspection, Patrol
from outpost.publicorder.tests.factories import route_in, venue_in
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_inspects_a_venue_fails_one_check_and_finds_the_follow_up(
    browser, live_server, district, officer_a, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    venue = venue_in(district.grid_a1, kind_code="ktv", name="星光KTV")
    checks = list(ChecklistItem.objects.filter(kind=venue.kind, is_active=True))
    failed = checks[1]
    context, page = log_in(browser, live_server, officer_a, 360)
    page.goto(f"{live_server.url}{venue.get_absolute_url()}")
    page.click(f"a[href='{reverse('publicorder:inspection_new', args=[venue.pk])}']")
    for item in checks:
        value = "0" if item == failed else "1"
        page.check(f"input[name=check_{item.pk}][value='{value}']")
    page.fill(f"input[name=note_{failed.pk}]", "包房未封存")
    page.fill("textarea[name=notes]", "夜间检查")
    screenshot(page, "publicorder-inspection-360")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/publicorder/inspections/*/")
    follow_up = Inspection.objects.get(status=InspectionStatus.DUE)
    assert follow_up.item == failed
    page.goto(f"{live_server.url}/")
    line = page.locator("li.todo-line", has_text="待复查")
    assert line.locator(".todo-count").inner_text() == "1"
    line.locator("a").click()
    page.wait_for_url("**/publicorder/follow-ups/?mine=1")
    page.click(f"a[href='{follow_up.get_absolute_url()}']")
    assert failed.name in page.inner_text("main")
    screenshot(page, "publicorder-follow-up-360")
    context.close()


def test_a_patrol_checks_in_at_three_checkpoints_by_their_qr_codes(
    browser, live_server, district, officer_a, screenshot
):
    route = route_in(district.grid_a1, points=3, leader=officer_a)
    context, page = log_in(browser, live_server, officer_a, 360)
    page.goto(f"{live_server.url}{reverse('publicorder:route_sheet', args=[route.pk])}")
    cards = page.locator("figure.qr-card")
    assert cards.count() == 3
    assert cards.first.locator("svg").count() == 1
    contents = [cards.nth(i).get_attribute("data-content") for i in range(3)]
    page.goto(f"{live_server.url}{route.get_absolute_url()}")
    page.click(f"a[href='{reverse('publicorder:patrol_start', args=[route.pk])}']")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/publicorder/patrols/*/")
    patrol = Patrol.objects.get()
    for n, content in enumerate(contents, start=1):
        page.fill("input[name=code]", content)
        page.click("main form[action$='/check-in/'] button[type=submit]")
        page.wait_for_url(f"**{patrol.get_absolute_url()}")
        assert page.inner_text(".checked-in") == f"{n}/3"
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.FINISHED and patrol.checked_in == 3
    assert not patrol.exception or patrol.exception == "late"
    screenshot(page, "publicorder-patrol-360")
    context.close()
