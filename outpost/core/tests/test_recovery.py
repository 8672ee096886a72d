"""Work left "running" by a worker that died is marked failed when the embedded server
starts, with a message that says to start it again; half-read rows are not kept."""

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from outpost.core.choices import ImportStatus
from outpost.core.exports.tasks import export_task
from outpost.core.recovery import interrupted_work_fail
from outpost.core.tests.factories import ImportJobFactory
from outpost.dispatch.choices import OrderStatus
from outpost.dispatch.tests.factories import DispatchOrderFactory
from outpost.screening.choices import FeedStatus, RunStatus
from outpost.screening.models import FeedRow
from outpost.screening.tests.factories import FeedFactory, FeedRowFactory, ScreeningRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_interrupted_work_is_failed_with_a_message_and_finished_work_is_left_alone(
    district, admin_user
):
    importing = ImportJobFactory(unit=district.community_a, status=ImportStatus.IMPORTING)
    checked = ImportJobFactory(unit=district.community_a, status=ImportStatus.VALIDATED)
    reading = FeedFactory(unit=district.station, status=FeedStatus.PARSING)
    FeedRowFactory(feed=reading, row_number=2)
    running = ScreeningRunFactory(unit=district.station, status=RunStatus.RUNNING)
    order = DispatchOrderFactory(unit=district.station, status=OrderStatus.READING)
    task = export_task.enqueue(
        export_name="registry.residents", params={"unit_id": 1}, user_id=admin_user.pk
    )
    DBTaskResult.objects.filter(id=task.id).update(status=TaskResultStatus.RUNNING)

    counts = interrupted_work_fail()

    assert counts == {
        "tasks": 1,
        "imports": 1,
        "feeds": 1,
        "screening_runs": 1,
        "dispatch_orders": 1,
    }
    for record in (importing, reading, running, order):
        record.refresh_from_db()
        assert record.status == "failed"
        assert "start it again" in record.failure
    checked.refresh_from_db()
    assert checked.status == ImportStatus.VALIDATED
    assert not FeedRow.objects.filter(feed=reading).exists()
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.FAILED
