"""API: observation under /api/v1/observation/ — episodes, check-ins, alerts and the
person's self-report endpoint; scoped and masked like the pages."""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.tests.factories import KeyPersonFactory
from outpost.observation.choices import (
    AlertKind,
    AlertStatus,
    CheckInSource,
    EndReason,
    EpisodeKind,
    EpisodeStatus,
)
from outpost.observation.models import Alert, CheckIn, Episode, EpisodeExtension
from outpost.observation.services.links import link_issue, link_revoke
from outpost.observation.tests.factories import (
    AlertFactory,
    CheckInFactory,
    EpisodeFactory,
    IsolationSiteFactory,
    stay_in,
)
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/v1/observation"
PHONE = "13912345678"


def _person(grid, **values):
    started = timezone.localdate() - datetime.timedelta(days=3)
    resident = ResidentFactory(household=HouseholdFactory(unit=grid), phone=PHONE)
    return KeyPersonFactory(
        resident=resident,
        status=KeyPersonStatus.UNDER_MANAGEMENT,
        identified_on=started,
        managed_from=started,
        **values,
    )


def _episode(grid, **values) -> Episode:
    return EpisodeFactory(key_person=_person(grid), **values)


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def _no_full_numbers(response, *episodes):
    body = response.content.decode()
    assert PHONE not in body
    for episode in episodes:
        assert episode.key_person.resident.id_number not in body


# ---------------------------------------------------------------------------- episodes


def test_the_episode_list_is_scoped_and_masked(client, officer_a, district):
    own = _episode(district.grid_a1)
    other = _episode(district.grid_b1)
    client.force_login(officer_a)
    response = client.get(f"{URL}/episodes")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == [own.pk]
    item = items[0]
    assert item["name"] == own.key_person.resident.name
    assert item["phone_masked"] == "139****5678"
    assert item["id_number_masked"] == own.key_person.resident.masked_id_number
    _no_full_numbers(response, own, other)
    assert other.key_person.resident.name not in response.content.decode()


def test_the_episode_list_filters_by_status_kind_site_and_unit(client, officer_a, district):
    site = IsolationSiteFactory(unit=district.community_a)
    home = _episode(district.grid_a1)
    centralized = _episode(district.grid_a2, kind=EpisodeKind.CENTRALIZED, site=site)
    ended = _episode(
        district.grid_a1,
        status=EpisodeStatus.ENDED,
        ended_on=timezone.localdate(),
        end_reason=EndReason.COMPLETED,
    )
    client.force_login(officer_a)

    def ids(**query):
        response = client.get(f"{URL}/episodes", query)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert ids() == {home.pk, centralized.pk, ended.pk}
    assert ids(status="ended") == {ended.pk}
    assert ids(kind="centralized") == {centralized.pk}
    assert ids(site_id=site.pk) == {centralized.pk}
    assert ids(unit_id=district.grid_a2.pk) == {centralized.pk}
    assert client.get(f"{URL}/episodes", {"status": "nonsense"}).status_code == 422
    assert client.get(f"{URL}/episodes", {"unit_id": district.grid_b1.pk}).status_code == 404


def test_the_episode_list_takes_the_same_queries_for_more_episodes(client, officer_a, district):
    _episode(district.grid_a1)
    client.force_login(officer_a)
    client.get(f"{URL}/episodes")  # the session and permissions are loaded once
    with CaptureQueriesContext(connection) as one:
        client.get(f"{URL}/episodes")
    for grid in (district.grid_a1, district.grid_a2, district.grid_a1):
        _episode(grid, kind=EpisodeKind.CENTRALIZED, site=IsolationSiteFactory(unit=grid))
    with CaptureQueriesContext(connection) as four:
        response = client.get(f"{URL}/episodes")
    assert response.json()["count"] == 4
    assert len(four) == len(one)


