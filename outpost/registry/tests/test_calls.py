"""Field work without friction, still logged: a grid worker calls the households and
residents of their own grid, an officer those of their jurisdiction, from a call button
that shows the number for that call and logs it as phone contact; a grid worker reads the
door numbers of their own grid in the households list."""

import pytest
from django.urls import reverse

from outpost.core.choices import AccessAction, RevealPurpose, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def household_a1(district):
    return HouseholdFactory(unit=district.grid_a1, phone=PHONE, building="7", room="502")


@pytest.fixture
def resident_a1(household_a1):
    return ResidentFactory(household=household_a1, phone="13900001111")


def test_the_call_button_reveals_the_number_and_logs_one_phone_contact(
    client, grid_worker_a1, household_a1
):
    client.force_login(grid_worker_a1)
    url = reverse("registry:household_call", args=[household_a1.pk])
    page = client.get(household_a1.get_absolute_url()).content.decode()
    assert url in page and PHONE not in page

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert f'href="tel:{PHONE}"' in response.content.decode()
    entry = AccessLog.objects.get()
    assert entry.actor == grid_worker_a1
    assert entry.action == AccessAction.REVEAL
    assert entry.purpose == RevealPurpose.PHONE_CONTACT
    assert entry.fields == ["phone"]
    assert entry.object_id == str(household_a1.pk)


def test_a_resident_is_called_from_their_page(client, grid_worker_a1, resident_a1):
    client.force_login(grid_worker_a1)
    url = reverse("registry:resident_call", args=[resident_a1.pk])
    assert url in client.get(resident_a1.get_absolute_url()).content.decode()

    response = client.post(url)

    assert 'href="tel:13900001111"' in response.content.decode()
    assert AccessLog.objects.get().purpose == RevealPurpose.PHONE_CONTACT


def test_a_get_never_reveals_the_number(client, grid_worker_a1, household_a1):
    client.force_login(grid_worker_a1)

    response = client.get(reverse("registry:household_call", args=[household_a1.pk]))

    assert response.status_code == 405
    assert PHONE not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_no_call_button_outside_the_grid_workers_own_grid(client, district, grid_worker_a1):
    other = HouseholdFactory(unit=district.grid_a2)
    grid_a2_worker = staff_user(role=Role.GRID_WORKER, unit=district.community_a, username="w")
    client.force_login(grid_a2_worker)  # sees the household, but it is not their grid
    url = reverse("registry:household_call", args=[other.pk])

    assert url not in client.get(other.get_absolute_url()).content.decode()
    assert client.post(url).status_code == 404
    assert AccessLog.objects.count() == 0


def test_a_grid_worker_cannot_call_another_grids_household(client, district, grid_worker_a1):
    other = HouseholdFactory(unit=district.grid_b1)
    client.force_login(grid_worker_a1)

    assert client.post(reverse("registry:household_call", args=[other.pk])).status_code == 404
    assert AccessLog.objects.count() == 0


def test_the_officer_calls_in_their_jurisdiction(client, officer_a, district, household_a1):
    client.force_login(officer_a)

    response = client.post(reverse("registry:household_call", args=[household_a1.pk]))

    assert PHONE in response.content.decode()
    assert AccessLog.objects.get().purpose == RevealPurpose.PHONE_CONTACT


def test_roles_that_do_not_call_get_no_call_button(client, district, household_a1):
    medic = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a, username="m")
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="l")
    url = reverse("registry:household_call", args=[household_a1.pk])
    for user in (medic, leader):
        client.force_login(user)
        assert url not in client.get(household_a1.get_absolute_url()).content.decode()
        assert client.post(url).status_code == 404
    assert AccessLog.objects.count() == 0


def test_households_list_shows_door_numbers_of_the_grid_workers_own_grid(
    client, district, grid_worker_a1, household_a1
):
    client.force_login(grid_worker_a1)

    page = client.get(reverse("registry:household_list")).content.decode()

    assert household_a1.address in page  # 黄河路7号1单元502室


def test_households_list_masks_door_numbers_for_everyone_else(
    client, district, officer_a, household_a1
):
    community_worker = staff_user(role=Role.GRID_WORKER, unit=district.community_a, username="c")
    for user in (officer_a, community_worker):
        client.force_login(user)
        page = client.get(reverse("registry:household_list")).content.decode()
        assert household_a1.address not in page
        assert household_a1.masked_address in page
