"""Notices with read receipts end to end: at 1280 px the officer pushes a notice and sees who
has not confirmed; at 360 px the liaison confirms it with the big button; the officer then
sees it confirmed and escalates the other enterprise one step of the ladder."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.enterprises.notices.choices import EscalationStep
from outpost.enterprises.notices.models import Notice, NoticeEscalation
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from tests.browser.support import log_in, menu_click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_pushes_liaison_confirms_officer_escalates(
    browser, live_server, district, officer_a, screenshot
):
    food = EnterpriseFactory(unit=district.grid_a1, name="甲一食品有限公司")
    logistics = EnterpriseFactory(unit=district.grid_a2, name="甲二物流有限公司")
    liaison = liaison_of(food, username="liaison")

    # The officer, on a desk: write and push the notice to both enterprises.
    officer_context, officer = log_in(browser, live_server, officer_a, 1280)
    menu_click(officer, reverse("enterprise_notices:list"))
    officer.click("a[href='/enterprises/notices/new/']")
    officer.fill("input[name=title]", "关于企业复工复产疫情防控的通知")
    officer.fill("textarea[name=body]", "各企业：复工前须完成员工健康登记。")
    officer.fill("input[name=source_authority]", "大连市新冠肺炎疫情防控指挥部")
    deadline = timezone.localtime() + datetime.timedelta(days=1)
    officer.fill("input[name=deadline]", f"{deadline:%Y-%m-%dT%H:%M}")
    officer.select_option("select[name=enterprises]", [str(food.pk), str(logistics.pk)])
    officer.click("main form button[type=submit]")
    officer.wait_for_url("**/enterprises/notices/*/")
    notice = Notice.objects.get()
    assert officer.inner_text("[data-testid=count-unconfirmed]") == "2"
    unconfirmed = officer.inner_text("[data-testid=unconfirmed]")
    assert food.name in unconfirmed and logistics.name in unconfirmed
    screenshot(officer, "notices-officer-pushed-1280")

    # The liaison, on a phone: the notice in the bottom bar, one big button.
    liaison_context, phone = log_in(browser, live_server, liaison, 360)
    menu_click(phone, reverse("enterprise_notices:list"))
    card = phone.locator("[data-testid=notice-card]", has_text=notice.title)
    button = card.locator("button.confirm-button")
    box = button.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 48  # fills the phone's width, easy to hit
    screenshot(phone, "notices-liaison-360")
    button.click()
    phone.wait_for_url("**/enterprises/notices/")
    assert phone.locator("[data-testid=notice-card] button.confirm-button").count() == 0
    liaison_context.close()

    # The officer sees it confirmed and escalates the enterprise that has not.
    officer.reload()
    assert officer.inner_text("[data-testid=count-confirmed]") == "1"
    assert food.name in officer.inner_text("[data-testid=confirmed]")
    row = officer.locator(f"[data-testid='receipt-{logistics.name}']")
    row.locator("button[data-testid=escalate]").click()
    # Back on the notice page, at the enterprise's row.
    officer.wait_for_url(f"**{notice.receipts.get(enterprise=logistics).get_absolute_url()}")
    row = officer.locator(f"[data-testid='receipt-{logistics.name}']")
    assert "站内提醒" in row.inner_text()
    step = NoticeEscalation.objects.get(receipt__enterprise=logistics)
    assert (step.step, step.by_id) == (EscalationStep.INBOX, officer_a.pk)
    screenshot(officer, "notices-officer-escalated-1280")
    officer_context.close()
