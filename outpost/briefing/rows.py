"""How a row behind a figure shows in its list: a title, a detail line and a link, with
masked personal data only."""

from dataclasses import dataclass

from django.utils.formats import date_format

from outpost.dispatch.models import DispatchItem
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
}

UNIT_OF = {Room: lambda row: row.site.unit, RoomStay: lambda row: row.room.site.unit}


def row_display(row) -> RowDisplay:
    title, detail = SHOWN_AS[type(row)](row)
    unit = UNIT_OF.get(type(row), lambda r: r.unit)(row)
    return RowDisplay(title=title, detail=detail, unit=unit.name, url=_url(row))