def test_an_episode_of_another_community_is_not_found(client, officer_a, district):
    other = _episode(district.grid_b1)
    alert = AlertFactory(episode=other)
    client.force_login(officer_a)
    assert client.get(f"{URL}/episodes/{other.pk}").status_code == 404
    assert client.get(f"{URL}/episodes/{other.pk}/check-ins").status_code == 404
    assert (
        post(client, f"{URL}/episodes/{other.pk}/check-ins", {"temperature": 36.5}).status_code
        == 404
    )
    new_end = (other.planned_end_date + datetime.timedelta(days=7)).isoformat()
    extend = {"new_end_date": new_end, "reason": "复查"}
    assert post(client, f"{URL}/episodes/{other.pk}/extend", extend).status_code == 404
    assert (
        post(client, f"{URL}/episodes/{other.pk}/end", {"reason": "completed"}).status_code == 404
    )
    assert client.get(f"{URL}/alerts/{alert.pk}").status_code == 404
    assert post(client, f"{URL}/alerts/{alert.pk}/acknowledge").status_code == 404
    resolve = {"outcome": "retest_normal"}
    assert post(client, f"{URL}/alerts/{alert.pk}/resolve", resolve).status_code == 404
    other.refresh_from_db()
    alert.refresh_from_db()
    assert other.status == EpisodeStatus.ACTIVE
    assert other.check_ins.count() == 1  # the alert's own reading only
    assert alert.status == AlertStatus.OPEN


def test_anonymous_callers_are_refused(client, district):
    episode = _episode(district.grid_a1)
    assert client.get(f"{URL}/episodes").status_code == 401
    assert client.get(f"{URL}/episodes/{episode.pk}").status_code == 401
    assert client.get(f"{URL}/alerts").status_code == 401
    response = post(client, f"{URL}/episodes/{episode.pk}/check-ins", {"temperature": 36.5})
    assert response.status_code == 401


def test_the_detail_shows_the_check_ins_in_short_and_the_chain(client, officer_a, district):
    key_person = _person(district.grid_a1)
    today = timezone.localdate()
    site = IsolationSiteFactory(unit=district.community_a)
    first = EpisodeFactory(
        key_person=key_person,
        kind=EpisodeKind.CENTRALIZED,
        site=site,
        start_date=today - datetime.timedelta(days=14),
        planned_end_date=today - datetime.timedelta(days=1),
        status=EpisodeStatus.ENDED,
        ended_on=today - datetime.timedelta(days=1),
        end_reason=EndReason.COMPLETED,
    )
    second = EpisodeFactory(key_person=key_person, kind=EpisodeKind.HOME_MONITORING, previous=first)
    now = timezone.now()
    CheckInFactory(episode=second, taken_at=now - datetime.timedelta(hours=2))
    last = CheckInFactory(episode=second, taken_at=now, temperature="36.8")
    client.force_login(officer_a)
    response = client.get(f"{URL}/episodes/{second.pk}")
    assert response.status_code == 200
    data = response.json()
    summary = data["check_in_summary"]
    assert summary["count"] == 2
    assert summary["last"]["id"] == last.pk
    assert summary["last"]["temperature"] == 36.8
    assert summary["open_alerts"] == 0
    assert [e["id"] for e in data["chain"]] == [first.pk, second.pk]
    assert data["chain"][0]["kind"] == "centralized"
    assert data["previous_id"] == first.pk
    assert data["room"] is None
    _no_full_numbers(response, second)
    chain_of_first = client.get(f"{URL}/episodes/{first.pk}").json()["chain"]
    assert [e["id"] for e in chain_of_first] == [first.pk, second.pk]


def test_the_detail_shows_the_current_room(client, officer_a, district):
    stay = stay_in(district.grid_a1)
    client.force_login(officer_a)
    room = client.get(f"{URL}/episodes/{stay.episode_id}").json()["room"]
    assert room["site_id"] == stay.room.site_id
    assert room["number"] == stay.room.number


