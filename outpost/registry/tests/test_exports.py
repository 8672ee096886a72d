"""Ledger exports (台账): contents, masking, the access log, scope, and the task path.

Exports run as django-tasks tasks on the database queue; the tests queue them through the
page, as a user does, and run them with the real worker command (`run_queued_tasks`).
"""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from outpost.core.choices import AccessAction, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.registry.choices import MemberPresence, VisitOutcome
from outpost.registry.exports import (
    HOUSEHOLD_COLUMNS,
    RESIDENT_COLUMNS,
    RESIDENT_EXPORT_FIELDS,
)
from outpost.registry.selectors import campaign_progress, campaign_progress_by_grid
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ID_NUMBER = "210204199003070012"
PHONE = "13845678901"
REASON = "社区疫情防控排查"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def residents(district):
    """Zhang (head) and Li in one household of grid A1, Wang in grid A2, Zhao in community B."""
    household = HouseholdFactory(
        unit=district.grid_a1,
        household_number="HH-A1-01",
        street="黄河路",
        building="12",
        entrance="3",
        room="401",
        phone="13800001111",
    )
    return {
        "zhang": ResidentFactory(
            household=household,
            name="张三",
            id_number=ID_NUMBER,
            phone=PHONE,
            sex="M",
            birth_date=datetime.date(1990, 3, 7),
            relation_to_head="head",
        ),
        "li": ResidentFactory(household=household, name="李四", relation_to_head="spouse"),
        "wang": ResidentFactory(household=HouseholdFactory(unit=district.grid_a2), name="王五"),
        "zhao": ResidentFactory(household=HouseholdFactory(unit=district.grid_b1), name="赵六"),
    }


def headings(columns):
    with translation.override("en"):
        return [str(column.heading) for column in columns]


def export(client, user, *, status=302, run=True, **data):
    """Ask for an export on the page and run the queue; the export's status URL."""
    client.force_login(user)
    response = client.post(
        reverse("registry:export"), {"purpose": "other", "reason": REASON, **data}
    )
    assert response.status_code == status, response.content.decode()[:2000]
    if status != 302:
        return response
    if run:
        run_queued_tasks()
    return response["Location"]


