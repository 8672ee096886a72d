import datetime

import factory
from django.contrib.auth.models import User

from outpost.core.choices import Role
from outpost.core.tests.factories import UnitFactory, staff_user
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.choices import (
    DiscrepancyKind,
    DiscrepancyStatus,
    FeedSourceType,
    FeedStatus,
    LinkStatus,
    RunStatus,
)
from outpost.screening.models import (
    Feed,
    FeedRow,
    ScreeningResult,
    ScreeningRun,
    TravelDiscrepancy,
)


class FeedFactory(factory.django.DjangoModelFactory):
    """A parsed feed (pass ``unit=``); no file is written."""

    class Meta:
        model = Feed

    unit = factory.SubFactory(UnitFactory)
    source_type = FeedSourceType.RAIL
    file = "feeds/test/feed.csv"  # pages never open the file
    original_name = factory.Sequence(lambda n: f"铁路旅客名单{n}.csv")
    uploaded_by = factory.LazyAttribute(
        lambda o: staff_user(
            role=Role.POLICE_OFFICER, unit=o.unit, username=f"uploader-{o.original_name}"
        )
    )
    status = FeedStatus.PARSED
    total_rows = 1


class FeedRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedRow

    feed = factory.SubFactory(FeedFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    name = factory.Sequence(lambda n: f"旅客{n}")
    id_number = "420102199001011236"
    phone = "13812345678"


class ScreeningRunFactory(factory.django.DjangoModelFactory):
    """A queued run (pass ``unit=``); nothing is matched."""

    class Meta:
        model = ScreeningRun

    unit = factory.SubFactory(UnitFactory)
    created_by = factory.LazyAttribute(
        lambda o: staff_user(
            role=Role.POLICE_OFFICER, unit=o.unit, username=f"runner-{o.unit.code}"
        )
    )


def _runner() -> User:
    return User.objects.get_or_create(username="screening-runner")[0]


class ScreeningResultFactory(factory.django.DjangoModelFactory):
    """A review link of a finished run over the resident's unit (pass ``resident=``)."""

    class Meta:
        model = ScreeningResult

    resident = factory.SubFactory(ResidentFactory)
    unit = factory.LazyAttribute(lambda o: o.resident.unit)
    run = factory.LazyAttribute(
        lambda o: ScreeningRunFactory(unit=o.unit, created_by=_runner(), status=RunStatus.DONE)
    )
    rule = "phone"
    score = 75
    status = LinkStatus.REVIEW
    identity_key = factory.Sequence(lambda n: f"identity{n:024d}")
    sources = factory.LazyFunction(list)


class TravelDiscrepancyFactory(factory.django.DjangoModelFactory):
    """An open discrepancy: the visit declared no travel, the feed says Wuhan."""

    class Meta:
        model = TravelDiscrepancy

    resident = factory.SubFactory(ResidentFactory)
    unit = factory.LazyAttribute(lambda o: o.resident.unit)
    kind = DiscrepancyKind.NO_TRAVEL
    feed_name = "铁路旅客名单.csv"
    feed_row_number = 2
    feed_origin = "湖北省武汉市"
    feed_region_code = "420102"
    arrival_date = datetime.date(2020, 1, 20)
    status = DiscrepancyStatus.OPEN


def _resident_in(grid):
    return ResidentFactory(household=HouseholdFactory(unit=grid), name=f"待核查{grid.code}")


SCOPED_FACTORIES = {
    Feed: lambda grid: FeedFactory(unit=grid),
    ScreeningRun: lambda grid: ScreeningRunFactory(unit=grid),
    ScreeningResult: lambda grid: ScreeningResultFactory(resident=_resident_in(grid)),
    TravelDiscrepancy: lambda grid: TravelDiscrepancyFactory(resident=_resident_in(grid)),
}

# Routes whose page shows a record by something else than its own link or name.
ROUTE_FACTORIES = {
    # The queue shows the candidate's name.
    "screening:review_list": lambda grid: (
        ScreeningResultFactory(resident=_resident_in(grid)).resident
    ),
}


def _run_over(unit, grid_a, grid_b):
    """A finished run of `unit` that found one resident in each grid."""
    run = ScreeningRunFactory(unit=unit, created_by=_runner(), status=RunStatus.DONE)
    found = [
        ScreeningResultFactory(run=run, resident=_resident_in(grid), status=LinkStatus.AUTO)
        for grid in (grid_a, grid_b)
    ]
    return run, found[0].resident.name, found[1].resident.name


# Parents that span levels (`scope_spans_levels`): make(unit, grid_a, grid_b) -> the parent
# made at `unit` with a child row in each grid, and the text each child shows by.
SPANNING_FACTORIES = {ScreeningRun: _run_over}


# Scoped API writes: a body that makes the write succeed on the record the route names (the
# route-walking test sends it against another community's record and expects a 404).
WRITE_PAYLOADS = {
    "POST /api/v1/screening/decisions": lambda resident: {
        "identity_key": f"walk-{resident.pk}",
        "resident_id": resident.pk,
    },
    "POST /api/v1/screening/discrepancies/{discrepancy_id}/resolve": lambda _d: {
        "outcome": "feed_wrong",
        "note": "电话核实，名单有误",
    },
    "POST /api/v1/screening/review/{result_id}/accept": lambda _result: {},
    "POST /api/v1/screening/review/{result_id}/reject": lambda _result: {},
    "POST /api/v1/screening/review/{result_id}/reject-all": lambda _result: {},
}
