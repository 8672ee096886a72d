"""The self-report link (issue 6): issued by SMS, a one-page public form showing only the
person's own form, replays stored once, dead links refused, floods rate-limited without
shutting out people who share one address."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outpost.keypersons.tests.factories import key_person_with_team_in
from outpost.notify.models import InboxMessage, OutboundMessage
from outpost.observation.choices import AlertKind, CheckInSource, EndReason, EpisodeStatus
from outpost.observation.models import Alert, CheckIn
from outpost.observation.services.links import link_issue, link_revoke
from outpost.observation.tests.factories import EpisodeFactory, episode_in
from outpost.observation.views.selfreport import BAD_LINKS_PER_ADDRESS, PER_LINK

NONCE = re.compile(r'name="form_nonce" value="([^"]+)"')


@pytest.fixture
def episode(district, officer_a):
    """Home isolation of a resident of grid A1 whose team has community A's officer."""
    return EpisodeFactory(key_person=key_person_with_team_in(district.grid_a1))


def issue(episode, officer):
    _link, url = link_issue(acting_user=officer, episode=episode)
    return url.removeprefix(settings.OUTPOST_BASE_URL)


@pytest.fixture
def path(episode, officer_a):
    return issue(episode, officer_a)


def form_nonce(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return NONCE.search(response.content.decode()).group(1)


def send(client, path, temperature="36.6", symptoms=(), nonce=None, **extra):
    nonce = nonce or form_nonce(client, path)
    data = {"temperature": temperature, "symptoms": list(symptoms), "form_nonce": nonce}
    return client.post(path, data, **extra)


def test_link_is_sent_to_the_persons_phone_and_only_its_hash_is_stored(episode, officer_a):
    link, url = link_issue(acting_user=officer_a, episode=episode)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url == f"{settings.OUTPOST_BASE_URL}/observation/r/{token}/"
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    message = OutboundMessage.objects.get()
    assert message.address == episode.key_person.resident.phone
    assert link.sent_to == episode.key_person.resident.masked_phone
    assert url in message.body
    assert link.expires_at == timezone.make_aware(
        datetime.datetime.combine(
            episode.planned_end_date + datetime.timedelta(days=1), datetime.time.min
        )
    )


def test_link_is_issued_only_within_the_officers_scope(district, episode):
    from django.core.exceptions import PermissionDenied

    from outpost.core.choices import Role
    from outpost.core.tests.factories import staff_user

    outsider = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="b")
    with pytest.raises(PermissionDenied):
        link_issue(acting_user=outsider, episode=episode)
    assert OutboundMessage.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_form_shows_only_the_persons_own_masked_name_and_day(client, district, episode, path):
    neighbour = episode_in(district.grid_a1)
    resident = episode.key_person.resident
    html = client.get(path).content.decode()
    assert resident.name[0] + "*" * (len(resident.name) - 1) in html
    assert "Day 1 of 14" in html
    assert 'inputmode="decimal"' in html
    for secret in (
        resident.name,
        resident.phone,
        resident.id_number,
        neighbour.key_person.resident.name,
    ):
        assert secret not in html
    assert settings.CSRF_COOKIE_NAME in client.cookies


@pytest.mark.usefixtures("english")
def test_fever_report_is_stored_as_self_reported_and_alerts_the_team(client, episode, path):
    response = send(client, path, temperature="38.1", symptoms=["cough"])
    assert response.status_code == 200
    assert "Thank you, your report is recorded." in response.content.decode()
    assert "38.1 °C" in response.content.decode()
    check_in = CheckIn.objects.get()
    assert (check_in.source, str(check_in.temperature), check_in.symptoms) == (
        CheckInSource.SELF_REPORT,
        "38.1",
        ["cough"],
    )
    assert Alert.objects.filter(check_in=check_in, kind=AlertKind.FEVER).exists()
    officer = episode.key_person.team.get().worker
    assert InboxMessage.objects.filter(recipient=officer).exists()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("typed", ["三十七", "3.0", "44.0"])
def test_implausible_temperature_reshows_the_form_with_the_error(client, path, typed):
    nonce = form_nonce(client, path)
    response = send(client, path, temperature=typed, nonce=nonce)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    assert "34.0" in html and "43.0" in html
    assert f'value="{nonce}"' in html  # the corrected form is still the same one
    assert CheckIn.objects.count() == 0


def test_replayed_form_returns_the_same_thanks_and_stores_once(client, path):
    nonce = form_nonce(client, path)
    first = send(client, path, temperature="36.8", nonce=nonce)
    again = send(client, path, temperature="39.0", nonce=nonce)
    assert first.status_code == again.status_code == 200
    assert "36.8 °C" in again.content.decode()
    assert CheckIn.objects.count() == 1


def test_form_without_its_one_time_number_stores_nothing(client, path):
    response = client.post(path, {"temperature": "36.6", "form_nonce": ""})
    assert response.status_code == 200
    assert CheckIn.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_a_new_link_revokes_the_old_one(client, episode, officer_a, path):
    newer = issue(episode, officer_a)
    response = send(client, path, nonce="x" * 22)
    assert response.status_code == 410
    assert "This link has been replaced." in response.content.decode()
    assert client.get(newer).status_code == 200
    assert CheckIn.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_revoked_link_is_refused(client, episode, officer_a, path):
    link_revoke(acting_user=officer_a, link=episode.links.get())
    response = client.get(path)
    assert response.status_code == 410


