"""Invariants the database itself holds for key persons."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.tests.factories import KeyPersonFactory

pytestmark = pytest.mark.django_db


def test_a_resident_has_at_most_one_active_key_person(resident_a1):
    KeyPersonFactory(resident=resident_a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyPersonFactory(resident=resident_a1, status=KeyPersonStatus.UNDER_MANAGEMENT)


def test_a_released_resident_can_become_a_key_person_again(resident_a1):
    KeyPersonFactory(
        resident=resident_a1,
        status=KeyPersonStatus.RELEASED,
        closed_on=timezone.localdate(),
        closed_reason="14天观察期满",
    )
    again = KeyPersonFactory(resident=resident_a1)
    assert again.is_active
    assert resident_a1.key_persons.count() == 2


def test_a_closed_key_person_without_a_reason_is_refused_by_the_database(resident_a1):
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyPersonFactory(
            resident=resident_a1,
            status=KeyPersonStatus.RELEASED,
            closed_on=timezone.localdate(),
            closed_reason="",
        )


def test_a_key_person_names_a_resident_or_a_person(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyPersonFactory(resident=None, unit=district.grid_a1, name="")


def test_a_key_persons_resident_cannot_be_deleted(resident_a1):
    KeyPersonFactory(resident=resident_a1)
    with pytest.raises(ProtectedError):
        resident_a1.delete()
