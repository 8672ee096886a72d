"""Idle dormitory rooms (闲置宿舍协调): offers, requests, matching, booking bed-nights (a
double booking refused by the database), ending stays, the liaison's scope, the API."""

import datetime
import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.models import AccessLog
from outpost.core.shell import todo_lines
from outpost.core.tests.factories import staff_user
from outpost.enterprises.choices_dormitories import DormitoryRequestStatus, StayEnd
from outpost.enterprises.models import (
    DormitoryNight,
    DormitoryOffer,
    DormitoryRequest,
    DormitoryStay,
)
from outpost.enterprises.services_dormitories import stay_book, stay_end
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.enterprises.tests.factories_dormitories import (
    DormitoryRequestFactory,
    offer_with_rooms,
    stay_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1/enterprises/dormitories"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def world(district):
    """Enterprise A1 (grid A1) and A2 (grid A2) in community A, B in community B; an offer of
    A2 with rooms 101 (1 bed) and 202 (2 beds) for 30 nights; a waiting request of A1."""
    a1 = EnterpriseFactory(unit=district.grid_a1, name="甲一公司")
    a2 = EnterpriseFactory(unit=district.grid_a2, name="甲二公司")
    b = EnterpriseFactory(unit=district.grid_b1, name="乙公司")
    offer = offer_with_rooms(a2, beds=(1, 2), address="甲二宿舍")
    request = DormitoryRequestFactory(enterprise=a1, name="张三", nights=3)
    return {"a1": a1, "a2": a2, "b": b, "offer": offer, "request": request}


def room(offer, label):
    return offer.rooms.get(label=label)


# ---------------------------------------------------------------------------- offers


def test_a_liaison_offers_rooms_and_sees_the_occupancy_grid(client, world):
    liaison = liaison_of(world["a1"])
    client.force_login(liaison)
    response = client.post(
        reverse("dormitories:offer_new"),
        {
            "enterprise": world["a1"].pk,
            "address": "甲一宿舍",
            "available_from": days(0),
            "available_until": days(20),
            "rooms": "101 4\n102：2",
        },
    )
    offer = DormitoryOffer.objects.get(address="甲一宿舍")
    assert response.status_code == 302
    assert [(r.label, r.beds) for r in offer.rooms.order_by("label")] == [("101", 4), ("102", 2)]
    page = client.get(offer.get_absolute_url()).content.decode()
    assert page.count('class="occupancy-cell occupancy-free" title=') == 2 * 14
    assert "0/4" in page
    assert timezone.localdate().strftime("%-m/%-d") in page


def test_an_offer_whose_last_night_is_before_its_first_is_refused_naming_the_field(
    client, officer_a, world
):
    client.force_login(officer_a)
    response = client.post(
        reverse("dormitories:offer_new"),
        {
            "enterprise": world["a1"].pk,
            "address": "坏宿舍",
            "available_from": days(5),
            "available_until": days(2),
            "rooms": "101 2",
        },
    )
    assert response.status_code == 422
    assert "Last night: The last night" in response.content.decode()
    assert not DormitoryOffer.objects.filter(address="坏宿舍").exists()


def test_a_room_line_without_beds_is_refused_naming_the_line(client, officer_a, world):
    client.force_login(officer_a)
    response = client.post(
        reverse("dormitories:offer_new"),
        {
            "enterprise": world["a1"].pk,
            "address": "坏宿舍",
            "available_from": days(0),
            "available_until": days(2),
            "rooms": "101 2\n大房间",
        },
    )
    assert response.status_code == 422
    assert "Line 2" in response.content.decode()
    assert not DormitoryOffer.objects.filter(address="坏宿舍").exists()


# ---------------------------------------------------------------------------- matching, booking


def test_the_match_page_lists_rooms_with_a_bed_free_every_night_nearest_first(
    client, officer_a, world
):
    near = offer_with_rooms(world["a1"], beds=(1,), address="近处宿舍")
    # Room 101 of A2 is full on the request's second night.
    other = DormitoryRequestFactory(enterprise=world["a2"], arriving_on=days(1), nights=1)
    stay_in(room(world["offer"], "101"), other)
    client.force_login(officer_a)
    page = client.get(reverse("dormitories:request_match", args=[world["request"].pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert content.index("近处宿舍") < content.index("甲二宿舍")  # same grid first
    rooms = [m.room.label for m in page.context["matches"]]
    assert rooms == ["101", "202"]  # near's 101, then A2's 202; A2's full 101 is left out
    assert page.context["matches"][0].offer == near


def test_booking_takes_one_bed_night_per_night_and_houses_the_request(client, officer_a, world):
    target = room(world["offer"], "202")
    client.force_login(officer_a)
    response = client.post(
        reverse("dormitories:request_match", args=[world["request"].pk]), {"room": target.pk}
    )
    assert response.status_code == 302
    stay = DormitoryStay.objects.get(request=world["request"])
    assert (stay.room, stay.bed) == (target, 1)
    assert list(stay.nights.values_list("night", flat=True)) == [days(0), days(1), days(2)]
    world["request"].refresh_from_db()
    assert world["request"].status == DormitoryRequestStatus.HOUSED


def test_a_double_booking_is_refused_by_the_database(world):
    stay = stay_in(room(world["offer"], "101"), world["request"])
    with pytest.raises(IntegrityError), transaction.atomic():
        DormitoryNight.objects.create(room=stay.room, bed=1, night=days(1), stay=stay)


def test_a_double_booking_is_a_form_error_naming_the_room_and_the_night(client, officer_a, world):
    single = room(world["offer"], "202")
    first = DormitoryRequestFactory(enterprise=world["a2"], arriving_on=days(2), nights=2)
    stay_in(single, first, bed=2)
    client.force_login(officer_a)
    response = client.post(
        reverse("dormitories:request_match", args=[world["request"].pk]),
        {"room": single.pk, "bed": 2},
    )
    assert response.status_code == 422
    assert (
        f"Room 202, bed 2 is already booked for the night of {days(2):%Y-%m-%d}."
        in response.content.decode()
    )
    assert not DormitoryStay.objects.filter(request=world["request"]).exists()
    world["request"].refresh_from_db()
    assert world["request"].status == DormitoryRequestStatus.WAITING


def test_booking_beyond_the_offers_dates_is_refused(officer_a, world):
    late = DormitoryRequestFactory(enterprise=world["a1"], arriving_on=days(28), nights=5)
    with pytest.raises(Exception) as refused:
        stay_book(acting_user=officer_a, request=late, room=room(world["offer"], "202"))
    assert "goes beyond the offer of room 202" in str(refused.value)
    assert not DormitoryNight.objects.exists()


def test_a_full_room_is_refused_naming_the_night(officer_a, world):
    single = room(world["offer"], "101")
    stay_in(single, DormitoryRequestFactory(enterprise=world["a2"], arriving_on=days(2), nights=1))
    with pytest.raises(Exception) as refused:
        stay_book(acting_user=officer_a, request=world["request"], room=single)
    assert f"Room 101 has no bed free on the night of {days(2):%Y-%m-%d}." in str(refused.value)


# ---------------------------------------------------------------------------- ending a stay


def test_checking_out_frees_the_nights_from_the_leaving_day(officer_a, world):
    request = DormitoryRequestFactory(enterprise=world["a1"], arriving_on=days(-2), nights=5)
    stay = stay_in(room(world["offer"], "101"), request)
    stay_end(acting_user=officer_a, stay=stay, on=days(0))
    assert list(stay.nights.values_list("night", flat=True)) == [days(-2), days(-1)]
    stay.refresh_from_db()
    request.refresh_from_db()
    assert (stay.end, request.status, request.closed_on) == (
        StayEnd.CHECKED_OUT,
        DormitoryRequestStatus.ENDED,
        days(0),
    )
    # The freed bed can be booked again for tonight.
    again = DormitoryRequestFactory(enterprise=world["a1"], arriving_on=days(0), nights=2)
    assert stay_book(acting_user=officer_a, request=again, room=stay.room).bed == 1


def test_cancelling_before_the_first_night_puts_the_request_back_to_waiting(
    client, officer_a, world
):
    stay = stay_in(room(world["offer"], "101"), world["request"])
    client.force_login(officer_a)
    response = client.post(reverse("dormitories:stay_end", args=[stay.pk]), {"on": days(0)})
    assert response.status_code == 302
    assert not stay.nights.exists()
    world["request"].refresh_from_db()
    assert world["request"].status == DormitoryRequestStatus.WAITING


# ---------------------------------------------------------------------------- requests


def test_a_request_with_a_bad_phone_is_refused_naming_the_field(client, world):
    client.force_login(liaison_of(world["a1"]))
    response = client.post(
        reverse("dormitories:request_new"),
        {
            "enterprise": world["a1"].pk,
            "name": "李四",
            "phone": "12",
            "arriving_on": days(1),
            "nights": 3,
        },
    )
    assert response.status_code == 422
    assert "Phone: " in response.content.decode()
    assert not DormitoryRequest.objects.filter(name="李四").exists()


def test_the_phone_is_masked_and_revealed_with_a_purpose_and_logged(client, officer_a, world):
    client.force_login(officer_a)
    page = client.get(world["request"].get_absolute_url()).content.decode()
    assert world["request"].phone not in page
    assert world["request"].masked_phone in page
    revealed = client.post(
        reverse("dormitories:request_reveal", args=[world["request"].pk]),
        {"purpose": "phone_contact"},
    )
    assert world["request"].phone in revealed.content.decode()
    assert AccessLog.objects.filter(object_id=str(world["request"].pk)).count() == 1


# ---------------------------------------------------------------------------- scope


def test_a_liaison_of_another_enterprise_gets_404_on_an_offer(client, world):
    client.force_login(liaison_of(world["b"]))
    offer = world["offer"]
    assert client.get(offer.get_absolute_url()).status_code == 404
    assert client.get(reverse("dormitories:room_new", args=[offer.pk])).status_code == 404
    response = client.post(reverse("dormitories:offer_withdraw", args=[offer.pk]))
    assert response.status_code == 404
    answer = client.post(
        f"{API}/offers/{offer.pk}/rooms",
        json.dumps({"label": "999", "beds": 1}),
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not offer.rooms.filter(label="999").exists()
    assert client.get(f"{API}/offers/{offer.pk}").status_code == 404


def test_a_liaison_sees_only_its_own_offers_and_requests(client, world):
    client.force_login(liaison_of(world["a1"]))
    offers = client.get(reverse("dormitories:offer_list")).content.decode()
    requests = client.get(reverse("dormitories:request_list")).content.decode()
    assert "甲二宿舍" not in offers
    assert "张三" in requests
    client.force_login(liaison_of(world["a2"]))
    assert "甲二宿舍" in client.get(reverse("dormitories:offer_list")).content.decode()
    assert "张三" not in client.get(reverse("dormitories:request_list")).content.decode()
    ids = [item["id"] for item in client.get(f"{API}/requests").json()["items"]]
    assert ids == []


def test_a_liaison_may_not_file_for_another_enterprise(client, world):
    client.force_login(liaison_of(world["a1"]))
    response = client.post(
        f"{API}/requests",
        json.dumps(
            {
                "enterprise_id": world["b"].pk,
                "name": "王五",
                "phone": "13912345678",
                "arriving_on": str(days(1)),
                "nights": 2,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not DormitoryRequest.objects.filter(name="王五").exists()


# ---------------------------------------------------------------------------- API


def test_the_api_books_and_refuses_a_double_booking_with_a_422(client, officer_a, world):
    target = room(world["offer"], "101")  # one bed
    client.force_login(officer_a)
    booked = client.post(
        f"{API}/requests/{world['request'].pk}/book",
        json.dumps({"room_id": target.pk}),
        content_type="application/json",
    )
    assert booked.status_code == 200
    assert booked.json()["bed"] == 1
    second = DormitoryRequestFactory(enterprise=world["a1"], arriving_on=days(1), nights=1)
    refused = client.post(
        f"{API}/requests/{second.pk}/book",
        json.dumps({"room_id": target.pk, "bed": 1}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "room_id"
    assert f"night of {days(1):%Y-%m-%d}" in refused.json()["detail"]


def test_the_api_refuses_an_offer_ending_before_it_starts(client, officer_a, world):
    client.force_login(officer_a)
    response = client.post(
        f"{API}/offers",
        json.dumps(
            {
                "enterprise_id": world["a1"].pk,
                "address": "坏宿舍",
                "available_from": str(days(5)),
                "available_until": str(days(1)),
                "rooms": [{"label": "1", "beds": 1}],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "available_until"
    assert not DormitoryOffer.objects.filter(address="坏宿舍").exists()


# ---------------------------------------------------------------------------- home to-do


def test_officers_see_waiting_requests_and_stays_starting_today(officer_a, world):
    stay_in(
        room(world["offer"], "202"),
        DormitoryRequestFactory(enterprise=world["a2"], arriving_on=days(0), nights=1),
    )
    lines = {
        line.label: line.count for line in todo_lines(user=officer_a, roles=[Role.POLICE_OFFICER])
    }
    assert lines["Dormitory requests waiting for a room"] == 1
    assert lines["Dormitory stays starting today"] == 1


def test_the_host_liaison_sees_its_guests_moving_in_today(world):
    stay_in(room(world["offer"], "202"), world["request"])
    host = liaison_of(world["a2"])
    guest = liaison_of(world["a1"])
    host_lines = {
        line.label: line.count for line in todo_lines(user=host, roles=[Role.ENTERPRISE_LIAISON])
    }
    guest_lines = {
        line.label: line.count for line in todo_lines(user=guest, roles=[Role.ENTERPRISE_LIAISON])
    }
    assert host_lines["Dormitory stays starting today"] == 1
    assert guest_lines["Our staff moving into a dormitory today"] == 1


def test_the_offer_page_fits_a_phone(client, world, district):
    client.force_login(staff_user(role=Role.POLICE_OFFICER, unit=district.community_a))
    page = client.get(world["offer"].get_absolute_url()).content.decode()
    assert 'class="occupancy-wrap"' in page  # scrolls sideways with the room column fixed
    assert "enterprises/dormitories.css" in page
