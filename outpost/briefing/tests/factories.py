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


def _daily_report_export_of(user) -> str:
    """A daily report (xlsx) of the user's own unit for yesterday, run to the end; its id."""
    from outpost.briefing.tasks import daily_report_export_task
    from outpost.core.tests.worker import run_queued_tasks

    result = daily_report_export_task.enqueue(
        user_id=user.pk,
        unit_id=user.staff_profile.unit_id,
        day=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        file_format="xlsx",
        reason="每日信息通报",
    )
    run_queued_tasks()
    return result.id


OWNER_ONLY_FACTORIES = {
    "briefing:report_status": _daily_report_export_of,
    "briefing:report_download": _daily_report_export_of,
}
