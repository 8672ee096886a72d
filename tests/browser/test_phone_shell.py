"""The phone-first shell: at 360 px the page starts at once under a one-line top bar and
the role's main destinations sit in a bar at the thumb, the whole menu a tap away; at
1280 px the grouped menu stays. A grid worker calls their key person from the button, and
the access log shows the call."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import AccessAction, RevealPurpose, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.keypersons.tests.factories import TeamMemberFactory, managed_key_person_in
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    Role.GRID_WORKER: "grid_a1",
    Role.POLICE_OFFICER: "community_a",
    Role.STATION_LEADER: "station",
}


def _top_of_content(page) -> float:
    return page.evaluate("document.querySelector('main').getBoundingClientRect().top")


@pytest.mark.parametrize("role", list(ROLES), ids=lambda role: role.value)
def test_a_phone_shows_the_page_at_once_and_the_roles_destinations_at_the_thumb(
    browser, live_server, district, screenshot, role
):
    user = staff_user(role=role, unit=getattr(district, ROLES[role]), username=f"p-{role}")
    context, page = log_in(browser, live_server, user, 360)

    assert _top_of_content(page) <= 120
    bar = page.locator("nav.bottombar")
    assert bar.is_visible()
    assert 4 <= bar.locator("a").count() <= 6
    assert not page.locator("nav.mainnav").is_visible()
    assert page.locator(".topbar .unit-badge").is_visible()
    for link in bar.locator("a, button").all():
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"shell-home-{role.value}-360")

    page.click("nav.bottombar button.more-button")
    sheet = page.locator("#nav-sheet")
    assert sheet.is_visible()
    assert sheet.locator("a[href='/']").is_visible()
    screenshot(page, f"shell-more-{role.value}-360")
    context.close()


@pytest.mark.parametrize("role", list(ROLES), ids=lambda role: role.value)
def test_a_desk_keeps_the_grouped_menu(browser, live_server, district, screenshot, role):
    user = staff_user(role=role, unit=getattr(district, ROLES[role]), username=f"d-{role}")
    context, page = log_in(browser, live_server, user, 1280)

    assert page.locator("nav.mainnav").is_visible()
    assert page.locator("nav.mainnav details.navgroup").count() >= 2
    assert not page.locator("nav.bottombar").is_visible()
    screenshot(page, f"shell-home-{role.value}-1280")
    context.close()


def test_a_grid_worker_calls_their_key_person_and_the_access_log_shows_it(
    browser, live_server, district, grid_worker_a1, screenshot
):
    key_person = managed_key_person_in(district.grid_a1)
    key_person.resident.phone = "13912345678"
    key_person.resident.save()
    TeamMemberFactory(key_person=key_person, worker=grid_worker_a1)
    context, page = log_in(browser, live_server, grid_worker_a1, 360)

    page.click("nav.bottombar a[href='/keypersons/mine/']")
    card = page.locator("[data-testid=key-person]", has_text=key_person.display_name)
    assert "13912345678" not in card.inner_text()
    card.locator("[data-testid=call-button]").click()
    call = card.locator("[data-testid=call-link]")
    assert call.get_attribute("href") == "tel:13912345678"
    screenshot(page, "shell-call-360")
    context.close()

    # The field pages also took their offline copy (logged as an export to the phone).
    entry = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (entry.actor, entry.action, entry.purpose) == (
        grid_worker_a1,
        AccessAction.REVEAL,
        RevealPurpose.PHONE_CONTACT,
    )
    officer = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    context, page = log_in(browser, live_server, officer, 360)
    today = timezone.localdate().isoformat()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}/core/access-log/?since={yesterday}&until={today}")
    rows = page.locator("table.access-log tbody tr")
    assert rows.count() == AccessLog.objects.count()
    assert rows.filter(has_text="电话联系").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "shell-access-log-360")
    context.close()
