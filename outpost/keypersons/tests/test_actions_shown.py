"""A key person's page offers only what the user may do and what the record's state allows:
no second observation for a person under observation, closing only for roles that decide
it, and the source run's link only for those who can open it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.models import KeyPersonSource
from outpost.keypersons.tests.factories import key_person_in, managed_key_person_in
from outpost.observation.tests.factories import episode_in
from outpost.screening.tests.factories import ScreeningRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_person_under_observation_is_not_offered_a_second_start(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)
    page = client.get(episode.key_person.get_absolute_url()).content.decode()
    assert reverse("observation:episode_start", args=[episode.key_person.pk]) not in page
    assert episode.get_absolute_url() in page


def test_a_person_not_under_observation_is_offered_the_start(client, officer_a, district):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(officer_a)
    page = client.get(key_person.get_absolute_url()).content.decode()
    assert reverse("observation:episode_start", args=[key_person.pk]) in page


def test_a_grid_worker_is_not_offered_closing_a_key_person(client, grid_worker_a1, district):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(grid_worker_a1)
    assert reverse("keypersons:status", args=[key_person.pk]) not in (
        client.get(key_person.get_absolute_url()).content.decode()
    )
    form = client.get(reverse("keypersons:status", args=[key_person.pk])).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == []


def test_a_grid_worker_cannot_release_a_key_person_by_a_forged_form(
    client, grid_worker_a1, district
):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(grid_worker_a1)
    client.post(
        reverse("keypersons:status", args=[key_person.pk]),
        {"status": "released", "reason": "观察期满", "on": timezone.localdate()},
    )
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.UNDER_MANAGEMENT


def test_a_grid_worker_may_still_take_an_identified_person_under_management(
    client, grid_worker_a1, district
):
    key_person = key_person_in(district.grid_a1)
    client.force_login(grid_worker_a1)
    form = client.get(reverse("keypersons:status", args=[key_person.pk])).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == ["under_management"]


def test_the_officer_may_release_a_key_person(client, officer_a, district):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(officer_a)
    client.post(
        reverse("keypersons:status", args=[key_person.pk]),
        {"status": "released", "reason": "观察期满", "on": timezone.localdate()},
    )
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.RELEASED


def test_the_source_run_links_only_for_users_who_can_open_it(
    client, officer_a, grid_worker_a1, district
):
    key_person = managed_key_person_in(district.grid_a1)
    run = ScreeningRunFactory(unit=district.station, status="done")
    KeyPersonSource.objects.create(
        key_person=key_person, source_type="screening", screening_run=run, noted_by=officer_a
    )
    client.force_login(officer_a)
    page = client.get(key_person.get_absolute_url()).content.decode()
    assert run.get_absolute_url() in page
    assert client.get(run.get_absolute_url()).status_code == 200
    client.force_login(grid_worker_a1)
    assert run.get_absolute_url() not in client.get(key_person.get_absolute_url()).content.decode()


def test_an_analyst_is_not_offered_entering_a_check_in(client, district):
    episode = episode_in(district.grid_a1)
    analyst = staff_user(role=Role.ANALYST, unit=district.station)
    client.force_login(analyst)
    page = client.get(episode.get_absolute_url()).content.decode()
    assert reverse("observation:check_in_create", args=[episode.pk]) not in page
