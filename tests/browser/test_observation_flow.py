"""Issue 6 end to end: staff check a person into the isolation hotel, the person reports
38.1 °C through their own link on a phone, the four-on-one team sees the alert, acknowledges
it and records the transfer, and the site's daily report shows it."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus
from outpost.keypersons.models import TeamMember
from outpost.keypersons.services import key_person_create, key_person_status_change
from outpost.observation.choices import AlertOutcome, AlertStatus, EpisodeKind, SiteStaffRole
from outpost.observation.models import Alert, CheckIn, RoomStay
from outpost.observation.services.episodes import episode_start
from outpost.observation.services.sites import rooms_add, site_create, site_staff_add
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_self_report_fever_alert_transfer_and_daily_report(
    browser, live_server, district, officer_a, grid_worker_a1, screenshot, settings
):
    settings.OUTPOST_BASE_URL = live_server.url  # the links sent by SMS point here
    admin = staff_user(role=Role.ADMINISTRATOR, unit=district.station, username="site-admin")
    doctor = staff_user(role=Role.MEDICAL_STAFF, unit=district.station, username="doctor")
    # The officer on duty at the hotel is a station officer: the hotel takes every community.
    site_officer = staff_user(
        role=Role.POLICE_OFFICER, unit=district.station, username="site-officer"
    )
    site = site_create(acting_user=admin, unit=district.station, name="海景酒店隔离点")
    rooms_add(acting_user=admin, site=site, floor="3", numbers=["301", "302", "303"])
    site_staff_add(
        acting_user=admin,
        site=site,
        user=doctor,
        role=SiteStaffRole.MEDICAL,
        on_duty_from=timezone.localdate(),
    )
    site_staff_add(
        acting_user=admin,
        site=site,
        user=site_officer,
        role=SiteStaffRole.OFFICER,
        on_duty_from=timezone.localdate(),
    )
    resident = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1), name="王芳", phone="13912345678"
    )
    key_person = key_person_create(
        acting_user=officer_a,
        resident=resident,
        category=KeyPersonCategory.RISK_REGION_ARRIVAL,
        identified_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    key_person_status_change(
        acting_user=officer_a,
        key_person=key_person,
        status=KeyPersonStatus.UNDER_MANAGEMENT,
        on=timezone.localdate(),
    )
    assert TeamMember.objects.filter(key_person=key_person, worker=grid_worker_a1).exists()
    episode = episode_start(
        acting_user=officer_a,
        key_person=key_person,
        kind=EpisodeKind.CENTRALIZED,
        start_date=timezone.localdate(),
        site=site,
    )

    # The officer on duty checks her into room 302 and sends her the self-report link.
    context, page = log_in(browser, live_server, site_officer, 1280)
    page.goto(f"{live_server.url}{site.get_absolute_url()}")
    page.locator(f"#awaiting a[href*='?episode={episode.pk}']").click()
    page.wait_for_url("**/check-in/**")
    room = site.rooms.get(number="302")
    page.select_option("select[name=room]", value=str(room.pk))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"**{site.get_absolute_url()}")
    assert page.locator("[data-room='302']").get_attribute("data-state") == "occupied"
    assert RoomStay.objects.get(episode=episode, checked_out_at__isnull=True).room.number == "302"
    screenshot(page, "observation-board-1280")
    page.goto(f"{live_server.url}{episode.get_absolute_url()}")
    page.locator("form[action$='/link/'] button").click()
    link = page.locator("[data-testid=self-report-url]").input_value()
    context.close()

    # She reports 38.1 °C on her phone, with no account.
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    form = phone.new_page()
    form.goto(link)
    form.fill("input[name=temperature]", "38.1")
    form.check("input[name=symptoms][value=fever]")
    screenshot(form, "observation-self-report-360")
    form.click("button.sr-submit")
    form.wait_for_load_state()
    assert "38.1" in form.content()
    screenshot(form, "observation-self-report-sent-360")
    phone.close()
    check_in = CheckIn.objects.get(episode=episode)
    assert str(check_in.temperature) == "38.1" and check_in.source == "self_report"
    alert = Alert.objects.get(episode=episode)

    # The grid worker of her team sees the alert in the inbox on a phone, acknowledges it
    # and records the transfer to the fever clinic.
    context, page = log_in(browser, live_server, grid_worker_a1, 360)
    assert page.locator(".inbox-badge").inner_text().strip() != ""
    page.goto(f"{live_server.url}/notify/inbox/")
    page.locator("li.inbox-item a", has_text="38.1").first.click()
    page.locator(f"a[href='{alert.get_absolute_url()}']").click()
    page.wait_for_url(f"**{alert.get_absolute_url()}**")
    screenshot(page, "observation-alert-360")
    page.click("form.acknowledge-form button[type=submit]")
    page.wait_for_load_state()
    page.check(f"input[name=outcome][value={AlertOutcome.FEVER_CLINIC}]")
    page.fill("input[name=transfer_place]", "大连市中心医院发热门诊")
    page.fill("input[name=transferred_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.click("form.resolve-form button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "observation-alert-resolved-360")
    context.close()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.acknowledged_by == grid_worker_a1
    assert alert.transfer_place == "大连市中心医院发热门诊"

    # The site's daily report counts the fever alert and the transfer.
    context, page = log_in(browser, live_server, site_officer, 1280)
    page.goto(f"{live_server.url}/observation/sites/{site.pk}/report/")
    content = page.content()
    assert "大连市中心医院发热门诊" in content
    tiles = page.locator(".report-tiles .tile-number").all_inner_texts()
    assert tiles[0] == "1"  # in isolation
    assert tiles[5] == "1" and tiles[6] == "1"  # fever alerts, transfers
    screenshot(page, "observation-site-report-1280")
    context.close()