def test_an_episode_is_started_extended_and_ended(client, officer_a, district):
    key_person = _person(district.grid_a1)
    client.force_login(officer_a)
    response = post(
        client,
        f"{URL}/episodes",
        {"key_person_id": key_person.pk, "kind": "home_isolation"},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    episode = Episode.objects.get(pk=data["id"])
    assert data["status"] == "active"
    assert data["start_date"] == timezone.localdate().isoformat()
    assert episode.key_person == key_person
    _no_full_numbers(response, episode)

    new_end = episode.planned_end_date + datetime.timedelta(days=7)
    response = post(
        client,
        f"{URL}/episodes/{episode.pk}/extend",
        {"new_end_date": new_end.isoformat(), "reason": "密接者复检阳性"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["planned_end_date"] == new_end.isoformat()
    assert EpisodeExtension.objects.filter(episode=episode, reason="密接者复检阳性").exists()

    response = post(client, f"{URL}/episodes/{episode.pk}/end", {"reason": "hospital"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ended"
    assert response.json()["end_reason"] == "hospital"


def test_starting_a_second_open_episode_is_refused_naming_the_key_person(
    client, officer_a, district
):
    episode = _episode(district.grid_a1)
    client.force_login(officer_a)
    response = post(
        client,
        f"{URL}/episodes",
        {"key_person_id": episode.key_person_id, "kind": "home_monitoring"},
    )
    assert response.status_code == 422
    assert "key_person_id" in _fields(response)
    assert Episode.objects.filter(key_person=episode.key_person).count() == 1


def test_starting_an_episode_for_a_person_of_another_community_is_not_found(
    client, officer_a, district
):
    key_person = _person(district.grid_b1)
    client.force_login(officer_a)
    response = post(
        client, f"{URL}/episodes", {"key_person_id": key_person.pk, "kind": "home_isolation"}
    )
    assert response.status_code == 404
    assert not Episode.objects.filter(key_person=key_person).exists()


def test_centralized_isolation_at_a_site_the_caller_cannot_use_is_refused(
    client, officer_a, district
):
    key_person = _person(district.grid_a1)
    site_b = IsolationSiteFactory(unit=district.community_b)
    client.force_login(officer_a)
    response = post(
        client,
        f"{URL}/episodes",
        {"key_person_id": key_person.pk, "kind": "centralized", "site_id": site_b.pk},
    )
    assert response.status_code == 422
    assert _fields(response) == {"site_id"}


def test_an_extension_without_a_reason_is_refused_naming_it(client, officer_a, district):
    episode = _episode(district.grid_a1)
    client.force_login(officer_a)
    new_end = episode.planned_end_date + datetime.timedelta(days=7)
    response = post(
        client,
        f"{URL}/episodes/{episode.pk}/extend",
        {"new_end_date": new_end.isoformat(), "reason": " "},
    )
    assert response.status_code == 422
    assert "reason" in _fields(response)


# ---------------------------------------------------------------------------- check-ins


def test_a_staff_check_in_is_stored_and_listed(client, officer_a, district):
    episode = _episode(district.grid_a1)
    client.force_login(officer_a)
    response = post(
        client,
        f"{URL}/episodes/{episode.pk}/check-ins",
        {"temperature": "36,6", "symptoms": ["cough"]},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["check_in"]["temperature"] == 36.6
    assert data["check_in"]["symptoms"] == ["cough"]
    assert data["check_in"]["source"] == CheckInSource.STAFF
    assert data["alert"] is None
    listed = client.get(f"{URL}/episodes/{episode.pk}/check-ins").json()["items"]
    assert [item["id"] for item in listed] == [data["check_in"]["id"]]


@pytest.mark.parametrize("temperature", ["3.0", 44.0, "三十七", "", 37.25])
def test_an_implausible_temperature_is_refused_naming_the_field(
    client, officer_a, district, temperature
):
    episode = _episode(district.grid_a1)
    client.force_login(officer_a)
    response = post(client, f"{URL}/episodes/{episode.pk}/check-ins", {"temperature": temperature})
    assert response.status_code == 422
    assert _fields(response) == {"temperature"}
    assert response.json()["detail"]
    assert not CheckIn.objects.filter(episode=episode).exists()


def test_an_unknown_symptom_is_refused(client, officer_a, district):
    episode = _episode(district.grid_a1)
    client.force_login(officer_a)
    response = post(
        client,
        f"{URL}/episodes/{episode.pk}/check-ins",
        {"temperature": 36.5, "symptoms": ["headache"]},
    )
    assert response.status_code == 422
    assert "symptoms" in json.dumps(response.json())
    assert not CheckIn.objects.filter(episode=episode).exists()


def test_a_check_in_on_an_ended_episode_is_refused(client, officer_a, district):
    episode = _episode(district.grid_a1)
    client.force_login(officer_a)
    assert post(client, f"{URL}/episodes/{episode.pk}/end", {"reason": "moved"}).status_code == 200
    response = post(client, f"{URL}/episodes/{episode.pk}/check-ins", {"temperature": 36.5})
    assert response.status_code == 422
    assert _fields(response) == {"episode_id"}
    assert not CheckIn.objects.filter(episode=episode).exists()


def test_a_fever_raises_an_alert_that_is_in_the_alerts_list(client, officer_a, district):
    episode = _episode(district.grid_a1)
    client.force_login(officer_a)
    response = post(client, f"{URL}/episodes/{episode.pk}/check-ins", {"temperature": 38.1})
    assert response.status_code == 201, response.content
    alert = response.json()["alert"]
    assert alert["kind"] == AlertKind.FEVER
    assert alert["status"] == AlertStatus.OPEN
    assert Alert.objects.get(pk=alert["id"]).check_in_id == response.json()["check_in"]["id"]

    listed = client.get(f"{URL}/alerts").json()["items"]
    assert [item["id"] for item in listed] == [alert["id"]]
    item = listed[0]
    assert item["check_in"]["temperature"] == 38.1
    assert item["name"] == episode.key_person.resident.name
    assert item["phone_masked"] == "139****5678"
    summary = client.get(f"{URL}/episodes/{episode.pk}").json()["check_in_summary"]
    assert summary["open_alerts"] == 1


def test_the_alerts_list_is_scoped_masked_and_filtered(client, officer_a, district):
    own = AlertFactory(episode=_episode(district.grid_a1))
    old = AlertFactory(
        episode=_episode(district.grid_a2),
        kind=AlertKind.MISSED_CHECK_IN,
        check_in=None,
        slot_at=timezone.now() - datetime.timedelta(days=2),
        raised_at=timezone.now() - datetime.timedelta(days=2),
    )
    other = AlertFactory(episode=_episode(district.grid_b1))
    client.force_login(officer_a)

    def ids(**query):
        response = client.get(f"{URL}/alerts", query)
        assert response.status_code == 200
        _no_full_numbers(response, own.episode, old.episode, other.episode)
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [own.pk, old.pk]
    assert ids(kind="missed_check_in") == [old.pk]
    assert ids(status="acknowledged") == []
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(since=since) == [own.pk]
    detail = client.get(f"{URL}/alerts/{old.pk}").json()
    assert detail["kind"] == "missed_check_in"
    assert detail["check_in"] is None


def test_an_alert_is_acknowledged_then_resolved(client, officer_a, district):
    alert = AlertFactory(episode=_episode(district.grid_a1))
    client.force_login(officer_a)
    response = post(client, f"{URL}/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == AlertStatus.ACKNOWLEDGED
    assert response.json()["acknowledged_at"]
    _no_full_numbers(response, alert.episode)

    response = post(client, f"{URL}/alerts/{alert.pk}/resolve", {"outcome": "retest_normal"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == AlertStatus.RESOLVED
    assert response.json()["outcome"] == "retest_normal"
    alert.refresh_from_db()
    assert alert.resolved_by == officer_a
    response = post(client, f"{URL}/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 422
    assert _fields(response) == {"status"}


def test_a_fever_clinic_transfer_needs_the_place(client, officer_a, district):
    alert = AlertFactory(episode=_episode(district.grid_a1))
    client.force_login(officer_a)
    url = f"{URL}/alerts/{alert.pk}/resolve"
    response = post(client, url, {"outcome": "fever_clinic"})
    assert response.status_code == 422
    assert "transfer_place" in _fields(response)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN

    transferred_at = timezone.now().isoformat()
    response = post(
        client,
        url,
        {
            "outcome": "fever_clinic",
            "transfer_place": "市中心医院发热门诊",
            "transferred_at": transferred_at,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "fever_clinic"
    assert response.json()["transfer_place"] == "市中心医院发热门诊"


def test_an_outcome_that_does_not_fit_the_alert_is_refused(client, officer_a, district):
    alert = AlertFactory(episode=_episode(district.grid_a1))
    client.force_login(officer_a)
    response = post(client, f"{URL}/alerts/{alert.pk}/resolve", {"outcome": "reported_late"})
    assert response.status_code == 422
    assert "outcome" in _fields(response)


# ---------------------------------------------------------------------------- self-report


def _link(officer, episode) -> str:
    """Issue a link the way staff do; the token is the link's last path segment."""
    _link_row, url = link_issue(acting_user=officer, episode=episode)
    return url.rstrip("/").rsplit("/", 1)[-1]


def _report(client, token, **body):
    body = {"temperature": "36.7", "form_nonce": str(uuid.uuid4()), **body}
    return post(client, f"{URL}/self-report/{token}", body)


def test_a_person_reports_through_their_link_without_logging_in(client, officer_a, district):
    episode = _episode(district.grid_a1)
    token = _link(officer_a, episode)
    response = _report(client, token, temperature="３７．１", symptoms=["sore_throat"])
    assert response.status_code == 201, response.content
    data = response.json()
    assert data == {
        "taken_at": data["taken_at"],
        "temperature": 37.1,
        "symptoms": ["sore_throat"],
        "created": True,
        "fever": False,
    }
    check_in = CheckIn.objects.get(episode=episode)
    assert check_in.source == CheckInSource.SELF_REPORT
    body = response.content.decode()
    assert episode.key_person.resident.name not in body
    _no_full_numbers(response, episode)


def test_a_fever_self_report_raises_an_alert(client, officer_a, district):
    episode = _episode(district.grid_a1)
    response = _report(client, _link(officer_a, episode), temperature=38.1)
    assert response.status_code == 201
    assert response.json()["fever"] is True
    assert Alert.objects.filter(episode=episode, kind=AlertKind.FEVER).count() == 1


def test_a_replayed_self_report_is_stored_once(client, officer_a, district):
    episode = _episode(district.grid_a1)
    token = _link(officer_a, episode)
    nonce = str(uuid.uuid4())
    first = _report(client, token, temperature="38.2", form_nonce=nonce)
    again = _report(client, token, temperature="38.2", form_nonce=nonce)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert CheckIn.objects.filter(episode=episode).count() == 1
    assert Alert.objects.filter(episode=episode).count() == 1


def test_a_self_report_without_a_usable_nonce_is_refused(client, officer_a, district):
    episode = _episode(district.grid_a1)
    response = _report(client, _link(officer_a, episode), form_nonce="x")
    assert response.status_code == 422
    assert _fields(response) == {"form_nonce"}


def test_a_bad_temperature_in_a_self_report_is_refused_naming_it(client, officer_a, district):
    episode = _episode(district.grid_a1)
    response = _report(client, _link(officer_a, episode), temperature="三十七")
    assert response.status_code == 422
    assert _fields(response) == {"temperature"}
    assert not CheckIn.objects.filter(episode=episode).exists()


def test_an_unknown_link_is_not_found(client, district):
    response = _report(client, "A" * 43)
    assert response.status_code == 404
    assert response.json()["detail"] == "This link is not valid."


def test_a_revoked_link_is_gone(client, officer_a, district):
    episode = _episode(district.grid_a1)
    token = _link(officer_a, episode)
    link_revoke(acting_user=officer_a, link=episode.links.get())
    response = _report(client, token)
    assert response.status_code == 410
    assert not CheckIn.objects.filter(episode=episode).exists()


def test_an_expired_link_is_gone(client, officer_a, district):
    episode = _episode(district.grid_a1)
    token = _link(officer_a, episode)
    today = timezone.localdate()
    Episode.objects.filter(pk=episode.pk).update(
        start_date=today - datetime.timedelta(days=15),
        planned_end_date=today - datetime.timedelta(days=1),
    )
    response = _report(client, token)
    assert response.status_code == 410
    assert response.json()["detail"] == "This link has expired."
    assert not CheckIn.objects.filter(episode=episode).exists()


def test_a_link_of_an_ended_episode_is_gone(client, officer_a, district):
    episode = _episode(district.grid_a1)
    token = _link(officer_a, episode)
    client.force_login(officer_a)
    assert (
        post(client, f"{URL}/episodes/{episode.pk}/end", {"reason": "completed"}).status_code == 200
    )
    client.logout()
    assert _report(client, token).status_code == 410


@pytest.mark.usefixtures("still_clock")
def test_self_reports_are_rate_limited_per_link(client, officer_a, district):
    episode = _episode(district.grid_a1)
    token = _link(officer_a, episode)
    statuses = [_report(client, token).status_code for _ in range(7)]
    assert statuses == [201] * 6 + [429]
    assert CheckIn.objects.filter(episode=episode).count() == 6
    assert _report(client, token)["Retry-After"] == "600"


@pytest.mark.usefixtures("still_clock")
def test_a_scan_of_guessed_links_is_rate_limited_without_stopping_honest_people(
    client, officer_a, district
):
    episode = _episode(district.grid_a1)
    token = _link(officer_a, episode)
    statuses = [_report(client, f"guess{n:040d}").status_code for n in range(31)]
    assert statuses == [404] * 30 + [429]
    # Someone else at the same hotel wifi (the same address) with a working link.
    assert _report(client, token).status_code == 201


# ---------------------------------------------------------------------------- OpenAPI


def test_the_openapi_document_lists_the_observation_routes(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/observation/episodes",
        "/api/v1/observation/episodes/{episode_id}",
        "/api/v1/observation/episodes/{episode_id}/check-ins",
        "/api/v1/observation/alerts",
        "/api/v1/observation/alerts/{alert_id}/resolve",
        "/api/v1/observation/self-report/{token}",
    ):
        assert path in paths
    # The self-report endpoint takes no session and no API token: the link is the credential.
    assert not paths["/api/v1/observation/self-report/{token}"]["post"].get("security")
