"""DESIGN rule 7: a figure is the rows it counts. Over a few random days of activity (seeded),
every headline of the dashboard and of the daily report (both files) equals the length of
the list under it, for the station, an office and a community, today and on closed days;
and a closed day's figures and lists stay as they were after later writes."""

import datetime
import io
import random
import re

import pypdfium2
import pytest
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from outpost.briefing.exports import daily_report_pdf, daily_report_xlsx
from outpost.briefing.figures import figure_list
from outpost.briefing.reports import daily_report, day_close, day_figures
from outpost.briefing.selectors import visible_figure_rows
from outpost.briefing.services import snapshots_take
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.dispatch.choices import ItemResult
from outpost.dispatch.tests.factories import DispatchItemFactory
from outpost.enterprises import choices_employees
from outpost.enterprises.models import EmployeeTest
from outpost.enterprises.supplies.choices import Direction, RequestOutcome, RequestStatus
from outpost.enterprises.supplies.models import Distribution, Donation, LedgerLine
from outpost.enterprises.tests.factories import EnterpriseFactory
from outpost.enterprises.tests.factories_employees import EmployeeFactory
from outpost.enterprises.tests.factories_employees import daily_report as day_report_make
from outpost.enterprises.tests.factories_notices import notice_make
from outpost.enterprises.tests.factories_supplies import donor_in, request_in, supply_items
from outpost.keypersons.tests.factories import (
    ContactEntryFactory,
    key_person_in,
    managed_key_person_in,
)
from outpost.observation.choices import AlertKind, AlertOutcome, AlertStatus
from outpost.observation.tests.factories import AlertFactory, episode_in
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, VisitMemberFactory
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory
from outpost.screening.tests.factories import ScreeningResultFactory

DAYS_BACK = 3
SEED = 20200123


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """A moment of the day in China, as an aware UTC datetime (as the database gives it)."""
    local = datetime.datetime.combine(day, datetime.time(rng.randrange(24), rng.randrange(60)))
    return timezone.make_aware(local).astimezone(datetime.UTC)


def _activity(rng: random.Random, district, day: datetime.date, worker) -> None:
    """A random day in the district's grids: residents and visits, arrivals (some found
    again by a later run), key persons and contacts, dispatch items, alerts."""
    today = timezone.localdate()
    categories = list(OriginCategory.objects.all())
    for grid in (district.grid_a1, district.grid_a2, district.grid_b1):
        for _ in range(rng.randrange(3)):
            resident = ResidentFactory(household=HouseholdFactory(unit=grid))
            if rng.random() < 0.5:
                VisitMemberFactory(visit__household=resident.household, resident=resident)
        for _ in range(rng.randrange(3)):
            ScreeningResultFactory(
                resident=ResidentFactory(household=HouseholdFactory(unit=grid)),
                category=rng.choice(categories),
                status=LinkStatus.AUTO,
                arrival_date=day,
            )
        for _ in range(rng.randrange(3)):
            key_person = managed_key_person_in(grid, days=(today - day).days)
            if rng.random() < 0.5:
                ContactEntryFactory(
                    key_person=key_person, worker=worker, contacted_at=_moment(rng, day)
                )
        for _ in range(rng.randrange(2)):
            key_person_in(grid, identified_on=day)
        for _ in range(rng.randrange(3)):
            verified = rng.random() < 0.4
            DispatchItemFactory(
                unit=grid,
                order__deadline=_moment(rng, day),
                result=ItemResult.FOUND_MANAGED if verified else "",
                result_at=_moment(rng, day) if verified else None,
            )
        for _ in range(rng.randrange(3)):
            raised = _moment(rng, day)
            transferred = rng.random() < 0.3
            AlertFactory(
                episode=episode_in(grid, start_date=day),
                kind=rng.choice([AlertKind.FEVER, AlertKind.MISSED_CHECK_IN]),
                raised_at=raised,
                **(
                    {
                        "status": AlertStatus.RESOLVED,
                        "outcome": AlertOutcome.FEVER_CLINIC,
                        "transfer_place": "第三医院发热门诊",
                        "transferred_at": raised + datetime.timedelta(minutes=40),
                        "resolved_at": raised + datetime.timedelta(minutes=40),
                    }
                    if transferred
                    else {}
                ),
            )


def _requests(rng: random.Random, grid, enterprise, day: datetime.date, worker) -> None:
    """Requests filed in the day: waiting, in hand or answered, due soon or later."""
    for _ in range(rng.randrange(3)):
        filed = _moment(rng, day)
        status = rng.choice([RequestStatus.OPEN, RequestStatus.ASSIGNED, RequestStatus.CLOSED])
        handled = {
            RequestStatus.OPEN: {},
            RequestStatus.ASSIGNED: {"assigned_to": worker},
            RequestStatus.CLOSED: {
                "assigned_to": worker,
                "outcome": RequestOutcome.RESOLVED,
                "closed_at": filed + datetime.timedelta(hours=1),
            },
        }[status]
        request_in(
            grid,
            enterprise=enterprise,
            masks=0,
            filed_at=filed,
            due_at=filed + datetime.timedelta(hours=rng.choice([2, 48])),
            status=status,
            **handled,
        )


