import datetime

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from outpost.core.choices import Role
from outpost.keypersons.choices import (
    ContactChannel,
    ContactOutcome,
    KeyPersonCategory,
    KeyPersonStatus,
    MemberStatus,
    SourceType,
)
from outpost.keypersons.models import ContactEntry, KeyPerson, TeamMember, TeamRole
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory, ScreeningResult


class KeyPersonFactory(factory.django.DjangoModelFactory):
    """An identified key person for a resident (pass ``resident=``), entered by hand."""

    class Meta:
        model = KeyPerson

    resident = factory.SubFactory(ResidentFactory)
    unit = factory.LazyAttribute(lambda o: o.resident.unit)
    category = KeyPersonCategory.RISK_REGION_ARRIVAL
    source_type = SourceType.MANUAL
    created_by = factory.LazyFunction(
        lambda: User.objects.get_or_create(username="key-person-registrar")[0]
    )


class ScreeningResultFactory(factory.django.DjangoModelFactory):
    """A result linked automatically, from Wuhan (pass ``run=`` and ``resident=``)."""

    class Meta:
        model = ScreeningResult

    resident = factory.SubFactory(ResidentFactory)
    unit = factory.LazyAttribute(lambda o: o.resident.unit)
    category = factory.LazyFunction(lambda: OriginCategory.objects.get(code="wuhan"))
    arrival_date = datetime.date(2020, 1, 20)
    rule = "id_number"
    score = 100
    status = LinkStatus.AUTO


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    KeyPerson: lambda grid: KeyPersonFactory(
        resident=ResidentFactory(household=HouseholdFactory(unit=grid))
    ),
}


def _registrar():
    return User.objects.get_or_create(username="key-person-registrar")[0]


def key_person_in(grid, **values) -> KeyPerson:
    """A key person of a new resident of `grid`."""
    return KeyPersonFactory(
        resident=ResidentFactory(household=HouseholdFactory(unit=grid)), **values
    )


def managed_key_person_in(grid, *, days: int = 3, **values) -> KeyPerson:
    """A key person under management since `days` days ago (overdue when never contacted)."""
    today = timezone.localdate()
    started = today - datetime.timedelta(days=days)
    values = {
        "status": KeyPersonStatus.UNDER_MANAGEMENT,
        "identified_on": started,
        "managed_from": started,
        **values,
    }
    return key_person_in(grid, **values)


def key_person_with_team_in(grid) -> KeyPerson:
    """A key person under management whose police place is held by the police officer of
    the grid's community (when there is one)."""
    key_person = managed_key_person_in(grid)
    officer = User.objects.filter(
        groups__name=Role.POLICE_OFFICER, staff_profile__unit=grid.parent
    ).first()
    if officer is not None:
        TeamMemberFactory(
            key_person=key_person, worker=officer, role=TeamRole.objects.get(code="police")
        )
    return key_person


class TeamMemberFactory(factory.django.DjangoModelFactory):
    """A proposed member in the grid-worker place (pass ``key_person=`` and ``worker=``)."""

    class Meta:
        model = TeamMember

    role = factory.LazyFunction(lambda: TeamRole.objects.get(code="grid"))
    status = MemberStatus.PROPOSED
    assigned_by = factory.LazyFunction(_registrar)


class ContactEntryFactory(factory.django.DjangoModelFactory):
    """A phone call that reached the person (pass ``key_person=`` and ``worker=``)."""

    class Meta:
        model = ContactEntry

    contacted_at = factory.LazyFunction(timezone.now)
    channel = ContactChannel.PHONE
    outcome = ContactOutcome.REACHED
    recorded_by = factory.LazyAttribute(lambda o: o.worker)


SCOPED_FACTORIES.update(
    {
        TeamMember: lambda grid: TeamMemberFactory(
            key_person=key_person_in(grid), worker=_registrar()
        ),
        ContactEntry: lambda grid: ContactEntryFactory(
            key_person=managed_key_person_in(grid), worker=_registrar()
        ),
    }
)

# Pages that show only some key persons: a worker's own list (the walk's officer is proposed
# for the team of a key person of their community) and the overdue list.
ROUTE_FACTORIES = {
    "keypersons:mine": key_person_with_team_in,
    # A call is offered on the key persons one holds a four-on-one place for.
    "keypersons:call": key_person_with_team_in,
    "GET /api/v1/keypersons/my-key-persons": key_person_with_team_in,
    "keypersons:overdue": managed_key_person_in,
    "GET /api/v1/keypersons/overdue": managed_key_person_in,
}

# Scoped API writes: a body that makes the write succeed on the record the route names (the
# route-walking test sends it against another community's record and expects a 404).
_STEP = {"reason": "核查后调整管控"}
WRITE_PAYLOADS = {
    "POST /api/v1/keypersons/key-persons": lambda resident: {
        "resident_id": resident.pk,
        "category": KeyPersonCategory.OTHER,
        "source_note": "社区排查",
    },
    "POST /api/v1/keypersons/key-persons/{key_person_id}/manage": lambda _kp: _STEP,
    "POST /api/v1/keypersons/key-persons/{key_person_id}/release": lambda _kp: _STEP,
    "POST /api/v1/keypersons/key-persons/{key_person_id}/transfer": lambda _kp: _STEP,
    "POST /api/v1/keypersons/key-persons/{key_person_id}/move-away": lambda _kp: _STEP,
    "POST /api/v1/keypersons/key-persons/{key_person_id}/reveal": lambda _kp: {
        "purpose": "verify_identity"
    },
    "POST /api/v1/keypersons/key-persons/{key_person_id}/team/propose": lambda _kp: {},
    "POST /api/v1/keypersons/key-persons/{key_person_id}/team/confirm": lambda _kp: {"members": []},
    "POST /api/v1/keypersons/key-persons/{key_person_id}/contacts": lambda _kp: {
        "channel": ContactChannel.PHONE,
        "outcome": ContactOutcome.REACHED,
        "note": "电话联系，情况正常",
    },
}
