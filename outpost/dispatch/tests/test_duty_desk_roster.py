"""An order item whose unit has no officer goes to the officer on duty at the station's duty
desk by the duty roster (值班民警); with nobody rostered it waits at the duty desk."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.dispatch.models import DispatchItem
from outpost.duty.choices import PostKind
from outpost.duty.tests.factories import person_in, post_in, roster_in, shift_of
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _order_for_community_b(upload, district, officer_b):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    officer_b.groups.clear()  # community B has no officer any more
    order = upload([["1", resident.name, resident.id_number, "", "", ""]])
    return DispatchItem.objects.get(order=order)


def test_an_item_without_an_officer_goes_to_the_officer_on_duty_at_the_desk(
    upload, district, officer_b
):
    desk = post_in(district.station, kind=PostKind.DUTY_DESK, name="值班台")
    roster = roster_in(
        district.station, posts=[desk], first=timezone.localdate() - datetime.timedelta(days=1)
    )
    on_duty = person_in(district.station, Role.POLICE_OFFICER, "值班民警")
    shift_of(
        on_duty, post=desk, roster=roster, starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    item = _order_for_community_b(upload, district, officer_b)
    assert item.assigned_officer == on_duty


def test_with_nobody_on_duty_the_item_waits_at_the_desk(upload, district, officer_b):
    item = _order_for_community_b(upload, district, officer_b)
    assert item.assigned_officer is None
