"""The query planner's statistics are gathered (the demo build and an hourly job)."""

import pytest
from django.db import connection

from outpost.core.database import planner_statistics_refresh
from outpost.core.tasks import planner_statistics_task
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory


def _analyzed_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return set()
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        else:
            cursor.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_the_hourly_job_gives_the_planner_statistics_of_the_residents(district):
    household = HouseholdFactory(unit=district.grid_a1)
    for _ in range(3):
        ResidentFactory(household=household)

    planner_statistics_task.call()

    assert "registry_resident" in _analyzed_tables()


@pytest.mark.django_db(transaction=True)
def test_after_a_bulk_load_postgresql_is_vacuumed_so_counts_read_the_index_alone(district):
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    household = HouseholdFactory(unit=district.grid_a1)
    ResidentFactory.create_batch(3, household=household)

    planner_statistics_refresh()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'registry_resident'"
        )
        assert cursor.fetchone()[0] is not None


@pytest.mark.django_db
def test_postgresql_prices_an_index_read_for_tables_held_in_memory():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
