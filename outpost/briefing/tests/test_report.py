"""The daily report: a closed day comes from its snapshot, deltas from snapshots, lists
masked; the xlsx has the fixed layout and the PDF renders its Chinese text."""

import datetime
import io

import pypdfium2
import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from outpost.briefing.exports import daily_report_pdf, daily_report_xlsx
from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import daily_report
from outpost.briefing.services import snapshots_take
from outpost.briefing.tasks import snapshots_take_task
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.dispatch.tests.factories import DispatchItemFactory
from outpost.keypersons.tests.factories import key_person_in, managed_key_person_in
from outpost.observation.tests.factories import AlertFactory, episode_in
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory
from outpost.screening.tests.factories import ScreeningResultFactory


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def _resident(grid):
    return ResidentFactory(household=HouseholdFactory(unit=grid))


def _yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)


def _snapshot(unit, day, **figures):
    return DailySnapshot.objects.create(
        unit=unit, day=day, figures=figures, taken_at=timezone.now()
    )


def _line(report, key):
    return next(line for group in report.groups for line in group.lines if line.figure.key == key)


@pytest.fixture
def busy_day(district):
    """Today in community A: an arrival from Wuhan, a key person identified today, a fever
    alert, an overdue dispatch item and a key person never contacted (overdue)."""
    today = timezone.localdate()
    arrival = ScreeningResultFactory(
        resident=_resident(district.grid_a1),
        unit=district.grid_a1,
        category=OriginCategory.objects.get(code="wuhan"),
        status=LinkStatus.AUTO,
        arrival_date=today,
    )
    new_key_person = key_person_in(district.grid_a1, identified_on=today)
    alert = AlertFactory(episode=episode_in(district.grid_a2))
    item = DispatchItemFactory(
        unit=district.grid_a1, order__deadline=timezone.now() - datetime.timedelta(hours=2)
    )
    overdue = managed_key_person_in(district.grid_b1, days=3)
    people = [arrival.resident, new_key_person.resident, alert.episode.key_person.resident]
    people += [item.resident, overdue.resident]
    return people


def test_a_past_day_comes_from_its_snapshot_and_never_changes(district, leader):
    _resident(district.grid_a1)
    snapshots_take(day=_yesterday())
    _resident(district.grid_a1)
    _resident(district.grid_b1)

    report = daily_report(user=leader, unit=district.station, day=_yesterday())

    assert report.live is False and report.taken_at is not None
    assert _line(report, "persons_total").value == 1
    office = report.children[0]
    assert office.unit == district.office
    assert office.values["persons_total"] == 1 and office.live is False


def test_today_is_counted_live_and_says_so(district, leader):
    _resident(district.grid_a1)
    _resident(district.grid_b1)

    report = daily_report(user=leader, unit=district.office, day=timezone.localdate())

    assert report.live is True and report.taken_at is None
    assert _line(report, "persons_total").value == 2
    assert [(c.unit, c.values["persons_total"], c.live) for c in report.children] == [
        (district.community_a, 1, True),
        (district.community_b, 1, True),
    ]


def test_deltas_are_exact_from_the_snapshots_and_none_without_one(district, leader):
    day = _yesterday()
    _snapshot(district.station, day, persons_total=9, key_persons=3)
    _snapshot(district.station, day - datetime.timedelta(days=1), persons_total=5, key_persons=4)
    _snapshot(district.station, day - datetime.timedelta(days=7), persons_total=2)

    report = daily_report(user=leader, unit=district.station, day=day)

    residents, key_persons = _line(report, "persons_total"), _line(report, "key_persons")
    assert (residents.value, residents.delta_day, residents.delta_week) == (9, 4, 7)
    assert (key_persons.value, key_persons.delta_day, key_persons.delta_week) == (3, -1, None)
    # Two days back: no snapshot the day before, none a week before.
    earlier = daily_report(user=leader, unit=district.station, day=day - datetime.timedelta(days=1))
    assert _line(earlier, "persons_total").delta_day is None


def test_the_day_close_job_freezes_the_day_before(district):
    _resident(district.grid_a1)
    now = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(0, 10)))

    result = snapshots_take_task.call(now=now.isoformat())

    assert result == {"day": _yesterday().isoformat(), "snapshots": 7}
    assert (
        DailySnapshot.objects.get(unit=district.grid_a1, day=_yesterday()).figures["persons_total"]
        == 1
    )


def test_the_lists_behind_the_figures_are_of_the_subtree_and_masked(district, busy_day, leader):
    arrival, new_key_person, alerted, item, overdue = busy_day

    report = daily_report(user=leader, unit=district.community_a, day=timezone.localdate())

    lists = {report_list.key: report_list for report_list in report.lists}
    names = {
        key: [row[0 if key != "alerts_raised" else 2] for row in report_list.rows]
        for key, report_list in lists.items()
    }
    assert names["arrivals_new"] == [arrival.name]
    assert new_key_person.name in names["key_persons_new"]
    assert names["alerts_raised"] == [alerted.name]
    assert names["dispatch_overdue"] == [item.name]
    # Community B's overdue key person is not in community A's report.
    assert overdue.name not in names["contacts_overdue"]
    arrival_row = lists["arrivals_new"].rows[0]
    assert arrival_row[1] == arrival.masked_id_number and arrival_row[2] == arrival.masked_phone
    assert arrival_row[3] == "武汉来连"
    everything = repr([report_list.rows for report_list in report.lists])
    for person in busy_day:
        assert person.id_number not in everything and person.phone not in everything


