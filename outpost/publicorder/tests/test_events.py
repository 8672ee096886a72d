"""Large events and their cancellation, with the organiser and the confirming officer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from outpost.publicorder.choices import EventStatus
from outpost.publicorder.models import LargeEvent
from outpost.publicorder.services import event_cancel, event_create

pytestmark = pytest.mark.django_db


def test_an_event_is_cancelled_once_with_the_day_and_the_confirming_officer(district, officer_a):
    event = event_create(
        acting_user=officer_a,
        unit=district.grid_a1,
        name="元宵节灯会",
        planned_on=timezone.localdate() + datetime.timedelta(days=10),
        organiser="区文化旅游中心",
        organiser_phone="13812345678",
    )
    today = timezone.localdate()
    event_cancel(acting_user=officer_a, event=event, cancelled_on=today, note="主办方同意")
    event.refresh_from_db()
    assert (event.status, event.cancelled_on, event.confirmed_by) == (
        EventStatus.CANCELLED,
        today,
        officer_a,
    )
    assert event.masked_phone == "138****5678"
    with translation.override("en"), pytest.raises(ValidationError):
        event_cancel(acting_user=officer_a, event=event, cancelled_on=today)


def test_a_cancellation_dated_tomorrow_is_refused_naming_the_day(district, officer_a, client):
    event = event_create(
        acting_user=officer_a,
        unit=district.grid_a1,
        name="春季庙会",
        planned_on=timezone.localdate() + datetime.timedelta(days=10),
        organiser="街道文化站",
    )
    client.force_login(officer_a)
    url = reverse("publicorder:event_cancel", args=[event.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(url, {"cancelled_on": tomorrow.isoformat()})
    assert response.status_code == 422
    assert "cancelled_on" in response.context["form"].errors
    assert LargeEvent.objects.get().status == EventStatus.PLANNED
    listing = client.get(reverse("publicorder:event_list"))
    assert [e.pk for e in listing.context["object_list"]] == [event.pk]
