"""DESIGN rule 3: every change is kept (who, when, before and after) and shown on the record."""

import pytest
from django.urls import reverse

from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(district):
    return ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1), phone="13812345678", workplace="大连港"
    )


def test_correcting_a_resident_is_recorded_with_user_and_before_after(
    client, grid_worker_a1, resident
):
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {"phone": "139 8765 4321", "residence_type": "temporary", "workplace": "大连港"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "13987654321"
    latest = resident.history.latest()
    assert latest.history_user == grid_worker_a1
    assert latest.history_type == "~"

    page = client.get(resident.get_absolute_url()).content.decode()
    # The history names the field and shows before/after, with phones masked.
    assert "139****4321" in page
    assert "138****5678" in page
    assert "13987654321" not in page
    assert "grid_a1" in page


def test_invalid_phone_is_refused_with_a_message_and_nothing_changes(
    client, grid_worker_a1, resident
):
    client.force_login(grid_worker_a1)
    before = resident.history.count()
    response = client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {"phone": "12345", "residence_type": "permanent", "workplace": ""},
    )
    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    resident.refresh_from_db()
    assert resident.phone == "13812345678"
    assert resident.history.count() == before


def test_untouched_masked_phone_keeps_the_stored_number(client, grid_worker_a1, resident):
    client.force_login(grid_worker_a1)
    client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {"phone": "138****5678", "residence_type": "permanent", "workplace": "星海广场"},
    )
    resident.refresh_from_db()
    assert resident.phone == "13812345678"
    assert resident.workplace == "星海广场"


def test_analyst_cannot_edit(client, district, resident):
    from outpost.core.choices import Role
    from outpost.core.tests.factories import staff_user

    analyst = staff_user(role=Role.ANALYST, unit=district.station, username="analyst")
    client.force_login(analyst)
    response = client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {"phone": "13987654321", "residence_type": "permanent", "workplace": ""},
    )
    assert response.status_code == 404
    resident.refresh_from_db()
    assert resident.phone == "13812345678"


def test_grid_worker_cannot_edit_a_resident_of_the_neighbouring_grid(
    client, district, grid_worker_a1
):
    neighbour = ResidentFactory(household=HouseholdFactory(unit=district.grid_a2))
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("registry:resident_edit", args=[neighbour.pk]),
        {"phone": "13987654321", "residence_type": "permanent", "workplace": ""},
    )
    assert response.status_code == 404


def test_household_history_hides_entrance_and_room_as_its_page_does(client, officer_a, district):
    household = HouseholdFactory(unit=district.grid_a1, entrance="7", room="8806")
    household.entrance, household.room = "9", "8807"
    household.save()

    page = client_page(client, officer_a, household)
    assert household.masked_address in page
    assert "8806" not in page
    assert "8807" not in page
    assert "<del>****</del> → <ins>****</ins>" in page


def test_resident_history_masks_the_birth_date_as_the_id_number_hides_it(
    client, officer_a, resident
):
    import datetime

    resident.birth_date = datetime.date(1990, 12, 22)
    resident.save()
    resident.birth_date = datetime.date(1991, 11, 23)
    resident.save()

    page = client_page(client, officer_a, resident)
    assert "1990-**-**" in page
    assert "1991-**-**" in page
    assert "12-22" not in page
    assert "11-23" not in page


def client_page(client, user, record) -> str:
    client.force_login(user)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()
