"""Notices under retention (保存期限): two years after it was pushed, a notice is deleted
with its attachments (files included), its receipts and their escalation steps. A newer
version pushed later stays and no longer names the one it replaced."""

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import RelatedStep, RetentionKind


def attachment_files_delete(pks: list[int]) -> None:
    """The stored files of the batch's notices' attachments."""
    from outpost.enterprises.notices.models import NoticeAttachment

    for name in NoticeAttachment.objects.filter(notice__pk__in=pks).values_list("file", flat=True):
        if name:
            default_storage.delete(name)


RETENTION_KINDS = [
    RetentionKind(
        key="enterprises.notice",
        label=_("Notices to enterprises (with receipts, escalations and attachments)"),
        model="enterprises.Notice",
        reference="pushed_at",
        reference_label=_("the notice's push"),
        default_days=730,
        actions=(RetentionAction.DELETE,),
        steps=(
            RelatedStep("enterprises.NoticeEscalation", "receipt__notice", RetentionAction.DELETE),
            RelatedStep("enterprises.NoticeReceipt", "notice", RetentionAction.DELETE),
            RelatedStep("enterprises.NoticeAttachment", "notice", RetentionAction.DELETE),
        ),
        on_purge=attachment_files_delete,
    )
]
