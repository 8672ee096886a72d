"""A liaison on a phone files a request for 2,000 masks; the officer at a desk receives a
donation of masks, gives 2,000 out against the request and answers it; the liaison sees
the request answered with everything delivered."""

import pytest

from outpost.enterprises.supplies.models import EnterpriseRequest, Stock
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.enterprises.tests.factories_supplies import supply_items
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_for_masks_is_met_from_donated_stock(
    browser, live_server, district, officer_a, screenshot
):
    items = supply_items()
    firm = EnterpriseFactory(unit=district.grid_a1, name="大连保供食品有限公司")
    liaison = liaison_of(firm, username="liaison")

    # The liaison, on a phone, files the request.
    phone, page = log_in(browser, live_server, liaison, 360)
    page.goto(f"{live_server.url}/enterprises/requests/new/")
    page.check("input[name=kind][value=supplies]")
    page.fill("input[name=summary]", "复工口罩")
    page.fill("input[name=qty_masks]", "2000")
    screenshot(page, "supplies-request-360")
    page.click("form.request-form button[type=submit]")
    page.wait_for_url("**/enterprises/requests/*/")
    request = EnterpriseRequest.objects.get(enterprise=firm)
    assert request.lines.get().quantity == 2000
    assert "待受理" in page.inner_text("[data-testid=request-status]")

    # The officer, at a desk, receives masks and gives 2,000 out against the request.
    desk, office = log_in(browser, live_server, officer_a, 1280)
    office.goto(f"{live_server.url}/enterprises/supplies/donations/new/")
    office.check("input[name=donor_kind][value=person]")
    office.fill("input[name=donor_name]", "刘建国")
    office.fill("input[name=qty_masks]", "3000")
    office.click("form.donation-form button[type=submit]")
    office.wait_for_url("**/supplies/donations/*/")
    assert Stock.objects.get(item=items["masks"]).quantity == 3000

    office.goto(f"{live_server.url}{request.get_absolute_url()}")
    office.click(".request-actions a[href*='distributions/new']")
    office.wait_for_url("**/distributions/new/**")
    assert office.input_value("input[name=qty_masks]") == "2000"  # what the request lacks
    office.fill("input[name=signed_for_by]", "王经理")
    office.click("form.distribution-form button[type=submit]")
    office.wait_for_url(f"**{request.get_absolute_url()}")
    assert "2000" in office.inner_text("[data-testid=request-line] [data-testid=delivered]")
    assert Stock.objects.get(item=items["masks"]).quantity == 1000
    screenshot(office, "supplies-distributed-1280")

    office.click(f".request-actions a[href$='/requests/{request.pk}/close/']")
    office.check("input[name=outcome][value=resolved]")
    office.fill("textarea[name=note]", "口罩2000只已送达，王经理签收")
    office.click("form.request-action-form button[type=submit]")
    office.wait_for_url(f"**{request.get_absolute_url()}")
    request.refresh_from_db()
    assert request.status == "closed"

    # The liaison sees it answered and delivered in full.
    page.reload()
    assert "已办结" in page.inner_text("[data-testid=request-status]")
    progress = page.locator("[data-testid=request-line] progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("2000", "2000")
    screenshot(page, "supplies-delivered-360")
    desk.close()
    phone.close()
