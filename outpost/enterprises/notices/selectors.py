"""Reads of notices, always scoped: the notice list with its confirmed / unconfirmed counts
(the receipts the user may see), a notice's receipts, a liaison's own receipts, and the
phone calls the ladder gave officers. A count and the list under it come from one queryset
(DESIGN rule 7)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from outpost.enterprises.notices.choices import EscalationLevel
from outpost.enterprises.notices.models import Notice, NoticeEscalation, NoticeReceipt
from outpost.enterprises.scoping import enterprise_of_liaison

# The `?receipts=` filter of the notice list (a liaison's own receipts).
UNCONFIRMED = "unconfirmed"


def _count(receipts) -> Coalesce:
    counted = receipts.order_by().values("notice").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def notice_list(*, user, receipts: str = ""):
    """The notices the user may see, newest first, each with `n_confirmed` and
    `n_unconfirmed`: the user's receipts of it (a station's notice seen from a community
    counts the community's enterprises; a liaison its own). For a liaison, also its own
    receipt (`own_receipt_id`, `own_confirmed_at`); `receipts="unconfirmed"` keeps the
    notices its enterprise has still to confirm (a replaced one no longer asks)."""
    visible = NoticeReceipt.objects.visible_to(user).filter(notice=OuterRef("pk"))
    notices = (
        Notice.objects.visible_to(user)
        .select_related("unit", "superseded_by", "supersedes")
        .annotate(
            n_confirmed=_count(visible.filter(confirmed_at__isnull=False)),
            n_unconfirmed=_count(visible.filter(confirmed_at__isnull=True)),
        )
    )
    enterprise = enterprise_of_liaison(user)
    if enterprise is not None:
        own = NoticeReceipt.objects.filter(notice=OuterRef("pk"), enterprise=enterprise)
        notices = notices.annotate(
            own_receipt_id=Subquery(own.values("pk")[:1]),
            own_confirmed_at=Subquery(own.values("confirmed_at")[:1]),
        )
        if receipts == UNCONFIRMED:
            notices = notices.filter(
                receipts__enterprise=enterprise,
                receipts__confirmed_at__isnull=True,
                superseded_by__isnull=True,
            )
    return notices


def notice_receipts(*, user, notice: Notice):
    """The receipts of `notice` the user may see, with their escalation steps: the one
    queryset the notice page counts and lists (confirmed and not)."""
    return (
        NoticeReceipt.objects.visible_to(user)
        .filter(notice=notice)
        .select_related(
            "enterprise__unit",
            "confirmed_by__staff_profile",
            "call_officer__staff_profile",
            "notice",
        )
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=NoticeEscalation.objects.select_related("by__staff_profile").order_by(
                    "at", "pk"
                ),
            )
        )
        .order_by("enterprise__name", "pk")
    )


def unconfirmed_receipts(*, user):
    """Receipts the user's enterprise (a liaison) or area (staff) has still to confirm, of
    notices not replaced."""
    return NoticeReceipt.objects.visible_to(user).filter(
        confirmed_at__isnull=True, notice__superseded_by__isnull=True
    )


def calls(*, user, mine: bool = False):
    """The phone calls of the ladder's last step not made yet (the notice unconfirmed and
    not replaced), in the user's scope; `mine`: those given to the user."""
    receipts = (
        NoticeReceipt.objects.visible_to(user)
        .filter(
            escalation_level=EscalationLevel.CALL,
            call_done_at__isnull=True,
            confirmed_at__isnull=True,
            notice__superseded_by__isnull=True,
        )
        .select_related("notice", "enterprise__unit", "call_officer__staff_profile")
        .order_by("notice__deadline", "pk")
    )
    if mine:
        receipts = receipts.filter(call_officer=user)
    return receipts


def supersedable(*, user):
    """Notices the user may replace with a new version: visible, not replaced yet."""
    return (
        Notice.objects.visible_to(user)
        .filter(superseded_by__isnull=True)
        .order_by("-pushed_at", "-pk")
    )