@pytest.mark.usefixtures("english")
def test_the_workbook_has_the_fixed_layout_and_complete_masked_lists(district, busy_day, leader):
    report = daily_report(user=leader, unit=district.station, day=timezone.localdate())

    workbook = load_workbook(io.BytesIO(daily_report_xlsx(report)))

    sheet = workbook.worksheets[0]
    assert sheet.title == "Figures"
    assert sheet["A1"].value == f"哈尔滨路派出所 每日信息通报 {timezone.localdate().isoformat()}"
    assert [c.value for c in sheet[3]][:4] == [
        "Figure",
        "Value",
        "Change since the day before",
        "Change since a week before",
    ]
    assert sheet["A4"].value == "Carpet screening"
    column_a = [c.value for c in sheet["A"]]
    for group in ("Arrivals", "Dispatch orders", "Key persons", "Observation", "Units below"):
        assert group in column_a
    wuhan_row = column_a.index("　Arrivals from Wuhan") + 1
    assert sheet.cell(row=wuhan_row, column=2).value == 1
    assert sheet.cell(row=wuhan_row, column=3).value == "—"  # no snapshot to compare with
    assert "第一警务室" in column_a
    assert workbook.sheetnames[1:] == [
        "New arrivals today",
        "New key persons today",
        "Alerts raised today",
        "Items overdue",
        "Contacts overdue",
        "Requests overdue",
        "Notice receipts not confirmed",
        "Donation lines received today",
        "Distribution lines today",
        "Enterprises not reported today",
        "Employee fever alerts today",
    ]
    # Title, headings; the item; the person never contacted and the alerted one (no contact).
    assert workbook["Items overdue"].max_row == 2 + 1
    assert workbook["Contacts overdue"].max_row == 2 + 2
    cells = " ".join(
        str(cell.value) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
    )
    assert busy_day[0].masked_id_number in cells
    for person in busy_day:
        assert person.id_number not in cells and person.phone not in cells


def _pdf_pages(content: bytes):
    document = pypdfium2.PdfDocument(content)
    return document, [document[i] for i in range(len(document))]


def test_the_pdf_renders_its_chinese_text_masked(district, busy_day, leader):
    snapshots_take(day=_yesterday())
    with translation.override("zh-hans"):
        report = daily_report(user=leader, unit=district.station, day=timezone.localdate())
        content = daily_report_pdf(report)

    assert content.startswith(b"%PDF")
    document, pages = _pdf_pages(content)
    text = "".join(page.get_textpage().get_text_range() for page in pages)
    assert "每日信息通报" in text
    assert "哈尔滨路派出所" in text
    assert "武汉来连" in text  # a figure label (origin category)
    assert busy_day[0].masked_id_number in text
    for person in busy_day:
        assert person.id_number not in text and person.phone not in text
    image = pages[0].render(scale=1).to_pil().convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 1000  # text and table lines, not a blank page
    document.close()


@pytest.mark.usefixtures("english")
def test_the_pdf_cuts_long_lists_and_the_workbook_keeps_them(district, monkeypatch, leader):
    today = timezone.localdate()
    for _ in range(4):
        key_person_in(district.grid_a1, identified_on=today)
    monkeypatch.setattr("outpost.briefing.exports.PDF_LIST_LIMIT", 3)

    report = daily_report(user=leader, unit=district.community_a, day=today)
    content = daily_report_pdf(report)

    document, pages = _pdf_pages(content)
    text = "".join(page.get_textpage().get_text_range() for page in pages)
    assert "and 1 more row" in text
    document.close()
    workbook = load_workbook(io.BytesIO(daily_report_xlsx(report)))
    assert workbook["New key persons today"].max_row == 2 + 4


def _new_key_persons_sheet(district, leader, name):
    key_person = key_person_in(district.grid_a1, identified_on=timezone.localdate())
    type(key_person.resident).objects.filter(pk=key_person.resident_id).update(name=name)
    report = daily_report(user=leader, unit=district.station, day=timezone.localdate())
    with translation.override("en"):
        return load_workbook(io.BytesIO(daily_report_xlsx(report)))["New key persons today"]


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(district, leader):
    sheet = _new_key_persons_sheet(district, leader, "=1+1")
    name = sheet["A3"]
    assert (name.data_type, name.value) == ("s", "=1+1")


def test_a_control_character_in_a_name_does_not_break_the_workbook(district, leader):
    sheet = _new_key_persons_sheet(district, leader, "张\x07三")
    assert sheet["A3"].value == "张\ufffd三"
