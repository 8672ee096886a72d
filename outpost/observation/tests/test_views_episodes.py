"""Episode pages: the scoped list with its filters, one episode with the person's timeline
and check-ins, and the steps (start from a key person, extend, end, continue, release)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outpost.keypersons.tests.factories import managed_key_person_in
from outpost.observation.choices import (
    AlertKind,
    EndReason,
    EpisodeKind,
    EpisodeStatus,
)
from outpost.observation.models import Episode
from outpost.observation.tests.factories import (
    AlertFactory,
    CheckInFactory,
    EpisodeFactory,
    IsolationSiteFactory,
    centralized_episode_in,
    episode_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _field_block(page: str, name: str) -> str:
    """The HTML of one field of a form (its label, input and errors)."""
    start = page.index(f'id="field-{name}"')
    following = page.find('id="field-', start + 1)
    return page[start : following if following != -1 else len(page)]


def _today():
    return timezone.localdate()


# ---------------------------------------------------------------------------- list and detail


def test_an_officer_sees_the_episodes_of_their_community_only(client, officer_a, district):
    own = episode_in(district.grid_a1)
    other = episode_in(district.grid_b1)
    client.force_login(officer_a)

    page = client.get(reverse("observation:episode_list")).content.decode()

    assert own.key_person.display_name in page
    assert other.key_person.display_name not in page
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_list_shows_the_day_the_last_temperature_and_open_alerts(client, officer_a, district):
    episode = episode_in(district.grid_a1, start_date=_today() - datetime.timedelta(days=2))
    key_person = episode.key_person
    key_person.resident.phone = "13912345678"
    key_person.resident.save()
    CheckInFactory(
        episode=episode,
        temperature=Decimal("36.4"),
        taken_at=timezone.now() - datetime.timedelta(hours=5),
    )
    AlertFactory(episode=episode)  # its check-in (38.1 °C) is the latest
    client.force_login(officer_a)

    page = client.get(reverse("observation:episode_list")).content.decode()

    assert "day 3 of 14" in page
    assert "139****5678" in page and "13912345678" not in page
    assert re.search(r'class="temp-fever">38\.1 °C', page)
    assert '<span class="alert-count">1</span>' in page


def test_a_missed_check_in_is_marked_on_the_list(client, officer_a, district):
    missed = episode_in(district.grid_a1)
    AlertFactory(
        episode=missed, kind=AlertKind.MISSED_CHECK_IN, check_in=None, slot_at=timezone.now()
    )
    episode_in(district.grid_a1)
    client.force_login(officer_a)

    page = client.get(reverse("observation:episode_list")).content.decode()

    assert page.count('class="is-missed"') == 1
    assert "check-in missed" in page


def test_the_list_filters_by_kind_site_and_due_for_release(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_a)
    at_site = centralized_episode_in(district.grid_a1, site=site)
    at_home = episode_in(district.grid_a1)
    due = episode_in(
        district.grid_a1,
        start_date=_today() - datetime.timedelta(days=15),
        planned_end_date=_today() - datetime.timedelta(days=1),
    )
    ended = episode_in(
        district.grid_a1,
        status=EpisodeStatus.ENDED,
        ended_on=_today(),
        end_reason=EndReason.OTHER,
    )
    client.force_login(officer_a)

    def shown(**query):
        response = client.get(reverse("observation:episode_list"), query)
        return {episode.pk for episode in response.context["object_list"]}

    assert shown() == {at_site.pk, at_home.pk, due.pk}  # open ones by default
    assert shown(status="") == {at_site.pk, at_home.pk, due.pk, ended.pk}
    assert shown(kind=EpisodeKind.CENTRALIZED) == {at_site.pk}
    assert shown(site=site.pk) == {at_site.pk}
    assert shown(due="on") == {due.pk}


def test_the_list_refreshes_as_a_fragment_for_htmx(client, officer_a, district):
    episode_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.get(reverse("observation:episode_list"), HTTP_HX_REQUEST="true")

    assert "<html" not in response.content.decode()
    assert "episode-table" in response.content.decode()


def test_the_detail_shows_check_ins_latest_first_and_the_chain(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_a)
    first = centralized_episode_in(
        district.grid_a1,
        site=site,
        start_date=_today() - datetime.timedelta(days=14),
        planned_end_date=_today() - datetime.timedelta(days=1),
        status=EpisodeStatus.ENDED,
        ended_on=_today(),
        end_reason=EndReason.COMPLETED,
    )
    second = EpisodeFactory(
        key_person=first.key_person, kind=EpisodeKind.HOME_MONITORING, previous=first
    )
    now = timezone.now()
    CheckInFactory(
        episode=second, temperature=Decimal("36.6"), taken_at=now - datetime.timedelta(hours=6)
    )
    CheckInFactory(
        episode=second, temperature=Decimal("36.9"), taken_at=now - datetime.timedelta(hours=1)
    )
    client.force_login(officer_a)

    page = client.get(second.get_absolute_url()).content.decode()

    assert page.index("36.9 °C") < page.index("36.6 °C")
    timeline = page[page.index('id="timeline"') :]
    assert timeline.index("Centralized isolation") < timeline.index("Home health monitoring")
    assert f'href="{first.get_absolute_url()}"' in timeline


def test_the_key_person_page_offers_to_start_observation(client, officer_a, district):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(officer_a)

    page = client.get(key_person.get_absolute_url()).content.decode()

    assert reverse("observation:episode_start", args=[key_person.pk]) in page


# ---------------------------------------------------------------------------- steps


def test_starting_home_isolation_takes_the_plans_length(client, officer_a, district):
    key_person = managed_key_person_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:episode_start", args=[key_person.pk]),
        {"kind": EpisodeKind.HOME_ISOLATION, "start_date": _today().isoformat()},
    )

    episode = Episode.objects.get(key_person=key_person)
    assert response.status_code == 302
    assert response["Location"] == episode.get_absolute_url()
    assert episode.planned_end_date == _today() + datetime.timedelta(days=13)


def test_centralized_isolation_without_a_site_shows_the_error_at_the_site(
    client, officer_a, district
):
    key_person = managed_key_person_in(district.grid_a1)
    IsolationSiteFactory(unit=district.community_a)
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:episode_start", args=[key_person.pk]),
        {"kind": EpisodeKind.CENTRALIZED, "start_date": _today().isoformat()},
    )

    assert response.status_code == 422
    assert "Choose the isolation site." in _field_block(response.content.decode(), "site")
    assert not Episode.objects.filter(key_person=key_person).exists()


def test_the_start_form_offers_sites_serving_the_person_only(client, officer_a, district):
    key_person = managed_key_person_in(district.grid_a1)
    serving = IsolationSiteFactory(unit=district.community_a, name="甲社区酒店")
    IsolationSiteFactory(unit=district.grid_a2, name="第2网格酒店")
    client.force_login(officer_a)

    page = client.get(reverse("observation:episode_start", args=[key_person.pk])).content.decode()

    assert serving.name in page
    assert "第2网格酒店" not in page


def test_extending_needs_a_later_date_and_records_the_reason(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    new_end = episode.planned_end_date + datetime.timedelta(days=7)
    client.force_login(officer_a)
    url = reverse("observation:episode_extend", args=[episode.pk])

    refused = client.post(
        url, {"new_end_date": episode.planned_end_date.isoformat(), "reason": "复查"}
    )
    extended = client.post(url, {"new_end_date": new_end.isoformat(), "reason": "核酸复查阳性"})

    assert refused.status_code == 422
    assert "Choose a date after the current planned end" in _field_block(
        refused.content.decode(), "new_end_date"
    )
    assert extended.status_code == 302
    episode.refresh_from_db()
    assert episode.planned_end_date == new_end
    assert episode.extensions.get().reason == "核酸复查阳性"


def test_the_end_form_refuses_without_a_reason(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:episode_end", args=[episode.pk]), {"ended_on": _today().isoformat()}
    )

    assert response.status_code == 422
    assert "Choose why the observation ends." in _field_block(response.content.decode(), "reason")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_ending_with_a_reason_closes_the_episode(client, officer_a, district):
    episode = episode_in(district.grid_a1)
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:episode_end", args=[episode.pk]),
        {"reason": EndReason.HOSPITAL, "ended_on": _today().isoformat(), "note": "转定点医院"},
    )

    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.end_reason) == (EpisodeStatus.ENDED, EndReason.HOSPITAL)


def test_continuing_chains_home_monitoring_to_the_episode(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_a)
    episode = centralized_episode_in(
        district.grid_a1, site=site, start_date=_today() - datetime.timedelta(days=13)
    )
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:episode_continue", args=[episode.pk]),
        {"kind": EpisodeKind.HOME_MONITORING, "start_date": _today().isoformat()},
    )

    following = Episode.objects.get(previous=episode)
    assert response["Location"] == following.get_absolute_url()
    assert following.kind == EpisodeKind.HOME_MONITORING
    episode.refresh_from_db()
    assert episode.end_reason == EndReason.COMPLETED


def test_a_due_episode_offers_and_confirms_the_release(client, officer_a, district):
    episode = episode_in(
        district.grid_a1,
        start_date=_today() - datetime.timedelta(days=14),
        planned_end_date=_today() - datetime.timedelta(days=1),
        status=EpisodeStatus.RELEASE_DUE,
    )
    client.force_login(officer_a)
    release_url = reverse("observation:episode_release", args=[episode.pk])

    assert release_url in client.get(episode.get_absolute_url()).content.decode()
    response = client.post(release_url)

    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.end_reason) == (EpisodeStatus.ENDED, EndReason.COMPLETED)


def test_the_steps_of_another_communitys_episode_are_not_found(client, officer_a, district):
    other = episode_in(district.grid_b1)
    client.force_login(officer_a)

    for name in ("episode_extend", "episode_end", "episode_continue", "episode_release"):
        assert client.post(reverse(f"observation:{name}", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == EpisodeStatus.ACTIVE


def test_the_list_takes_as_many_queries_for_many_episodes_as_for_one(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("observation:episode_list")).status_code == 200
        return len(captured)

    client.force_login(officer_a)
    CheckInFactory(episode=centralized_episode_in(district.grid_a1, site=site))
    one = queries()
    for _ in range(4):
        episode = centralized_episode_in(district.grid_a1, site=site)
        CheckInFactory(episode=episode)
        AlertFactory(episode=episode)

    assert queries() == one


def test_the_next_page_of_the_list_keeps_to_open_episodes(client, officer_a, district):
    episode_in(
        district.grid_a1, status=EpisodeStatus.ENDED, ended_on=_today(), end_reason=EndReason.OTHER
    )
    client.force_login(officer_a)

    response = client.get(reverse("observation:episode_list"), {"page": 1})

    assert list(response.context["object_list"]) == []
