"""A user learns only what their jurisdiction shows: an ID number typed into 新增重点人员 that
belongs to someone outside it is never confirmed; the station checks the record instead."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.keypersons.models import KeyPerson
from outpost.keypersons.tests.factories import KeyPersonFactory
from outpost.notify.models import InboxMessage
from outpost.registry.tests.factories import valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NUMBER = valid_id_number(41, region="420102")


def _form(district, **changes):
    return {
        "name": "李四",
        "id_number": NUMBER,
        "unit": district.grid_a1.pk,
        "category": "self_reported",
        "source_type": "manual",
        "identified_on": timezone.localdate().isoformat(),
        **changes,
    }


@pytest.fixture
def key_person_of_b(district):
    return KeyPersonFactory(resident=None, unit=district.grid_b1, name="王五", id_number=NUMBER)


def test_a_probe_with_a_future_date_says_nothing_of_a_key_person_elsewhere(
    client, grid_worker_a1, district, key_person_of_b
):
    client.force_login(grid_worker_a1)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("keypersons:new"), _form(district, identified_on=tomorrow))
    page = response.content.decode()
    assert response.status_code == 422
    assert "The date cannot be in the future." in page
    assert "already an active key person" not in page
    assert KeyPerson.objects.count() == 1


def test_a_number_held_elsewhere_is_sent_to_the_station_to_check(
    client, grid_worker_a1, station_officer, district, key_person_of_b
):
    client.force_login(grid_worker_a1)
    response = client.post(reverse("keypersons:new"), _form(district), follow=True)
    page = response.content.decode()
    assert "The record will be checked by the station." in page
    assert "already an active key person" not in page
    assert "王五" not in page
    created = KeyPerson.objects.get(name="李四")
    message = InboxMessage.objects.get(recipient=station_officer)
    assert message.url == created.get_absolute_url()
    assert not InboxMessage.objects.filter(recipient=grid_worker_a1, url=message.url).exists()


def test_a_number_held_in_the_users_own_jurisdiction_is_still_named(client, officer_a, district):
    KeyPersonFactory(resident=None, unit=district.grid_a2, name="王五", id_number=NUMBER)
    client.force_login(officer_a)
    response = client.post(reverse("keypersons:new"), _form(district))
    assert response.status_code == 422
    assert "already an active key person" in response.content.decode()


def test_a_new_number_is_not_sent_to_the_station(client, grid_worker_a1, station_officer, district):
    client.force_login(grid_worker_a1)
    page = client.post(reverse("keypersons:new"), _form(district), follow=True).content.decode()
    assert "checked by the station" not in page
    assert not InboxMessage.objects.filter(recipient=station_officer).exists()
