"""A person's page tells their story: the resident's and the key person's timeline shows
every kind of event the user may see, newest first, in China time, and nothing of another
community's records."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.dispatch.tests.factories import DispatchItemFactory, DispatchOrderFactory
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.services import key_person_status_change
from outpost.keypersons.tests.factories import (
    ContactEntryFactory,
    KeyPersonFactory,
    key_person_in,
)
from outpost.observation.tests.factories import AlertFactory, CheckInFactory, EpisodeFactory
from outpost.registry.choices import HealthStatus, Transport
from outpost.registry.tests.factories import (
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
)
from outpost.screening.choices import LinkStatus
from outpost.screening.tests.factories import ScreeningResultFactory, TravelDiscrepancyFactory

pytestmark = pytest.mark.usefixtures("english")

EVERY_KIND = (
    "registered",
    "visit",
    "feed_match",
    "discrepancy",
    "key_person_status",
    "contact",
    "dispatch",
    "episode",
    "alert",
)


@pytest.fixture
def story(district, officer_a):
    """A resident of grid A1 with one event of every kind, and a dispatch item about the
    same person that community B holds."""
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    VisitMemberFactory(
        visit=VisitFactory(
            household=resident.household,
            visited_at=datetime.datetime(2026, 3, 1, 17, 37, tzinfo=datetime.UTC),
        ),
        resident=resident,
        travelled=True,
        origin_place="湖北省武汉市",
        returned_on=datetime.date(2026, 2, 20),
        transport=Transport.TRAIN,
        health_status=HealthStatus.FEVER,
    )
    ScreeningResultFactory(resident=resident, status=LinkStatus.AUTO)
    TravelDiscrepancyFactory(resident=resident)
    key_person = KeyPersonFactory(resident=resident)
    key_person_status_change(
        acting_user=officer_a, key_person=key_person, status=KeyPersonStatus.UNDER_MANAGEMENT
    )
    ContactEntryFactory(key_person=key_person, worker=officer_a, note="已电话联系")
    DispatchItemFactory(unit=district.grid_a1, resident=resident, order__title="甲社区核查名单")
    DispatchItemFactory(
        unit=district.grid_b1,
        resident=resident,
        order=DispatchOrderFactory(unit=district.community_b, title="乙社区核查名单"),
    )
    episode = EpisodeFactory(key_person=key_person)
    now = timezone.now()
    for hours, temperature in ((30, "36.4"), (20, "36.8"), (10, "37.9")):
        CheckInFactory(
            episode=episode,
            taken_at=now - datetime.timedelta(hours=hours),
            temperature=Decimal(temperature),
        )
    AlertFactory(episode=episode)
    return resident, key_person


def _kinds(content: str) -> list[str]:
    return re.findall(r'data-kind="([a-z_]+)"', content)


def test_resident_page_shows_every_kind_of_event(client, officer_a, story):
    resident, _key_person = story
    client.force_login(officer_a)
    page = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    assert set(_kinds(page)) == set(EVERY_KIND)
    assert "湖北省武汉市" in page and "Fever" in page  # declared travel and health
    assert "已电话联系" in page
    assert 'class="temperature-chart"' in page and "<polyline" in page


def test_other_communitys_dispatch_item_is_not_in_the_story(client, officer_a, story):
    resident, _key_person = story
    client.force_login(officer_a)
    page = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    assert "甲社区核查名单" in page
    assert "乙社区核查名单" not in page
    assert _kinds(page).count("dispatch") == 1


def test_the_station_sees_both_communities_items(client, district, story):
    resident, _key_person = story
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    client.force_login(leader)
    page = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    assert "甲社区核查名单" in page and "乙社区核查名单" in page


def test_timeline_is_newest_first_in_china_time(client, officer_a, story):
    resident, _key_person = story
    client.force_login(officer_a)
    page = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    # The visit at 17:37 UTC is 01:37 the next morning in China.
    assert "2026-03-02 01:37" in page and "17:37" not in page
    times = re.findall(r'<time datetime="([^"]+)"', page)
    assert times == sorted(times, reverse=True)


def test_the_page_shows_no_full_number(client, officer_a, story):
    resident, _key_person = story
    client.force_login(officer_a)
    page = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    assert resident.id_number not in page
    assert resident.phone not in page


def test_key_person_page_tells_the_same_story(client, officer_a, story):
    _resident, key_person = story
    client.force_login(officer_a)
    page = client.get(reverse("keypersons:detail", args=[key_person.pk])).content.decode()
    assert {"visit", "contact", "dispatch", "episode", "alert"} <= set(_kinds(page))
    assert 'class="temperature-chart"' in page
    assert "乙社区核查名单" not in page


def test_a_grid_worker_sees_only_what_their_role_may_read(client, district, story):
    resident, _key_person = story
    worker = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_a1")
    client.force_login(worker)
    response = client.get(reverse("registry:resident_detail", args=[resident.pk]))
    assert response.status_code == 200
    for event in response.context["timeline"]:
        if event.url:
            assert client.get(event.url).status_code == 200, event.url


def test_a_person_with_no_records_reads_a_sentence(client, officer_a, district):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    client.force_login(officer_a)
    page = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    assert _kinds(page) == ["registered"]


def test_more_events_cost_no_more_queries(client, officer_a, story, django_assert_max_num_queries):
    """Each source reads its events in a fixed number of queries, however long the story."""
    resident, key_person = story
    client.force_login(officer_a)
    url = reverse("registry:resident_detail", args=[resident.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(5):
        ContactEntryFactory(key_person=key_person, worker=officer_a)
        VisitMemberFactory(visit=VisitFactory(household=resident.household), resident=resident)
        AlertFactory(episode=key_person.episodes.get())
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_a_role_without_dispatch_or_screening_sees_neither(client, district, story):
    """Medical staff read residents, key persons and observation, not dispatch orders nor
    screening: those events are left out of the story, the others shown."""
    resident, _key_person = story
    medic = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a, username="medic")
    client.force_login(medic)
    page = client.get(reverse("registry:resident_detail", args=[resident.pk])).content.decode()
    kinds = set(_kinds(page))
    assert {"visit", "episode", "alert", "contact"} <= kinds
    assert not kinds & {"dispatch", "feed_match", "discrepancy"}


def test_a_key_person_not_in_the_registry_has_their_own_story(client, officer_a, district):
    key_person = key_person_in(district.grid_a1)
    key_person.resident, key_person.name = None, "未登记人员"
    key_person.save()
    ContactEntryFactory(key_person=key_person, worker=officer_a)
    EpisodeFactory(key_person=key_person)
    client.force_login(officer_a)
    page = client.get(reverse("keypersons:detail", args=[key_person.pk])).content.decode()
    kinds = set(_kinds(page))
    assert {"key_person_status", "contact", "episode"} <= kinds
    assert not kinds & {"registered", "visit"}
