import functools

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from outpost.core.choices import ImportStatus, Role, UnitKind
from outpost.core.models import ImportJob, LegalHold, Organisation, StaffProfile, Unit

TEST_PASSWORD = "correct-horse-battery"


@functools.cache
def hashed_test_password() -> str:
    """TEST_PASSWORD hashed once per test process. Argon2 spends about 0.1 s and 100 MB on
    each hash by design; the scoping walk alone makes thousands of staff logins."""
    return make_password(TEST_PASSWORD)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.GRID
    parent = None
    path = factory.LazyAttribute(lambda o: Unit.build_path(o.parent, o.code))
    depth = factory.LazyAttribute(lambda o: (o.parent.depth + 1) if o.parent else 0)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"合作单位{n}")
    kind = "health_centre"
    unit = factory.SubFactory(UnitFactory)


def staff_user(*, role: Role, unit: Unit, username: str | None = None, **profile) -> User:
    """A login with one role in one unit, as the demo and real deployments make them."""
    username = username or f"{role.value}-{unit.code}"
    user = User.objects.create(username=username, password=hashed_test_password())
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=role.value))
    StaffProfile.objects.create(
        user=user, unit=unit, display_name=profile.pop("display_name", username), **profile
    )
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A checked residents import (no file behind it: pages must not need one to render)."""

    class Meta:
        model = ImportJob

    kind = "registry.residents"
    unit = factory.SubFactory(UnitFactory)
    created_by = factory.Sequence(lambda n: User.objects.create_user(username=f"importer{n}"))
    original_name = factory.LazyAttribute(lambda o: f"import-{o.unit.code}.xlsx")
    file = "imports/missing.xlsx"
    sheet_name = "Sheet1"
    header_row = 1
    headers = ["姓名", "身份证号"]
    mapping = {"0": "name", "1": "id_number"}
    status = ImportStatus.VALIDATED
    progress = 100
    total_rows = 2
    valid_rows = 2
    created_count = 2


def legal_hold_on_resident_in(grid) -> LegalHold:
    """An open legal hold on a new resident of `grid`, for case HOLD-<grid code>."""
    from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

    resident = ResidentFactory(household=HouseholdFactory(unit=grid))
    return LegalHold.objects.create(
        model_label="registry.Resident",
        object_id=resident.pk,
        unit=grid,
        case_reference=f"HOLD-{grid.code}",
        reason="涉案人员",
        opened_by=User.objects.get_or_create(username="hold-opener")[0],
    )


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    ImportJob: lambda grid: ImportJobFactory(unit=grid),
    LegalHold: legal_hold_on_resident_in,
}


def subject_request_in(grid, **values):
    """An open request to delete, of a new resident of `grid` (every action is open on it)."""
    import datetime

    from django.utils import timezone

    from outpost.core.subject_requests.models import SubjectRequest, due_date
    from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

    resident = ResidentFactory(household=HouseholdFactory(unit=grid))
    received = values.pop("received_on", timezone.localdate() - datetime.timedelta(days=2))
    return SubjectRequest.objects.create(
        unit=grid,
        subject_pk=resident.pk,
        subject_name=resident.name,
        subject_id_masked=resident.masked_id_number,
        kind=values.pop("kind", "delete"),
        channel="counter",
        identity_check="id_card",
        received_on=received,
        due_on=due_date(received),
        created_by=User.objects.get_or_create(username="request-registrar")[0],
        **values,
    )


def subject_request_not_in_registry(grid):
    """An open request to delete of a person not in the registry: the walks send its forms
    (answer, keep) without anonymising anybody the other pages show."""
    request = subject_request_in(grid)
    request.subject_pk = None
    request.save(update_fields=["subject_pk"])
    return request


def _subject_request_model():
    from outpost.core.subject_requests.models import SubjectRequest

    return SubjectRequest


SCOPED_FACTORIES[_subject_request_model()] = subject_request_not_in_registry
# The pages about the person in the registry: the document and the anonymisation.
ROUTE_FACTORIES = {
    "core:subject_request_holdings": subject_request_in,
    "core:subject_request_anonymise": subject_request_in,
}
