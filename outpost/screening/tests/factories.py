import factory

from outpost.core.choices import Role
from outpost.core.tests.factories import UnitFactory, staff_user
from outpost.screening.choices import FeedSourceType, FeedStatus
from outpost.screening.models import Feed, FeedRow, ScreeningRun


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


SCOPED_FACTORIES = {
    Feed: lambda grid: FeedFactory(unit=grid),
    ScreeningRun: lambda grid: ScreeningRunFactory(unit=grid),
}
