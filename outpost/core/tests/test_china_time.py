"""DESIGN rule 5: every time shown is Asia/Shanghai time.

The walk makes one record of every scoped model (the scoping walk's factories), moves every
stored moment of the project's tables to 17:37 UTC — 01:37 the next morning in China — and
opens every page and every API read of those records. "17:37" must appear nowhere but in the
API's machine-readable ISO timestamps (which carry their offset), and "01:37" must show.
"""

import datetime
import io
import re

import openpyxl
import pypdfium2
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from outpost.api import api
from outpost.core.api_support import SCOPE_KEY
from outpost.core.tests.test_scoping import (
    PERSONAL_DATA_FREE_URLS,
    _pattern_for,
    _scoped_web_cases,
    owner_only_factories,
    route_factories,
    scoped_factories,
)
from outpost.keypersons.choices import SourceType
from outpost.keypersons.models import KeyPerson, KeyPersonSource
from outpost.screening.tests.factories import ScreeningRunFactory

UTC_MOMENT = datetime.datetime(2026, 3, 1, 17, 37, tzinfo=datetime.UTC)
UTC_HOUR, CHINA_HOUR = "17:37", "01:37"
# An ISO timestamp with its offset (2026-03-01T17:37:00Z) says which zone it is in.
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)")


def _move_every_moment_to(moment: datetime.datetime) -> None:
    for model in apps.get_models(include_auto_created=True):
        if not model.__module__.startswith("outpost."):
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        if names:
            values = dict.fromkeys(names, moment)
            # A period's end comes after its start (a database check on duty shifts).
            if {"starts_at", "ends_at"} <= values.keys():
                values["ends_at"] = moment + datetime.timedelta(hours=1)
            model._base_manager.update(**values)


@pytest.fixture
def moved_records(district, officer_a):
    records = {model: make(district.grid_a1) for model, make in scoped_factories().items()}
    for route, make in route_factories().items():
        records[route] = make(district.grid_a1)
    # A key person found by a screening run: their page names the run by its time.
    key_person = records[KeyPerson]
    KeyPersonSource.objects.create(
        key_person=key_person,
        source_type=SourceType.SCREENING,
        screening_run=ScreeningRunFactory(unit=district.grid_a1, created_by=officer_a),
        noted_by=officer_a,
    )
    _move_every_moment_to(UTC_MOMENT)
    return records


def _pages(client, records):
    for name, view_class in (case.values for case in _scoped_web_cases()):
        if "get" not in view_class.http_method_names or not hasattr(view_class, "get"):
            continue
        own = records.get(name) or records[view_class.model]
        args = [own.pk] if "pk" in _pattern_for(name) else []
        yield name, client.get(reverse(name, args=args))
    for name in ("home", "notify:inbox"):
        assert name in PERSONAL_DATA_FREE_URLS
        yield name, client.get(reverse(name))


def _own_jobs(client, user):
    """Each of the user's own background jobs (exports written after the move), opened."""
    for name, make in owner_only_factories().items():
        yield name, client.get(reverse(name, args=[make(user)]))


def _api_reads(client, records):
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None or SCOPE_KEY not in operation:
            continue
        own = records.get(f"GET {path}") or records[apps.get_model(operation[SCOPE_KEY])]
        url = re.sub(r"\{\w+\}", str(own.pk), path)
        yield f"GET {path}", client.get(url)


def _text(response) -> str:
    """What a reader sees of an answer: a page's or JSON's text, a workbook's cells."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        document = pypdfium2.PdfDocument(content)
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    if content.startswith(b"PK"):
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode(errors="replace")  # a photo's bytes hold no hour


@pytest.mark.django_db
def test_no_page_file_or_api_answer_shows_a_utc_hour(
    client, officer_a, moved_records, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer_a)
    utc, china = [], []
    for name, response in [
        *_pages(client, moved_records),
        *_api_reads(client, moved_records),
    ]:
        if response.status_code != 200:
            continue
        text = ISO_TIMESTAMP.sub("", _text(response))
        if UTC_HOUR in text:
            utc.append(name)
        if CHINA_HOUR in text:
            china.append(name)
    assert utc == []
    assert china, "no page showed a time at all: the walk tests nothing"


@pytest.mark.django_db
def test_every_records_name_shows_china_time(district, moved_records):
    shown = [
        f"{type(record).__name__}: {record}"
        for record in (
            type(r)._base_manager.get(pk=r.pk)
            for r in moved_records.values()
            if isinstance(r, models.Model)
        )
        if UTC_HOUR in str(record)
    ]
    assert shown == []


@pytest.mark.django_db
def test_the_daily_report_files_give_china_time(district, admin_user):
    """The alert raised at 17:37 UTC on 1 March is one of 2 March in China, at 01:37."""
    from outpost.briefing.exports import daily_report_pdf, daily_report_xlsx
    from outpost.briefing.reports import daily_report
    from outpost.observation.tests.factories import AlertFactory, episode_in

    AlertFactory(episode=episode_in(district.grid_a1), raised_at=UTC_MOMENT)
    day = datetime.date(2026, 3, 2)
    report = daily_report(user=admin_user, unit=district.station, day=day)
    for content in (daily_report_xlsx(report), daily_report_pdf(report)):
        # The PDF may wrap the raised time in its narrow column.
        text = re.sub(r"\s+", " ", _text(FileAnswer(content)))
        assert f"2026-03-02 {CHINA_HOUR}" in text
        assert UTC_HOUR not in text


class FileAnswer:
    streaming = False

    def __init__(self, content: bytes):
        self.content = content
