import datetime

import factory

from outpost.core.tests.factories import UnitFactory
from outpost.core.validators import id_check_character
from outpost.registry.models import Household, Landlord, RentalProperty, Resident


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


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    Household: lambda grid: HouseholdFactory(unit=grid),
    Resident: lambda grid: ResidentFactory(household=HouseholdFactory(unit=grid)),
    Landlord: lambda grid: LandlordFactory(unit=grid),
    RentalProperty: lambda grid: RentalPropertyFactory(household=HouseholdFactory(unit=grid)),
}
