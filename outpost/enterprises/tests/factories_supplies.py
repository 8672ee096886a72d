"""Factories of requests and the donations ledger, and their part of the route walks
(`SCOPED_FACTORIES`, `ROUTE_FACTORIES`, `WRITE_PAYLOADS` of `factories`, which imports this
module at its end)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from outpost.enterprises.supplies.choices import (
    Direction,
    DonorKind,
    RequestKind,
    RequestOutcome,
    RequestStatus,
)
from outpost.enterprises.supplies.models import (
    Distribution,
    Donation,
    Donor,
    EnterpriseRequest,
    LedgerLine,
    RequestLine,
    Stock,
    SupplyItem,
)
from outpost.enterprises.tests import factories as base


def supply_items() -> dict[str, SupplyItem]:
    """The catalogue as the migration loads it (again, after a flushing test)."""
    from importlib import import_module

    from django.apps import apps

    import_module("outpost.enterprises.migrations.0003_requests_donations").seed(apps, None)
    return {item.code: item for item in SupplyItem.objects.all()}


def _clerk() -> User:
    """Whoever the factories' rows name as filed, received or given by."""
    user, _created = User.objects.get_or_create(username="supplies-clerk")
    return user


_counter = iter(range(1, 10**9))


def request_in(
    grid, *, kind=RequestKind.SUPPLIES, masks: int = 2000, **values
) -> EnterpriseRequest:
    """An open request of a new enterprise in `grid` (for masks, by default)."""
    enterprise = values.pop("enterprise", None) or base.EnterpriseFactory(unit=grid)
    filed_at = values.pop("filed_at", timezone.now())
    request = EnterpriseRequest.objects.create(
        enterprise=enterprise,
        kind=kind,
        summary=values.pop("summary", f"口罩 {next(_counter)}"),
        filed_by=_clerk(),
        filed_at=filed_at,
        due_at=values.pop("due_at", filed_at + datetime.timedelta(hours=48)),
        **values,
    )
    if masks:
        RequestLine.objects.create(request=request, item=supply_items()["masks"], quantity=masks)
    return request


def closed_request_in(grid) -> EnterpriseRequest:
    return request_in(
        grid,
        status=RequestStatus.CLOSED,
        assigned_to=_clerk(),
        outcome=RequestOutcome.RESOLVED,
        closed_at=timezone.now(),
    )


def donor_in(grid, **values) -> Donor:
    n = next(_counter)
    return Donor.objects.create(
        unit=grid,
        kind=DonorKind.PERSON,
        name=values.pop("name", f"捐赠人{n}"),
        phone=values.pop("phone", f"1390411{n % 10000:04d}"),
        created_by=_clerk(),
        **values,
    )


def stock_in(grid, *, item: str = "masks", quantity: int = 100) -> Stock:
    stock, _created = Stock.objects.get_or_create(unit=grid, item=supply_items()[item])
    Stock.objects.filter(pk=stock.pk).update(quantity=quantity)
    stock.refresh_from_db()
    return stock


def donation_in(grid, *, quantity: int = 100) -> Donation:
    """A donation of masks into `grid`'s store, with its ledger line and stock."""
    donation = Donation.objects.create(unit=grid, donor=donor_in(grid), received_by=_clerk())
    stock = stock_in(grid, quantity=quantity)
    LedgerLine.objects.create(
        unit=grid,
        item=stock.item,
        direction=Direction.IN,
        quantity=quantity,
        balance=quantity,
        donation=donation,
        at=donation.received_at,
        by=_clerk(),
    )
    return donation


def distribution_in(grid, *, quantity: int = 10) -> Distribution:
    """Masks given out of `grid`'s store against a request of an enterprise of `grid`."""
    donation_in(grid, quantity=quantity)
    request = request_in(grid, masks=quantity * 2)
    distribution = Distribution.objects.create(
        unit=grid,
        recipient=request.enterprise,
        request=request,
        distributed_by=_clerk(),
        signed_for_by=f"签收人{next(_counter)}",
    )
    Stock.objects.filter(unit=grid).update(quantity=0)
    LedgerLine.objects.create(
        unit=grid,
        item=supply_items()["masks"],
        direction=Direction.OUT,
        quantity=quantity,
        balance=0,
        distribution=distribution,
        at=distribution.distributed_at,
        by=_clerk(),
    )
    return distribution


def ledger_line_in(grid) -> LedgerLine:
    return donation_in(grid).lines.get()


def stocked_store(grid):
    """A store (`grid` itself) with 100 masks on hand, for the API's write walk."""
    stock_in(grid, quantity=100)
    return grid


def _with_items(grid):
    supply_items()
    return grid


base.SCOPED_FACTORIES.update(
    {
        EnterpriseRequest: lambda grid: request_in(grid),
        Donor: donor_in,
        Donation: donation_in,
        Distribution: distribution_in,
        Stock: lambda grid: stock_in(grid),
        LedgerLine: ledger_line_in,
    }
)

API = "/api/v1/enterprises"
ROUTE_FACTORIES = {
    f"POST {API}/requests/{{request_id}}/confirm": closed_request_in,
    f"POST {API}/requests/{{request_id}}/reopen": closed_request_in,
    f"POST {API}/donations": _with_items,
    f"POST {API}/donations/distributions": stocked_store,
}
WRITE_PAYLOADS = {
    f"POST {API}/requests": lambda enterprise: {"kind": "other", "summary": "复工证明"},
    f"POST {API}/requests/{{request_id}}/assign": lambda request: {},
    f"POST {API}/requests/{{request_id}}/steps": lambda request: {"note": "已电话联系企业"},
    f"POST {API}/requests/{{request_id}}/close": lambda request: {
        "outcome": "resolved",
        "note": "已解决",
    },
    f"POST {API}/requests/{{request_id}}/confirm": lambda request: {"note": ""},
    f"POST {API}/requests/{{request_id}}/reopen": lambda request: {"note": "还差500只"},
    f"POST {API}/donations": lambda unit: {
        "donor_kind": "person",
        "donor_name": "王捐赠",
        "lines": [{"item": "masks", "quantity": 50}],
    },
    f"POST {API}/donations/distributions": lambda unit: {
        "recipient_unit_id": unit.pk,
        "signed_for_by": "李签收",
        "lines": [{"item": "masks", "quantity": 10}],
    },
}
