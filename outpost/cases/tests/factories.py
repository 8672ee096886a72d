"""Factories of enforcement cases, and their part of the route walks (`SCOPED_FACTORIES`,
`ROUTE_FACTORIES`, `WRITE_PAYLOADS`)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from outpost.cases.choices import CaseKind, ItemState, MoveKind, PartyKind, UnitOfMeasure
from outpost.cases.models import (
    Case,
    CustodyMove,
    DisposalRequest,
    ItemPhoto,
    Measure,
    Party,
    SeizedItem,
)
from outpost.registry.tests.factories import valid_id_number

_counter = iter(range(1, 10**9))


def clerk(username: str = "cases-clerk") -> User:
    user, _created = User.objects.get_or_create(username=username)
    return user


def case_in(grid, **values) -> Case:
    n = next(_counter)
    return Case.objects.create(
        unit=grid,
        number=values.pop("number", f"AJ2020-{n:05d}"),
        kind=values.pop("kind", CaseKind.UNLICENSED_BUSINESS),
        occurred_on=values.pop("occurred_on", datetime.date(2020, 2, 10)),
        summary=values.pop("summary", f"无证经营旅馆 {n}"),
        **values,
    )


def party_in(grid, *, case=None, born=datetime.date(1975, 6, 3)) -> Party:
    case = case or case_in(grid)
    n = next(_counter)
    return Party.objects.create(
        case=case,
        kind=PartyKind.PERSON,
        name=f"当事人{n}",
        id_number=valid_id_number(n % 900 + 1, born=born),
    )


def item_in(grid, *, case=None, holder=None, **values) -> SeizedItem:
    case = case or case_in(grid)
    holder = holder or clerk()
    at = values.pop("seized_at", timezone.now() - datetime.timedelta(hours=2))
    item = SeizedItem.objects.create(
        case=case,
        description=values.pop("description", f"假冒84消毒液{next(_counter)}"),
        specification=values.pop("specification", "3.8公斤/桶"),
        quantity=values.pop("quantity", Decimal("340")),
        measure=values.pop("measure", UnitOfMeasure.BARREL),
        holder=holder,
        location=values.pop("location", "派出所涉案物品保管室"),
        seized_at=at,
        state=ItemState.SEIZED,
    )
    CustodyMove.objects.create(
        item=item,
        kind=MoveKind.SEIZE,
        to_user=holder,
        location=item.location,
        at=at,
        reason="现场扣押",
        recorded_by=holder,
    )
    return item


def item_held_by_officer_a(grid) -> SeizedItem:
    return item_in(grid, holder=User.objects.get(username="officer_a"))


def disposal_in(grid) -> DisposalRequest:
    item = item_in(grid)
    return DisposalRequest.objects.create(
        item=item,
        kind=MoveKind.DESTROY,
        to_outside="危险废物处置中心",
        reason="假冒伪劣产品",
        requested_by=item.holder,
        requested_at=timezone.now(),
    )


def png_bytes(size=(8, 8), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def photo_in(grid) -> ItemPhoto:
    photo = ItemPhoto(item=item_in(grid), uploaded_by=clerk())
    photo.image.save("walk.png", ContentFile(png_bytes()), save=False)
    photo.save()
    return photo


def measure_in(grid) -> Measure:
    party = party_in(grid)
    return Measure.objects.create(
        case=party.case,
        party=party,
        kind="warning",
        decided_on=datetime.date(2020, 2, 12),
    )


SCOPED_FACTORIES = {
    Case: case_in,
    SeizedItem: item_in,
    DisposalRequest: disposal_in,
    ItemPhoto: photo_in,
}
# Records that put a masked ID number on a page (the case's parties).
MASKING_FACTORIES = {"case party": lambda grid: party_in(grid).case}

API = "/api/v1/cases"
ROUTE_FACTORIES = {
    f"POST {API}/items/{{item_id}}/moves": item_held_by_officer_a,
    "cases:item_move": item_held_by_officer_a,
    "cases:disposal_request": item_held_by_officer_a,
}
WRITE_PAYLOADS = {
    f"POST {API}/cases/{{case_id}}/measures": lambda case: {
        "kind": "warning",
        "decided_on": "2020-02-12",
    },
    f"POST {API}/items/{{item_id}}/moves": lambda item: {
        "kind": "transfer",
        "to_outside": "区市场监督管理局",
        "reason": "移送市场监管部门",
    },
}
