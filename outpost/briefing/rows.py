"""How a row behind a figure shows in its list: a title, a detail line and a link, with
masked personal data only."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.formats import date_format

from outpost.dispatch.models import DispatchItem
from outpost.enterprises.models import Enterprise
from outpost.enterprises.notices.models import NoticeReceipt
from outpost.enterprises.supplies.models import EnterpriseRequest, LedgerLine
from outpost.keypersons.models import KeyPerson
from outpost.observation.models import Alert, Episode, Room, RoomStay
from outpost.registry.models import Household, Resident
from outpost.screening.models import ScreeningResult


@dataclass(frozen=True)
class RowDisplay:
    title: str
    detail: str
    unit: str
    url: str


def _url(row) -> str:
    return row.get_absolute_url() if hasattr(row, "get_absolute_url") else ""


def _household(row: Household) -> tuple[str, str]:
    return row.household_number, row.masked_address


def _resident(row: Resident) -> tuple[str, str]:
    return row.name, row.masked_id_number


def _arrival(row: ScreeningResult) -> tuple[str, str]:
    arrived = date_format(row.arrival_date, "Y-m-d") if row.arrival_date else ""
    category = row.category.label if row.category_id else ""
    return row.resident.name, f"{category} {arrived}".strip()


def _dispatch_item(row: DispatchItem) -> tuple[str, str]:
    return row.name, f"{row.order.order_number} {row.get_result_display()}".strip()


def _key_person(row: KeyPerson) -> tuple[str, str]:
    return row.display_name, f"{row.get_category_display()} {row.masked_phone}".strip()


def _episode(row: Episode) -> tuple[str, str]:
    return row.key_person.display_name, f"{row.get_kind_display()} {row.start_date:%Y-%m-%d}"


def _alert(row: Alert) -> tuple[str, str]:
    raised = date_format(row.raised_at, "Y-m-d H:i")
    return row.episode.key_person.display_name, f"{row.get_kind_display()} {raised}"


def _stay(row: RoomStay) -> tuple[str, str]:
    return row.episode.key_person.display_name, str(row.room)


def _room(row: Room) -> tuple[str, str]:
    return str(row), row.get_status_display()


def _request(row: EnterpriseRequest) -> tuple[str, str]:
    due = date_format(row.due_at, "Y-m-d H:i")
    return (
        f"{row.reference} {row.summary}",
        f"{row.enterprise.name} · {row.get_status_display()} {due}",
    )


def _receipt(row: NoticeReceipt) -> tuple[str, str]:
    deadline = date_format(row.notice.deadline, "Y-m-d H:i")
    return row.enterprise.name, f"{row.notice.title} · {deadline}"


def _ledger_line(row: LedgerLine) -> tuple[str, str]:
    if row.donation_id:
        party = row.donation.donor.name
    else:
        party = row.distribution.recipient_name
    at = date_format(row.at, "H:i")
    return f"{row.item.label} {row.quantity} {row.item.measure}", f"{at} {party}"


def _enterprise(row: Enterprise) -> tuple[str, str]:
    return row.name, row.get_status_display()


SHOWN_AS = {
    Household: _household,
    Resident: _resident,
    ScreeningResult: _arrival,
    DispatchItem: _dispatch_item,
    KeyPerson: _key_person,
    Episode: _episode,
    Alert: _alert,
    RoomStay: _stay,
    Room: _room,
    EnterpriseRequest: _request,
    NoticeReceipt: _receipt,
    LedgerLine: _ledger_line,
    Enterprise: _enterprise,
}

# What each list needs from related tables, fetched with the page's rows.
RELATED = {
    Household: ("unit",),
    Resident: ("unit",),
    ScreeningResult: ("unit", "resident", "category"),
    DispatchItem: ("unit", "order"),
    KeyPerson: ("unit", "resident"),
    Episode: ("unit", "key_person__resident"),
    Alert: ("unit", "episode__key_person__resident"),
    RoomStay: ("room__site__unit", "episode__key_person__resident"),
    Room: ("site__unit",),
    EnterpriseRequest: ("enterprise__unit",),
    NoticeReceipt: ("enterprise__unit", "notice"),
    LedgerLine: (
        "unit",
        "item",
        "donation__donor",
        "distribution__recipient",
        "distribution__recipient_unit",
    ),
    Enterprise: ("unit",),
}

UNIT_OF = {
    Room: lambda row: row.site.unit,
    RoomStay: lambda row: row.room.site.unit,
    EnterpriseRequest: lambda row: row.enterprise.unit,
    NoticeReceipt: lambda row: row.enterprise.unit,
}

# Rows that open another page than their own: an enterprise of the employees' tests opens
# its tests (the day's report, the trend), not its registry entry.
URL_OF = {Enterprise: lambda row: reverse("enterprise_tests:enterprise", args=[row.pk])}


def row_display(row) -> RowDisplay:
    title, detail = SHOWN_AS[type(row)](row)
    unit = UNIT_OF.get(type(row), lambda r: r.unit)(row)
    url = URL_OF.get(type(row), _url)(row)
    return RowDisplay(title=title, detail=detail, unit=unit.name, url=url)
