"""Swaps (ask → accept → a leader approves, or a leader on someone's behalf), each change
audited; leave freezes: leave inside refused unless a leader grants an exception, leave
already granted shown in conflict."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.duty.choices import LeaveStatus, SwapStatus
from outpost.duty.services import (
    freeze_declare,
    leave_exception_grant,
    leave_request,
    swap_answer,
    swap_ask,
    swap_decide,
    swap_on_behalf,
)
from outpost.duty.tests.factories import leave_in, person_in, post_in, roster_in, shift_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def duty(district):
    post = post_in(district.station, name="值班台")
    roster = roster_in(district.station, posts=[post])
    holder = person_in(district.community_a, Role.POLICE_OFFICER, "张警官")
    colleague = person_in(district.community_a, Role.POLICE_OFFICER, "李警官")
    leader = person_in(district.station, Role.STATION_LEADER, "王所长")
    shift = shift_of(holder, post=post, roster=roster, starts_at=timezone.now() + 24 * HOUR)
    return {"shift": shift, "holder": holder, "colleague": colleague, "leader": leader}


def test_a_swap_passes_the_shift_once_accepted_and_approved(duty):
    swap = swap_ask(acting_user=duty["holder"], shift=duty["shift"], taker=duty["colleague"])
    swap = swap_answer(acting_user=duty["colleague"], swap=swap, accept=True)
    assert swap.status == SwapStatus.ACCEPTED
    duty["shift"].refresh_from_db()
    assert duty["shift"].user == duty["holder"]  # not before the leader approves
    swap_decide(acting_user=duty["leader"], swap=swap, approve=True)
    duty["shift"].refresh_from_db()
    assert duty["shift"].user == duty["colleague"]
    history = duty["shift"].history.latest()
    assert (history.history_user, history.history_change_reason) == (
        duty["leader"],
        "Swap approved",
    )
    assert [h.history_user for h in swap.history.order_by("history_date")] == [
        duty["holder"],
        duty["colleague"],
        duty["leader"],
    ]


def test_only_the_colleague_asked_answers_and_only_a_leader_decides(duty):
    swap = swap_ask(acting_user=duty["holder"], shift=duty["shift"], taker=duty["colleague"])
    with pytest.raises(PermissionDenied):
        swap_answer(acting_user=duty["holder"], swap=swap, accept=True)
    swap_answer(acting_user=duty["colleague"], swap=swap, accept=True)
    with pytest.raises(PermissionDenied):
        swap_decide(acting_user=duty["colleague"], swap=swap, approve=True)


def test_a_swap_with_someone_not_qualified_is_refused_naming_person_post_and_time(duty, district):
    nurse = person_in(district.community_a, Role.MEDICAL_STAFF, "赵护士")
    with pytest.raises(ValidationError) as caught:
        swap_ask(acting_user=duty["holder"], shift=duty["shift"], taker=nurse)
    message = caught.value.message_dict["taker"][0]
    assert message.startswith("赵护士 may not fill 值班台 (")
    assert not duty["shift"].swaps.exists()


def test_a_leader_swaps_on_the_holders_behalf(duty):
    swap = swap_on_behalf(acting_user=duty["leader"], shift=duty["shift"], taker=duty["colleague"])
    assert (swap.status, swap.requested_by, swap.decided_by) == (
        SwapStatus.APPROVED,
        duty["holder"],
        duty["leader"],
    )
    duty["shift"].refresh_from_db()
    assert duty["shift"].user == duty["colleague"]


def test_the_colleague_sees_the_request_on_my_shifts_and_accepts(client, duty):
    swap = swap_ask(acting_user=duty["holder"], shift=duty["shift"], taker=duty["colleague"])
    client.force_login(duty["colleague"])
    page = client.get(reverse("duty:mine")).content.decode()
    assert "张警官 asks you to take 值班台" in page
    response = client.post(reverse("duty:swap_answer", args=[swap.pk]), {"accept": "1"})
    assert response.status_code == 302
    swap.refresh_from_db()
    assert swap.status == SwapStatus.ACCEPTED
    # The holder may see the swap's page but not answer it.
    client.force_login(duty["holder"])
    assert (
        client.post(reverse("duty:swap_answer", args=[swap.pk]), {"accept": "0"}).status_code == 404
    )


# ---------------------------------------------------------------------------- leave


@pytest.fixture
def freeze(district):
    leader = person_in(district.station, Role.STATION_LEADER, "王所长")
    today = timezone.localdate()
    return freeze_declare(
        acting_user=leader,
        units=[district.community_a],
        starts_on=today,
        ends_on=today + datetime.timedelta(days=13),
        reason="战时停休",
    ), leader


def test_leave_inside_a_freeze_is_refused_until_a_leader_grants_an_exception(district, freeze):
    _freeze, leader = freeze
    officer = person_in(district.grid_a1, Role.POLICE_OFFICER, "张警官")
    today = timezone.localdate()
    leave = leave_request(
        acting_user=officer,
        starts_on=today + datetime.timedelta(days=2),
        ends_on=today + datetime.timedelta(days=3),
    )
    assert leave.status == LeaveStatus.REFUSED
    with pytest.raises(ValidationError) as caught:
        leave_exception_grant(acting_user=leader, leave=leave, reason=" ")
    assert "reason" in caught.value.message_dict
    leave = leave_exception_grant(acting_user=leader, leave=leave, reason="家中急事")
    assert (leave.status, leave.exception_reason, leave.decided_by) == (
        LeaveStatus.EXCEPTION,
        "家中急事",
        leader,
    )


def test_leave_outside_the_frozen_units_or_days_is_granted(district, freeze):
    officer_b = person_in(district.community_b, Role.POLICE_OFFICER, "乙警官")
    today = timezone.localdate()
    assert leave_request(acting_user=officer_b, starts_on=today, ends_on=today).status == (
        LeaveStatus.GRANTED
    )
    officer_a = person_in(district.community_a, Role.POLICE_OFFICER, "甲警官")
    later = today + datetime.timedelta(days=20)
    assert leave_request(acting_user=officer_a, starts_on=later, ends_on=later).status == (
        LeaveStatus.GRANTED
    )


def test_leave_granted_before_the_freeze_shows_in_conflict(client, district, freeze):
    frozen, leader = freeze
    leave = leave_in(district.grid_a1, first=frozen.starts_on + datetime.timedelta(days=1))
    client.force_login(leader)
    page = client.get(reverse("duty:leave_list")).content.decode()
    assert "in conflict with a freeze" in page
    detail = client.get(frozen.get_absolute_url()).content.decode()
    assert str(leave) in detail


def test_leave_ending_before_it_starts_is_refused(district):
    officer = person_in(district.grid_a1, Role.POLICE_OFFICER)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        leave_request(
            acting_user=officer, starts_on=today, ends_on=today - datetime.timedelta(days=1)
        )
    assert caught.value.message_dict["ends_on"] == ["The leave ends before it starts."]
