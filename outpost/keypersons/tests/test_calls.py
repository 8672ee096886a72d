"""A grid worker or officer calls the key persons they hold a four-on-one place for from a
call button: the number for that call, one access-log row with the purpose phone contact,
no typing; then logs the contact."""

import pytest
from django.urls import reverse

from outpost.core.choices import RevealPurpose
from outpost.core.models import AccessLog
from outpost.keypersons.models import TeamRole
from outpost.keypersons.tests.factories import TeamMemberFactory, managed_key_person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(district, grid_worker_a1):
    key_person = managed_key_person_in(district.grid_a1)
    TeamMemberFactory(key_person=key_person, worker=grid_worker_a1)
    return key_person


def test_my_key_persons_offers_a_call_button_that_logs_one_phone_contact(
    client, grid_worker_a1, mine
):
    client.force_login(grid_worker_a1)
    url = reverse("keypersons:call", args=[mine.pk])
    phone = mine.resident.phone
    page = client.get(reverse("keypersons:mine")).content.decode()
    assert url in page and phone not in page

    response = client.post(url, headers={"HX-Request": "true"})

    assert f'href="tel:{phone}"' in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.purpose, entry.fields) == (
        grid_worker_a1,
        RevealPurpose.PHONE_CONTACT,
        ["phone"],
    )
    assert entry.model_label == "keypersons.KeyPerson"
    assert entry.object_id == str(mine.pk)


def test_the_key_persons_page_offers_the_call_to_a_team_member(client, grid_worker_a1, mine):
    client.force_login(grid_worker_a1)

    page = client.get(mine.get_absolute_url()).content.decode()

    assert reverse("keypersons:call", args=[mine.pk]) in page


def test_an_officer_on_the_team_calls_too(client, officer_a, mine):
    TeamMemberFactory(key_person=mine, worker=officer_a, role=TeamRole.objects.get(code="police"))
    client.force_login(officer_a)

    response = client.post(reverse("keypersons:call", args=[mine.pk]))

    assert mine.resident.phone in response.content.decode()
    assert AccessLog.objects.get().purpose == RevealPurpose.PHONE_CONTACT


def test_no_call_on_a_key_person_the_user_holds_no_place_for(client, district, officer_a):
    not_mine = managed_key_person_in(district.grid_a1)
    client.force_login(officer_a)  # sees and may change them, but is not on their team
    url = reverse("keypersons:call", args=[not_mine.pk])

    assert url not in client.get(not_mine.get_absolute_url()).content.decode()
    assert client.post(url).status_code == 404
    assert AccessLog.objects.count() == 0


def test_a_get_never_reveals_the_number(client, grid_worker_a1, mine):
    client.force_login(grid_worker_a1)

    response = client.get(reverse("keypersons:call", args=[mine.pk]))

    assert response.status_code == 405
    assert AccessLog.objects.count() == 0


def test_a_fever_alert_offers_the_call_to_the_team_member_only(
    client, district, grid_worker_a1, officer_a, mine
):
    from outpost.observation.tests.factories import AlertFactory, EpisodeFactory

    alert = AlertFactory(episode=EpisodeFactory(key_person=mine))
    call = reverse("keypersons:call", args=[mine.pk])

    client.force_login(grid_worker_a1)
    assert call in client.get(alert.get_absolute_url()).content.decode()
    client.force_login(officer_a)  # may see the alert, holds no place on the team
    assert call not in client.get(alert.get_absolute_url()).content.decode()
