"""People's requests (个人信息权利请求): the 15-day deadline and its to-do line, "what we
hold about this person" across every module, scoping, anonymisation and keeping."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.briefing.figures import subtree_figures
from outpost.core.choices import AccessAction, AccessPurpose, Role
from outpost.core.exports.base import export_write, get_export
from outpost.core.models import AccessLog
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, todo_lines
from outpost.core.subject_requests.choices import KeepBasis, RequestKind, RequestStatus
from outpost.core.subject_requests.holdings import ANONYMISED_NAME
from outpost.core.subject_requests.models import SubjectRequest
from outpost.core.subject_requests.services import subject_request_create
from outpost.core.tests.factories import staff_user, subject_request_in
from outpost.dispatch.models import DispatchItem
from outpost.dispatch.tests.factories import DispatchItemFactory
from outpost.keypersons.models import KeyPerson, TeamRole
from outpost.keypersons.tests.factories import (
    ContactEntryFactory,
    TeamMemberFactory,
    managed_key_person_in,
)
from outpost.observation.tests.factories import AlertFactory, CheckInFactory, EpisodeFactory
from outpost.registry.models import Resident
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number
from outpost.screening.choices import LinkStatus
from outpost.screening.models import FeedRow
from outpost.screening.tests.factories import (
    FeedRowFactory,
    ScreeningResultFactory,
    TravelDiscrepancyFactory,
)

pytestmark = pytest.mark.django_db


def _request(*, officer, resident, kind=RequestKind.DELETE, received_on=None):
    return subject_request_create(
        acting_user=officer,
        kind=kind,
        channel="counter",
        identity_check="id_card",
        received_on=received_on or timezone.localdate(),
        subject_pk=resident.pk,
    )


@pytest.fixture
def person(district, officer_a):
    """A resident of community A with a household member and a record in every module."""
    grid = district.grid_a1
    key_person = managed_key_person_in(grid)
    resident = key_person.resident
    resident.household.phone = "13900001111"
    resident.household.save()
    member = ResidentFactory(household=resident.household, name="同户家人", phone="13700002222")
    officer_a.staff_profile.phone = "13600003333"
    officer_a.staff_profile.save()
    TeamMemberFactory(
        key_person=key_person, worker=officer_a, role=TeamRole.objects.get(code="police")
    )
    ContactEntryFactory(key_person=key_person, worker=officer_a, note="电话联系本人")
    episode = EpisodeFactory(key_person=key_person)
    CheckInFactory(episode=episode, temperature=Decimal("36.6"), note="自述无不适")
    AlertFactory(episode=episode)
    feed_row = FeedRowFactory(
        feed__unit=grid, id_number=resident.id_number, phone=resident.phone, seat="05车12F"
    )
    ScreeningResultFactory(
        resident=resident,
        status=LinkStatus.AUTO,
        sources=[{"feed": "铁路", "row": feed_row.row_number, "row_id": feed_row.pk}],
    )
    TravelDiscrepancyFactory(resident=resident, feed_row=feed_row, seat="05车12F")
    DispatchItemFactory(unit=grid, resident=resident)
    return resident, member


def test_a_request_is_due_fifteen_calendar_days_after_it_was_received(officer_a, person):
    resident, _member = person
    request = _request(officer=officer_a, resident=resident, received_on=datetime.date(2020, 2, 20))
    assert request.due_on == datetime.date(2020, 3, 6)  # 2020 has a 29 February
    assert request.unit == resident.unit
    assert request.subject_name == resident.name
    assert request.subject_id_masked.endswith(resident.id_number[-4:])
    assert resident.id_number not in request.subject_id_masked


def test_the_todo_line_is_red_past_the_deadline_and_amber_within_three_days(district, officer_a):
    today = timezone.localdate()
    subject_request_in(district.grid_a1, received_on=today - datetime.timedelta(days=16))
    subject_request_in(district.grid_a1, received_on=today - datetime.timedelta(days=13))
    subject_request_in(district.grid_a1, received_on=today)  # not due for 15 days
    subject_request_in(district.grid_b1, received_on=today - datetime.timedelta(days=20))
    lines = {
        line.label: line
        for line in todo_lines(user=officer_a, roles=[Role.POLICE_OFFICER])
        if line.url.startswith(reverse("core:subject_request_list"))
    }
    states = sorted((line.state, line.count) for line in lines.values())
    assert states == [(TODO_DUE, 1), (TODO_OVERDUE, 1)]
    overdue = next(line for line in lines.values() if line.state == TODO_OVERDUE)
    page = officer_a_client_get(officer_a, overdue.url)
    assert page.status_code == 200
    assert (
        page.content.decode().count("past the deadline") + page.content.decode().count("已逾期")
        >= 1
    )


def officer_a_client_get(user, url):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(url)


def test_what_we_hold_shows_every_module_the_own_numbers_in_full_others_masked_and_is_logged(
    client, officer_a, person, english
):
    resident, member = person
    request = _request(officer=officer_a, resident=resident, kind=RequestKind.COPY)
    client.force_login(officer_a)
    page = client.get(reverse("core:subject_request_holdings", args=[request.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for heading in (
        "Population registry",
        "Registration and door-to-door visits",
        "Key persons and four-on-one",
        "Medical observation",
        "Temperatures and symptoms",
        "Data matching",
        "Dispatch orders",
    ):
        assert heading in text
    # The person's own numbers in full; the household member's and the team's masked.
    assert resident.id_number in text
    assert resident.phone in text
    assert "同户家人" in text
    assert member.id_number not in text and member.id_number[-4:] in text
    assert "13700002222" not in text and "137****2222" in text
    assert "13600003333" not in text and "136****3333" in text
    assert "13900001111" not in text
    assert "36.6 °C" in text and "05车12F" in text
    entry = AccessLog.objects.get(action=AccessAction.EXPORT, actor=officer_a)
    assert entry.reason.startswith(request.reference)
    assert request.reference in entry.subject


def test_the_workbook_holds_the_same_document_and_is_logged(officer_a, person, english):
    resident, _member = person
    request = _request(officer=officer_a, resident=resident, kind=RequestKind.COPY)
    target = io.BytesIO()
    written = export_write(
        definition=get_export("core.person_holdings"),
        acting_user=officer_a,
        params={"request_id": request.pk},
        target=target,
        unmasked=True,
        purpose=AccessPurpose.SUBJECT_REQUEST,
        reason=f"{request.reference} · copy",
    )
    target.seek(0)
    cells = [
        str(cell)
        for row in openpyxl.load_workbook(target).active.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert resident.id_number in cells
    assert "Dispatch orders" in cells and "Medical observation" in cells
    assert written.rows > 5
    assert AccessLog.objects.filter(
        action=AccessAction.EXPORT, reason__startswith=request.reference
    ).exists()


def test_another_communitys_officer_gets_a_404(client, district, officer_a, person):
    resident, _member = person
    request = _request(officer=officer_a, resident=resident)
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b)
    client.force_login(officer_b)
    for name in (
        "core:subject_request_detail",
        "core:subject_request_holdings",
        "core:subject_request_anonymise",
        "core:subject_request_keep",
        "core:subject_request_answer",
    ):
        assert client.get(reverse(name, args=[request.pk])).status_code == 404
    assert (
        client.post(reverse("core:subject_request_anonymise", args=[request.pk])).status_code == 404
    )
    assert Resident.objects.get(pk=resident.pk).name == resident.name
    assert not AccessLog.objects.exists()


def test_anonymising_blanks_the_person_everywhere_and_changes_no_figure(
    client, district, officer_a, person
):
    resident, member = person
    request = _request(officer=officer_a, resident=resident)
    today = timezone.localdate()
    before = subtree_figures(root=district.station, day=today)
    old_id, old_name = resident.id_number, resident.name
    client.force_login(officer_a)
    page = client.get(reverse("core:subject_request_anonymise", args=[request.pk]))
    assert page.status_code == 200
    response = client.post(reverse("core:subject_request_anonymise", args=[request.pk]))
    assert response.status_code == 302

    resident.refresh_from_db()
    assert (resident.name, resident.id_number, resident.phone) == (ANONYMISED_NAME, "", "")
    assert resident.birth_date is None
    assert resident.is_active  # the row and every count stay
    assert old_id not in {entry.id_number for entry in resident.history.all()}
    assert not resident.history.filter(name=old_name).exists()
    item = DispatchItem.objects.get(resident=resident)
    assert (item.name, item.id_number, item.phone) == ("", "", "")
    assert old_id not in item.values
    assert not FeedRow.objects.filter(id_number=old_id).exists()
    assert KeyPerson.objects.get(resident=resident).contacts.get().note == ""
    member.refresh_from_db()
    assert member.name == "同户家人" and member.id_number  # another person: untouched
    assert subtree_figures(root=district.station, day=today) == before

    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert request.anonymised_at is not None
    assert request.anonymised_counts["registry"]["fields"] >= 3
    detail = client.get(request.get_absolute_url()).content.decode()
    assert reverse("core:subject_request_anonymise", args=[request.pk]) not in detail
    assert str(request.reference) in detail


def test_keeping_with_a_legal_reason_closes_the_request(client, officer_a, person):
    resident, _member = person
    request = _request(officer=officer_a, resident=resident)
    client.force_login(officer_a)
    response = client.post(
        reverse("core:subject_request_keep", args=[request.pk]),
        {"basis": KeepBasis.OPEN_CASE, "reason": "案件尚在办理，依法保存至结案"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert request.keep_basis == KeepBasis.OPEN_CASE
    assert request.answer == "案件尚在办理，依法保存至结案"
    assert request.handled_by == officer_a
    assert Resident.objects.get(pk=resident.pk).id_number == resident.id_number
    # Closed: no action is offered any more; a stale form leads back to the request.
    again = client.get(reverse("core:subject_request_keep", args=[request.pk]))
    assert again.status_code == 302 and again["Location"] == request.get_absolute_url()


def test_keeping_needs_the_reason(client, officer_a, person, english):
    resident, _member = person
    request = _request(officer=officer_a, resident=resident)
    client.force_login(officer_a)
    response = client.post(
        reverse("core:subject_request_keep", args=[request.pk]), {"basis": KeepBasis.OTHER_LAW}
    )
    assert response.status_code == 422
    assert "Reason given to the person" in response.content.decode()
    assert SubjectRequest.objects.get(pk=request.pk).is_open


def test_a_correction_is_recorded_under_the_request(client, officer_a, person):
    resident, _member = person
    request = _request(officer=officer_a, resident=resident, kind=RequestKind.CORRECT)
    client.force_login(officer_a)
    page = client.get(f"{resident.get_absolute_url()}?request={request.pk}")
    assert request.reference in page.content.decode()
    response = client.post(
        reverse("registry:resident_edit", args=[resident.pk]),
        {
            "phone": "13912345678",
            "residence_type": resident.residence_type,
            "workplace": "新单位",
            "request": request.pk,
        },
    )
    assert response.status_code == 302
    latest = resident.history.latest()
    assert latest.history_change_reason.startswith(f"{request.reference} ")
    detail = client.get(request.get_absolute_url()).content.decode()
    assert "新单位" not in detail  # names of fields only, never values
    assert detail.count("<td data-label") >= 4


def test_a_person_not_in_the_registry_is_recorded_with_a_masked_number(client, district, officer_a):
    client.force_login(officer_a)
    number = valid_id_number(4242)
    response = client.post(
        reverse("core:subject_request_new"),
        {
            "subject_name": "来访人",
            "subject_id_number": number,
            "unit": district.grid_a1.pk,
            "kind": RequestKind.KNOW,
            "channel": "letter",
            "identity_check": "id_copy",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.subject_pk is None
    assert number not in request.subject_id_masked and request.subject_id_masked.endswith(
        number[-4:]
    )


def test_the_new_request_finds_the_person_by_the_last_four_digits(client, district, officer_a):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1), name="尾号查找")
    ResidentFactory(household=HouseholdFactory(unit=district.grid_b1), name="别社区的人")
    client.force_login(officer_a)
    page = client.get(reverse("core:subject_request_new"), {"q": resident.id_number[-4:]})
    text = page.content.decode()
    assert "尾号查找" in text and resident.id_number not in text
    response = client.post(
        reverse("core:subject_request_new"),
        {
            "q": resident.id_number[-4:],
            "subject": resident.pk,
            "kind": RequestKind.COPY,
            "channel": "counter",
            "identity_check": "id_card",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert SubjectRequest.objects.get().subject_pk == resident.pk
