"""The staff alert pages: the list (open first, fever before missed), one alert, and
acknowledging and resolving it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.masking import mask_name
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import AlertKind, AlertOutcome, AlertStatus
from outpost.observation.models import Alert
from outpost.observation.tests.factories import AlertFactory, episode_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CLINIC = "市第二医院发热门诊"


def _detail(alert):
    return reverse("observation:alert_detail", args=[alert.pk])


def _missed(episode, minutes_ago):
    now = timezone.now()
    return AlertFactory(
        episode=episode,
        kind=AlertKind.MISSED_CHECK_IN,
        check_in=None,
        slot_at=now - datetime.timedelta(minutes=minutes_ago + 120),
        raised_at=now - datetime.timedelta(minutes=minutes_ago),
    )


def test_the_list_shows_open_alerts_first_and_fever_before_missed(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    resolved = AlertFactory(
        episode=episode,
        status=AlertStatus.RESOLVED,
        acknowledged_at=timezone.now(),
        resolved_at=timezone.now(),
        outcome=AlertOutcome.RETEST_NORMAL,
    )
    missed = _missed(episode, minutes_ago=1)
    fever = AlertFactory(episode=episode, raised_at=timezone.now() - datetime.timedelta(hours=3))
    client.force_login(officer_a)

    response = client.get(reverse("observation:alert_list"))

    assert list(response.context["object_list"]) == [fever, missed, resolved]
    content = response.content.decode()
    assert "3\xa0hours ago" in content
    assert mask_name(episode.key_person.display_name) in content
    assert episode.key_person.display_name not in content


def test_the_list_filters_by_status_and_type(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    fever = AlertFactory(episode=episode)
    _missed(episode, minutes_ago=5)
    client.force_login(officer_a)

    response = client.get(
        reverse("observation:alert_list"), {"status": "unresolved", "kind": AlertKind.FEVER}
    )

    assert list(response.context["object_list"]) == [fever]


def test_the_list_shows_nothing_of_another_community(client, officer_a, district):
    AlertFactory(episode=episode_in(district.grid_b1))
    client.force_login(officer_a)

    response = client.get(reverse("observation:alert_list"))

    assert list(response.context["object_list"]) == []


def test_an_officer_of_another_community_cannot_open_the_alert(client, district):
    alert = AlertFactory(episode=episode_in(district.grid_a1))
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b)
    client.force_login(officer_b)

    assert client.get(_detail(alert)).status_code == 404
    assert client.post(_detail(alert), {"action": "acknowledge"}).status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_the_detail_shows_the_check_in_the_person_as_their_card_does_and_the_episode(
    client, officer_a, district
):
    episode = episode_in(district.grid_a1)
    alert = AlertFactory(episode=episode)
    client.force_login(officer_a)

    content = client.get(_detail(alert)).content.decode()

    person = episode.key_person
    assert "38.1 °C" in content
    # The officer may open the key person's page, which shows the name in full: so does the
    # alert, with a link there. The ID number stays masked.
    assert (
        f'href="{person.get_absolute_url()}" data-testid="person-link">{person.display_name}<'
        in content
    )
    assert person.masked_id_number in content
    assert f'href="{episode.get_absolute_url()}"' in content


def test_the_detail_masks_the_name_of_a_person_whose_page_the_user_cannot_open(
    client, officer_a, district
):
    episode = episode_in(district.grid_a1)
    alert = AlertFactory(episode=episode)
    person = episode.key_person
    # The key person moved to another community; the episode stayed where it was run.
    person.unit = district.grid_b1
    person.save(update_fields=["unit"])
    client.force_login(officer_a)

    content = client.get(_detail(alert)).content.decode()

    assert mask_name(person.display_name) in content
    assert person.display_name not in content
    assert 'data-testid="person-link"' not in content


def test_acknowledging_an_alert(client, officer_a, district):
    alert = AlertFactory(episode=episode_in(district.grid_a1))
    client.force_login(officer_a)

    response = client.post(_detail(alert), {"action": "acknowledge"}, follow=True)

    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, officer_a)
    assert "Alert acknowledged." in response.content.decode()


def test_resolving_as_fever_clinic_without_a_place_shows_the_error(client, officer_a, district):
    alert = AlertFactory(episode=episode_in(district.grid_a1))
    client.force_login(officer_a)

    response = client.post(
        _detail(alert),
        {
            "action": "resolve",
            "outcome": AlertOutcome.FEVER_CLINIC,
            "transfer_place": "",
            "transferred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 422
    assert response.context["resolve_form"].errors["transfer_place"] == [
        "Enter the fever clinic the person was taken to."
    ]
    assert "Enter the fever clinic the person was taken to." in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_resolving_as_fever_clinic_shows_the_place_and_time(client, officer_a, district):
    alert = AlertFactory(episode=episode_in(district.grid_a1))
    taken = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(minutes=20)
    client.force_login(officer_a)

    response = client.post(
        _detail(alert),
        {
            "action": "resolve",
            "outcome": AlertOutcome.FEVER_CLINIC,
            "transfer_place": CLINIC,
            "transferred_at": taken.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )

    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.transferred_at) == (
        AlertStatus.RESOLVED,
        AlertOutcome.FEVER_CLINIC,
        taken,
    )
    content = response.content.decode()
    assert CLINIC in content
    assert taken.strftime("%Y-%m-%d %H:%M") in content
    assert "Alert resolved." in content


def test_a_missed_check_in_offers_only_its_own_outcomes(client, officer_a, district):
    alert = _missed(episode_in(district.grid_a1), minutes_ago=5)
    client.force_login(officer_a)

    form = client.get(_detail(alert)).context["resolve_form"]

    assert [value for value, _label in form.fields["outcome"].choices] == [
        AlertOutcome.REPORTED_LATE,
        AlertOutcome.REACHED,
        AlertOutcome.FEVER_CLINIC,
    ]


def test_a_user_who_may_only_view_sees_no_actions(client, district):
    alert = AlertFactory(episode=episode_in(district.grid_a1))
    analyst = staff_user(role=Role.ANALYST, unit=district.community_a)
    client.force_login(analyst)

    response = client.get(_detail(alert))

    assert response.status_code == 200
    assert response.context["can_change"] is False
    assert client.post(_detail(alert), {"action": "acknowledge"}).status_code == 404


def test_the_list_costs_the_same_queries_for_more_alerts(client, officer_a, district):
    client.force_login(officer_a)
    AlertFactory(episode=episode_in(district.grid_a1))
    url = reverse("observation:alert_list")
    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        AlertFactory(episode=episode_in(district.grid_a1))
        _missed(episode_in(district.grid_a2), minutes_ago=10)

    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)