def _notices(rng: random.Random, grid, enterprise, day: datetime.date) -> None:
    """A notice pushed in the day, confirmed or not (later, or never), some replaced."""
    pushed = _moment(rng, day)
    notice = notice_make(unit=grid, enterprises=[enterprise], pushed_at=pushed)
    if rng.random() < 0.5:
        notice.receipts.update(
            confirmed_at=pushed + datetime.timedelta(hours=rng.choice([1, 30])),
            confirmed_via="web",
        )
    if rng.random() < 0.2:
        notice_make(unit=grid, enterprises=[enterprise], pushed_at=pushed, supersedes=notice)


def _ledger(rng: random.Random, grid, enterprise, day: datetime.date, worker) -> None:
    """Donations received into the grid's store and supplies given out, in the day."""
    items = list(supply_items().values())
    for _ in range(rng.randrange(3)):
        at = _moment(rng, day)
        donation = Donation.objects.create(
            unit=grid, donor=donor_in(grid), received_by=worker, received_at=at
        )
        for item in rng.sample(items, rng.randrange(1, 3)):
            LedgerLine.objects.create(
                unit=grid,
                item=item,
                direction=Direction.IN,
                quantity=rng.randrange(1, 3000),
                balance=5000,
                donation=donation,
                at=at,
                by=worker,
            )
    for _ in range(rng.randrange(2)):
        at = _moment(rng, day)
        distribution = Distribution.objects.create(
            unit=grid,
            recipient=enterprise,
            distributed_at=at,
            distributed_by=worker,
            signed_for_by="李签收",
        )
        LedgerLine.objects.create(
            unit=grid,
            item=items[0],
            direction=Direction.OUT,
            quantity=rng.randrange(1, 2000),
            balance=0,
            distribution=distribution,
            at=at,
            by=worker,
        )


def _employee_tests(rng: random.Random, grid, enterprise, day: datetime.date, worker) -> None:
    """The day's report of an essential enterprise (or none), with a fever at times."""
    if rng.random() < 0.4:
        return
    report = day_report_make(enterprise, day)
    for _ in range(rng.randrange(3)):
        alert = AlertFactory(episode=episode_in(grid, start_date=day), raised_at=_moment(rng, day))
        EmployeeTest.objects.create(
            enterprise=enterprise,
            report=report,
            employee=EmployeeFactory(enterprise=enterprise),
            day=day,
            temperature="38.4",
            result=choices_employees.TestResult.NEGATIVE,
            alert=alert,
            recorded_by=worker,
            recorded_at=alert.raised_at,
        )


def _enterprise_activity(rng: random.Random, district, day: datetime.date, worker) -> None:
    """A random day of the grids' enterprises: requests, notices, the donations ledger,
    the employees' daily tests of the essential ones (some suspended, not asked)."""
    for grid in (district.grid_a1, district.grid_b1):
        essential = rng.random() < 0.7
        enterprise = EnterpriseFactory(
            unit=grid,
            is_essential=essential,
            status=rng.choice(["open", "open", "resumed", "suspended"]),
        )
        _requests(rng, grid, enterprise, day, worker)
        _notices(rng, grid, enterprise, day)
        _ledger(rng, grid, enterprise, day, worker)
        if essential:
            _employee_tests(rng, grid, enterprise, day, worker)


@pytest.fixture
def random_days(district, leader):
    """DAYS_BACK closed days (each frozen just after its close) and today, at random."""
    rng = random.Random(SEED)
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(DAYS_BACK, -1, -1)]
    for day in days:
        _activity(rng, district, day, leader)
        _enterprise_activity(rng, district, day, leader)
        if day < today:
            snapshots_take(day=day, now=day_close(day) + datetime.timedelta(minutes=10))
    return rng, days


def _units(district):
    return [district.station, district.office, district.community_a]


def _report_headlines_and_lists(report) -> list[tuple[str, int | None, int]]:
    values = report.values
    return [(rl.key, values[rl.key], len(rl.rows)) for rl in report.lists]


def test_every_report_list_is_as_long_as_its_figure(district, leader, random_days):
    _rng, days = random_days
    for unit in _units(district):
        for day in days:
            report = daily_report(user=leader, unit=unit, day=day)
            for key, headline, listed in _report_headlines_and_lists(report):
                assert headline == listed, (unit.name, day, key)


