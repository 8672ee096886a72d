"""The demo's two enforcement cases, with their measures and seized goods."""

import datetime
from decimal import Decimal

import pytest

from outpost.cases.choices import ItemState, MeasureKind, MoveKind
from outpost.cases.models import Case, CustodyMove, Measure, Party, SeizedItem
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.demo.cases import build_cases

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 2, 14)


def test_the_demo_writes_the_reference_stations_two_cases(district):
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.office, username="demo-o1")
    keeper = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="demo-k1")
    assert build_cases(today=TODAY, officer=officer, keeper=keeper) == 2
    assert Case.objects.count() == 2
    detention = Measure.objects.get(kind=MeasureKind.DETENTION, deferral_days=30)
    plan = detention.plan
    assert plan.days == 15
    assert plan.starts_on == plan.deferral_until + datetime.timedelta(days=1)
    assert (plan.ends_on - plan.starts_on).days == 14
    fine = Measure.objects.get(kind=MeasureKind.FINE)
    assert fine.fine_amount == Decimal("1000") and fine.fine_paid
    workshop = Case.objects.get(kind="counterfeit_goods")
    assert Party.objects.filter(case=workshop).count() == 3
    items = {item.specification: item for item in SeizedItem.objects.filter(case=workshop)}
    assert items["3.8公斤/桶"].quantity == 340 and items["55公斤/桶"].quantity == 55
    assert items["3.8公斤/桶"].state == ItemState.DESTROYED
    assert items["55公斤/桶"].state == ItemState.TRANSFERRED
    destroyed = CustodyMove.objects.get(kind=MoveKind.DESTROY)
    assert destroyed.from_user == keeper and destroyed.approved_by == officer
    assert CustodyMove.objects.count() == 6  # 2 seizures, 2 into storage, handover, destruction
    assert build_cases(today=TODAY, officer=officer, keeper=keeper) == 0  # once only
