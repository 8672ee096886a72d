"""The scheduled jobs run through the database task queue and the real worker, driven by the
moment they are enqueued for."""

import datetime
import zoneinfo

from django.contrib.auth.models import User
from django_tasks_db.models import DBTaskResult

from outpost.core.tests.worker import run_queued_tasks
from outpost.notify.models import OutboundMessage
from outpost.observation.choices import AlertKind, EpisodeStatus
from outpost.observation.models import Alert, SelfReportLink, SiteDailyReport
from outpost.observation.tasks import (
    alerts_escalate_task,
    episodes_release_due_task,
    missed_check_ins_sweep_task,
    reminders_send_task,
    site_days_close_task,
)
from outpost.observation.tests.factories import IsolationSiteFactory, episode_registered

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.date(2020, 2, 10)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, 2, day, hour, minute, tzinfo=SHANGHAI)


def _episode(district, **values):
    values = {"planned_end_date": datetime.date(2020, 2, 12), **values}
    return episode_registered(district.grid_a1, start_date=START, at=at(9, 20), **values)


def _run(django_capture_on_commit_callbacks, task, moment):
    with django_capture_on_commit_callbacks(execute=True):
        task.enqueue(now=moment.isoformat())
    run_queued_tasks()
    return DBTaskResult.objects.get(task_path=task.module_path)


def test_the_sweep_runs_in_the_worker_at_the_moment_it_was_enqueued_for(
    district, django_capture_on_commit_callbacks
):
    episode = _episode(district)
    result = _run(django_capture_on_commit_callbacks, missed_check_ins_sweep_task, at(10, 10))
    assert result.status == "SUCCESSFUL" and result.return_value == 1
    alert = Alert.objects.get()
    assert (alert.episode, alert.kind, alert.slot_at) == (
        episode,
        AlertKind.MISSED_CHECK_IN,
        at(10, 8),
    )


def test_the_reminders_run_in_the_worker(district, django_capture_on_commit_callbacks):
    episode = _episode(district)
    SelfReportLink.objects.create(
        episode=episode,
        token_hash="hash",
        created_by=User.objects.get_or_create(username="issuer")[0],
        expires_at=at(13, 0),
    )
    result = _run(django_capture_on_commit_callbacks, reminders_send_task, at(10, 8, 40))
    assert result.return_value == 1
    assert OutboundMessage.objects.get().address == episode.key_person.resident.phone


def test_the_escalation_runs_in_the_worker(district, django_capture_on_commit_callbacks):
    _episode(district)
    _run(django_capture_on_commit_callbacks, missed_check_ins_sweep_task, at(10, 10))
    result = _run(django_capture_on_commit_callbacks, alerts_escalate_task, at(10, 10, 45))
    assert result.return_value == 1
    assert Alert.objects.get().escalated_at == at(10, 10, 45)


def test_the_release_job_marks_episodes_that_reached_their_end(
    district, django_capture_on_commit_callbacks
):
    episode = _episode(district)
    result = _run(django_capture_on_commit_callbacks, episodes_release_due_task, at(13, 0, 5))
    assert result.status == "SUCCESSFUL"
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.RELEASE_DUE


def test_the_day_close_job_freezes_yesterday_of_each_site(
    district, django_capture_on_commit_callbacks
):
    site = IsolationSiteFactory(unit=district.station)
    result = _run(django_capture_on_commit_callbacks, site_days_close_task, at(11, 0, 10))
    assert result.return_value == 1
    assert SiteDailyReport.objects.get(site=site).day == START
