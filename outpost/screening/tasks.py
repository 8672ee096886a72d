"""Background work of screening (django-tasks on the database queue; `outpost db_worker`).

A screening run is matched here: the view (or any caller) uses `services.starts.screening_run_start`, which
queues `screening_run_task`; the run's page polls its progress. An uploaded feed is read
here too: `feed_upload` queues `feed_parse_task`, and the feed's page polls its progress.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from outpost.core.scoping import get_visible
from outpost.screening.models import Feed, ScreeningRun
from outpost.screening.services.feeds import feed_fail, feed_read
from outpost.screening.services.runs import screening_run_execute, screening_run_fail

logger = logging.getLogger("outpost.screening")


@task()
def screening_run_task(*, run_id: int, user_id: int, language: str = "") -> dict:
    """Match the run's feeds against the registry and store its results."""
    user = get_user_model().objects.get(pk=user_id)
    run = get_visible(ScreeningRun, user, run_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            run = screening_run_execute(acting_user=user, run=run)
        except Exception:
            logger.exception("screening run %s failed", run.pk)
            screening_run_fail(
                run=run,
                message=_(
                    "The screening stopped because of an unexpected error. The administrator "
                    "can find the details in the log."
                ),
            )
            raise
    return run.counts


@task()
def feed_parse_task(*, feed_id: int, user_id: int, language: str = "") -> dict:
    """Read every row of an uploaded feed and store it."""
    user = get_user_model().objects.get(pk=user_id)
    feed = get_visible(Feed, user, feed_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            feed = feed_read(acting_user=user, feed=feed)
        except Exception:
            logger.exception("feed %s could not be read", feed.pk)
            feed_fail(
                feed=feed,
                acting_user=user,
                message=_(
                    "Reading the file stopped because of an unexpected error; no row was "
                    "kept. The administrator can find the details in the log."
                ),
            )
            raise
    return {"status": feed.status, "rows": feed.total_rows, "errors": feed.error_rows}
