import datetime

import factory
from django.contrib.auth.models import User

from outpost.keypersons.choices import KeyPersonCategory, SourceType
from outpost.keypersons.models import KeyPerson
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
