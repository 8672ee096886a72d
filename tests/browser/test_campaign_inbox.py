"""An officer opens a screening campaign in the browser; the grid worker of a grid it covers
logs in on a phone, sees the unread count in the header, finds the campaign in the inbox in
their language and opens it from there."""

import pytest

from outpost.registry.models import Campaign
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_campaign_opened_by_an_officer_reaches_the_grid_workers_inbox(
    browser, live_server, officer_a, grid_worker_a1, screenshot
):
    context, page = log_in(browser, live_server, officer_a, 1280)
    page.goto(f"{live_server.url}/registry/campaigns/new/")
    page.fill("input[name=name]", "春季排查")  # dates and the officer's community preset
    page.click("main button[type=submit]")
    campaign = Campaign.objects.get(name="春季排查")
    page.wait_for_url(f"{live_server.url}{campaign.get_absolute_url()}")
    context.close()

    context, page = log_in(browser, live_server, grid_worker_a1, 360)
    assert page.text_content("header .inbox-badge").strip() == "1"
    page.locator("a[href='/notify/inbox/']").first.click()
    page.wait_for_url(f"{live_server.url}/notify/inbox/")
    main = page.text_content("main")
    assert "排查批次 春季排查：请走访本网格的住户" in main
    screenshot(page, "grid-worker-inbox-campaign-360")

    page.click("text=排查批次 春季排查：请走访本网格的住户")
    page.click(f"main a[href='{campaign.get_absolute_url()}']")
    page.wait_for_url(f"{live_server.url}{campaign.get_absolute_url()}")
    assert "春季排查" in page.text_content("main h1")
    page.goto(f"{live_server.url}/")
    assert page.locator("header .inbox-badge").count() == 0  # read: no badge any more
    context.close()
