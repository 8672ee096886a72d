"""Employees' daily tests (员工每日检测): the liaison's day on one page, alerts into the
observation flow, the station's 催报 list and reminders, the trend, the scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.choices_employees import EmployeeOrigin, TestResult
from outpost.enterprises.models.employees import (
    DailyTestReport,
    Employee,
    EmployeeTest,
    TestReminder,
)
from outpost.enterprises.services_employees import TestEntry, day_tests_report, employee_add
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.enterprises.tests.factories_employees import (
    daily_report,
    essential_enterprise,
    id_number,
)
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.tests.factories import KeyPersonFactory
from outpost.notify.models import InboxMessage
from outpost.observation.choices import AlertKind, EpisodeKind
from outpost.observation.models import Alert, CheckIn, Episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def factory_a(district):
    return essential_enterprise(district.grid_a1, employees=3)


@pytest.fixture
def liaison(factory_a):
    return liaison_of(factory_a, username="liaison01")


def _form_data(enterprise, day=None, **overrides):
    """The day's form as the page sends it: every employee at 36.5 and negative."""
    data = {"day": (day or timezone.localdate()).isoformat()}
    for employee in Employee.objects.filter(enterprise=enterprise):
        data[f"t-{employee.pk}"] = "36.5"
        data[f"r-{employee.pk}"] = TestResult.NEGATIVE
    data.update(overrides)
    return data


