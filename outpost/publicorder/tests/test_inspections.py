"""Inspections: each check of the venue's kind passed or failed, notes and photos (EXIF
location removed unless kept; not a picture or too large refused); a failed check makes a
follow-up for that check only, due in three days, on the officer's to-do list."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from outpost.core.shell import todo_lines
from outpost.publicorder.choices import InspectionStatus
from outpost.publicorder.models import ChecklistItem, Inspection, InspectionPhoto, InspectionResult
from outpost.publicorder.services import inspection_record
from outpost.publicorder.tests.factories import jpeg_bytes, venue_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def venue(district):
    return venue_in(district.grid_a1, kind_code="arcade")


def _checks(venue):
    return list(ChecklistItem.objects.filter(kind=venue.kind, is_active=True))


def test_a_failed_check_makes_a_follow_up_for_that_check_only_on_the_officers_to_do(
    venue, officer_a
):
    checks = _checks(venue)
    failed = checks[1]
    results = {item.pk: (item != failed, "门未上锁" if item == failed else "") for item in checks}
    inspection = inspection_record(
        acting_user=officer_a, venue=venue, results=results, notes="夜查"
    )
    assert InspectionResult.objects.filter(inspection=inspection).count() == len(checks)
    follow_up = Inspection.objects.get(follow_up_of=inspection)
    assert follow_up.item == failed
    assert follow_up.status == InspectionStatus.DUE
    assert follow_up.due_on == timezone.localdate() + datetime.timedelta(days=3)
    assert follow_up.officer == officer_a
    with translation.override("en"):
        lines = todo_lines(user=officer_a, roles=["police_officer"])
    line = next(line for line in lines if line.label == "Follow-up inspections")
    assert line.count == 1
    assert line.url == reverse("publicorder:follow_ups") + "?mine=1"


def test_the_follow_up_records_its_one_check_and_leaves_the_to_do(venue, officer_a, client):
    checks = _checks(venue)
    results = {item.pk: (item != checks[0], "") for item in checks}
    inspection = inspection_record(acting_user=officer_a, venue=venue, results=results)
    follow_up = Inspection.objects.get(follow_up_of=inspection)
    client.force_login(officer_a)
    listed = client.get(reverse("publicorder:follow_ups"), {"mine": "1"})
    assert [row.pk for row in listed.context["object_list"]] == [follow_up.pk]
    url = reverse("publicorder:follow_up", args=[follow_up.pk])
    form = client.get(url)
    assert list(form.context["form"].checks) == [checks[0]]
    response = client.post(url, {f"check_{checks[0].pk}": "1", "notes": "已整改"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == InspectionStatus.DONE
    assert list(follow_up.results.values_list("item", "passed")) == [(checks[0].pk, True)]
    assert not Inspection.objects.filter(status=InspectionStatus.DUE).exists()
    assert client.get(url).context["done_already"]


def test_a_check_left_unanswered_is_named_and_nothing_is_written(venue, officer_a, client):
    checks = _checks(venue)
    client.force_login(officer_a)
    data = {f"check_{item.pk}": "1" for item in checks[1:]}
    response = client.post(reverse("publicorder:inspection_new", args=[venue.pk]), data)
    assert response.status_code == 422
    assert f"check_{checks[0].pk}" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_the_photos_location_is_removed_and_the_rest_of_its_exif_kept(venue, officer_a):
    checks = _checks(venue)
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")
    with Image.open(io.BytesIO(jpeg_bytes(gps=True))) as original:
        assert 0x8825 in original.getexif()
    inspection = inspection_record(
        acting_user=officer_a,
        venue=venue,
        results={item.pk: (True, "") for item in checks},
        photos=[photo],
    )
    stored = InspectionPhoto.objects.get(inspection=inspection)
    with stored.image.open("rb") as handle, Image.open(handle) as image:
        exif = image.getexif()
    assert 0x8825 not in exif
    assert exif[0x010F] == "TestCam"


def test_the_deployment_may_keep_the_photos_location(venue, officer_a, settings):
    settings.OUTPOST_PHOTO_KEEP_LOCATION = True
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")
    inspection = inspection_record(
        acting_user=officer_a,
        venue=venue,
        results={item.pk: (True, "") for item in _checks(venue)},
        photos=[photo],
    )
    stored = InspectionPhoto.objects.get(inspection=inspection)
    with stored.image.open("rb") as handle, Image.open(handle) as image:
        assert 0x8825 in image.getexif()


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"%PDF-1.4 not a picture", "scan.jpg"), (b"", "empty.jpg")],
)
def test_a_file_that_is_no_photo_is_refused_and_nothing_is_written(venue, officer_a, content, name):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        inspection_record(
            acting_user=officer_a,
            venue=venue,
            results={item.pk: (False, "") for item in _checks(venue)},
            photos=[upload],
        )
    assert "photos" in caught.value.message_dict
    assert not Inspection.objects.exists() and not InspectionPhoto.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(venue, officer_a, settings):
    settings.OUTPOST_PHOTO_MAX_MB = 0
    upload = SimpleUploadedFile("big.jpg", jpeg_bytes(), content_type="image/jpeg")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        inspection_record(
            acting_user=officer_a,
            venue=venue,
            results={item.pk: (True, "") for item in _checks(venue)},
            photos=[upload],
        )
    assert "larger than" in str(caught.value.message_dict["photos"])


def test_the_photo_is_served_to_whoever_sees_the_inspection_only(
    venue, officer_a, client, district
):
    from outpost.core.choices import Role
    from outpost.core.tests.factories import staff_user

    upload = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    inspection = inspection_record(
        acting_user=officer_a,
        venue=venue,
        results={item.pk: (True, "") for item in _checks(venue)},
        photos=[upload],
    )
    photo = InspectionPhoto.objects.get(inspection=inspection)
    client.force_login(officer_a)
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    neighbour = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="b")
    client.force_login(neighbour)
    assert client.get(photo.get_absolute_url()).status_code == 404
