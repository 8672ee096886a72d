"""Screening's records under retention (保存期限, see README "Retention"): a feed (its
rows and its raw file) is deleted 90 days after its upload; a run's results 180 days
after the run; a verified discrepancy 180 days after its verification. A discrepancy
keeps its own copy of the feed's side, so deleting the feed does not change it; the
frozen daily figures keep their counts."""

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import RetentionKind
from outpost.screening.choices import DiscrepancyStatus, FeedStatus


def feed_files_delete(pks: list[int]) -> None:
    """The raw file of each feed of the batch (the rows go with the feed)."""
    from outpost.screening.models import Feed

    for name in Feed.objects.filter(pk__in=pks).exclude(file="").values_list("file", flat=True):
        default_storage.delete(name)


RETENTION_KINDS = [
    RetentionKind(
        key="screening.feed",
        label=_("Feeds (rows and raw file)"),
        model="screening.Feed",
        reference="uploaded_at",
        reference_label=_("the feed's upload"),
        default_days=90,
        actions=(RetentionAction.DELETE,),
        eligible=~Q(status__in=[FeedStatus.QUEUED, FeedStatus.PARSING]),
        on_purge=feed_files_delete,
    ),
    RetentionKind(
        key="screening.result",
        label=_("Screening results"),
        model="screening.ScreeningResult",
        reference="run__created_at",
        reference_label=_("the screening run"),
        default_days=180,
        actions=(RetentionAction.DELETE,),
        holds={"registry.Resident": "resident"},
    ),
    RetentionKind(
        key="screening.discrepancy",
        label=_("Travel discrepancies (verified)"),
        model="screening.TravelDiscrepancy",
        reference="resolved_at",
        reference_label=_("the verification"),
        default_days=180,
        actions=(RetentionAction.DELETE,),
        eligible=~Q(status=DiscrepancyStatus.OPEN),
        holds={"registry.Resident": "resident"},
    ),
]
