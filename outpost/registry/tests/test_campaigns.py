"""Screening campaigns (排查批次): who may open one, over which units, and who sees it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry.models import Campaign
from outpost.registry.services import campaign_create
from outpost.registry.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2020, 2, 1)


def test_officer_opens_a_campaign_over_units_of_their_community(officer_a, district):
    campaign = campaign_create(
        acting_user=officer_a,
        name="第一轮入户排查",
        start_date=START,
        end_date=START + datetime.timedelta(days=10),
        scope_units=[district.grid_a1, district.grid_a2],
    )
    assert set(campaign.scope_units.all()) == {district.grid_a1, district.grid_a2}
    assert campaign.unit == district.community_a
    assert campaign.history.first().history_user == officer_a


def test_a_unit_under_another_chosen_unit_is_dropped_from_the_scope(officer_a, district):
    campaign = campaign_create(
        acting_user=officer_a,
        name="第一轮",
        start_date=START,
        end_date=START,
        scope_units=[district.community_a, district.grid_a1],
    )
    assert list(campaign.scope_units.all()) == [district.community_a]


def test_end_before_start_is_refused(officer_a, district):
    with pytest.raises(ValidationError) as error:
        campaign_create(
            acting_user=officer_a,
            name="第一轮",
            start_date=START,
            end_date=START - datetime.timedelta(days=1),
            scope_units=[district.community_a],
        )
    assert "end_date" in error.value.message_dict
    assert not Campaign.objects.exists()


def test_scope_outside_the_users_jurisdiction_is_refused(officer_a, district):
    with pytest.raises(ValidationError) as error:
        campaign_create(
            acting_user=officer_a,
            name="第一轮",
            start_date=START,
            end_date=START,
            scope_units=[district.grid_a1, district.grid_b1],
        )
    assert "scope_units" in error.value.message_dict


def test_grid_workers_may_not_open_campaigns(grid_worker_a1, district):
    with pytest.raises(PermissionDenied):
        campaign_create(
            acting_user=grid_worker_a1,
            name="第一轮",
            start_date=START,
            end_date=START,
            scope_units=[district.grid_a1],
        )


@pytest.mark.parametrize(
    ("role", "may_organise"),
    [
        (Role.STATION_LEADER, True),
        (Role.POLICE_OFFICER, True),
        (Role.ADMINISTRATOR, True),
        (Role.AUXILIARY_POLICE, False),
        (Role.COMMUNITY_CADRE, False),
        (Role.GRID_WORKER, False),
    ],
)
def test_only_station_users_organise_campaigns(district, role, may_organise):
    user = staff_user(role=role, unit=district.station)
    assert user.has_perm("registry.add_campaign") is may_organise
    assert user.has_perm("registry.view_campaign")


def test_create_page_saves_and_shows_the_progress_page(client, officer_a, district):
    client.force_login(officer_a)
    assert client.get(reverse("registry:campaign_create")).status_code == 200
    response = client.post(
        reverse("registry:campaign_create"),
        {
            "name": "第二轮入户排查",
            "start_date": "2020-02-10",
            "end_date": "2020-02-20",
            "scope_units": [district.community_a.pk],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:campaign_detail", args=[campaign.pk])


def test_create_page_names_the_field_in_error(client, officer_a, district):
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:campaign_create"),
        {
            "name": "第二轮",
            "start_date": "2020-02-10",
            "end_date": "2020-02-01",
            "scope_units": [district.community_a.pk],
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["end_date"]
    assert 'role="alert"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_create_page_offers_only_units_of_the_users_jurisdiction(client, officer_a, district):
    client.force_login(officer_a)
    content = client.get(reverse("registry:campaign_create")).content.decode()
    assert district.grid_a1.name in content
    assert district.grid_b1.name not in content


def test_grid_worker_cannot_open_the_create_page(client, grid_worker_a1):
    client.force_login(grid_worker_a1)
    assert client.get(reverse("registry:campaign_create")).status_code == 403


def test_grid_worker_sees_campaigns_covering_their_grid_only(client, grid_worker_a1, district):
    above = CampaignFactory(unit=district.station, scope_units=[district.community_a])
    neighbour = CampaignFactory(unit=district.community_a, scope_units=[district.grid_a2])
    client.force_login(grid_worker_a1)
    content = client.get(reverse("registry:campaign_list")).content.decode()
    assert above.name in content
    assert neighbour.name not in content
    assert reverse("registry:campaign_create") not in content
