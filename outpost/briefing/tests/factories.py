import datetime

from django.utils import timezone

from outpost.briefing.models import DailySnapshot


def snapshot_of(unit, *, days_ago: int = 1, **figures) -> DailySnapshot:
    """A frozen day of `unit` with the given figures (the others absent, read as 0)."""
    return DailySnapshot.objects.create(
        unit=unit,
        day=timezone.localdate() - datetime.timedelta(days=days_ago),
        figures=figures,
        taken_at=timezone.now(),
    )


def _key_person_in(grid):
    from outpost.keypersons.tests.factories import key_person_in

    return key_person_in(grid)


# For the route-walking scoping test: the dashboard of the officer's community lists its
# grids by name, never another community's; the default figure list is the key persons.
SCOPED_FACTORIES = {DailySnapshot: lambda grid: snapshot_of(grid, persons_total=1)}
ROUTE_FACTORIES = {
    "briefing:dashboard": lambda grid: grid,
    # The report form lists the units of the officer's subtree by name.
    "briefing:report": lambda grid: grid,
    "briefing:figure_rows": _key_person_in,
}
