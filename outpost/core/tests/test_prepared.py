"""Reads compiled once (`outpost.core.prepared`): the same rows as the ORM's own query,
converted the same way, compiled once per thread."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from outpost.core.models import Unit
from outpost.core.prepared import PreparedGet, PreparedRead
from outpost.core.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _counted_build():
    built = []

    def build(code):
        built.append(code)
        return Unit.objects.filter(code=code).values_list("name", "depth", "boundary")

    return build, built


def test_each_call_reads_the_rows_of_its_own_values_with_the_orms_conversions():
    UnitFactory(code="east", name="东区", boundary={"type": "Polygon", "coordinates": []})
    UnitFactory(code="west", name="西区")
    build, _built = _counted_build()
    read = PreparedRead(build, str)

    assert read.rows("east") == [("东区", 0, {"type": "Polygon", "coordinates": []})]
    assert read.rows("west") == [("西区", 0, None)]
    assert read.rows("north") == []
    assert read.first("north") is None


# Committed rows: another thread reads them (SQLite's shared in-memory test database locks
# a table that a test's open transaction wrote).
@pytest.mark.django_db(transaction=True)
def test_the_query_is_built_once_per_thread_and_each_call_is_one_query():
    UnitFactory(code="east", name="东区")
    build, built = _counted_build()
    read = PreparedRead(build, str)

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            read.rows("east")
    assert len(queries) == 3
    assert len(built) == 1

    read_there = []

    def in_another_thread():
        read_there.append(read.rows("east"))
        connection.close()

    other_thread = threading.Thread(target=in_another_thread)
    other_thread.start()
    other_thread.join()
    assert read_there == [[("东区", 0, None)]]
    assert len(built) == 2


def test_a_parameter_the_sql_holds_twice_or_of_another_type_is_refused():
    twice = PreparedRead(
        lambda value: Unit.objects.filter(Q(code=value) | Q(name=value)).values_list("pk"), str
    )
    with pytest.raises(ValueError, match="once, unchanged"):
        twice.rows("east")
    with pytest.raises(TypeError):
        PreparedRead(lambda value: Unit.objects.filter(depth=value).values_list("pk"), float)


def test_a_prepared_get_builds_the_instance_with_every_field_and_locks_it():
    unit = UnitFactory(code="east", name="东区")
    by_pk = PreparedGet(Unit, "pk", int, for_update=True)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        found = by_pk.get(unit.pk)
        missing = by_pk.get(unit.pk + 1000)

    assert (found.pk, found.code, found.name, found.path) == (unit.pk, "east", "东区", unit.path)
    assert found._state.adding is False
    assert missing is None
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in queries[0]["sql"]
