"""Employees' daily tests end to end: at 360 px the liaison of an essential producer
reports the day's tests from the home page's to-do line with one fever, in one submit;
the fever lands in the alert list of the community's officer and medical staff."""

import pytest
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.models.employees import DailyTestReport, Employee
from outpost.enterprises.tests.factories import liaison_of
from outpost.enterprises.tests.factories_employees import essential_enterprise
from outpost.observation.models import Alert
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liaison_reports_the_day_with_one_fever_and_the_alert_reaches_the_station(
    browser, live_server, district, officer_a, screenshot
):
    plant = essential_enterprise(district.grid_a1, employees=12)
    liaison = liaison_of(plant, username="liaison01")
    doctor = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a, username="doctor-a")
    feverish = Employee.objects.filter(enterprise=plant).order_by("name", "pk").first()

    context, page = log_in(browser, live_server, liaison, 360)
    report_url = reverse("enterprise_tests:report", args=[plant.pk])
    page.click(f"a[href='{report_url}']")  # the home page's to-do line
    page.wait_for_url(f"{live_server.url}{report_url}")
    rows = page.locator("[data-testid=test-row]")
    assert rows.count() == 12
    # The whole list fits a phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill(f"input[name='t-{feverish.pk}']", "38.1")
    screenshot(page, "enterprise-tests-form-360")
    page.click("form.day-tests-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('enterprise_tests:enterprise', args=[plant.pk])}")
    assert "38.1" not in page.content()  # the enterprise's page shows counts, no readings
    assert page.locator("[data-testid=today-state] .tile-number").inner_text().strip() == "12"
    screenshot(page, "enterprise-tests-reported-360")
    context.close()

    report = DailyTestReport.objects.get(enterprise=plant)
    assert (report.reported, report.fevers) == (12, 1)
    alert = Alert.objects.get()
    for user in (officer_a, doctor):
        context, page = log_in(browser, live_server, user, 1280)
        page.goto(f"{live_server.url}{reverse('observation:alert_list')}")
        item = page.locator(f"a[href='{alert.get_absolute_url()}']")
        assert item.count() == 1
        assert "38.1" in item.inner_text()
        screenshot(page, f"enterprise-tests-alert-{user.username}")
        context.close()