@pytest.mark.usefixtures("english")
def test_revoked_link_says_revoked_not_replaced(client, episode, officer_a, path):
    link_revoke(acting_user=officer_a, link=episode.links.get())
    content = client.get(path).content.decode()
    assert "This link has been revoked." in content
    assert "replaced" not in content


@pytest.mark.usefixtures("english")
def test_link_expires_with_the_episode_and_follows_an_extension(client, episode, path):
    today = timezone.localdate()
    episode.start_date = today - datetime.timedelta(days=14)
    episode.planned_end_date = today - datetime.timedelta(days=1)
    episode.save()
    response = send(client, path, nonce="y" * 22)
    assert response.status_code == 410
    assert "This link has expired." in response.content.decode()
    assert CheckIn.objects.count() == 0
    episode.planned_end_date = today + datetime.timedelta(days=3)
    episode.save()
    assert client.get(path).status_code == 200


@pytest.mark.usefixtures("english")
def test_closed_episode_link_is_refused(client, episode, path):
    episode.status = EpisodeStatus.ENDED
    episode.ended_on = timezone.localdate()
    episode.end_reason = EndReason.HOSPITAL
    episode.save()
    response = send(client, path, nonce="z" * 22)
    assert response.status_code == 410
    assert "Your observation has ended." in response.content.decode()
    assert CheckIn.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_unknown_link_is_not_found(client, district):
    response = client.get(reverse("observation:self_report", args=["no-such-token"]))
    assert response.status_code == 404
    assert "This link is not valid." in response.content.decode()


@pytest.mark.usefixtures("english", "still_clock")
def test_a_flood_from_one_address_is_refused_but_a_neighbour_still_reports(
    client, district, officer_a, path
):
    """1,000 reports in a minute through one link: at most the link's limit is stored; a
    neighbour behind the same hotel wifi address still gets through."""
    statuses = [send(client, path, nonce=f"flood{i:017d}").status_code for i in range(1000)]
    assert statuses.count(429) == 1000 - PER_LINK.hits
    assert CheckIn.objects.count() == PER_LINK.hits
    refused = send(client, path, nonce="after" * 5)
    assert "Too many reports in a short time" in refused.content.decode()
    assert refused["Retry-After"] == str(PER_LINK.seconds)

    neighbour = issue(episode_in(district.grid_a1), officer_a)
    assert send(client, neighbour, nonce="n" * 22).status_code == 200
    assert CheckIn.objects.count() == PER_LINK.hits + 1


@pytest.mark.usefixtures("still_clock")
def test_guessed_links_from_one_address_are_refused_after_the_limit(client, path):
    guesses = [
        client.get(reverse("observation:self_report", args=[f"guess{i}"])).status_code
        for i in range(BAD_LINKS_PER_ADDRESS.hits + 5)
    ]
    assert guesses == [404] * BAD_LINKS_PER_ADDRESS.hits + [429] * 5
    # The person with a real link behind the same address is not shut out…
    assert send(client, path).status_code == 200
    # …and another address is not punished for the scan.
    other = client.get(reverse("observation:self_report", args=["guess0"]), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 404


def test_csrf_protection_stays_on(path):
    browser = Client(enforce_csrf_checks=True)
    nonce = form_nonce(browser, path)
    assert (
        Client(enforce_csrf_checks=True)
        .post(path, {"temperature": "36.6", "form_nonce": nonce})
        .status_code
        == 403
    )
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(
        path, {"temperature": "36.6", "form_nonce": nonce, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert CheckIn.objects.count() == 1


@pytest.mark.usefixtures("still_clock")
def test_reports_refused_for_their_form_count_against_the_links_limit(client, path):
    """Typos are counted like reports: a script sending garbage through a leaked link is
    held to the same limit, and nothing of it is stored."""
    typos = [send(client, path, temperature="三十七").status_code for _ in range(PER_LINK.hits)]
    assert typos == [200] * PER_LINK.hits  # the form again, with the error
    assert send(client, path).status_code == 429
    assert CheckIn.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("still_clock")
def test_the_form_is_one_query_and_a_report_one_short_write_transaction(path):
    """The morning burst: every phone GETs the form and POSTs it. The form reads the link
    once; the report's count and check-in are written in one transaction, which on SQLite
    holds the database's one write lock, so the reads come before it."""
    client = Client()
    send(client, path)  # opens the link's rate-limit window
    with CaptureQueriesContext(connection) as form:
        nonce = form_nonce(client, path)
    with CaptureQueriesContext(connection) as report:
        response = send(client, path, nonce=nonce)

    assert "sr-done" in response.content.decode()
    assert len(form) == 1
    sql = [query["sql"].split(" ", 1)[0] for query in report.captured_queries]
    assert len(sql) <= 16
    if connection.vendor == "sqlite":
        assert sql.count("BEGIN") == 1
        begin, commit = sql.index("BEGIN"), sql.index("COMMIT")
        writes = [i for i, verb in enumerate(sql) if verb in {"INSERT", "UPDATE", "DELETE"}]
        assert begin < writes[0] and writes[-1] < commit
        # Inside: the count, the episode's lock, the check-in and its history, the
        # missed-check-in alert it may settle, and their savepoints; nothing else.
        assert commit - begin <= 11
