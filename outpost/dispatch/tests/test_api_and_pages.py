"""The API (scoped, masked, optimistic locking) and the order pages' progress and queries."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.dispatch.tests.factories import DispatchItemFactory, DispatchOrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def item(district, officer_a):
    return DispatchItemFactory(unit=district.grid_a1, assigned_officer=officer_a)


def post_result(client, item, **body):
    return client.post(
        f"/api/v1/dispatch/items/{item.pk}/result",
        json.dumps(body),
        content_type="application/json",
    )


def test_my_items_in_the_api_are_masked(client, item, officer_a):
    client.force_login(officer_a)

    (found,) = client.get("/api/v1/dispatch/items/mine").json()["items"]

    assert found["id"] == item.pk
    assert found["id_number_masked"] == item.masked_id_number
    assert item.id_number not in json.dumps(found)
    assert item.phone not in json.dumps(found)
    assert found["version"] == 0


def test_recording_through_the_api_refuses_a_stale_version_with_409(client, item, officer_a):
    client.force_login(officer_a)

    first = post_result(client, item, version=0, result="not_found", note="三次上门")
    stale = post_result(client, item, version=0, result="found_not_key")

    assert first.status_code == 200 and first.json()["version"] == 1
    assert stale.status_code == 409
    assert "Someone else recorded a result" in stale.json()["detail"]
    assert [error["field"] for error in stale.json()["errors"]] == ["version"]
    item.refresh_from_db()
    assert item.result == "not_found"


def test_an_api_result_on_another_communitys_item_is_a_404(client, district, item):
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="b")
    client.force_login(officer_b)

    assert post_result(client, item, version=0, result="not_found").status_code == 404
    item.refresh_from_db()
    assert item.result == ""


def test_an_api_result_needs_a_valid_result(client, item, officer_a):
    client.force_login(officer_a)

    response = post_result(client, item, version=0, result="moved_away")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "moved_to"


def test_order_detail_in_the_api_gives_progress(client, district, admin_user):
    order = DispatchOrderFactory(
        unit=district.station, deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    DispatchItemFactory(unit=district.grid_a1, order=order, result="not_found")
    DispatchItemFactory(unit=district.grid_b1, order=order)
    client.force_login(admin_user)

    body = client.get(f"/api/v1/dispatch/orders/{order.pk}").json()

    assert body["overdue"] is True
    assert body["progress"] == {
        "total": 2,
        "done": 1,
        "open": 1,
        "overdue": 1,
        "to_route": 1,
        "review": 0,
    }


def test_the_order_page_shows_progress_per_community(client, district, admin_user):
    order = DispatchOrderFactory(unit=district.station)
    DispatchItemFactory(unit=district.grid_a1, order=order, result="not_found")
    DispatchItemFactory(unit=district.grid_a1, order=order)
    DispatchItemFactory(unit=district.grid_b1, order=order)
    client.force_login(admin_user)

    response = client.get(order.get_absolute_url())

    by_community = {
        name: (p.total, p.done) for name, p in response.context["progress"].by_community
    }
    assert by_community == {"甲社区": (2, 1), "乙社区": (1, 0)}
    page = response.content.decode()
    assert 'data-testid="count-done">1<' in page and 'data-testid="count-open">2<' in page


def test_a_station_order_shows_a_community_officer_only_their_items(client, district, officer_a):
    order = DispatchOrderFactory(
        unit=district.station, deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    DispatchItemFactory(unit=district.grid_a1, order=order, result="not_found")
    DispatchItemFactory(unit=district.grid_a1, order=order, assigned_officer=officer_a)
    DispatchItemFactory(unit=district.grid_b1, order=order)
    client.force_login(officer_a)

    listing = client.get(reverse("dispatch:order_list"))
    assert [
        (o.done_count, o.item_count, o.overdue_count) for o in listing.context["object_list"]
    ] == [(1, 2, 1)]
    detail = client.get(order.get_absolute_url())
    assert detail.context["progress"].overall.total == 2
    assert [name for name, _p in detail.context["progress"].by_community] == ["甲社区"]


def test_order_pages_need_a_constant_number_of_queries(
    client, district, admin_user, django_assert_max_num_queries
):
    for _ in range(3):
        order = DispatchOrderFactory(unit=district.station)
        for grid in (district.grid_a1, district.grid_b1, district.grid_a2):
            DispatchItemFactory(unit=grid, order=order)
    client.force_login(admin_user)
    client.get(reverse("dispatch:order_list"))

    with django_assert_max_num_queries(10):
        listing = client.get(reverse("dispatch:order_list"))
    with django_assert_max_num_queries(16):
        detail = client.get(order.get_absolute_url())
    with django_assert_max_num_queries(12):
        client.get(reverse("dispatch:duty_desk", args=[order.pk]))

    assert listing.content.decode().count("0 / 3") == 3
    assert len(detail.context["items"]) == 3


def test_the_order_page_polls_while_the_order_is_read(client, district, admin_user):
    order = DispatchOrderFactory(unit=district.station, status="reading", progress=40)
    client.force_login(admin_user)

    fragment = client.get(order.get_absolute_url(), headers={"HX-Request": "true"})

    body = fragment.content.decode()
    assert "<html" not in body
    assert f'hx-get="{order.get_absolute_url()}"' in body
    assert 'value="40"' in body
    order.status, order.progress = "ready", 100
    order.save()
    done = client.get(order.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in done


def test_a_station_order_in_the_api_counts_only_the_callers_items(client, district, officer_a):
    order = DispatchOrderFactory(unit=district.station, total_items=3)
    for grid in (district.grid_a1, district.grid_a2, district.grid_b1):
        DispatchItemFactory(unit=grid, order=order)
    client.force_login(officer_a)
    listed = client.get("/api/v1/dispatch/orders").json()["items"]
    assert [(o["id"], o["total_items"]) for o in listed] == [(order.pk, 2)]
    assert client.get(f"/api/v1/dispatch/orders/{order.pk}").json()["total_items"] == 2
