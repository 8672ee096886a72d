"""Acknowledging several alerts at once: each goes through `alert_acknowledge` (its right,
its scope, its audit row); the page says what was done and what was refused and why."""

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import AlertOutcome, AlertStatus
from outpost.observation.models import Alert
from outpost.observation.tests.factories import AlertFactory, episode_in

pytestmark = pytest.mark.usefixtures("english")


def _alert(grid, **values):
    return AlertFactory(episode=episode_in(grid), **values)


def _post(client, ids, **query):
    url = reverse("observation:alert_list")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, {"selected": [str(pk) for pk in ids]}, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_open_alerts_are_acknowledged_each_with_its_history(client, officer_a, district):
    alerts = [_alert(district.grid_a1), _alert(district.grid_a2)]
    client.force_login(officer_a)
    response = _post(client, [a.pk for a in alerts])
    assert "2 alerts acknowledged." in _messages(response)
    for alert in alerts:
        alert.refresh_from_db()
        assert alert.status == AlertStatus.ACKNOWLEDGED
        assert alert.acknowledged_by == officer_a
        assert alert.history.latest().history_user == officer_a


def test_a_partly_refused_batch_says_what_and_why(client, officer_a, district):
    fresh = _alert(district.grid_a1)
    someone = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a, username="medic")
    taken = _alert(
        district.grid_a1,
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_by=someone,
        acknowledged_at=timezone.now(),
    )
    resolved = _alert(
        district.grid_a1,
        status=AlertStatus.RESOLVED,
        outcome=AlertOutcome.RETEST_NORMAL,
        resolved_at=timezone.now(),
    )
    elsewhere = _alert(district.grid_b1)
    client.force_login(officer_a)
    response = _post(client, [fresh.pk, taken.pk, resolved.pk, elsewhere.pk])
    messages = _messages(response)
    assert "1 alert acknowledged." in messages
    assert "3 records were refused:" in messages
    assert any("already acknowledged this alert" in m for m in messages)
    assert any("already resolved" in m for m in messages)
    assert f"#{elsewhere.pk}: Not found in your jurisdiction." in messages
    elsewhere.refresh_from_db()
    assert elsewhere.status == AlertStatus.OPEN
    fresh.refresh_from_db()
    assert fresh.status == AlertStatus.ACKNOWLEDGED


def test_a_role_that_only_reads_alerts_is_refused_per_row(client, district):
    alert = _alert(district.grid_a1)
    analyst = staff_user(role=Role.ANALYST, unit=district.station, username="analyst")
    client.force_login(analyst)
    page = client.get(reverse("observation:alert_list")).content.decode()
    assert 'name="selected"' not in page
    assert _post(client, [alert.pk]).status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_the_summary_names_the_person_masked(client, officer_a, district):
    taken = _alert(
        district.grid_a1,
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
        acknowledged_by=officer_a,
    )
    client.force_login(officer_a)
    messages = _messages(_post(client, [taken.pk]))
    name = taken.episode.key_person.display_name
    assert not any(name in m for m in messages)
    assert any(name[0] + "*" in m for m in messages)


def test_the_list_comes_back_with_its_filters(client, officer_a, district):
    alert = _alert(district.grid_a1)
    client.force_login(officer_a)
    response = client.post(
        reverse("observation:alert_list") + "?status=open", {"selected": [alert.pk]}
    )
    assert response["Location"].endswith("?status=open")
