"""A person's story and work in batches, in the browser: the officer finds a resident by the
last four digits of their phone, reads their timeline with the temperature chart, then
acknowledges two alerts at once from the alert list."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from outpost.keypersons.tests.factories import KeyPersonFactory
from outpost.observation.choices import AlertStatus
from outpost.observation.models import Alert
from outpost.observation.tests.factories import AlertFactory, CheckInFactory, EpisodeFactory
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, VisitMemberFactory
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_officer_finds_a_person_reads_the_story_and_acknowledges_alerts(
    browser, live_server, district, officer_a, screenshot, width
):
    resident = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1), name="周晓梅", phone="13912344321"
    )
    VisitMemberFactory(visit__household=resident.household, resident=resident)
    episode = EpisodeFactory(
        key_person=KeyPersonFactory(resident=resident),
        start_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    now = timezone.now()
    for hours, temperature in (
        (60, "36.5"),
        (48, "36.7"),
        (36, "36.6"),
        (24, "37.0"),
        (12, "37.8"),
    ):
        CheckInFactory(
            episode=episode,
            taken_at=now - datetime.timedelta(hours=hours),
            temperature=Decimal(temperature),
        )
    alerts = [AlertFactory(episode=episode), AlertFactory(episode=episode)]

    context, page = log_in(browser, live_server, officer_a, width)
    page.goto(f"{live_server.url}/registry/residents/?q=4321")
    page.get_by_role("link", name="周晓梅").click()
    page.wait_for_url(f"**/registry/residents/{resident.pk}/")
    timeline = page.locator("ol.timeline")
    assert timeline.locator("[data-kind=episode] svg.temperature-chart").count() == 1
    assert timeline.locator("[data-kind=visit]").count() == 1
    assert resident.phone not in page.content()
    screenshot(page, f"person-story-{width}")

    page.goto(f"{live_server.url}/observation/alerts/")
    for alert in alerts:
        page.check(f"input[name=selected][value='{alert.pk}']")
    screenshot(page, f"alerts-batch-{width}")
    page.get_by_role("button", name="接收所选预警").click()
    page.wait_for_url("**/observation/alerts/")
    assert "已接收 2 条预警。" in page.content()
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.ACKNOWLEDGED}
    context.close()
