"""Patrols: check-in by the checkpoint's signed code of the China day; last week's code,
another route's code, a made-up one and a second scan are refused with a clear message;
late, skipped and incomplete patrols reach the leader's to-do until acknowledged."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from outpost.core.choices import Role
from outpost.core.shell import todo_lines
from outpost.core.tests.factories import staff_user
from outpost.publicorder.choices import PatrolException, PatrolStatus
from outpost.publicorder.codes import (
    CodeRefused,
    checkpoint_code_content,
    checkpoint_token,
    code_read,
    token_of,
)
from outpost.publicorder.models import Patrol, PatrolCheckIn
from outpost.publicorder.services import (
    patrol_acknowledge,
    patrol_check_in,
    patrol_finish,
    patrol_start,
    patrols_sweep,
)
from outpost.publicorder.tests.factories import route_in

TODAY = datetime.date(2026, 2, 14)


def test_a_code_reads_back_its_checkpoint_on_its_day_only():
    content = checkpoint_code_content(7, TODAY)
    assert code_read(content, today=TODAY).checkpoint_id == 7
    with translation.override("en"), pytest.raises(CodeRefused, match="valid on 2026-02-14 only"):
        code_read(content, today=TODAY + datetime.timedelta(days=7))


@given(st.text(max_size=120))
def test_anything_scanned_that_is_not_a_code_is_refused_never_an_error(text):
    with pytest.raises(CodeRefused):
        code_read(text, today=TODAY)


def test_a_code_with_its_day_altered_is_refused():
    token = checkpoint_token(7, TODAY)
    forged = checkpoint_token(7, TODAY + datetime.timedelta(days=1)).split(":")[0]
    with pytest.raises(CodeRefused):
        code_read(forged + ":" + token.split(":", 1)[1], today=TODAY + datetime.timedelta(days=1))


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


@pytest.fixture
def route(district, leader):
    return route_in(district.grid_a1, points=3, leader=leader)


def _code(checkpoint, day=None):
    return checkpoint_code_content(checkpoint.pk, day or timezone.localdate())


def _refusal(patrol, officer, content) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        patrol_check_in(acting_user=officer, patrol=patrol, content=content)
    return " ".join(caught.value.message_dict["code"])


@pytest.mark.django_db
def test_a_patrol_checks_in_at_each_checkpoint_and_finishes_complete(route, officer_a):
    patrol = patrol_start(acting_user=officer_a, route=route)
    for checkpoint in route.checkpoints.all():
        patrol_check_in(acting_user=officer_a, patrol=patrol, content=_code(checkpoint))
    patrol.refresh_from_db()
    assert patrol.checked_in == 3 and patrol.status == PatrolStatus.FINISHED
    assert patrol.completion == 100


@pytest.mark.django_db
def test_last_weeks_code_another_routes_code_and_a_second_scan_are_refused(
    route, officer_a, district
):
    patrol = patrol_start(acting_user=officer_a, route=route)
    first = route.checkpoints.first()
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    assert "valid on" in _refusal(patrol, officer_a, _code(first, last_week))
    other = route_in(district.grid_a1).checkpoints.first()
    assert "not a checkpoint of the route" in _refusal(patrol, officer_a, _code(other))
    assert "not a checkpoint code" in _refusal(patrol, officer_a, "https://example.org/?code=abc")
    patrol_check_in(acting_user=officer_a, patrol=patrol, content=_code(first))
    assert "already" in _refusal(patrol, officer_a, _code(first))
    assert PatrolCheckIn.objects.filter(patrol=patrol).count() == 1


@pytest.mark.django_db
def test_the_check_in_page_names_the_refused_code_with_a_422(route, officer_a, client):
    patrol = patrol_start(acting_user=officer_a, route=route)
    client.force_login(officer_a)
    url = reverse("publicorder:patrol_check_in", args=[patrol.pk])
    old = _code(route.checkpoints.first(), timezone.localdate() - datetime.timedelta(days=1))
    response = client.post(url, {"code": old})
    assert response.status_code == 422
    assert "code" in response.context["form"].errors
    good = client.post(url, {"code": _code(route.checkpoints.first())})
    assert good.status_code == 302
    assert PatrolCheckIn.objects.filter(patrol=patrol).count() == 1


@pytest.mark.django_db
def test_the_scan_page_checks_the_code_and_offers_the_officers_patrol(route, officer_a, client):
    patrol = patrol_start(acting_user=officer_a, route=route)
    client.force_login(officer_a)
    content = _code(route.checkpoints.first())
    page = client.get(reverse("publicorder:scan"), {"code": token_of(content)})
    assert page.status_code == 200
    assert page.context["checkpoint"] == route.checkpoints.first()
    assert list(page.context["object_list"]) == [patrol]
    stale = _code(route.checkpoints.first(), timezone.localdate() - datetime.timedelta(days=8))
    refused = client.get(reverse("publicorder:scan"), {"code": stale.split("code=")[1]})
    assert refused.context["refused"] and refused.context["checkpoint"] is None


@pytest.mark.django_db
def test_the_api_checks_in_and_refuses_a_stale_code_naming_the_field(route, officer_a, client):
    patrol = patrol_start(acting_user=officer_a, route=route)
    client.force_login(officer_a)
    url = f"/api/v1/publicorder/patrols/{patrol.pk}/check-ins"
    first = route.checkpoints.first()
    ok = client.post(url, json.dumps({"code": _code(first)}), content_type="application/json")
    assert ok.status_code == 201
    assert ok.json()["patrol"]["checked_in"] == 1
    stale = _code(first, timezone.localdate() - datetime.timedelta(days=1))
    bad = client.post(url, json.dumps({"code": stale}), content_type="application/json")
    assert bad.status_code == 422
    assert "code" in json.dumps(bad.json())


@pytest.mark.django_db
def test_a_short_patrol_a_late_one_and_a_skipped_route_reach_the_leaders_to_do(
    route, officer_a, leader, district
):
    patrol = patrol_start(acting_user=officer_a, route=route)
    patrol_check_in(acting_user=officer_a, patrol=patrol, content=_code(route.checkpoints.first()))
    patrol = patrol_finish(acting_user=officer_a, patrol=patrol)
    assert patrol.exception == PatrolException.INCOMPLETE
    late_route = route_in(district.grid_a1, points=1, leader=leader, starts_at=datetime.time(0, 0))
    late = Patrol.objects.create(
        route=late_route,
        day=timezone.localdate(),
        officer=officer_a,
        started_at=timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(), datetime.time(0, 45))
        ),
        checkpoints_total=1,
    )
    patrol_check_in(
        acting_user=officer_a, patrol=late, content=_code(late_route.checkpoints.first())
    )
    late.refresh_from_db()
    assert late.exception == PatrolException.LATE
    idle = route_in(district.grid_a1, points=2, leader=leader)
    counts = patrols_sweep(day=timezone.localdate())
    assert counts == {"ended": 0, "skipped": 1}
    assert Patrol.objects.get(route=idle).exception == PatrolException.SKIPPED
    with translation.override("en"):
        lines = todo_lines(user=leader, roles=[Role.STATION_LEADER])
    line = next(line for line in lines if line.label == "Patrols late, skipped or incomplete")
    assert line.count == 3
    patrol_acknowledge(acting_user=leader, patrol=patrol, note="已核实")
    with translation.override("en"):
        lines = todo_lines(user=leader, roles=[Role.STATION_LEADER])
    assert next(line for line in lines if line.url.startswith("/publicorder/")).count == 2
    patrol.refresh_from_db()
    assert patrol.acknowledged_by == leader


@pytest.mark.django_db
def test_the_log_of_the_day_shows_who_acknowledged(route, officer_a, leader, client):
    patrol = patrol_start(acting_user=officer_a, route=route)
    patrol_finish(acting_user=officer_a, patrol=patrol)
    client.force_login(leader)
    url = reverse("publicorder:patrol_acknowledge", args=[patrol.pk])
    assert client.post(url, {"note": "已督促"}).status_code == 302
    page = client.get(reverse("publicorder:patrol_log"))
    assert [p.pk for p in page.context["object_list"]] == [patrol.pk]
    assert "leader" in page.content.decode()
    assert client.post(url, {"note": "again"}).status_code == 422


@pytest.mark.django_db
def test_the_sweep_ends_yesterdays_patrol_still_under_way(route, officer_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Patrol.objects.create(
        route=route, day=yesterday, officer=officer_a, started_at=timezone.now(),
        checkpoints_total=3,
    )  # fmt: skip
    assert patrols_sweep(day=yesterday) == {"ended": 1, "skipped": 0}
    patrol = Patrol.objects.get()
    assert patrol.status == PatrolStatus.FINISHED
    assert patrol.exception == PatrolException.INCOMPLETE


@pytest.mark.django_db
def test_the_qr_sheet_holds_todays_signed_code_of_each_checkpoint(route, officer_a, client):
    client.force_login(officer_a)
    page = client.get(reverse("publicorder:route_sheet", args=[route.pk]))
    assert page.status_code == 200
    cards = page.context["cards"]
    assert len(cards) == 3
    for card in cards:
        assert code_read(card["content"]).checkpoint_id == card["checkpoint"].pk
        assert card["svg"].startswith("<svg")
