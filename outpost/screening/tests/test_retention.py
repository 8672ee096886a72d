"""Screening under retention: a feed goes with its rows and its raw file; a verified
discrepancy keeps its own copy of the feed's side until its own period ends."""

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from outpost.core.retention.services import retention_purge
from outpost.screening.choices import DiscrepancyStatus, FeedStatus
from outpost.screening.models import Feed, FeedRow, TravelDiscrepancy
from outpost.screening.tests.factories import (
    FeedFactory,
    FeedRowFactory,
    TravelDiscrepancyFactory,
)


def _feed_uploaded(unit, *, days_ago: int, status=FeedStatus.PARSED) -> Feed:
    feed = FeedFactory(unit=unit, status=status)
    feed.file.save("passengers.csv", ContentFile("姓名,身份证号\n".encode()), save=True)
    Feed.objects.filter(pk=feed.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    FeedRowFactory.create_batch(3, feed=feed)
    return feed


def test_a_feed_is_deleted_with_its_rows_and_raw_file(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = _feed_uploaded(district.community_a, days_ago=91)
    recent = _feed_uploaded(district.community_a, days_ago=89)
    row = old.rows.first()
    discrepancy = TravelDiscrepancyFactory(feed_row=row, feed_name=old.original_name)
    name = old.file.name

    summary = retention_purge()

    assert not Feed.objects.filter(pk=old.pk).exists()
    assert not FeedRow.objects.filter(feed_id=old.pk).exists()
    assert not default_storage.exists(name)
    assert not Feed.history.filter(id=old.pk).exists()
    assert default_storage.exists(recent.file.name) and recent.rows.count() == 3
    assert summary.counts["screening.feed"]["count"] == 1
    discrepancy.refresh_from_db()
    assert discrepancy.feed_row_id is None and discrepancy.feed_origin == "湖北省武汉市"


def test_a_feed_still_being_read_is_not_deleted(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    feed = _feed_uploaded(district.community_a, days_ago=200, status=FeedStatus.PARSING)
    retention_purge()
    assert Feed.objects.filter(pk=feed.pk).exists()


def test_a_verified_discrepancy_goes_after_its_period(district, admin_user):
    old = TravelDiscrepancyFactory(
        status=DiscrepancyStatus.CONCEALED,
        resolution_note="本人承认",
        resolved_at=timezone.now() - datetime.timedelta(days=181),
        resolved_by=admin_user,
    )
    open_one = TravelDiscrepancyFactory()
    TravelDiscrepancy.objects.filter(pk=open_one.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    retention_purge()
    assert not TravelDiscrepancy.objects.filter(pk=old.pk).exists()
    assert TravelDiscrepancy.objects.filter(pk=open_one.pk).exists()


def test_feed_page_says_when_it_is_deleted(client, district, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    feed = _feed_uploaded(district.community_a, days_ago=10)
    client.force_login(admin_user)
    page = client.get(reverse("screening:feed_detail", args=[feed.pk])).content.decode()
    feed.refresh_from_db()
    due = timezone.localdate(feed.uploaded_at) + datetime.timedelta(days=90)
    assert due.isoformat() in page