def test_every_dashboard_figure_is_as_long_as_the_rows_it_opens(district, leader, random_days):
    _rng, days = random_days
    for unit in _units(district):
        for day in days:
            values = day_figures(unit=unit, day=day).values
            for figure in figure_list():
                rows = visible_figure_rows(user=leader, figure=figure, unit=unit, day=day)
                assert Paginator(rows, 50).count == values[figure.key], (unit, day, figure.key)


# Figures that are a share of another: (part, whole).
SHARES = [
    ("households_screened", "households_total"),
    ("persons_screened", "persons_total"),
    ("dispatch_verified", "dispatch_items"),
    ("dispatch_overdue", "dispatch_items"),
    ("key_persons_incomplete_team", "key_persons"),
    ("contacts_overdue", "key_persons"),
    ("rooms_occupied", "rooms_total"),
    ("requests_overdue", "requests_open"),
    ("enterprises_reported", "enterprises_reporting"),
    ("enterprises_unreported", "enterprises_reporting"),
    ("employee_fevers", "alerts_raised"),
]


def test_no_figure_exceeds_the_figure_it_is_a_share_of(district, random_days):
    _rng, days = random_days
    for unit in _units(district):
        for day in days:
            values = day_figures(unit=unit, day=day).values
            for part, whole in SHARES:
                assert values[part] <= values[whole], (unit.name, day, part)
            assert (
                values["dispatch_verified"] + values["dispatch_overdue"] <= values["dispatch_items"]
            )
            reported, unreported = values["enterprises_reported"], values["enterprises_unreported"]
            assert reported + unreported == values["enterprises_reporting"], (unit.name, day)


def _dashboard_value(content: str, key: str) -> int:
    start = content.index(f'data-figure="{key}"')
    value_at = content.index('class="figure-value">', start) + len('class="figure-value">')
    return int(content[value_at : content.index("<", value_at)])


def test_the_dashboard_pages_agree_with_the_pages_of_rows(client, district, leader, random_days):
    _rng, days = random_days
    client.force_login(leader)
    for day in (days[-2], days[-1]):  # yesterday, frozen, and today, live
        query = {"unit": district.office.pk, "day": day.isoformat()}
        dashboard = client.get(reverse("briefing:dashboard"), query).content.decode()
        for figure in figure_list():
            page = client.get(reverse("briefing:figure_rows"), {**query, "key": figure.key})
            shown = page.context["page_obj"].paginator.count
            assert shown == _dashboard_value(dashboard, figure.key), (day, figure.key)


def test_a_closed_day_keeps_its_figures_and_lists_after_later_writes(district, leader, random_days):
    rng, days = random_days
    closed = days[:-1]
    before = {
        (unit.pk, day): daily_report(user=leader, unit=unit, day=day)
        for unit in _units(district)
        for day in closed
    }
    for day in closed:  # entered late, back-dated into the closed days
        _activity(rng, district, day, leader)
        _enterprise_activity(rng, district, day, leader)
    for (_unit_id, day), earlier in before.items():
        later = daily_report(user=leader, unit=earlier.unit, day=day)
        assert later.values == earlier.values
        assert [rl.rows for rl in later.lists] == [rl.rows for rl in earlier.lists]
        assert _report_headlines_and_lists(later) == _report_headlines_and_lists(earlier)


def _workbook_headlines_and_lists(content: bytes) -> list[tuple[str, object, int]]:
    workbook = load_workbook(io.BytesIO(content))
    figures = workbook.worksheets[0]
    values = {
        str(row[0]).strip("　"): row[1]
        for row in figures.iter_rows(values_only=True)
        if row[0] and str(row[0]).startswith("　")
    }
    return [
        (sheet.title, values[sheet.title], sheet.max_row - 2) for sheet in workbook.worksheets[1:]
    ]


def test_the_workbook_shows_each_figure_with_as_many_rows(district, leader, random_days):
    _rng, days = random_days
    for unit in _units(district):
        for day in (days[0], days[-1]):
            report = daily_report(user=leader, unit=unit, day=day)
            with translation.override("en"):
                sheets = _workbook_headlines_and_lists(daily_report_xlsx(report))
            assert len(sheets) == len(report.lists)
            for title, headline, listed in sheets:
                assert headline == listed, (unit.name, day, title)


def test_the_pdf_titles_each_list_with_its_figure_and_count(district, leader, random_days):
    _rng, days = random_days
    with translation.override("zh-hans"):
        report = daily_report(user=leader, unit=district.station, day=days[-2])
        document = pypdfium2.PdfDocument(daily_report_pdf(report))
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    flat = re.sub(r"\s+", " ", text)
    for report_list in report.lists:
        with translation.override("zh-hans"):
            label = str(report_list.title)
        headline = report.values[report_list.key]
        assert f"{label} ({len(report_list.rows)})" in flat
        assert f"{label} {headline}" in flat, label  # the figure's line in the table
        assert headline == len(report_list.rows)
