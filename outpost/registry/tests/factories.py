import datetime
import itertools

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from outpost.core.models import Unit
from outpost.core.tests.factories import UnitFactory
from outpost.core.validators import id_check_character
from outpost.registry.choices import MemberPresence, VisitOutcome
from outpost.registry.models import (
    Campaign,
    Household,
    Landlord,
    RentalProperty,
    Resident,
    Visit,
    VisitMember,
)
from outpost.registry.screened import screened_refresh


def valid_id_number(n: int, *, region: str = "210204", born: datetime.date | None = None) -> str:
    born = born or datetime.date(1960, 1, 1) + datetime.timedelta(days=(n * 37) % 20000)
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_character(first17)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    unit = factory.SubFactory(UnitFactory)
    household_number = factory.Sequence(lambda n: f"HH{n:07d}")
    street = "黄河路"
    building = factory.Sequence(lambda n: str(100 + n))
    entrance = "1"
    room = factory.Sequence(lambda n: f"{n % 9 + 1}0{n % 4 + 1}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    unit = factory.LazyAttribute(lambda o: o.household.unit)
    name = factory.Sequence(lambda n: f"测试居民{n}")
    id_number = factory.Sequence(lambda n: valid_id_number(n))
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    relation_to_head = "head"


class LandlordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Landlord

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"测试房东{n}")
    id_number = factory.Sequence(lambda n: valid_id_number(n + 500000))
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    is_large = True


class RentalPropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RentalProperty

    household = factory.SubFactory(HouseholdFactory, is_rental=True)
    unit = factory.LazyAttribute(lambda o: o.household.unit)
    landlord = factory.SubFactory(LandlordFactory, unit=factory.SelfAttribute("..unit"))


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign running today; pass `scope_units=[...]` (default: its organising unit)."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"排查批次{n:05d}")
    unit = factory.SubFactory(UnitFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=11))
    created_by = factory.LazyFunction(
        lambda: User.objects.get_or_create(username="campaign-organiser")[0]
    )

    @factory.post_generation
    def scope_units(self, create, extracted, **kwargs):
        if create:
            self.scope_units.set(extracted or [self.unit])


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    unit = factory.LazyAttribute(lambda o: o.household.unit)
    campaign = factory.SubFactory(
        CampaignFactory, unit=factory.SelfAttribute("..unit"), scope_units=None
    )
    visited_by = factory.LazyFunction(
        lambda: User.objects.get_or_create(username="visiting-worker")[0]
    )
    visited_at = factory.LazyFunction(timezone.now)
    outcome = VisitOutcome.COMPLETED

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:  # as the visit services do (`registry.screened`)
            screened_refresh(household_ids=[instance.household_id])


class VisitMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitMember

    visit = factory.SubFactory(VisitFactory)
    resident = factory.SubFactory(
        ResidentFactory, household=factory.SelfAttribute("..visit.household")
    )
    presence = MemberPresence.PRESENT

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            screened_refresh(resident_ids=[instance.resident_id])


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    Household: lambda grid: HouseholdFactory(unit=grid),
    Resident: lambda grid: ResidentFactory(household=HouseholdFactory(unit=grid)),
    Landlord: lambda grid: LandlordFactory(unit=grid),
    RentalProperty: lambda grid: RentalPropertyFactory(household=HouseholdFactory(unit=grid)),
    Campaign: lambda grid: CampaignFactory(unit=grid, scope_units=[grid]),
    Visit: lambda grid: VisitFactory(household=HouseholdFactory(unit=grid)),
    VisitMember: lambda grid: VisitMemberFactory(
        visit=VisitFactory(household=HouseholdFactory(unit=grid))
    ),
}


# ---------------------------------------------------------------------------- duplicates and exports

_duplicate_names = itertools.count(1)


def duplicate_pair(grid, **shared) -> tuple[Resident, Resident]:
    """Two records of one person in `grid`: same name and birth date, different ID numbers
    (what a second registration under a mistyped number looks like)."""
    values = {
        "name": f"重复居民{next(_duplicate_names)}",
        "birth_date": datetime.date(1985, 3, 7),
        **shared,
    }
    first = ResidentFactory(household=HouseholdFactory(unit=grid), **values)
    second = ResidentFactory(household=HouseholdFactory(unit=grid), **values)
    return first, second


def id_number_ending_in_x(start: int = 0) -> str:
    """A valid ID number whose check character is X (of a region no factory uses)."""
    return next(
        number
        for number in (valid_id_number(n, region="110101") for n in itertools.count(start))
        if number.endswith("X")
    )


def _duplicate_in(grid) -> Resident:
    return duplicate_pair(grid)[0]


def _ledger_export_of(user) -> str:
    """An export of the user's own unit, run to the end; its id."""
    from outpost.core.exports.tasks import export_task
    from outpost.core.tests.worker import run_queued_tasks

    result = export_task.enqueue(
        export_name="registry.residents",
        params={"unit_id": user.staff_profile.unit_id},
        user_id=user.pk,
        purpose="work_ledger",
        reason="核对人口底数",
    )
    run_queued_tasks()
    return result.id


# The export form is scoped by unit: the walk offers it a unit of each community.
SCOPED_FACTORIES[Unit] = lambda grid: grid

# Routes whose page lists more than one row of its model (pairs of duplicates): how to make
# what shows on it in a grid, and the record the walk looks for.
ROUTE_FACTORIES = {
    "registry:duplicate_list": _duplicate_in,
    "GET /api/v1/registry/duplicates": _duplicate_in,
}

# Routes of one user's own background job (an export, on the pages every export shares):
# how to make one for a user.
OWNER_ONLY_FACTORIES = {
    "core:export_status": _ledger_export_of,
    "core:export_download": _ledger_export_of,
}


def _campaign_over(unit, grid_a, grid_b):
    """A campaign organised at `unit` over its subtree, with a visited household in each grid;
    its progress page names the grids."""
    campaign = CampaignFactory(unit=unit, scope_units=[unit])
    for grid in (grid_a, grid_b):
        VisitFactory(household=HouseholdFactory(unit=grid), campaign=campaign)
    return campaign, grid_a.name, grid_b.name


# Parents that span levels: see screening/tests/factories.py.
SPANNING_FACTORIES = {Campaign: _campaign_over}


# Scoped API writes: a body that makes the write succeed on the record the route names (the
# route-walking test sends it against another community's record and expects a 404).
WRITE_PAYLOADS = {
    "POST /api/v1/registry/residents/{resident_id}/reveal": lambda resident: {
        "purpose": "verify_identity"
    },
    "POST /api/v1/registry/visits": lambda household: {
        "household_id": household.pk,
        "outcome": VisitOutcome.COMPLETED,
        "phone_confirmed": True,
        "note": "入户核查",
    },
}
