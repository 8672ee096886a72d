"""Risk designations say whether they are in force today (China time); a screening whose
feeds' arrival dates no designation in force covers says so before it starts and on its
results page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.screening.models import OriginCategory, RiskDesignation
from outpost.screening.tests.factories import FeedFactory, FeedRowFactory, ScreeningRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DAY = datetime.timedelta(days=1)


@pytest.fixture
def station_officer(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="officer_s")


def _designation(start, end):
    return RiskDesignation.objects.create(
        region=None,
        level="low",
        start_date=start,
        end_date=end,
        category=OriginCategory.objects.get(code="elsewhere"),
    )


def _feed(district, *arrivals, name):
    feed = FeedFactory(unit=district.station, original_name=name)
    for arrival in arrivals:
        FeedRowFactory(feed=feed, arrival_date=arrival)
    return feed


def test_the_designation_list_says_which_are_in_force(client, station_officer):
    RiskDesignation.objects.all().delete()
    today = timezone.localdate()
    _designation(today - 10 * DAY, today + 10 * DAY)
    _designation(today - 40 * DAY, today - 20 * DAY)
    client.force_login(station_officer)
    content = client.get(reverse("screening:designation_list")).content.decode()
    assert content.count('data-testid="in-force"') == 1
    assert "No longer in force" in content


def test_the_start_page_names_feeds_outside_every_designation_in_force(
    client, district, station_officer
):
    RiskDesignation.objects.all().delete()
    today = timezone.localdate()
    _designation(today - 14 * DAY, today + 14 * DAY)
    _feed(district, today - 3 * DAY, name="本周铁路名单.csv")
    _feed(district, datetime.date(2020, 1, 20), datetime.date(2020, 1, 22), name="旧名单.csv")
    client.force_login(station_officer)

    response = client.get(reverse("screening:run_start"))

    assert [item.feed.original_name for item in response.context["outside"]] == ["旧名单.csv"]
    assert "旧名单.csv · 2020-01-20 – 2020-01-22" in response.content.decode()


def test_without_any_designation_in_force_every_feed_is_named(client, district, station_officer):
    RiskDesignation.objects.all().delete()
    _feed(district, timezone.localdate(), name="今天.csv")
    client.force_login(station_officer)
    response = client.get(reverse("screening:run_start"))
    assert [item.feed.original_name for item in response.context["outside"]] == ["今天.csv"]


def test_the_run_page_says_its_feeds_were_outside_the_designations_in_force(
    client, district, station_officer
):
    RiskDesignation.objects.all().delete()
    today = timezone.localdate()
    _designation(today - 14 * DAY, today + 14 * DAY)
    old = _feed(district, datetime.date(2020, 1, 20), name="旧名单.csv")
    current = _feed(district, today - DAY, name="本周铁路名单.csv")
    run = ScreeningRunFactory(unit=district.station, created_by=station_officer)
    run.feeds.set([old, current])
    client.force_login(station_officer)

    response = client.get(run.get_absolute_url())

    assert [item.feed for item in response.context["outside"]] == [old]
    assert 'data-testid="feeds-outside"' in response.content.decode()
