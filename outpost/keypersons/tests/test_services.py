"""Services of key persons: creation, the lifecycle, and screening results turned into key
persons; each refuses bad input with an error naming the field and writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus, SourceType
from outpost.keypersons.models import KeyPerson, KeyPersonSource
from outpost.keypersons.services import (
    key_person_create,
    key_person_status_change,
    key_persons_from_screening,
)
from outpost.keypersons.tests.factories import KeyPersonFactory, ScreeningResultFactory
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory
from outpost.screening.tests.factories import ScreeningRunFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------- create


def test_a_resident_becomes_a_key_person_in_the_residents_unit(officer_a, resident_a1):
    key_person = key_person_create(
        acting_user=officer_a,
        resident=resident_a1,
        category=KeyPersonCategory.CLOSE_CONTACT,
        source_note="上级通报",
    )
    assert key_person.unit == resident_a1.unit
    assert key_person.status == KeyPersonStatus.IDENTIFIED
    assert key_person.identified_on == timezone.localdate()
    assert key_person.created_by == officer_a
    assert key_person.history.latest().history_user == officer_a
    source = key_person.sources.get()
    assert (source.source_type, source.note) == (SourceType.MANUAL, "上级通报")


def test_an_active_key_person_is_not_created_twice(officer_a, resident_a1):
    KeyPersonFactory(resident=resident_a1)
    with pytest.raises(ValidationError) as caught:
        key_person_create(
            acting_user=officer_a, resident=resident_a1, category=KeyPersonCategory.OTHER
        )
    assert "resident" in caught.value.message_dict
    assert KeyPerson.objects.filter(resident=resident_a1).count() == 1


def test_a_person_not_in_the_registry_is_stored_normalized_and_shown_masked(officer_a, district):
    number = valid_id_number(7, region="420102")
    key_person = key_person_create(
        acting_user=officer_a,
        unit=district.grid_a2,
        name="王某",
        id_number=" " + number.lower(),
        phone="138-1234-5678",
        address_note="黄河路100号",
        category=KeyPersonCategory.SELF_REPORTED,
    )
    assert key_person.resident is None
    assert (key_person.id_number, key_person.phone) == (number, "13812345678")
    assert key_person.masked_id_number == number[:6] + "********" + number[-4:]
    assert key_person.masked_phone == "138****5678"
    assert str(key_person) == "王某"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "id_number": ""}, "name"),
        ({"name": "王某", "id_number": "420102199001011234"}, "id_number"),  # wrong check char
        ({"name": "王某", "phone": "12345"}, "phone"),
    ],
)
def test_a_person_not_in_the_registry_with_bad_details_is_refused(
    officer_a, district, fields, field
):
    with pytest.raises(ValidationError) as caught:
        key_person_create(
            acting_user=officer_a,
            unit=district.grid_a1,
            category=KeyPersonCategory.OTHER,
            **fields,
        )
    assert field in caught.value.message_dict
    assert not KeyPerson.objects.exists()


def test_a_person_whose_id_number_is_registered_is_sent_to_the_resident(officer_a, resident_a1):
    with pytest.raises(ValidationError) as caught:
        key_person_create(
            acting_user=officer_a,
            unit=resident_a1.unit,
            name="同一人",
            id_number=resident_a1.id_number,
            category=KeyPersonCategory.OTHER,
        )
    assert "id_number" in caught.value.message_dict


def test_a_person_in_another_community_is_refused(officer_a, resident_b1, district):
    with pytest.raises(PermissionDenied):
        key_person_create(
            acting_user=officer_a, resident=resident_b1, category=KeyPersonCategory.OTHER
        )
    with pytest.raises(ValidationError) as caught:
        key_person_create(
            acting_user=officer_a,
            unit=district.grid_b1,
            name="王某",
            category=KeyPersonCategory.OTHER,
        )
    assert "unit" in caught.value.message_dict
    assert not KeyPerson.objects.exists()


def test_a_read_only_role_may_not_add_key_persons(district, resident_a1):
    analyst = staff_user(role=Role.ANALYST, unit=district.community_a)
    with pytest.raises(PermissionDenied):
        key_person_create(
            acting_user=analyst, resident=resident_a1, category=KeyPersonCategory.OTHER
        )


# ---------------------------------------------------------------------------- lifecycle


def test_the_lifecycle_identified_managed_released(officer_a, resident_a1):
    key_person = KeyPersonFactory(resident=resident_a1)
    key_person_status_change(
        acting_user=officer_a, key_person=key_person, status=KeyPersonStatus.UNDER_MANAGEMENT
    )
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.UNDER_MANAGEMENT
    assert key_person.managed_from == timezone.localdate()

    key_person_status_change(
        acting_user=officer_a,
        key_person=key_person,
        status=KeyPersonStatus.RELEASED,
        reason="14天居家观察期满，无异常",
    )
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.RELEASED
    assert key_person.closed_on == timezone.localdate()
    assert key_person.closed_reason == "14天居家观察期满，无异常"
    latest = key_person.history.latest()
    assert latest.history_user == officer_a
    assert latest.history_change_reason == "14天居家观察期满，无异常"


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize(
    "status",
    [KeyPersonStatus.RELEASED, KeyPersonStatus.TRANSFERRED, KeyPersonStatus.MOVED_AWAY],
)
def test_closing_without_a_reason_is_refused(officer_a, resident_a1, status, reason):
    key_person = KeyPersonFactory(resident=resident_a1)
    with pytest.raises(ValidationError) as caught:
        key_person_status_change(
            acting_user=officer_a, key_person=key_person, status=status, reason=reason
        )
    assert list(caught.value.message_dict) == ["reason"]
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.IDENTIFIED
    assert key_person.closed_on is None


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (KeyPersonStatus.UNDER_MANAGEMENT, KeyPersonStatus.IDENTIFIED),
        (KeyPersonStatus.RELEASED, KeyPersonStatus.UNDER_MANAGEMENT),
        (KeyPersonStatus.MOVED_AWAY, KeyPersonStatus.RELEASED),
    ],
)
def test_a_step_the_lifecycle_does_not_allow_is_refused(officer_a, resident_a1, start, target):
    closed = start in (KeyPersonStatus.RELEASED, KeyPersonStatus.MOVED_AWAY)
    key_person = KeyPersonFactory(
        resident=resident_a1,
        status=start,
        closed_on=timezone.localdate() if closed else None,
        closed_reason="离连返乡" if closed else "",
    )
    with pytest.raises(ValidationError) as caught:
        key_person_status_change(
            acting_user=officer_a, key_person=key_person, status=target, reason="再次核查"
        )
    assert "status" in caught.value.message_dict
    key_person.refresh_from_db()
    assert key_person.status == start


def test_a_step_dated_in_the_future_is_refused(officer_a, resident_a1):
    key_person = KeyPersonFactory(resident=resident_a1)
    with pytest.raises(ValidationError) as caught:
        key_person_status_change(
            acting_user=officer_a,
            key_person=key_person,
            status=KeyPersonStatus.UNDER_MANAGEMENT,
            on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "on" in caught.value.message_dict


def test_a_key_person_of_another_community_cannot_be_changed(officer_a, resident_b1):
    key_person = KeyPersonFactory(resident=resident_b1)
    with pytest.raises(PermissionDenied):
        key_person_status_change(
            acting_user=officer_a,
            key_person=key_person,
            status=KeyPersonStatus.RELEASED,
            reason="不属本辖区",
        )
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.IDENTIFIED


# ---------------------------------------------------------------------------- from screening


@pytest.fixture
def run_a(district, officer_a):
    return ScreeningRunFactory(unit=district.community_a, created_by=officer_a, status="done")


def _result(run, grid, **fields):
    return ScreeningResultFactory(
        run=run, resident=ResidentFactory(household=HouseholdFactory(unit=grid)), **fields
    )


def test_screening_results_become_key_persons_with_the_run_as_source(officer_a, run_a, district):
    hubei = OriginCategory.objects.get(code="hubei_outside_wuhan")
    first = _result(run_a, district.grid_a1)
    second = _result(
        run_a, district.grid_a2, category=hubei, arrival_date=datetime.date(2020, 1, 22)
    )
    created, existing = key_persons_from_screening(
        acting_user=officer_a, run=run_a, results=[first, second]
    )
    assert existing == []
    by_resident = {key_person.resident_id: key_person for key_person in created}
    made = KeyPerson.objects.get(pk=by_resident[second.resident_id].pk)
    assert made.unit == district.grid_a2
    assert made.category == KeyPersonCategory.RISK_REGION_ARRIVAL
    assert (made.source_type, made.screening_run) == (SourceType.SCREENING, run_a)
    assert (made.origin_category, made.arrival_date) == (hubei, datetime.date(2020, 1, 22))
    assert made.history.get().history_user == officer_a
    source = made.sources.get()
    assert (source.screening_run, source.origin_category) == (run_a, hubei)


def test_an_active_key_person_found_again_gets_the_run_as_a_new_source(officer_a, run_a, district):
    result = _result(run_a, district.grid_a1)
    earlier = KeyPersonFactory(resident=result.resident, category=KeyPersonCategory.CLOSE_CONTACT)
    created, existing = key_persons_from_screening(
        acting_user=officer_a, run=run_a, results=[result]
    )
    assert (created, existing) == ([], [earlier])
    assert KeyPerson.objects.filter(resident=result.resident).count() == 1
    assert list(earlier.sources.values_list("screening_run", flat=True)) == [run_a.pk]

    # Turning the same results into key persons again adds nothing.
    created, existing = key_persons_from_screening(
        acting_user=officer_a, run=run_a, results=[result]
    )
    assert (len(created), len(existing)) == (0, 1)
    assert KeyPersonSource.objects.filter(key_person=earlier).count() == 1


def test_results_still_to_review_are_refused_and_nothing_is_written(officer_a, run_a, district):
    linked = _result(run_a, district.grid_a1)
    review = _result(run_a, district.grid_a1, status=LinkStatus.REVIEW)
    with pytest.raises(ValidationError) as caught:
        key_persons_from_screening(acting_user=officer_a, run=run_a, results=[linked, review])
    assert "results" in caught.value.message_dict
    assert not KeyPerson.objects.exists()


def test_results_of_another_run_are_refused(officer_a, run_a, district):
    other_run = ScreeningRunFactory(unit=district.community_a, created_by=officer_a, status="done")
    result = _result(other_run, district.grid_a1)
    with pytest.raises(ValidationError):
        key_persons_from_screening(acting_user=officer_a, run=run_a, results=[result])
    assert not KeyPerson.objects.exists()


def test_a_station_run_gives_an_officer_key_persons_of_their_own_results(
    officer_a, station_run, district
):
    result = _result(station_run, district.grid_a1)
    key_persons_from_screening(acting_user=officer_a, run=station_run, results=[result])
    assert KeyPerson.objects.get().resident_id == result.resident_id


def test_a_run_of_another_community_is_refused(officer_a, district):
    run_b = ScreeningRunFactory(unit=district.community_b, status="done")
    result = _result(run_b, district.grid_b1)
    with pytest.raises(PermissionDenied):
        key_persons_from_screening(acting_user=officer_a, run=run_b, results=[result])
    assert not KeyPerson.objects.exists()


def test_results_of_residents_outside_the_users_scope_are_refused(officer_a, run_a, district):
    own = _result(run_a, district.grid_a1)
    foreign = _result(run_a, district.grid_b1)
    with pytest.raises(PermissionDenied):
        key_persons_from_screening(acting_user=officer_a, run=run_a, results=[own, foreign])
    assert not KeyPerson.objects.exists()
