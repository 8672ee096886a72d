"""The briefing's enterprise figures (issue 17 item 8): each counts what the enterprise
pages list today, opens its rows for every role that sees the dashboard (and the page
where they are worked on, which never refuses that role), and a community's officer sees
only the community's enterprises."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.briefing.reports import day_figures
from outpost.briefing.views.dashboard import WORK_PAGES
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.models import EmployeeTest
from outpost.enterprises.notices.selectors import unconfirmed_receipts
from outpost.enterprises.selectors_employees import reporting_enterprises, unreported_enterprises
from outpost.enterprises.supplies import selectors as supplies
from outpost.enterprises.supplies.choices import RequestStatus
from outpost.enterprises.tests.factories import EnterpriseFactory
from outpost.enterprises.tests.factories_employees import (
    EmployeeFactory,
    daily_report,
    essential_enterprise,
)
from outpost.enterprises.tests.factories_notices import notice_make
from outpost.enterprises.tests.factories_supplies import (
    closed_request_in,
    distribution_in,
    donation_in,
    request_in,
)
from outpost.observation.tests.factories import AlertFactory, episode_in

pytestmark = pytest.mark.usefixtures("english")

ENTERPRISE_FIGURES = [
    "requests_open",
    "requests_overdue",
    "notices_unconfirmed",
    "supplies_in",
    "supplies_out",
    "enterprises_reporting",
    "enterprises_reported",
    "enterprises_unreported",
    "employee_fevers",
]


@pytest.fixture
def enterprise_day(district):
    """Today in two grids, one of each office: requests (one overdue, one answered),
    a notice half confirmed, a donation and a distribution, three essential enterprises
    (one reported, one suspended) and an employee's fever alert."""
    now = timezone.now()
    for grid in (district.grid_a1, district.grid_b1):
        request_in(grid)
        request_in(grid, filed_at=now - datetime.timedelta(days=3))  # overdue
        closed_request_in(grid)
        mine, other = EnterpriseFactory(unit=grid), EnterpriseFactory(unit=grid)
        notice = notice_make(unit=grid, enterprises=[mine, other])
        notice.receipts.filter(enterprise=mine).update(confirmed_at=now, confirmed_via="web")
        donation_in(grid)
        distribution_in(grid)  # a donation in, a distribution out
        daily_report(essential_enterprise(grid))
        essential_enterprise(grid)
        EnterpriseFactory(unit=grid, is_essential=True, status="suspended")
    employee_alert = AlertFactory(episode=episode_in(district.grid_a1))
    enterprise = essential_enterprise(district.grid_a1)
    EmployeeTest.objects.create(
        enterprise=enterprise,
        report=daily_report(enterprise),
        employee=EmployeeFactory(enterprise=enterprise),
        day=timezone.localdate(),
        temperature="38.6",
        result="negative",
        alert=employee_alert,
        recorded_at=now,
    )
    AlertFactory(episode=episode_in(district.grid_a1))  # a fever of a key person, not staff


@pytest.fixture
def viewers(district):
    """Every role that sees the briefing: the station's leader and analyst, an officer of
    community A, an administrator."""
    return {
        "leader": staff_user(role=Role.STATION_LEADER, unit=district.station, username="ldr"),
        "analyst": staff_user(role=Role.ANALYST, unit=district.station, username="ana"),
        "officer": staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="off"),
        "admin": staff_user(role=Role.ADMINISTRATOR, unit=district.station, username="adm"),
    }


def test_the_station_figures_count_what_the_enterprise_pages_list(
    district, viewers, enterprise_day
):
    leader, today = viewers["leader"], timezone.localdate()
    values = day_figures(unit=district.station, day=today).values

    assert values["requests_open"] == 6  # a distribution's request is pending too
    assert values["requests_open"] == supplies.request_list(user=leader, status="pending").count()
    assert values["requests_overdue"] == 2
    assert (
        values["requests_overdue"] == supplies.request_list(user=leader, status="overdue").count()
    )
    assert values["notices_unconfirmed"] == 2 == unconfirmed_receipts(user=leader).count()
    assert values["supplies_in"] == 4  # two donations a grid, one line each
    assert values["supplies_out"] == 2
    assert values["enterprises_reporting"] == 5 == reporting_enterprises(user=leader).count()
    assert values["enterprises_reported"] == 3
    assert values["enterprises_unreported"] == 2
    assert values["enterprises_unreported"] == (
        unreported_enterprises(user=leader, day=today).count()
    )
    assert values["employee_fevers"] == 1
    assert values["alerts_raised"] == 2


def test_a_community_officer_sees_the_community_enterprises_only(
    client, district, viewers, enterprise_day
):
    client.force_login(viewers["officer"])

    response = client.get(reverse("briefing:dashboard"))

    assert response.status_code == 200
    values = response.context["figures"].values
    assert values["requests_overdue"] == 1
    assert values["enterprises_unreported"] == 1
    assert values["employee_fevers"] == 1
    rows = client.get(reverse("briefing:figure_rows"), {"key": "requests_open"})
    assert rows.context["page_obj"].paginator.count == 3
    assert {row.unit for row in rows.context["rows"]} == {district.grid_a1.name}
    station = {"key": "requests_open", "unit": district.station.pk}
    assert client.get(reverse("briefing:figure_rows"), station).status_code == 404


@pytest.mark.parametrize("who", ["leader", "analyst", "officer", "admin"])
def test_every_enterprise_figure_opens_its_rows_and_its_work_page(
    client, district, viewers, enterprise_day, who
):
    client.force_login(viewers[who])
    dashboard = client.get(reverse("briefing:dashboard"))
    shown = dashboard.content.decode()
    for key in ENTERPRISE_FIGURES:
        assert f'data-figure="{key}"' in shown, key
        page = client.get(reverse("briefing:figure_rows"), {"key": key})
        assert page.status_code == 200, key
        assert page.context["page_obj"].paginator.count == dashboard.context["figures"].values[key]
        for row in page.context["rows"]:
            assert client.get(row.url).status_code == 200, (key, row.url)
        link = page.context["work_page"]
        assert (link is not None) == (key in WORK_PAGES), key
        assert client.get(link[0]).status_code == 200, (who, key, link[0])


def test_the_work_page_of_overdue_requests_lists_the_figure_rows(
    client, district, viewers, enterprise_day
):
    client.force_login(viewers["leader"])
    page = client.get(reverse("briefing:figure_rows"), {"key": "requests_overdue"})
    listed = client.get(page.context["work_page"][0])

    assert listed.context["paginator"].count == page.context["page_obj"].paginator.count
    pending = (RequestStatus.OPEN, RequestStatus.ASSIGNED)
    assert all(row.status in pending for row in listed.context["object_list"])
