"""The demo's week of requests, donations and distributions agrees with the stock."""

import time

import pytest
from django.db.models import Sum

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.demo.enterprise_supplies import build_enterprise_supplies
from outpost.enterprises.supplies import selectors
from outpost.enterprises.supplies.models import EnterpriseRequest, LedgerLine, Stock
from outpost.enterprises.tests.factories import EnterpriseFactory
from outpost.enterprises.tests.factories_supplies import supply_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(district):
    supply_items()
    enterprises = [EnterpriseFactory(unit=district.grid_a1) for _ in range(6)]
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a)
    started = time.monotonic()
    summary = build_enterprise_supplies(
        enterprises=enterprises, store=district.community_a, officer=officer
    )
    return summary, time.monotonic() - started, enterprises, officer


def test_the_stock_is_the_sum_of_the_ledger_and_never_went_below_zero(week):
    summary, seconds, _enterprises, _officer = week
    assert seconds < 10
    assert summary.donations and summary.distributions and summary.requests
    for stock in Stock.objects.all():
        lines = LedgerLine.objects.filter(unit=stock.unit, item=stock.item)
        ins = lines.filter(direction="in").aggregate(total=Sum("quantity"))["total"] or 0
        outs = lines.filter(direction="out").aggregate(total=Sum("quantity"))["total"] or 0
        assert stock.quantity == ins - outs >= 0
        running = 0
        for line in lines.order_by("at", "pk"):
            running += line.signed_quantity
            assert line.balance == running >= 0


def test_no_request_got_more_than_it_asked_and_the_liaisons_enterprise_asked(week):
    _summary, _seconds, enterprises, officer = week
    rows = selectors.request_list(user=officer)
    assert all(row.delivered <= row.needed for row in rows)
    assert EnterpriseRequest.objects.filter(enterprise=enterprises[0]).exists()
    assert {row.status for row in rows} >= {"assigned", "confirmed"}


def test_the_week_is_the_same_every_time(week, district):
    summary, _seconds, _enterprises, officer = week
    again = build_enterprise_supplies(
        enterprises=[EnterpriseFactory(unit=district.grid_b1) for _ in range(6)],
        store=district.community_b,
        officer=officer,
    )
    assert again == summary

    def movements(store):
        lines = LedgerLine.objects.filter(unit=store).order_by("at", "pk")
        return list(lines.values_list("item__code", "direction", "quantity", "balance"))

    assert movements(district.community_a) == movements(district.community_b)
