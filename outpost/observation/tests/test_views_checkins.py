"""A check-in entered by staff on the episode's behalf."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import AlertKind, CheckInSource, EndReason, EpisodeStatus
from outpost.observation.models import Alert, CheckIn
from outpost.observation.tests.factories import episode_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _url(episode):
    return reverse("observation:check_in_create", args=[episode.pk])


def _entry(temperature, **values):
    taken = timezone.localtime() - datetime.timedelta(minutes=2)
    return {
        "temperature": temperature,
        "taken_at": taken.strftime("%Y-%m-%dT%H:%M"),
        "form_nonce": "nonce-" + temperature.encode().hex(),
        **values,
    }


def test_the_form_offers_every_symptom_and_the_time_now(client, officer_a, district):
    client.force_login(officer_a)

    response = client.get(_url(episode_in(district.grid_a1)))

    form = response.context["form"]
    assert len(form.fields["symptoms"].choices) == 7
    shown = timezone.make_aware(form["taken_at"].value())
    assert abs(shown - timezone.now()) < datetime.timedelta(minutes=1)
    assert form["form_nonce"].value()


def test_a_temperature_in_words_shows_the_range_under_the_field(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.post(_url(episode), _entry("三十七"))

    assert response.status_code == 422
    [message] = response.context["form"].errors["temperature"]
    assert "34.0" in message and "43.0" in message
    content = response.content.decode()
    assert content.index(message) > content.index('name="temperature"')
    assert content.index(message) < content.index('name="symptoms"')
    assert not CheckIn.objects.exists()


def test_a_normal_reading_goes_back_to_the_episode(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.post(_url(episode), _entry("36,6", symptoms=["cough"]))

    assert response.status_code == 302
    assert response["Location"] == episode.get_absolute_url()
    check_in = CheckIn.objects.get()
    assert (str(check_in.temperature), check_in.symptoms) == ("36.6", ["cough"])
    assert (check_in.source, check_in.recorded_by) == (CheckInSource.STAFF, officer_a)
    assert not Alert.objects.exists()


def test_a_fever_shows_the_alert_warning_and_the_alert_is_listed(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.post(_url(episode), _entry("38.1"), follow=True)

    content = response.content.decode()
    assert "Check-in saved: 38.1 °C" in content
    assert "Fever alert raised" in content
    alert = Alert.objects.get()
    assert (alert.kind, alert.episode) == (AlertKind.FEVER, episode)
    listing = client.get(reverse("observation:alert_list")).content.decode()
    assert f'href="{alert.get_absolute_url()}"' in listing


def test_the_same_form_sent_twice_stores_one_check_in(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)

    client.post(_url(episode), _entry("36.5"))
    client.post(_url(episode), _entry("36.5"))

    assert CheckIn.objects.count() == 1


def test_an_ended_episode_takes_no_check_in(client, officer_a, district):
    episode = episode_in(
        district.grid_a1,
        status=EpisodeStatus.ENDED,
        ended_on=timezone.localdate(),
        end_reason=EndReason.COMPLETED,
    )
    client.force_login(officer_a)

    page = client.get(_url(episode)).content.decode()
    response = client.post(_url(episode), _entry("36.5"))

    assert "This observation has ended" in page
    assert 'name="temperature"' not in page
    assert response.status_code == 422
    assert not CheckIn.objects.exists()


def test_a_time_in_the_future_is_refused_under_its_field(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    later = timezone.localtime() + datetime.timedelta(hours=2)
    client.force_login(officer_a)

    response = client.post(_url(episode), _entry("36.5", taken_at=later.strftime("%Y-%m-%dT%H:%M")))

    assert response.status_code == 422
    assert "taken_at" in response.context["form"].errors


def test_an_officer_of_another_community_gets_a_404(client, district):
    episode = episode_in(district.grid_a1)
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b)
    client.force_login(officer_b)

    assert client.get(_url(episode)).status_code == 404
    assert client.post(_url(episode), _entry("36.5")).status_code == 404
    assert not CheckIn.objects.exists()
