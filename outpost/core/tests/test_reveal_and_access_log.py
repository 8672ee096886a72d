"""DESIGN rule 2: masked by default; revealing one record needs the right and a reason, and is logged."""

import json

import pytest
from django.urls import reverse

from outpost.core.choices import AccessAction, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "360426199101010071"
PHONE = "13812345678"


@pytest.fixture
def resident(district):
    household = HouseholdFactory(unit=district.grid_a1, phone=PHONE)
    return ResidentFactory(household=household, id_number=ID_NUMBER, phone=PHONE)


def test_resident_page_shows_id_and_phone_masked(client, officer_a, resident):
    client.force_login(officer_a)
    content = client.get(resident.get_absolute_url()).content.decode()
    assert "360426********0071" in content
    assert "138****5678" in content
    assert ID_NUMBER not in content
    assert PHONE not in content


def test_lists_and_household_page_show_masked_values_only(client, officer_a, resident):
    client.force_login(officer_a)
    for url in (
        reverse("registry:resident_list"),
        reverse("registry:household_list"),
        resident.household.get_absolute_url(),
    ):
        content = client.get(url).content.decode()
        assert ID_NUMBER not in content, url
        assert PHONE not in content, url


def test_api_shows_masked_values_only(client, officer_a, resident):
    client.force_login(officer_a)
    body = client.get(f"/api/v1/registry/residents/{resident.pk}").json()
    assert body["id_number_masked"] == "360426********0071"
    assert body["phone_masked"] == "138****5678"
    assert ID_NUMBER not in json.dumps(body)


def test_reveal_with_reason_shows_values_and_writes_access_log(client, officer_a, resident):
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:resident_reveal", args=[resident.pk]),
        {"purpose": "other", "reason": "核实返连人员身份"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert ID_NUMBER in content and PHONE in content
    entry = AccessLog.objects.get()
    assert entry.actor == officer_a
    assert entry.action == AccessAction.REVEAL
    assert entry.model_label == "registry.Resident"
    assert entry.object_id == str(resident.pk)
    assert entry.subject == resident.name
    assert set(entry.fields) >= {"id_number", "phone"}
    assert entry.reason == "核实返连人员身份"


@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_reveal_without_a_real_reason_is_refused_and_not_logged(
    client, officer_a, resident, reason
):
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:resident_reveal", args=[resident.pk]),
        {"purpose": "other", "reason": reason},
    )
    assert response.status_code == 422
    assert ID_NUMBER not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_grid_worker_may_not_reveal(client, grid_worker_a1, resident):
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("registry:resident_reveal", args=[resident.pk]),
        {"purpose": "other", "reason": "核实返连人员身份"},
    )
    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_grid_worker_page_offers_no_reveal_form(client, grid_worker_a1, resident):
    client.force_login(grid_worker_a1)
    content = client.get(resident.get_absolute_url()).content.decode()
    assert reverse("registry:resident_reveal", args=[resident.pk]) not in content


def test_api_reveal_is_logged_like_the_page(client, officer_a, resident):
    client.force_login(officer_a)
    response = client.post(
        f"/api/v1/registry/residents/{resident.pk}/reveal",
        json.dumps({"purpose": "other", "reason": "接上级指令核查"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["id_number"] == ID_NUMBER
    assert AccessLog.objects.get().reason == "接上级指令核查"


def test_administrator_browses_the_access_log(client, officer_a, admin_user, resident):
    client.force_login(officer_a)
    client.post(
        reverse("registry:resident_reveal", args=[resident.pk]),
        {"purpose": "other", "reason": "核实返连人员身份"},
    )
    client.force_login(admin_user)
    content = client.get(reverse("core:access_log")).content.decode()
    assert "核实返连人员身份" in content
    assert resident.name in content


def test_access_log_is_closed_to_grid_workers(client, grid_worker_a1):
    client.force_login(grid_worker_a1)
    assert client.get(reverse("core:access_log")).status_code == 403


def test_station_leader_sees_only_log_entries_of_staff_in_their_subtree(client, district, resident):
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="o_a")
    outsider_unit = district.station.__class__.objects.create(
        code="S2", name="其他派出所", kind="station", path="S2/", depth=0
    )
    outsider = staff_user(role=Role.POLICE_OFFICER, unit=outsider_unit, username="o_x")
    AccessLog.objects.create(actor=officer, action="reveal", model_label="x", reason="本所记录")
    AccessLog.objects.create(actor=outsider, action="reveal", model_label="x", reason="他所记录")
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    client.force_login(leader)
    content = client.get(reverse("core:access_log")).content.decode()
    assert "本所记录" in content
    assert "他所记录" not in content
