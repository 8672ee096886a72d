"""The contact ledger (工作台账): logging contacts, the overdue rule, the worker's own list,
the overdue view and the xlsx export."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outpost.core.choices import AccessAction, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.keypersons.choices import (
    ContactChannel,
    ContactOutcome,
    KeyPersonCategory,
    KeyPersonStatus,
)
from outpost.keypersons.models import ContactEntry, ContactRule, KeyPerson, TeamRole
from outpost.keypersons.selectors import overdue_key_persons, with_contact_state
from outpost.keypersons.services import contact_log, key_person_status_change
from outpost.keypersons.tests.factories import (
    ContactEntryFactory,
    TeamMemberFactory,
    managed_key_person_in,
)
from outpost.registry.choices import DocumentType

pytestmark = pytest.mark.django_db


def _member(key_person, worker, code="grid"):
    return TeamMemberFactory(
        key_person=key_person, worker=worker, role=TeamRole.objects.get(code=code)
    )


def _ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


def _overdue(key_person):
    return with_contact_state(KeyPerson.objects.filter(pk=key_person.pk)).get().is_overdue


# ---------------------------------------------------------------------------- logging


def test_a_team_member_logs_a_contact(team_staff, district):
    key_person = managed_key_person_in(district.grid_a1)
    _member(key_person, team_staff["grid"])
    entry = contact_log(
        acting_user=team_staff["grid"],
        key_person=key_person,
        channel=ContactChannel.DOOR_VISIT,
        outcome=ContactOutcome.REACHED,
        note="体温36.5℃，无不适",
    )
    entry.refresh_from_db()
    assert (entry.worker, entry.recorded_by) == (team_staff["grid"], team_staff["grid"])
    assert entry.note == "体温36.5℃，无不适"


def test_a_medic_on_the_team_logs_a_contact_but_not_for_others(team_staff, district):
    mine = managed_key_person_in(district.grid_a1)
    _member(mine, team_staff["medical"], "medical")
    not_mine = managed_key_person_in(district.grid_a1)
    contact_log(
        acting_user=team_staff["medical"],
        key_person=mine,
        channel=ContactChannel.VIDEO,
        outcome=ContactOutcome.REACHED,
    )
    with pytest.raises(PermissionDenied):
        contact_log(
            acting_user=team_staff["medical"],
            key_person=not_mine,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.REACHED,
        )
    assert ContactEntry.objects.count() == 1


def test_a_contact_in_the_future_is_refused(team_staff, district):
    key_person = managed_key_person_in(district.grid_a1)
    _member(key_person, team_staff["grid"])
    with pytest.raises(ValidationError) as caught:
        contact_log(
            acting_user=team_staff["grid"],
            key_person=key_person,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.REACHED,
            contacted_at=_ago(-3),
        )
    assert "contacted_at" in caught.value.message_dict
    assert not ContactEntry.objects.exists()


def test_a_closed_key_person_takes_no_more_contacts(team_staff, district):
    key_person = managed_key_person_in(district.grid_a1)
    _member(key_person, team_staff["grid"])
    key_person_status_change(
        acting_user=team_staff["police"],
        key_person=key_person,
        status=KeyPersonStatus.RELEASED,
        reason="观察期满",
    )
    with pytest.raises(ValidationError) as caught:
        contact_log(
            acting_user=team_staff["grid"],
            key_person=key_person,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.REACHED,
        )
    assert "key_person" in caught.value.message_dict


def test_a_key_person_of_another_community_is_not_found(team_staff, district):
    key_person = managed_key_person_in(district.grid_b1)
    with pytest.raises(Exception) as caught:
        contact_log(
            acting_user=team_staff["police"],
            key_person=key_person,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.REACHED,
        )
    assert caught.type.__name__ == "Http404"


# ---------------------------------------------------------------------------- overdue rule


def test_overdue_follows_the_rule_of_once_a_day(team_staff, district):
    never = managed_key_person_in(district.grid_a1)
    recent = managed_key_person_in(district.grid_a1)
    stale = managed_key_person_in(district.grid_a1)
    just_managed = managed_key_person_in(district.grid_a1, days=0)
    identified = managed_key_person_in(district.grid_a1, status=KeyPersonStatus.IDENTIFIED)
    ContactEntryFactory(key_person=recent, worker=team_staff["grid"], contacted_at=_ago(2))
    ContactEntryFactory(key_person=stale, worker=team_staff["grid"], contacted_at=_ago(30))
    assert _overdue(never) and _overdue(stale)
    assert not _overdue(recent)
    assert not _overdue(just_managed)  # managed today: a day to make the first contact
    assert not _overdue(identified)  # not under management yet


def test_a_category_may_have_its_own_rule(team_staff, district):
    ContactRule.objects.create(category=KeyPersonCategory.SELF_REPORTED, every_hours=72)
    relaxed = managed_key_person_in(district.grid_a1, category=KeyPersonCategory.SELF_REPORTED)
    strict = managed_key_person_in(district.grid_a1)
    for key_person in (relaxed, strict):
        ContactEntryFactory(key_person=key_person, worker=team_staff["grid"], contacted_at=_ago(30))
    assert not _overdue(relaxed)
    assert _overdue(strict)


def test_the_default_rule_is_configuration(team_staff, district):
    ContactRule.objects.filter(category="").update(every_hours=48)
    key_person = managed_key_person_in(district.grid_a1)
    ContactEntryFactory(key_person=key_person, worker=team_staff["grid"], contacted_at=_ago(30))
    assert not _overdue(key_person)


# ---------------------------------------------------------------------------- my key persons


def test_my_key_persons_shows_overdue_first_with_a_log_button(
    client, team_staff, district, django_assert_max_num_queries
):
    worker = team_staff["grid"]
    fresh = managed_key_person_in(district.grid_a1)
    ContactEntryFactory(key_person=fresh, worker=worker, contacted_at=_ago(1))
    overdue = [managed_key_person_in(district.grid_a1) for _ in range(3)]
    for key_person in [fresh, *overdue]:
        _member(key_person, worker)
    not_mine = managed_key_person_in(district.grid_a1)
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("keypersons:mine"))
    listed = list(response.context["object_list"])
    assert listed[-1] == fresh
    assert set(listed[:3]) == set(overdue)
    page = response.content.decode()
    assert not_mine.get_absolute_url() not in page
    assert page.count('class="button primary big block log-button"') == 4
    assert reverse("keypersons:contact_new", args=[fresh.pk]) in page


def test_a_supervisor_opens_a_workers_list_but_not_of_another_community(
    client, team_staff, district
):
    key_person = managed_key_person_in(district.grid_a1)
    _member(key_person, team_staff["grid"])
    client.force_login(team_staff["police"])
    url = reverse("keypersons:mine")
    response = client.get(url, {"worker": team_staff["grid"].pk})
    assert key_person.get_absolute_url() in response.content.decode()
    assert "log-button" not in response.content.decode()  # one logs one's own contacts
    client.force_login(team_staff["cadre_b"])
    assert client.get(url, {"worker": team_staff["grid"].pk}).status_code == 404


def test_logging_a_contact_on_the_page_returns_to_the_list(client, team_staff, district):
    worker = team_staff["grid"]
    key_person = managed_key_person_in(district.grid_a1)
    _member(key_person, worker)
    client.force_login(worker)
    url = reverse("keypersons:contact_new", args=[key_person.pk])
    assert client.get(url).status_code == 200
    when = timezone.localtime(_ago(1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "channel": "phone",
            "outcome": "not_reached",
            "contacted_at": when,
            "note": "无人接听",
            "next": reverse("keypersons:mine"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("keypersons:mine")
    entry = ContactEntry.objects.get()
    assert (entry.outcome, entry.worker) == ("not_reached", worker)


def test_the_contact_page_refuses_a_future_time_and_keeps_the_input(client, team_staff, district):
    worker = team_staff["grid"]
    key_person = managed_key_person_in(district.grid_a1)
    _member(key_person, worker)
    client.force_login(worker)
    when = timezone.localtime(_ago(-5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("keypersons:contact_new", args=[key_person.pk]),
        {"channel": "phone", "outcome": "reached", "contacted_at": when, "note": "保留"},
    )
    assert response.status_code == 422
    assert "保留" in response.content.decode()
    assert not ContactEntry.objects.exists()


def test_the_contact_page_of_another_community_is_a_404(client, team_staff, district):
    key_person = managed_key_person_in(district.grid_b1)
    client.force_login(team_staff["grid"])
    url = reverse("keypersons:contact_new", args=[key_person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"channel": "phone", "outcome": "reached"}).status_code == 404


# ---------------------------------------------------------------------------- overdue view


def test_the_overdue_view_counts_per_community_and_per_worker(
    client, team_staff, district, django_assert_max_num_queries
):
    a1 = [managed_key_person_in(district.grid_a1) for _ in range(2)]
    a2 = managed_key_person_in(district.grid_a2)
    for key_person in a1:
        _member(key_person, team_staff["grid"])
    _member(a2, team_staff["grid_a2"])
    contacted = managed_key_person_in(district.grid_a1)
    ContactEntryFactory(key_person=contacted, worker=team_staff["grid"], contacted_at=_ago(3))
    other = managed_key_person_in(district.grid_b1)
    client.force_login(team_staff["police"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("keypersons:overdue"))
    assert response.context["paginator"].count == 3
    assert [(row["unit"], row["n"]) for row in response.context["by_community"]] == [
        (district.community_a, 3)
    ]
    by_worker = {row["worker_id"]: row["n"] for row in response.context["by_worker"]}
    assert by_worker == {team_staff["grid"].pk: 2, team_staff["grid_a2"].pk: 1}
    page = response.content.decode()
    assert contacted.get_absolute_url() not in page
    assert other.get_absolute_url() not in page
    one_worker = client.get(reverse("keypersons:overdue"), {"worker": team_staff["grid_a2"].pk})
    assert list(one_worker.context["object_list"]) == [a2]
    one_grid = client.get(reverse("keypersons:overdue"), {"unit": district.grid_a1.pk})
    assert one_grid.context["paginator"].count == 2
    assert (
        client.get(reverse("keypersons:overdue"), {"unit": district.grid_b1.pk}).status_code == 404
    )


def test_overdue_of_a_station_user_covers_both_communities(district, team_staff):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    managed_key_person_in(district.grid_a1)
    managed_key_person_in(district.grid_b1)
    assert overdue_key_persons(user=leader).count() == 2
    assert overdue_key_persons(user=team_staff["police"]).count() == 1


# ---------------------------------------------------------------------------- ledger export


@pytest.fixture
def export_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return settings


def test_the_ledger_exports_a_printable_masked_workbook(
    client, team_staff, district, export_settings
):
    worker = team_staff["grid"]
    key_person = managed_key_person_in(district.grid_a1)
    ContactEntryFactory(key_person=key_person, worker=worker, contacted_at=_ago(2), note="体温正常")
    ContactEntryFactory(
        key_person=managed_key_person_in(district.grid_b1), worker=worker, contacted_at=_ago(2)
    )
    ContactEntryFactory(key_person=key_person, worker=worker, contacted_at=_ago(24 * 40))
    client.force_login(team_staff["police"])
    today = timezone.localdate()
    response = client.post(
        reverse("keypersons:ledger"),
        {
            "unit": district.community_a.pk,
            "since": (today - datetime.timedelta(days=7)).isoformat(),
            "until": today.isoformat(),
            "purpose": "other",
            "reason": "社区工作台账归档",
        },
    )
    assert response.status_code == 302
    run_queued_tasks()
    status = client.get(response["Location"])
    assert status.status_code == 200
    assert status.context["export"].rows == 1
    export_id = status.context["export"].id
    download = client.get(reverse("core:export_download", args=[export_id]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert district.community_a.name in sheet["A1"].value
    row = [cell.value for cell in sheet[4]]
    id_number = key_person.resident.id_number
    assert row[2] == key_person.resident.name
    assert row[3] == id_number[:6] + "********" + id_number[-4:]
    assert row[-1] == "体温正常"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (log.actor, log.row_count, log.reason) == (team_staff["police"], 1, "社区工作台账归档")


def _ledger_rows(client, user, unit):
    today = timezone.localdate()
    client.force_login(user)
    response = client.post(
        reverse("keypersons:ledger"),
        {
            "unit": unit.pk,
            "since": (today - datetime.timedelta(days=7)).isoformat(),
            "until": today.isoformat(),
            "purpose": "other",
            "reason": "社区工作台账归档",
        },
    )
    run_queued_tasks()
    download = client.get(response["Location"] + "download/")
    assert download.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active)[3:-1]


def test_the_ledger_shows_the_passport_number_of_a_resident_without_an_id_number(
    client, team_staff, district, export_settings
):
    key_person = managed_key_person_in(district.grid_a1)
    resident = key_person.resident
    resident.id_number, resident.document_number = "", "E12345678"
    resident.document_type = DocumentType.PASSPORT
    resident.save()
    ContactEntryFactory(key_person=key_person, worker=team_staff["grid"], contacted_at=_ago(2))
    (row,) = _ledger_rows(client, team_staff["police"], district.community_a)
    # Masked as the key person's page shows it.
    assert row[3].value == KeyPerson.objects.get(pk=key_person.pk).masked_id_number == "*****5678"


def test_a_contact_note_that_looks_like_a_formula_stays_text_in_the_ledger(
    client, team_staff, district, export_settings
):
    note = "=cmd|' /C calc'!A0"
    ContactEntryFactory(
        key_person=managed_key_person_in(district.grid_a1),
        worker=team_staff["grid"],
        contacted_at=_ago(2),
        note=note,
    )
    (row,) = _ledger_rows(client, team_staff["police"], district.community_a)
    assert (row[-1].data_type, row[-1].value) == ("s", note)


def test_a_control_character_in_a_contact_note_does_not_break_the_ledger(
    client, team_staff, district, export_settings
):
    ContactEntryFactory(
        key_person=managed_key_person_in(district.grid_a1),
        worker=team_staff["grid"],
        contacted_at=_ago(2),
        note="体温\x0b正常",
    )
    (row,) = _ledger_rows(client, team_staff["police"], district.community_a)
    assert row[-1].value == "体温\ufffd正常"


def test_the_ledger_of_another_community_is_a_404(client, team_staff, district, export_settings):
    client.force_login(team_staff["police"])
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("keypersons:ledger"),
        {
            "unit": district.community_b.pk,
            "since": today,
            "until": today,
            "purpose": "other",
            "reason": "归档台账",
        },
    )
    assert response.status_code == 404


def test_the_ledger_export_needs_a_start_before_the_end(client, team_staff, district):
    client.force_login(team_staff["police"])
    today = timezone.localdate()
    response = client.post(
        reverse("keypersons:ledger"),
        {
            "unit": district.community_a.pk,
            "since": today.isoformat(),
            "until": (today - datetime.timedelta(days=1)).isoformat(),
            "purpose": "other",
            "reason": "归档台账",
        },
    )
    assert response.status_code == 422
