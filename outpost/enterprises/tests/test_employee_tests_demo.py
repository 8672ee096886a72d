"""The demo's employees' daily tests: deterministic, and today open for the liaison."""

import pytest
from django.utils import timezone

from outpost.demo.enterprise_tests import build_employee_tests
from outpost.enterprises.models.employees import DailyTestReport, Employee, EmployeeTest
from outpost.enterprises.selectors_employees import unreported_enterprises
from outpost.enterprises.tests.factories_employees import essential_enterprise

pytestmark = pytest.mark.django_db


def test_the_demo_writes_employees_and_days_of_reports(district, officer_a):
    plants = [essential_enterprise(district.grid_a1) for _n in range(3)]
    rows = build_employee_tests(enterprises=plants, days=3, per_enterprise=20)
    assert Employee.objects.count() == 60
    assert rows == Employee.objects.count() + DailyTestReport.objects.count() + (
        EmployeeTest.objects.count()
    )
    today = timezone.localdate()
    # The first producer's liaison reports today; the third is late; the second is done.
    assert {e.pk for e in unreported_enterprises(user=officer_a, day=today)} == {
        plants[0].pk,
        plants[2].pk,
    }
    for report in DailyTestReport.objects.all():
        assert report.reported == report.tests.count()
    numbers = sorted(Employee.objects.values_list("id_number", flat=True))
    assert len(set(numbers)) == 60