def workbook(client, status_url):
    response = client.get(status_url.rstrip("/") + "/download/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content)).worksheets[0], response


def stored_exports():
    """The export files in the storage."""
    try:
        return default_storage.listdir("exports")[1]
    except FileNotFoundError:
        return []


def stored(export_id) -> bool:
    return default_storage.exists(f"exports/{export_id}.xlsx")


def rows(sheet):
    return [row for row in sheet.iter_rows(values_only=True)]


def test_residents_ledger_is_masked_with_text_cells_title_and_frozen_header(
    client, officer_a, district, residents
):
    url = export(client, officer_a, kind="residents", unit=district.community_a.pk)
    sheet, response = workbook(client, url)
    today = timezone.localdate().isoformat()
    assert "attachment" in response["Content-Disposition"]

    title, subtitle, header, *body, total = rows(sheet)
    assert title[0] == f"甲社区 Residents ledger（{today}）"  # the unit and the day
    assert today in subtitle[0] and "masked" in subtitle[0]
    assert list(header) == headings(RESIDENT_COLUMNS)
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert total[0] == "Total: 3 residents"

    names = [row[1] for row in body]
    assert names == ["张三", "李四", "王五"]  # by grid, then household, head first
    zhang = body[0]
    assert zhang[5] == "210204********0012"
    assert zhang[6] == "138****8901"
    assert zhang[3] == "1990-**-**"
    assert zhang[8] == "黄河路12号****"
    assert zhang[9] == "Head of household"
    id_cell, phone_cell = sheet.cell(row=4, column=6), sheet.cell(row=4, column=7)
    for cell in (id_cell, phone_cell, sheet.cell(row=4, column=8)):
        assert cell.data_type == "s"
        assert cell.number_format == "@"
    everything = str(rows(sheet))
    assert ID_NUMBER not in everything and PHONE not in everything


def test_unmasked_ledger_for_a_user_with_the_right_who_ticks_it(
    client, officer_a, district, residents
):
    url = export(client, officer_a, kind="residents", unit=district.grid_a1.pk, unmasked="on")
    sheet, _response = workbook(client, url)
    _title, subtitle, _header, zhang, *_rest = rows(sheet)
    assert "UNMASKED" in subtitle[0]
    assert zhang[5] == ID_NUMBER
    assert zhang[6] == PHONE
    assert zhang[3] == "1990-03-07"
    assert zhang[8] == "黄河路12号3单元401室"
    assert sheet.cell(row=4, column=6).data_type == "s"  # never a number


def test_without_the_right_the_unmasked_box_is_not_offered_and_the_export_stays_masked(
    client, grid_worker_a1, district, residents
):
    client.force_login(grid_worker_a1)
    assert 'name="unmasked"' not in client.get(reverse("registry:export")).content.decode()
    url = export(client, grid_worker_a1, kind="residents", unit=district.grid_a1.pk, unmasked="on")
    sheet, _response = workbook(client, url)
    assert ID_NUMBER not in str(rows(sheet))
    entry = AccessLog.objects.get()
    assert entry.actor == grid_worker_a1


def test_an_export_without_a_reason_is_refused_and_nothing_is_queued(
    client, officer_a, district, residents
):
    response = export(
        client,
        officer_a,
        status=422,
        kind="residents",
        unit=district.community_a.pk,
        unmasked="on",
        reason=" ",
    )
    assert "field-error" in response.content.decode()
    run_queued_tasks()
    assert AccessLog.objects.count() == 0
    assert stored_exports() == []


def test_every_export_writes_an_access_log_row(client, officer_a, district, residents):
    export(client, officer_a, kind="residents", unit=district.community_a.pk)
    export(client, officer_a, kind="households", unit=district.grid_a1.pk, unmasked="on")
    residents_entry, households_entry = AccessLog.objects.order_by("at", "pk")
    assert residents_entry.action == AccessAction.EXPORT
    assert residents_entry.actor == officer_a
    assert residents_entry.model_label == "registry.Resident"
    assert residents_entry.row_count == 3
    assert residents_entry.reason == REASON
    assert residents_entry.fields == list(RESIDENT_EXPORT_FIELDS)
    assert "甲社区" in residents_entry.subject and "masked" in residents_entry.subject
    assert households_entry.model_label == "registry.Household"
    assert households_entry.row_count == 1
    assert "unmasked" in households_entry.subject


def test_export_of_a_unit_of_another_community_is_a_404(client, officer_a, district, residents):
    for kind in ("residents", "households"):
        export(client, officer_a, status=404, kind=kind, unit=district.grid_b1.pk)
    run_queued_tasks()
    assert AccessLog.objects.count() == 0


def test_the_export_page_offers_only_the_users_units(client, grid_worker_a1, district):
    client.force_login(grid_worker_a1)
    content = client.get(reverse("registry:export")).content.decode()
    units = re.search(r'<select name="unit".*?</select>', content, re.S).group(0)
    assert re.findall(r'value="(\d+)"', units) == [str(district.grid_a1.pk)]


def test_the_worker_writes_the_workbook_in_the_language_of_the_request(
    client, officer_a, district, residents
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    url = export(client, officer_a, kind="households", unit=district.grid_a1.pk)
    sheet, _response = workbook(client, url)
    with translation.override("zh-hans"):
        assert rows(sheet)[3][6] == gettext("No") == "否"  # Django's own catalog


def test_grid_worker_export_holds_their_own_grid_only(client, grid_worker_a1, district, residents):
    url = export(client, grid_worker_a1, kind="residents", unit=district.grid_a1.pk)
    sheet, _response = workbook(client, url)
    names = [row[1] for row in rows(sheet)[3:-1]]
    assert names == ["张三", "李四"]
    export(client, grid_worker_a1, status=404, kind="residents", unit=district.community_a.pk)


def test_community_export_holds_the_community_and_nothing_of_another(
    client, admin_user, district, residents
):
    url = export(client, admin_user, kind="residents", unit=district.community_b.pk)
    sheet, _response = workbook(client, url)
    assert [row[1] for row in rows(sheet)[3:-1]] == ["赵六"]


def test_merged_and_inactive_residents_are_not_in_the_ledger(
    client, officer_a, district, residents
):
    residents["li"].is_active = False
    residents["li"].save()
    url = export(client, officer_a, kind="residents", unit=district.grid_a1.pk)
    sheet, _response = workbook(client, url)
    assert [row[1] for row in rows(sheet)[3:-1]] == ["张三"]
    assert AccessLog.objects.get().row_count == 1


def test_households_ledger_has_head_members_and_masked_phone(
    client, officer_a, district, residents
):
    url = export(client, officer_a, kind="households", unit=district.grid_a1.pk)
    sheet, _response = workbook(client, url)
    _title, _subtitle, header, row, total = rows(sheet)
    assert list(header) == headings(HOUSEHOLD_COLUMNS)
    assert row[1:] == (
        "HH-A1-01",
        "黄河路12号****",
        "张三",
        2,
        "138****1111",
        "No",
        "甲社区第1网格",
    )
    assert sheet.cell(row=4, column=6).number_format == "@"
    assert total[0] == "Total: 1 households"


def test_campaign_progress_ledger_counts_each_grid(client, officer_a, district):
    campaign = CampaignFactory(unit=district.station, scope_units=[district.station])
    a1 = [HouseholdFactory(unit=district.grid_a1) for _ in range(3)]
    HouseholdFactory(unit=district.grid_a2)
    HouseholdFactory(unit=district.grid_b1)
    visit = VisitFactory(campaign=campaign, household=a1[0])
    for presence in (MemberPresence.PRESENT, MemberPresence.NEW, MemberPresence.DEPARTED):
        VisitMemberFactory(visit=visit, presence=presence)
    VisitFactory(campaign=campaign, household=a1[1], outcome=VisitOutcome.NOBODY_HOME)
    url = export(
        client,
        officer_a,
        kind="campaign_progress",
        unit=district.community_a.pk,
        campaign=campaign.pk,
        reason="",
    )
    sheet, _response = workbook(client, url)
    _title, _subtitle, _header, *body, total = rows(sheet)
    assert [row[1:] for row in body] == [
        ("甲社区", "甲社区第1网格", 3, 1, 2, 33, 1, 2),
        ("甲社区", "甲社区第2网格", 1, 0, 1, 0, 0, 0),
    ]
    assert "1 of 4 households visited" in total[0]
    assert AccessLog.objects.count() == 0  # counts, not personal data


def test_progress_of_a_campaign_the_user_cannot_see_is_a_404(client, officer_a, district):
    campaign = CampaignFactory(unit=district.community_b, scope_units=[district.community_b])
    export(
        client,
        officer_a,
        status=404,
        kind="campaign_progress",
        unit=district.community_a.pk,
        campaign=campaign.pk,
    )


def test_the_request_only_queues_the_export_and_the_status_page_polls_until_ready(
    client, officer_a, district, residents
):
    url = export(client, officer_a, run=False, kind="residents", unit=district.community_a.pk)
    waiting = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in waiting
    assert "/download/" not in waiting
    assert client.get(url.rstrip("/") + "/download/").status_code == 404
    assert AccessLog.objects.count() == 0

    run_queued_tasks()
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert "hx-trigger" not in partial
    assert "/download/" in partial
    assert "3 rows" in partial
    listing = client.get(reverse("registry:export")).content.decode()
    assert url.rstrip("/") + "/download/" in listing


def test_the_file_is_no_longer_served_once_the_unit_left_the_users_scope(
    client, officer_a, district, residents
):
    url = export(client, officer_a, kind="residents", unit=district.grid_a1.pk)
    profile = officer_a.staff_profile
    profile.unit = district.community_b
    profile.save()
    assert client.get(url.rstrip("/") + "/download/").status_code == 404


def test_an_unmasked_file_is_no_longer_served_once_the_right_is_gone(
    client, officer_a, district, residents
):
    url = export(client, officer_a, kind="residents", unit=district.grid_a1.pk, unmasked="on")
    officer_a.groups.set([Group.objects.get(name=Role.COMMUNITY_CADRE)])  # may not export
    client.force_login(User.objects.get(pk=officer_a.pk))
    assert client.get(url.rstrip("/") + "/download/").status_code == 404


def test_a_failed_export_says_so_and_offers_no_file(client, officer_a, district, residents):
    url = export(client, officer_a, run=False, kind="residents", unit=district.grid_a1.pk)
    profile = officer_a.staff_profile
    profile.unit = district.community_b  # the unit is no longer the user's when the task runs
    profile.save()
    run_queued_tasks()
    profile.unit = district.community_a
    profile.save()
    content = client.get(url).content.decode()
    assert "could not be written" in content
    assert "/download/" not in content
    assert AccessLog.objects.count() == 0


def test_a_role_without_registry_rights_may_not_export(client, district):
    liaison = staff_user(role=Role.ENTERPRISE_LIAISON, unit=district.community_a)
    client.force_login(liaison)
    assert client.get(reverse("registry:export")).status_code == 403
    response = client.post(
        reverse("registry:export"),
        {
            "kind": "residents",
            "unit": district.community_a.pk,
            "purpose": "other",
            "reason": REASON,
        },
    )
    assert response.status_code == 403


def test_progress_by_grid_adds_up_to_the_progress_page(officer_a, district):
    campaign = CampaignFactory(unit=district.station, scope_units=[district.community_a])
    for grid, outcomes in (
        (district.grid_a1, [VisitOutcome.COMPLETED, VisitOutcome.NOBODY_HOME, None]),
        (district.grid_a2, [VisitOutcome.REFUSED, None]),
    ):
        for outcome in outcomes:
            household = HouseholdFactory(unit=grid)
            if outcome:
                visit = VisitFactory(campaign=campaign, household=household, outcome=outcome)
                VisitMemberFactory(visit=visit)
    grids = campaign_progress_by_grid(user=officer_a, campaign=campaign, base=district.community_a)
    page = campaign_progress(user=officer_a, campaign=campaign, base=district.community_a).base
    for attribute in ("households", "visited", "nobody_home", "persons_screened"):
        assert sum(getattr(line.row, attribute) for line in grids) == getattr(page, attribute)
    assert [line.row.name for line in grids] == [district.grid_a1.name, district.grid_a2.name]


def test_prune_deletes_exports_older_than_a_week_and_keeps_recent_ones(
    client, officer_a, district, residents
):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    old_url = export(client, officer_a, kind="residents", unit=district.community_a.pk)
    new_url = export(client, officer_a, kind="households", unit=district.community_a.pk)
    old_id = re.search(r"exports/([0-9a-f-]+)/", old_url)[1]
    new_id = re.search(r"exports/([0-9a-f-]+)/", new_url)[1]
    DBTaskResult.objects.filter(id=old_id).update(
        finished_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert stored(old_id)
    call_command("prune", stdout=io.StringIO())
    assert not stored(old_id)
    assert client.get(old_url).status_code == 404
    assert stored(new_id)
    assert client.get(new_url.rstrip("/") + "/download/").status_code == 200


def test_a_workplace_that_looks_like_a_formula_stays_text_in_the_ledger(
    client, officer_a, district, residents
):
    formula = '=HYPERLINK("http://evil.example","点此领取")'
    residents["zhang"].workplace = formula
    residents["zhang"].save()
    url = export(client, officer_a, kind="residents", unit=district.community_a.pk)
    sheet, _response = workbook(client, url)
    workplace = sheet.cell(row=4, column=12)
    assert (workplace.data_type, workplace.value) == ("s", formula)


def test_a_control_character_in_a_workplace_does_not_break_the_ledgers(
    client, admin_user, district, residents
):
    # Stored as it came, whichever way it came in: the ledger must still be written.
    type(residents["li"]).objects.filter(pk=residents["li"].pk).update(workplace="大连\x07港务局")
    for unit in (district.grid_a1, district.station):
        url = export(client, admin_user, kind="residents", unit=unit.pk)
        sheet, _response = workbook(client, url)
        assert "大连\ufffd港务局" in [row[11] for row in rows(sheet)]
