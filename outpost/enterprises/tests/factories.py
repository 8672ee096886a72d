import factory
from django.contrib.auth.models import User

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.choices import EnterpriseStatus, Sector
from outpost.enterprises.models import Enterprise, EnterpriseContact, EnterpriseLiaison
from outpost.enterprises.validators import credit_code_check_character


def credit_code(n: int, region: str = "210204") -> str:
    """A valid unified social credit code (registered by market regulation, 91) numbered `n`."""
    first17 = f"91{region}{n:09d}"
    return first17 + credit_code_check_character(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    """An open manufacturing enterprise (pass ``unit=``)."""

    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"大连第{n}制造有限公司")
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    sector = Sector.MANUFACTURING
    address = factory.Sequence(lambda n: f"哈尔滨路{n}号")
    employees = 50
    status = EnterpriseStatus.OPEN


class EnterpriseContactFactory(factory.django.DjangoModelFactory):
    """A contact person with a mobile phone (pass ``enterprise=``)."""

    class Meta:
        model = EnterpriseContact

    name = factory.Sequence(lambda n: f"联系人{n}")
    title = "办公室主任"
    phone = factory.Sequence(lambda n: f"1391100{n % 10000:04d}")


def liaison_of(enterprise: Enterprise, username: str | None = None) -> User:
    """A login with the enterprise liaison role bound to `enterprise` (its staff profile in
    the enterprise's unit, as the accounts page makes them)."""
    user = staff_user(
        role=Role.ENTERPRISE_LIAISON,
        unit=enterprise.unit,
        username=username or f"liaison-{enterprise.pk}",
    )
    EnterpriseLiaison.objects.create(user=user, enterprise=enterprise)
    return User.objects.get(pk=user.pk)


# For the route-walking scoping test: how to make one scoped row inside a given grid.
SCOPED_FACTORIES = {
    Enterprise: lambda grid: EnterpriseFactory(unit=grid),
    EnterpriseContact: lambda grid: EnterpriseContactFactory(
        enterprise=EnterpriseFactory(unit=grid)
    ),
}

# Routes whose record is not a row of the view's model: the create API takes a unit.
ROUTE_FACTORIES = {
    "POST /api/v1/enterprises/enterprises": lambda grid: grid,
}

_new_codes = iter(range(900_000, 10**9))

# Scoped API writes: a body that makes the write succeed on the record the route names.
WRITE_PAYLOADS = {
    "POST /api/v1/enterprises/enterprises": lambda unit: {
        "unit_id": unit.pk,
        "name": "大连保供食品有限公司",
        "credit_code": credit_code(next(_new_codes)),
        "sector": Sector.FOOD,
    },
}

from outpost.enterprises.tests.factories_dormitories import extend_walk  # noqa: E402

extend_walk(globals())

# The employees' daily tests (员工每日检测): their rows and routes in the walks.
from outpost.enterprises.tests import factories_employees as _employees  # noqa: E402

SCOPED_FACTORIES.update(_employees.SCOPED_FACTORIES)
ROUTE_FACTORIES.update(_employees.ROUTE_FACTORIES)
WRITE_PAYLOADS.update(_employees.WRITE_PAYLOADS)

# Requests and the donations ledger: their rows and routes in the walks.
from outpost.enterprises.tests import factories_supplies as _supplies  # noqa: E402

ROUTE_FACTORIES.update(_supplies.ROUTE_FACTORIES)
WRITE_PAYLOADS.update(_supplies.WRITE_PAYLOADS)

from outpost.enterprises.tests.factories_notices import register as notices_register  # noqa: E402

notices_register(globals())