def test_the_form_lists_every_employee_with_normal_defaults(client, factory_a, liaison):
    client.force_login(liaison)
    page = client.get(reverse("enterprise_tests:report", args=[factory_a.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert content.count('data-testid="test-row"') == 3
    assert content.count('value="36.5"') == 3


def test_a_fever_reported_by_the_liaison_reaches_the_officers_alert_list(
    client, district, factory_a, liaison, officer_a
):
    feverish = Employee.objects.filter(enterprise=factory_a).order_by("pk").first()
    client.force_login(liaison)
    response = client.post(
        reverse("enterprise_tests:report", args=[factory_a.pk]),
        _form_data(factory_a, **{f"t-{feverish.pk}": "38.2"}),
    )
    assert response.status_code == 302
    report = DailyTestReport.objects.get(enterprise=factory_a)
    assert (report.reported, report.fevers, report.positives) == (3, 1, 0)
    test = EmployeeTest.objects.get(employee=feverish)
    assert test.temperature == Decimal("38.2")
    alert = test.alert
    assert alert.kind == AlertKind.FEVER
    assert alert.check_in.temperature == Decimal("38.2")
    assert alert.episode.kind == EpisodeKind.HOME_MONITORING
    assert alert.episode.key_person.id_number == feverish.id_number
    client.force_login(officer_a)
    alerts = client.get(reverse("observation:alert_list")).content.decode()
    assert alert.get_absolute_url() in alerts
    assert "38.2" in alerts
    medical = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a, username="doc")
    assert Alert.objects.visible_to(medical).filter(pk=alert.pk).exists()


def test_a_positive_result_raises_an_alert_whatever_the_temperature(factory_a, liaison):
    employee = Employee.objects.filter(enterprise=factory_a).first()
    report = day_tests_report(
        acting_user=liaison,
        enterprise=factory_a,
        day=timezone.localdate(),
        entries=[TestEntry(employee.pk, "36.4", TestResult.POSITIVE)],
    )
    assert (report.fevers, report.positives) == (0, 1)
    assert EmployeeTest.objects.get(employee=employee).alert.kind == AlertKind.FEVER


def test_a_returnee_under_observation_reports_into_their_own_episode(
    district, factory_a, liaison, officer_a
):
    number = id_number(7, birth="19900303")
    key_person = KeyPersonFactory(
        resident=None, unit=district.grid_a1, name="李返岗", id_number=number
    )
    episode = Episode.objects.create(
        unit=key_person.unit,
        key_person=key_person,
        kind=EpisodeKind.HOME_ISOLATION,
        start_date=timezone.localdate() - datetime.timedelta(days=3),
        planned_end_date=timezone.localdate() + datetime.timedelta(days=10),
        check_in_times=["08:00", "18:00"],
        created_by=officer_a,
    )
    employee = employee_add(
        acting_user=liaison,
        enterprise=factory_a,
        name="李返岗",
        id_number=number,
        origin=EmployeeOrigin.RETURNED,
        returned_from="武汉",
    )
    assert employee.key_person == key_person
    day_tests_report(
        acting_user=liaison,
        enterprise=factory_a,
        day=timezone.localdate(),
        entries=[TestEntry(employee.pk, "37.6")],
    )
    assert CheckIn.objects.get(episode=episode).temperature == Decimal("37.6")
    assert Alert.objects.get().episode == episode
    assert KeyPerson.objects.count() == 1


def test_a_day_in_the_future_is_refused_and_nothing_is_written(client, factory_a, liaison):
    client.force_login(liaison)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("enterprise_tests:report", args=[factory_a.pk]), _form_data(factory_a, tomorrow)
    )
    assert response.status_code == 422
    assert tomorrow.isoformat() in response.content.decode()
    assert not DailyTestReport.objects.exists()
    assert not EmployeeTest.objects.exists()


def test_an_implausible_temperature_names_the_employee_and_nothing_is_written(
    client, factory_a, liaison
):
    employee = Employee.objects.filter(enterprise=factory_a).first()
    client.force_login(liaison)
    response = client.post(
        reverse("enterprise_tests:report", args=[factory_a.pk]),
        _form_data(factory_a, **{f"t-{employee.pk}": "3.65"}),
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert employee.name in content
    assert 'value="3.65"' in content  # what was typed is kept
    assert not EmployeeTest.objects.exists()
    assert not Alert.objects.exists()


def test_sending_the_day_again_corrects_it_without_a_second_alert(factory_a, liaison):
    first, second, _third = Employee.objects.filter(enterprise=factory_a).order_by("pk")
    today = timezone.localdate()

    def send(temperature_of_second):
        return day_tests_report(
            acting_user=liaison,
            enterprise=factory_a,
            day=today,
            entries=[
                TestEntry(first.pk, "38.0"),
                TestEntry(second.pk, temperature_of_second),
            ],
        )

    send("36.6")
    report = send("37.9")
    assert (report.reported, report.fevers) == (2, 2)
    assert Alert.objects.count() == 2
    assert EmployeeTest.objects.count() == 2


def test_an_employee_reported_twice_in_one_day_is_refused(factory_a, liaison, english):
    employee = Employee.objects.filter(enterprise=factory_a).first()
    with pytest.raises(Exception) as info:
        day_tests_report(
            acting_user=liaison,
            enterprise=factory_a,
            day=timezone.localdate(),
            entries=[TestEntry(employee.pk, "36.5", label="甲"), TestEntry(employee.pk, "36.6")],
        )
    assert "twice" in str(info.value)
    assert not EmployeeTest.objects.exists()


def test_an_id_number_with_a_wrong_check_character_is_refused_on_the_form(
    client, factory_a, liaison, english
):
    client.force_login(liaison)
    good = id_number(11, birth="19881212")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        reverse("enterprise_tests:employee_new", args=[factory_a.pk]),
        {"name": "张三", "id_number": wrong, "origin": EmployeeOrigin.LOCAL},
    )
    assert response.status_code == 422
    assert "check" in response.content.decode().lower()
    assert not Employee.objects.filter(name="张三").exists()
    response = client.post(
        reverse("enterprise_tests:employee_new", args=[factory_a.pk]),
        {"name": "张三", "id_number": good, "origin": EmployeeOrigin.LOCAL},
    )
    assert response.status_code == 302
    assert Employee.objects.get(name="张三").id_number == good


def test_the_employee_list_masks_numbers(client, factory_a, liaison):
    employee = Employee.objects.filter(enterprise=factory_a).first()
    client.force_login(liaison)
    content = client.get(
        reverse("enterprise_tests:employees", args=[factory_a.pk])
    ).content.decode()
    assert employee.name in content
    assert employee.id_number not in content
    assert employee.masked_id_number in content
    assert employee.phone not in content


def test_a_liaison_sees_only_its_own_enterprise(client, district, factory_a, liaison):
    other = essential_enterprise(district.grid_a1, employees=1)
    stranger = Employee.objects.get(enterprise=other)
    client.force_login(liaison)
    for name, pk in (
        ("enterprise_tests:enterprise", other.pk),
        ("enterprise_tests:report", other.pk),
        ("enterprise_tests:employees", other.pk),
        ("enterprise_tests:employee_detail", stranger.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    api = client.get(f"/api/v1/enterprises/tests/{other.pk}/employees")
    assert api.status_code == 404
    response = client.post(
        f"/api/v1/enterprises/tests/{other.pk}/tests",
        {"day": timezone.localdate().isoformat(), "tests": []},
        content_type="application/json",
    )
    assert response.status_code == 404
    # The station's page leads the liaison to its own enterprise.
    landing = client.get(reverse("enterprise_tests:unreported"))
    assert landing["Location"] == reverse("enterprise_tests:enterprise", args=[factory_a.pk])


def test_the_unreported_list_and_a_reminder_to_the_liaison(
    client, district, factory_a, liaison, officer_a
):
    reported = essential_enterprise(district.grid_a2)
    daily_report(reported, reported=10)
    EnterpriseFactory(unit=district.grid_a1)  # not essential: never asked
    essential_enterprise(district.grid_b1)  # another community
    client.force_login(officer_a)
    page = client.get(reverse("enterprise_tests:unreported"))
    assert [e.pk for e in page.context["object_list"]] == [factory_a.pk]
    assert [r.enterprise_id for r in page.context["reports"]] == [reported.pk]
    response = client.post(reverse("enterprise_tests:remind", args=[factory_a.pk]))
    assert response.status_code == 302
    reminder = TestReminder.objects.get(enterprise=factory_a)
    assert (reminder.sent_by, reminder.recipients) == (officer_a, 1)
    message = InboxMessage.objects.get(recipient=liaison)
    assert message.url == reverse("enterprise_tests:report", args=[factory_a.pk])
    page = client.get(reverse("enterprise_tests:unreported"))
    assert page.context["object_list"][0].reminders_today == 1


def test_an_enterprise_that_reported_is_not_reminded(client, factory_a, liaison, officer_a):
    daily_report(factory_a, reported=3)
    client.force_login(officer_a)
    client.post(reverse("enterprise_tests:remind", args=[factory_a.pk]))
    assert not TestReminder.objects.exists()
    assert not InboxMessage.objects.filter(recipient=liaison).exists()


def test_the_home_page_tells_each_their_part(client, factory_a, liaison, officer_a, english):
    client.force_login(officer_a)
    lines = {line.label: line for line in client.get(reverse("home")).context["todo"]}
    assert lines["Essential enterprises that have not reported today's tests"].count == 1
    client.force_login(liaison)
    lines = {line.label: line for line in client.get(reverse("home")).context["todo"]}
    line = lines["Report today's employee tests"]
    assert line.url == reverse("enterprise_tests:report", args=[factory_a.pk])


def test_the_trend_shows_each_day_with_its_fevers(client, factory_a, officer_a):
    today = timezone.localdate()
    daily_report(factory_a, today - datetime.timedelta(days=2), reported=3, fevers=1)
    daily_report(factory_a, today, reported=3)
    client.force_login(officer_a)
    page = client.get(reverse("enterprise_tests:enterprise", args=[factory_a.pk]))
    chart = page.context["chart"]
    assert chart.count('class="reported"') == 2
    assert chart.count('class="fever"') == 1
    assert chart.count('class="missing"') == 28
    trend = client.get(f"/api/v1/enterprises/tests/{factory_a.pk}/trend?days=3").json()
    assert [(d["reported"], d["fevers"], d["sent"]) for d in trend["days"]] == [
        (3, 1, True),
        (0, 0, False),
        (3, 0, True),
    ]


def test_the_edit_form_shows_numbers_masked_and_keeps_them_when_untouched(
    client, factory_a, liaison
):
    employee = Employee.objects.filter(enterprise=factory_a).first()
    number, phone = employee.id_number, employee.phone
    client.force_login(liaison)
    url = reverse("enterprise_tests:employee_edit", args=[employee.pk])
    form = client.get(url).content.decode()
    assert number not in form
    assert employee.masked_id_number in form
    response = client.post(
        url,
        {
            "name": "改名",
            "id_number": employee.masked_id_number,
            "phone": employee.masked_phone,
            "origin": EmployeeOrigin.LOCAL,
        },
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert (employee.name, employee.id_number, employee.phone) == ("改名", number, phone)
