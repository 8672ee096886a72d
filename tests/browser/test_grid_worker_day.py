"""Issue 15's acceptance test: a grid worker's day on a 360 px phone, started from the home
page's to-do list (今日待办). The next household of the open campaign, the visit, a call to
their key person from the button, the contact logged, the key person's fever alert
acknowledged; then the station leader finds the call in the access log as 电话联系."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import AccessAction, RevealPurpose, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.models import ContactEntry
from outpost.keypersons.tests.factories import KeyPersonFactory, TeamMemberFactory
from outpost.observation.choices import AlertStatus
from outpost.observation.tests.factories import AlertFactory, EpisodeFactory
from outpost.registry.models import Visit
from outpost.registry.tests.factories import CampaignFactory, HouseholdFactory, ResidentFactory
from tests.browser.support import log_in, menu_click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 360
KEY_PERSON_PHONE = "13912345678"


def todo_count(page, label: str) -> int | None:
    """The count of the home page's to-do line whose label holds `label` (None: no line)."""
    line = page.locator("li.todo-line", has_text=label)
    if not line.count():
        return None
    return int(line.locator(".todo-count").inner_text().replace(",", ""))


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_a_grid_workers_day_on_a_phone(browser, live_server, district, grid_worker_a1, screenshot):
    campaign = CampaignFactory(
        name="春季排查", unit=district.station, scope_units=[district.community_a]
    )
    first = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="1", room="101")
    head = ResidentFactory(household=first, name="王建国", relation_to_head="head")
    second = HouseholdFactory(unit=district.grid_a1, street="黄河路", building="1", room="102")
    resident = ResidentFactory(
        household=second, name="孙丽", relation_to_head="head", phone=KEY_PERSON_PHONE
    )
    started = timezone.localdate() - datetime.timedelta(days=3)
    key_person = KeyPersonFactory(
        resident=resident,
        status=KeyPersonStatus.UNDER_MANAGEMENT,
        identified_on=started,
        managed_from=started,
    )  # never contacted in three days: overdue
    TeamMemberFactory(key_person=key_person, worker=grid_worker_a1)
    alert = AlertFactory(episode=EpisodeFactory(key_person=key_person, start_date=started))

    # Home: the day's work, each line a count.
    context, page = log_in(browser, live_server, grid_worker_a1, PHONE)
    assert todo_count(page, "待走访住户：春季排查") == 2
    assert todo_count(page, "超时未联系的包保对象") == 1
    assert todo_count(page, "包保对象的待处置预警") == 1
    assert fits_the_phone(page)
    screenshot(page, "day-1-home-360")

    # The households line opens My grid; the big button the next household's visit form.
    page.locator("li.todo-line", has_text="待走访住户").locator("a").click()
    page.wait_for_url("**/registry/my-grid/?*todo=1*")
    next_button = page.locator(".next-button")
    assert "黄河路" in next_button.inner_text() and "101" in next_button.inner_text()
    screenshot(page, "day-2-my-grid-360")
    next_button.click()
    page.wait_for_url(f"**/registry/visits/new/{first.pk}/?campaign={campaign.pk}")
    assert first.household_number in page.text_content("main")
    assert fits_the_phone(page)

    # The visit: everyone was home, nobody travelled, all healthy.
    page.check('input[name="outcome"][value="completed"]')
    card = page.locator("fieldset.member", has=page.locator(f'input[value="{head.pk}"]'))
    card.locator('input[name$="-presence"][value="present"]').check()
    card.locator('input[name$="-travelled"][value="no"]').check()
    card.locator('select[name$="-health_status"]').select_option("healthy")
    screenshot(page, "day-3-visit-form-360")
    page.click(".savebar button[type=submit]")
    page.wait_for_url("**/registry/visits/*/saved/")
    assert "走访已保存" in page.text_content("main h1")
    assert "王建国" in page.text_content("[data-testid=visit-summary]")
    assert Visit.objects.filter(household=first, campaign=campaign).count() == 1
    screenshot(page, "day-4-visit-saved-360")

    # Back home from the bottom bar: one household left; the key person is overdue.
    menu_click(page, "/")
    page.wait_for_url(f"{live_server.url}/")
    assert todo_count(page, "待走访住户：春季排查") == 1
    page.locator("li.todo-line", has_text="超时未联系的包保对象").locator("a").click()
    page.wait_for_url("**/keypersons/mine/?contact=overdue")
    person = page.locator("[data-testid=key-person]", has_text="孙丽")
    assert KEY_PERSON_PHONE not in person.inner_text()  # masked until the call

    # The call button reveals the number for this call as a tel: link, with no typing.
    person.locator("[data-testid=call-button]").click()
    call = person.locator("[data-testid=call-link]")
    assert call.get_attribute("href") == f"tel:{KEY_PERSON_PHONE}"
    assert KEY_PERSON_PHONE in call.inner_text()
    assert fits_the_phone(page)
    screenshot(page, "day-5-call-360")

    # After the call, the contact is logged from the same card.
    person.locator("a.log-button").click()
    page.wait_for_url(f"**/keypersons/{key_person.pk}/contacts/new/**")
    page.check("input[name=channel][value=phone]")
    page.check("input[name=outcome][value=reached]")
    page.fill("textarea[name=note]", "体温36.5℃，无不适")
    screenshot(page, "day-6-contact-form-360")
    page.click("form.contact-form button[type=submit]")
    page.wait_for_url("**/keypersons/mine/**")
    assert "已登记与孙丽的联系。" in page.text_content("body")
    # Back on the overdue list, now empty: it says so, and "show all" finds her again.
    assert "无逾期。" in page.text_content("ul.kp-list")
    screenshot(page, "day-7-contact-logged-360")
    page.get_by_role("link", name="显示全部").click()
    page.wait_for_url("**/keypersons/mine/?")
    person = page.locator("[data-testid=key-person]", has_text="孙丽")
    assert "is-overdue" not in person.get_attribute("class")
    assert "最近联系" in person.inner_text()
    person.locator("a.kp-name").click()
    page.wait_for_url(f"**{key_person.get_absolute_url()}")
    assert "体温36.5℃，无不适" in page.text_content("main")
    screenshot(page, "day-8-key-person-360")

    # Home: the contact line is gone; the alert line opens the key person's alert.
    menu_click(page, "/")
    page.wait_for_url(f"{live_server.url}/")
    assert todo_count(page, "超时未联系的包保对象") is None
    page.locator("li.todo-line", has_text="包保对象的待处置预警").locator("a").click()
    page.wait_for_url("**/observation/alerts/?*mine=1*")
    page.locator(f"a.alert-link[href='{alert.get_absolute_url()}']").click()
    page.wait_for_url(f"**{alert.get_absolute_url()}")
    screenshot(page, "day-9-alert-360")
    page.click("form.acknowledge-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("form.acknowledge-form").count() == 0
    assert "已接收" in page.text_content("main")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, grid_worker_a1)
    assert fits_the_phone(page)
    screenshot(page, "day-10-alert-acknowledged-360")

    menu_click(page, "/")
    page.wait_for_url(f"{live_server.url}/")
    assert todo_count(page, "包保对象的待处置预警") is None
    assert todo_count(page, "待走访住户：春季排查") == 1
    screenshot(page, "day-11-home-after-360")
    context.close()
    assert ContactEntry.objects.filter(key_person=key_person, worker=grid_worker_a1).count() == 1

    # The station leader reads the access log on a phone: the call is there, 电话联系.
    call_log = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (call_log.actor, call_log.purpose) == (grid_worker_a1, RevealPurpose.PHONE_CONTACT)
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    context, page = log_in(browser, live_server, leader, PHONE)
    menu_click(page, "/core/access-log/")
    page.wait_for_url("**/core/access-log/")
    row = page.locator("table.access-log tbody tr", has_text="电话联系")
    assert row.count() == 1
    assert grid_worker_a1.staff_profile.display_name in row.inner_text()
    assert fits_the_phone(page)
    screenshot(page, "day-12-access-log-360")
    context.close()
