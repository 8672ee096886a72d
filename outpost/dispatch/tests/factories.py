import datetime
import itertools

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from outpost.core.tests.factories import UnitFactory
from outpost.core.validators import id_birth_date
from outpost.dispatch.choices import ItemResult, MatchStatus, OrderStatus
from outpost.dispatch.models import DispatchItem, DispatchOrder
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

HEADERS = ["序号", "姓名", "身份证号", "联系电话", "备注"]


class DispatchOrderFactory(factory.django.DjangoModelFactory):
    """An order already read (no file behind it: pages must not need one to render)."""

    class Meta:
        model = DispatchOrder

    unit = factory.SubFactory(UnitFactory)
    order_number = factory.Sequence(lambda n: f"DD-{n:05d}")
    issuing_body = "市疫情防控指挥部"
    title = factory.Sequence(lambda n: f"核查名单{n}")
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    file = "dispatch/missing.xlsx"
    original_name = "order.xlsx"
    sheet_name = "Sheet1"
    header_row = 1
    headers = factory.LazyFunction(lambda: list(HEADERS))
    mapping = factory.LazyFunction(lambda: {"1": "name", "2": "id_number", "3": "phone"})
    status = OrderStatus.READY
    progress = 100
    created_by = factory.LazyFunction(
        lambda: User.objects.get_or_create(username="order-importer")[0]
    )


_rows = itertools.count(2)


class DispatchItemFactory(factory.django.DjangoModelFactory):
    """An item linked to a resident of `unit`'s grid (routed there)."""

    class Meta:
        model = DispatchItem

    order = factory.SubFactory(DispatchOrderFactory, unit=factory.SelfAttribute("..unit"))
    unit = factory.SubFactory(UnitFactory)
    row_number = factory.LazyFunction(lambda: next(_rows))
    resident = factory.LazyAttribute(
        lambda o: ResidentFactory(household=HouseholdFactory(unit=o.unit))
    )
    name = factory.LazyAttribute(lambda o: o.resident.name if o.resident else "未登记人员")
    id_number = factory.LazyAttribute(lambda o: o.resident.id_number if o.resident else "")
    phone = factory.LazyAttribute(lambda o: o.resident.phone if o.resident else "")
    values = factory.LazyAttribute(
        lambda o: [str(o.row_number - 1), o.name, o.id_number, o.phone, "上级备注"]
    )
    match_status = factory.LazyAttribute(
        lambda o: MatchStatus.AUTO if o.resident else MatchStatus.UNMATCHED
    )


def _item_of_officer_a(grid):
    """An item in `grid` routed to the shared fixture `officer_a` (the "my items" pages)."""
    officer = User.objects.get(username="officer_a")
    return DispatchItemFactory(unit=grid, assigned_officer=officer)


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    DispatchOrder: lambda grid: DispatchOrderFactory(unit=grid),
    DispatchItem: lambda grid: DispatchItemFactory(unit=grid),
}

ROUTE_FACTORIES = {
    "dispatch:my_items": _item_of_officer_a,
    "GET /api/v1/dispatch/items/mine": _item_of_officer_a,
}


def _item_with_birth_date_column(grid):
    """An item of a list that sent the birth date in a column of its own (出生日期)."""
    resident = ResidentFactory(household=HouseholdFactory(unit=grid))
    born = id_birth_date(resident.id_number)
    order = DispatchOrderFactory(
        unit=grid,
        headers=[*HEADERS, "出生日期"],
        mapping={"1": "name", "2": "id_number", "3": "phone", "5": "birth_date"},
    )
    return DispatchItemFactory(
        order=order,
        unit=grid,
        resident=resident,
        birth_date=born,
        values=["1", resident.name, resident.id_number, resident.phone, "", born.isoformat()],
    )


# For the masking walk: records that put a sensitive value on a page.
MASKING_FACTORIES = {"dispatch item with a birth-date column": _item_with_birth_date_column}


def _order_over(unit, grid_a, grid_b):
    """An order received at `unit` with one item routed to each grid."""
    order = DispatchOrderFactory(unit=unit)
    items = [DispatchItemFactory(order=order, unit=grid) for grid in (grid_a, grid_b)]
    return order, items[0].name, items[1].name


# Parents that span levels: see screening/tests/factories.py.
SPANNING_FACTORIES = {DispatchOrder: _order_over}


# Scoped API writes: a body that makes the write succeed on the record the route names (the
# route-walking test sends it against another community's record and expects a 404).
WRITE_PAYLOADS = {
    "POST /api/v1/dispatch/items/{item_id}/result": lambda item: {
        "version": item.version,
        "result": ItemResult.FOUND_NOT_KEY,
        "note": "已落地核查",
    },
}
