"""An officer on a phone (360 px) records the unlicensed special-trade business case: the
case, its operator (ID number shown masked), and 15 days' detention deferred 30 days for the
epidemic; the page shows the end dates the date engine gives (China time, inclusive)."""

import datetime

import pytest
from django.urls import reverse

from outpost.cases.models import Case, Measure
from outpost.registry.tests.factories import valid_id_number
from tests.browser.support import log_in, menu_click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_records_a_deferred_detention_on_a_phone(
    browser, live_server, district, officer_a, screenshot
):
    context, phone = log_in(browser, live_server, officer_a, 360)
    menu_click(phone, reverse("cases:list"))
    phone.click(f"a[href='{reverse('cases:new')}']")
    phone.fill("input[name=number]", "大公（哈）行罚决字〔2020〕0101号")
    phone.select_option("select[name=kind]", "unlicensed_business")
    phone.fill("input[name=occurred_on]", "2020-02-08")
    phone.select_option("select[name=unit]", str(district.community_a.pk))
    phone.fill("textarea[name=summary]", "未取得特种行业许可证擅自经营旅馆业。")
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/cases/*/")
    case = Case.objects.get()

    id_number = valid_id_number(31, born=datetime.date(1978, 4, 12))
    phone.click("text=添加当事人")
    phone.check("input[name=kind][value=person]")
    phone.fill("input[name=name]", "王某某")
    phone.fill("input[name=id_number]", id_number)
    phone.click(f"form[action='{reverse('cases:party_add', args=[case.pk])}'] button")
    phone.wait_for_url(f"**{case.get_absolute_url()}")
    assert id_number not in phone.content()

    phone.click("text=登记处理措施")
    form = phone.locator(f"form[action='{reverse('cases:measure_add', args=[case.pk])}']")
    form.locator("select[name=kind]").select_option("detention")
    form.locator("select[name=party]").select_option(index=1)
    form.locator("input[name=decided_on]").fill("2020-02-10")
    form.locator("input[name=detention_days]").fill("15")
    # 23:30 in Beijing (15:30 UTC): the decision's China day is 2020-02-10.
    form.locator("input[name=detention_start]").fill("2020-02-10T23:30")
    form.locator("input[name=deferral_days]").fill("30")
    form.locator("input[name=deferral_reason]").fill("疫情防控期间暂缓执行")
    form.locator("button[type=submit]").click()
    phone.wait_for_url(f"**{case.get_absolute_url()}")

    # Deferred 2020-02-10 … 03-10 (30 days through the leap day), custody 03-11 … 03-25.
    assert phone.inner_text("[data-testid=deferral]").startswith("2020-02-10 – 2020-03-10")
    assert phone.inner_text("[data-testid=custody]") == "2020-03-11 – 2020-03-25"
    assert phone.inner_text("[data-testid=detention-end]") == "2020-03-25"
    assert Measure.objects.get().plan.ends_on == datetime.date(2020, 3, 25)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone
    screenshot(phone, "cases-detention-360")
    context.close()
