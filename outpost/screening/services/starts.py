"""Requests that queue screening's background work (STYLE rule 4): the upload of a feed
and the start of a screening run. They are apart from the services the worker runs
(`feeds`, `runs`), so that `outpost.screening.tasks` can call those without an import loop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.imports.uploads import upload_kept, upload_name, upload_size_check
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope
from outpost.screening import imports
from outpost.screening.choices import FeedStatus, RunStatus
from outpost.screening.models import Feed, ScreeningRun
from outpost.screening.services.feeds import READ as FEED_READ
from outpost.screening.tasks import feed_parse_task, screening_run_task

logger = logging.getLogger("outpost.screening")


def feed_upload(
    *, acting_user, unit: Unit, source_type: str, file, original_name: str = ""
) -> Feed:
    """Keep an uploaded feed file and queue the reading of its rows.

    Only the file's size is checked here: the request never parses an upload. The worker
    (`feed_parse_task`, once this transaction commits) finds the header and reads every
    row; a file that is not a table, names none of the columns a feed needs or has no data
    row fails the feed with the reason, shown on its page.
    """
    if not acting_user.has_perm("screening.add_feed"):
        raise PermissionDenied(_("Your role may not upload feeds."))
    if not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("The feed's unit is outside your jurisdiction."))
    original_name = upload_name(file, original_name, default="feed")
    upload_size_check(file, max_bytes=imports.FEED_MAX_BYTES)
    feed = Feed(
        unit=unit,
        source_type=source_type,
        original_name=original_name,
        uploaded_by=acting_user,
        status=FeedStatus.QUEUED,
    )
    with upload_kept(feed, file, original_name):
        feed.full_clean()
        with transaction.atomic():
            save_audited(feed, acting_user=acting_user)
            assert_in_scope(feed, acting_user, "view")
            _enqueue(feed, acting_user)
    logger.info("feed %s uploaded by %s: %s", feed.pk, acting_user, original_name)
    return feed


def _enqueue(feed: Feed, acting_user) -> None:
    language = translation.get_language() or ""
    transaction.on_commit(
        lambda: feed_parse_task.enqueue(feed_id=feed.pk, user_id=acting_user.pk, language=language)
    )


def _check_may_screen(user, unit: Unit) -> None:
    if not user.has_perm("screening.add_screeningrun"):
        raise PermissionDenied(_("Your role may not start screening runs."))
    if not Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("The unit is outside your jurisdiction."))


def screening_run_start(*, acting_user, unit: Unit, feeds: Iterable[Feed]) -> ScreeningRun:
    """Create a run of the engine over `feeds` and the residents of `unit`'s subtree, and
    queue it (it starts once this transaction commits)."""
    _check_may_screen(acting_user, unit)
    feeds = list(feeds)
    if not feeds:
        raise ValidationError({"feeds": _("Choose at least one feed.")})
    visible = Feed.objects.visible_to(acting_user).filter(pk__in=[f.pk for f in feeds])
    if visible.count() != len({f.pk for f in feeds}):
        raise ValidationError({"feeds": _("A chosen feed is outside your jurisdiction.")})
    unread = [f.original_name for f in visible if f.status not in FEED_READ]
    if unread:
        raise ValidationError(
            {
                "feeds": _("These feeds are not read yet, or could not be read: %(names)s.")
                % {"names": "、".join(sorted(unread))}
            }
        )
    with transaction.atomic():
        run = ScreeningRun(unit=unit, created_by=acting_user, status=RunStatus.QUEUED)
        run.full_clean()
        run.save()
        run.feeds.set(feeds)
        assert_in_scope(run, acting_user, "view")
        language = translation.get_language() or ""
        transaction.on_commit(
            lambda: screening_run_task.enqueue(
                run_id=run.pk, user_id=acting_user.pk, language=language
            )
        )
    return run
