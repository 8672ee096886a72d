"""Wartime duty end to end: at 1280 px a leader builds next week's roster, sees the rule it
breaks (an officer on leave), gives that shift to a colleague and publishes; at 360 px an
officer asks a colleague to take a shift and the colleague accepts on their phone."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.duty.choices import RosterStatus, SwapStatus
from outpost.duty.models import Roster, SwapRequest
from outpost.duty.tests.factories import leave_in, person_in, post_in, roster_in, shift_of
from tests.browser.support import log_in, menu_click

# A roster's page, maybe at the shift just changed (#shift-N).
ROSTER_PAGE = re.compile(r"/duty/rosters/\d+/(#shift-\d+)?$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_builds_fixes_and_publishes_next_weeks_roster(
    browser, live_server, district, screenshot
):
    desk = post_in(district.station, name="所值班台")
    first, _second, third = (
        person_in(district.community_a, Role.POLICE_OFFICER, name)
        for name in ("张警官", "李警官", "王警官")
    )
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    leave_in(None, user=first, first=monday, days=1)
    leader = person_in(district.station, Role.STATION_LEADER, "刘所长")

    context, page = log_in(browser, live_server, leader, 1280)
    menu_click(page, reverse("duty:roster_list"))
    page.click(f"a[href='{reverse('duty:roster_build')}']")
    page.fill("input[name=title]", "下周战时排班")
    page.check(f"input[name=posts][value='{desk.pk}']")
    page.fill("input[name=min_rest_hours]", "24")
    page.click("main form button[type=submit]")
    page.wait_for_url(ROSTER_PAGE)
    violations = page.inner_text("[data-testid=violations]")
    assert "张警官" in violations and "所值班台" in violations
    screenshot(page, "duty-roster-violation-1280")

    page.locator("[data-testid=violations] a", has_text="更换人员").first.click()
    page.select_option("select[name=user]", str(third.pk))
    page.click("main form button[type=submit]")
    page.wait_for_url(ROSTER_PAGE)
    assert "排班符合全部规则" in page.inner_text("[data-testid=violations]")
    page.click(f"a[href='{reverse('duty:roster_publish', args=[Roster.objects.get().pk])}']")
    page.click("main form button[type=submit]")
    page.wait_for_url(ROSTER_PAGE)
    assert Roster.objects.get().status == RosterStatus.PUBLISHED
    screenshot(page, "duty-roster-published-1280")
    context.close()


def test_officer_asks_a_swap_on_the_phone_and_the_colleague_accepts(browser, live_server, district):
    desk = post_in(district.station, name="所值班台")
    roster = roster_in(district.station, posts=[desk])
    holder = person_in(district.community_a, Role.POLICE_OFFICER, "张警官")
    colleague = person_in(district.community_a, Role.POLICE_OFFICER, "李警官")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    shift_of(holder, post=desk, roster=roster, starts_at=tomorrow)

    context, phone = log_in(browser, live_server, holder, 360)
    menu_click(phone, reverse("duty:mine"))
    phone.click("[data-testid=my-shifts] a")
    phone.select_option("select[name=taker]", str(colleague.pk))
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/duty/mine/")
    assert "李警官" in phone.inner_text("[data-testid=my-swaps]")
    context.close()

    context, phone = log_in(browser, live_server, colleague, 360)
    menu_click(phone, reverse("duty:mine"))
    phone.locator("[data-testid=asked-of-me] button[value='1']").click()
    phone.wait_for_url("**/duty/mine/")
    assert SwapRequest.objects.get().status == SwapStatus.ACCEPTED
    context.close()


def test_a_fever_alert_at_the_hotel_reaches_the_doctor_on_duty_not_the_one_off_duty(
    browser, live_server, district, screenshot
):
    from outpost.duty.choices import PostKind
    from outpost.duty.tests.factories import template_in
    from outpost.observation.tests.factories import (
        IsolationSiteFactory,
        centralized_episode_in,
        fever_alert_at,
    )

    site = IsolationSiteFactory(unit=district.station, name="隔离酒店")
    post = post_in(
        district.station,
        kind=PostKind.ISOLATION_SITE,
        site=site,
        template=template_in(district.station, hours=12, per_day=2),
        roles=(Role.MEDICAL_STAFF,),
        name="隔离酒店驻点",
    )
    now = timezone.now()
    roster = roster_in(
        district.station, first=timezone.localdate() - datetime.timedelta(days=1), days=3,
        posts=[post],
    )  # fmt: skip
    on_duty = person_in(district.station, Role.MEDICAL_STAFF, "值班医生")
    off_duty = person_in(district.station, Role.MEDICAL_STAFF, "轮休医生")
    shift_of(on_duty, post=post, roster=roster, starts_at=now - datetime.timedelta(hours=2))
    shift_of(off_duty, post=post, roster=roster, starts_at=now + datetime.timedelta(hours=10))
    episode = centralized_episode_in(
        district.grid_a1,
        site=site,
        start_date=timezone.localdate() - datetime.timedelta(days=2),
        planned_end_date=timezone.localdate() + datetime.timedelta(days=12),
    )
    alert = fever_alert_at(episode, now=now)

    context, phone = log_in(browser, live_server, on_duty, 360)
    phone.goto(f"{live_server.url}{reverse('notify:inbox')}")
    message = phone.locator("main a", has_text="发热预警").first
    message.click()
    phone.locator(f"a[href='{alert.get_absolute_url()}']").first.click()
    phone.wait_for_url(f"**{alert.get_absolute_url()}")
    assert "38.4" in phone.inner_text("main")
    screenshot(phone, "duty-alert-on-duty-360")
    context.close()

    context, phone = log_in(browser, live_server, off_duty, 360)
    phone.goto(f"{live_server.url}{reverse('notify:inbox')}")
    assert "发热预警" not in phone.inner_text("main")
    context.close()
