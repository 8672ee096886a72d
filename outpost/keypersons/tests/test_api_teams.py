"""Teams and contacts in the JSON API: scoped, masked, refusing bad input."""

import json

import pytest
from django.utils import timezone

from outpost.keypersons.choices import KeyPersonCategory, MemberStatus
from outpost.keypersons.models import ContactEntry, TeamMember, TeamRole
from outpost.keypersons.services import key_person_create
from outpost.keypersons.tests.factories import (
    ContactEntryFactory,
    TeamMemberFactory,
    managed_key_person_in,
)
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/keypersons"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_team_is_proposed_and_confirmed_with_a_change(client, team_staff, district):
    officer = team_staff["police"]
    key_person = key_person_create(
        acting_user=officer,
        resident=ResidentFactory(household=HouseholdFactory(unit=district.grid_a1)),
        category=KeyPersonCategory.CLOSE_CONTACT,
    )
    client.force_login(officer)
    team = client.get(f"{API}/key-persons/{key_person.pk}/team").json()
    assert {place["role"]: place["status"] for place in team} == {
        "cadre": "proposed",
        "police": "proposed",
        "medical": "proposed",
        "grid": "proposed",
    }
    colleague = team_staff["grid_a2"]  # another grid: refused, naming the place
    response = _post(
        client,
        f"{API}/key-persons/{key_person.pk}/team/confirm",
        {"members": [{"role": "grid", "worker_id": colleague.pk}]},
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["grid"]
    response = _post(client, f"{API}/key-persons/{key_person.pk}/team/confirm", {})
    assert response.status_code == 200
    assert {place["status"] for place in response.json()} == {MemberStatus.CONFIRMED}


def test_a_team_of_another_community_is_a_404(client, team_staff, district):
    key_person = managed_key_person_in(district.grid_b1)
    client.force_login(team_staff["police"])
    assert client.get(f"{API}/key-persons/{key_person.pk}/team").status_code == 404
    assert _post(client, f"{API}/key-persons/{key_person.pk}/team/confirm", {}).status_code == 404


def test_a_team_member_logs_a_contact_and_lists_their_key_persons(client, team_staff, district):
    worker = team_staff["grid"]
    key_person = managed_key_person_in(district.grid_a1)
    TeamMemberFactory(key_person=key_person, worker=worker, role=TeamRole.objects.get(code="grid"))
    client.force_login(worker)
    mine = client.get(f"{API}/my-key-persons").json()["items"]
    assert [(item["id"], item["is_overdue"]) for item in mine] == [(key_person.pk, True)]
    assert "*" in mine[0]["id_number_masked"]
    response = _post(
        client,
        f"{API}/key-persons/{key_person.pk}/contacts",
        {"channel": "door_visit", "outcome": "reached", "note": "在家隔离"},
    )
    assert response.status_code == 200
    assert response.json()["worker_id"] == worker.pk
    mine = client.get(f"{API}/my-key-persons").json()["items"]
    assert mine[0]["is_overdue"] is False
    listed = client.get(f"{API}/key-persons/{key_person.pk}/contacts").json()["items"]
    assert [item["note"] for item in listed] == ["在家隔离"]


def test_a_contact_in_the_future_or_with_an_unknown_channel_is_a_422(client, team_staff, district):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(team_staff["police"])
    later = (timezone.now() + timezone.timedelta(hours=2)).isoformat()
    response = _post(client, f"{API}/key-persons/{key_person.pk}/contacts", {"contacted_at": later})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contacted_at"
    response = _post(client, f"{API}/key-persons/{key_person.pk}/contacts", {"channel": "fax"})
    assert response.status_code == 422
    assert not ContactEntry.objects.exists()


def test_a_user_off_the_team_without_change_rights_may_not_log(client, team_staff, district):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(team_staff["medical"])
    response = _post(client, f"{API}/key-persons/{key_person.pk}/contacts", {})
    assert response.status_code == 403


def test_the_contact_list_and_overdue_list_are_scoped(client, team_staff, district):
    own = managed_key_person_in(district.grid_a1)
    other = managed_key_person_in(district.grid_b1)
    entry = ContactEntryFactory(
        key_person=own,
        worker=team_staff["grid"],
        contacted_at=timezone.now() - timezone.timedelta(hours=30),
    )
    ContactEntryFactory(key_person=other, worker=team_staff["grid_b1"])
    client.force_login(team_staff["police"])
    contacts = client.get(f"{API}/contacts").json()["items"]
    assert [item["id"] for item in contacts] == [entry.pk]
    overdue = client.get(f"{API}/overdue").json()["items"]
    assert [item["id"] for item in overdue] == [own.pk]
    assert client.get(f"{API}/overdue", {"unit_id": district.grid_b1.pk}).status_code == 404
    assert TeamMember.objects.count() == 0
