"""Risk designations are edited by station users in the browser, validated and audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.screening.forms import RiskDesignationForm
from outpost.screening.models import OriginCategory, RiskDesignation
from outpost.screening.services import risk_designation_create, risk_designation_update

pytestmark = pytest.mark.django_db

END_BEFORE_START = "The end date must not be before the start date."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _form_data(**changes):
    data = {
        "region_code": "420100",
        "level": "high",
        "start_date": "2020-03-01",
        "end_date": "2020-03-31",
        "category": OriginCategory.objects.get(code="wuhan").pk,
        "note": "",
    }
    return {**data, **changes}


def test_the_form_refuses_an_end_before_the_start():
    form = RiskDesignationForm(data=_form_data(end_date="2020-02-01"))
    assert not form.is_valid()
    assert form.errors["end_date"] == [END_BEFORE_START]


def test_the_form_refuses_an_unknown_region_code():
    form = RiskDesignationForm(data=_form_data(region_code="999999"))
    assert not form.is_valid()
    assert form.errors["region_code"] == ["No region has the code 999999."]


def test_the_service_refuses_an_end_before_the_start(officer_a):
    with pytest.raises(ValidationError) as caught:
        risk_designation_create(
            acting_user=officer_a,
            region=None,
            level="low",
            start_date=datetime.date(2020, 3, 2),
            end_date=datetime.date(2020, 3, 1),
            category=OriginCategory.objects.get(code="elsewhere"),
        )
    assert caught.value.message_dict["end_date"] == [END_BEFORE_START]


def test_an_officer_creates_a_designation_in_the_browser(client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("screening:designation_create"), _form_data())
    assert response.status_code == 302
    created = RiskDesignation.objects.get(start_date=datetime.date(2020, 3, 1))
    assert created.region.code == "420100"
    assert created.history.get().history_user == officer_a


def test_the_page_shows_the_message_for_an_end_before_the_start(client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("screening:designation_create"), _form_data(end_date="2020-02-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"]
    assert 'class="field-error"' in response.content.decode()
    assert not RiskDesignation.objects.filter(start_date=datetime.date(2020, 3, 1)).exists()


def test_an_officer_extends_a_window_and_the_change_is_audited(client, officer_a):
    designation = RiskDesignation.objects.get(region__code="420100")
    client.force_login(officer_a)
    response = client.post(
        reverse("screening:designation_update", args=[designation.pk]),
        _form_data(start_date="2020-01-01", end_date="2020-04-08"),
    )
    assert response.status_code == 302
    designation.refresh_from_db()
    assert designation.end_date == datetime.date(2020, 4, 8)
    latest = designation.history.latest()
    assert latest.history_type == "~" and latest.history_user == officer_a


def test_the_list_shows_the_default_designations(client, officer_a):
    client.force_login(officer_a)
    content = client.get(reverse("screening:designation_list")).content.decode()
    assert "武汉市 (420100)" in content and "湖北省以外其他地区来连" in content


def test_an_analyst_sees_but_may_not_change_designations(client, district):
    analyst = staff_user(role=Role.ANALYST, unit=district.station)
    designation = RiskDesignation.objects.get(region__code="420100")
    client.force_login(analyst)
    assert client.get(reverse("screening:designation_list")).status_code == 200
    assert client.get(reverse("screening:designation_create")).status_code == 403
    with pytest.raises(PermissionDenied):
        risk_designation_update(acting_user=analyst, designation=designation, note="x")


def test_a_grid_worker_sees_no_designations(client, grid_worker_a1):
    client.force_login(grid_worker_a1)
    assert client.get(reverse("screening:designation_list")).status_code == 403


def test_the_designation_forms_render_for_an_officer(client, officer_a):
    designation = RiskDesignation.objects.get(region__code="420100")
    client.force_login(officer_a)
    assert client.get(reverse("screening:designation_create")).status_code == 200
    response = client.get(reverse("screening:designation_update", args=[designation.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["region_code"] == "420100"
