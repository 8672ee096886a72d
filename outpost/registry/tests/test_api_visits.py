"""API: record a visit (`POST /api/v1/registry/visits`) and read a campaign's progress."""

import datetime
import json

import pytest
from django.utils import timezone

from outpost.registry.models import Resident, Visit
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    valid_id_number,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/v1/registry/visits"
NEW_ID = valid_id_number(4242, region="420102", born=datetime.date(1988, 8, 8))


@pytest.fixture
def campaign(district):
    return CampaignFactory(unit=district.station, scope_units=[district.community_a])


@pytest.fixture
def household(district):
    household = HouseholdFactory(unit=district.grid_a1)
    household.head = ResidentFactory(household=household, name="王建国")
    return household


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_grid_worker_records_a_visit_with_a_traveller_and_a_new_member(
    client, grid_worker_a1, campaign, household
):
    client.force_login(grid_worker_a1)
    back = (timezone.localdate() - datetime.timedelta(days=4)).isoformat()
    response = post(
        client,
        {
            "household_id": household.pk,
            "phone_confirmed": True,
            "members": [
                {
                    "resident_id": household.head.pk,
                    "travelled": True,
                    "origin_place": "武汉",
                    "returned_on": back,
                    "transport": "train",
                },
                {"name": "赵新来", "document_number": NEW_ID, "relation_to_head": "tenant"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["campaign_id"] == campaign.pk
    assert body["outcome"] == "completed"
    assert [(m["name"], m["presence"]) for m in body["members"]] == [
        ("王建国", "present"),
        ("赵新来", "new"),
    ]
    assert NEW_ID not in response.content.decode()
    assert Resident.objects.get(id_number=NEW_ID).unit == household.unit


def test_posting_again_updates_the_same_visit(client, grid_worker_a1, campaign, household):
    client.force_login(grid_worker_a1)
    first = post(client, {"household_id": household.pk, "outcome": "nobody_home"}).json()
    second = post(client, {"household_id": household.pk, "campaign_id": campaign.pk}).json()
    assert first["id"] == second["id"]
    assert second["outcome"] == "completed"
    assert Visit.objects.count() == 1


def test_household_outside_the_callers_scope_is_a_404(client, grid_worker_a1, campaign, district):
    neighbour = HouseholdFactory(unit=district.grid_a2)
    client.force_login(grid_worker_a1)
    assert post(client, {"household_id": neighbour.pk}).status_code == 404
    assert not Visit.objects.exists()


def test_invalid_member_input_is_a_422_naming_member_and_field(
    client, grid_worker_a1, campaign, household
):
    client.force_login(grid_worker_a1)
    response = post(
        client,
        {
            "household_id": household.pk,
            "members": [{"resident_id": household.head.pk, "travelled": True}],
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"members.0.origin_place", "members.0.returned_on"}
    assert all(e["message"].startswith("王建国: ") for e in errors)
    assert not Visit.objects.exists()


def test_no_running_campaign_is_a_422(client, grid_worker_a1, household):
    client.force_login(grid_worker_a1)
    response = post(client, {"household_id": household.pk})
    assert response.status_code == 422
    assert "No open screening campaign" in response.json()["detail"]


def test_progress_counts_the_callers_units(client, officer_a, district, campaign, household):
    HouseholdFactory(unit=district.grid_a2)
    VisitFactory(campaign=campaign, household=household)
    client.force_login(officer_a)
    body = client.get(f"/api/v1/registry/campaigns/{campaign.pk}/progress").json()
    assert (body["unit"]["households"], body["unit"]["visited"]) == (2, 1)
    assert [(r["name"], r["households"], r["visited"]) for r in body["rows"]] == [
        (district.grid_a1.name, 1, 1),
        (district.grid_a2.name, 1, 0),
    ]
    grid = client.get(
        f"/api/v1/registry/campaigns/{campaign.pk}/progress", {"unit_id": district.grid_b1.pk}
    )
    assert grid.status_code == 404
