"""DESIGN rule 2: no page, API answer or export shows a full ID number, nor parts that give
a masked one back.

A masked ID (`210202********4217`) hides the birth date: the same page must not show that
date in any spelling (`1990-12-22`, `19901222`, `1990年12月22日`, ...), or the masked number is
the full number. The walk makes one record of every scoped model (each app's
`tests/factories.py`: `SCOPED_FACTORIES`, `ROUTE_FACTORIES`, and `MASKING_FACTORIES` for
records that exist only to show a sensitive value somewhere) in community A, then opens every
URL pattern and every GET operation of the API as a user of each role, and the exports of the
walk's officer. A new module's pages and routes are walked without any change here.
"""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.urls import reverse

from outpost.api import api
from outpost.core.api_support import SCOPE_KEY
from outpost.core.choices import Role
from outpost.core.masking import mask_id_number
from outpost.core.tests.factories import staff_user
from outpost.core.tests.test_scoping import (
    _app_factories,
    owner_only_factories,
    route_factories,
    scoped_factories,
    web_routes,
)
from outpost.core.validators import id_birth_date

# The unit each role's walker works in: station roles see the whole station.
ROLE_UNITS = {
    Role.STATION_LEADER: "station",
    Role.POLICE_OFFICER: "community_a",
    Role.AUXILIARY_POLICE: "community_a",
    Role.COMMUNITY_CADRE: "community_a",
    Role.GRID_WORKER: "grid_a1",
    Role.MEDICAL_STAFF: "community_a",
    Role.ANALYST: "station",
    Role.ENTERPRISE_LIAISON: "community_a",
    Role.ADMINISTRATOR: "station",
}
# Fields holding a full identity number, wherever a model keeps one.
ID_FIELDS = ("id_number", "document_number")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _request_subject_numbers(request) -> set[str]:
    resident = apps.get_model("registry", "Resident").objects.get(pk=request.subject_pk)
    return {resident.id_number, resident.document_number} - {""}


# The one deliberate exception (README, "People's requests"): what we hold about a person,
# handed to that person, shows their own numbers in full (logged as an export); anybody
# else's number on it stays masked. Route name -> the numbers it may show in full.
SHOWN_TO_THE_PERSON = {"core:subject_request_holdings": _request_subject_numbers}


def masking_factories():
    """Records that exist in the walk to put a sensitive value on a page (a dispatched list
    with a birth-date column): what -> make(grid) returning the record, whose detail pages
    the walk then opens."""
    return _app_factories("MASKING_FACTORIES")


def date_spellings(day: datetime.date) -> list[str]:
    """Every way a page or workbook may write `day` in full."""
    y, m, d = day.year, day.month, day.day
    spellings = {
        f"{y}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
    }
    for sep in "-/.":
        spellings.add(f"{y}{sep}{m:02d}{sep}{d:02d}")
        spellings.add(f"{y}{sep}{m}{sep}{d}")
    return sorted(spellings)


def full_id_numbers() -> set[str]:
    """Every identity number stored by any model of the project."""
    numbers = set()
    for model in apps.get_models():
        if not model.__module__.startswith("outpost.") or model.__name__.startswith("Historical"):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        for field in ID_FIELDS:
            if field in names:
                numbers.update(v for v in model._default_manager.values_list(field, flat=True) if v)
    return numbers


def leaks(text: str, numbers: set[str]) -> list[str]:
    """Full numbers shown, and masked numbers shown beside the digits they hide."""
    found = []
    for number in numbers:
        if number in text:
            found.append(f"full number {mask_id_number(number)}")
            continue
        if len(number) != 18 or mask_id_number(number) not in text:
            continue
        try:
            born = id_birth_date(number)
        except ValueError:
            continue
        shown = [s for s in date_spellings(born) if s in text]
        if shown:
            found.append(f"{mask_id_number(number)} beside its birth date {shown}")
    return found


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return content.decode(errors="replace")


@pytest.fixture
def walk_records(district, officer_a):
    """One record of everything in community A, residents born as their IDs say."""
    grid = district.grid_a1
    records = {model: make(grid) for model, make in scoped_factories().items()}
    routes = {route: make(grid) for route, make in route_factories().items()}
    for make in masking_factories().values():
        record = make(grid)
        records[type(record)] = record  # detail pages open the record made to show the value
    # The registry derives the birth date from the ID (`registry.services`); factories don't.
    resident_model = apps.get_model("registry", "Resident")
    for resident in resident_model.objects.filter(birth_date=None).exclude(id_number=""):
        resident_model.objects.filter(pk=resident.pk).update(
            birth_date=id_birth_date(resident.id_number)
        )
    return records, routes


def _pk_for(name, view_class, records, routes):
    if name in routes and hasattr(routes[name], "pk"):
        return routes[name].pk
    model = getattr(view_class, "model", None)
    if model in records:
        return records[model].pk
    return None


def _web_urls(records, routes):
    """(route name, URL) of every page the walk can open with a GET."""
    for pattern, name, _ns, callback in web_routes():
        view_class = getattr(callback, "view_class", None)
        if view_class is None or "get" not in view_class.http_method_names:
            continue
        if not hasattr(view_class, "get") or name in owner_only_factories():
            continue
        params = re.findall(r"<(?:(\w+):)?(\w+)>", pattern)
        if not params:
            yield name, reverse(name)
        elif [p for _conv, p in params] == ["pk"] and params[0][0] == "int":
            pk = _pk_for(name, view_class, records, routes)
            if pk is not None:
                yield name, reverse(name, args=[pk])


def _api_urls(records):
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        params = re.findall(r"\{(\w+)\}", path)
        if not params:
            yield f"GET {path}", path
        elif len(params) == 1 and SCOPE_KEY in operation:
            model = apps.get_model(operation[SCOPE_KEY])
            if model in records:
                yield f"GET {path}", path.replace("{" + params[0] + "}", str(records[model].pk))


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLE_UNITS), ids=lambda r: r.value)
def test_no_page_or_api_answer_gives_a_masked_id_back(client, district, walk_records, role):
    records, routes = walk_records
    user = staff_user(role=role, unit=getattr(district, ROLE_UNITS[role]), username="walker")
    client.force_login(user)
    numbers = full_id_numbers()
    found, masked_pages = [], 0
    urls = list(_web_urls(records, routes)) + list(_api_urls(records))
    for route, url in urls:
        response = client.get(url)
        text = _text(response)
        shown = numbers
        if route in SHOWN_TO_THE_PERSON:
            shown = numbers - SHOWN_TO_THE_PERSON[route](routes[route])
        masked_pages += any(mask_id_number(n) in text for n in shown)
        found += [f"{route} {url}: {leak}" for leak in leaks(text, shown)]
    assert found == []
    assert len(urls) > 50
    # The walk saw masked numbers: a role that may read personal data reads them masked.
    if role not in (Role.ENTERPRISE_LIAISON,):
        assert masked_pages > 0


@pytest.mark.django_db
def test_no_export_gives_a_masked_id_back(
    client, district, walk_records, officer_a, settings, tmp_path
):
    """Exports may hold full numbers when asked for unmasked; masked ones must stay masked."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer_a)
    found = []
    for name, make in owner_only_factories().items():
        url = reverse(name, args=[make(officer_a)])
        text = _text(client.get(url))
        numbers = full_id_numbers()
        masked = [n for n in numbers if n not in text]
        found += [f"{name}: {leak}" for leak in leaks(text, set(masked))]
    assert found == []
