"""Messages under retention (保存期限, see README "Retention"): inbox messages are deleted
180 days after they were sent, the log of outbound SMS and email after 90 days."""

from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import RetentionKind

RETENTION_KINDS = [
    RetentionKind(
        key="notify.inbox",
        label=_("Inbox messages"),
        model="notify.InboxMessage",
        reference="created_at",
        reference_label=_("the message"),
        default_days=180,
        actions=(RetentionAction.DELETE,),
    ),
    RetentionKind(
        key="notify.outbound",
        label=_("Outbound SMS and email log"),
        model="notify.OutboundMessage",
        reference="created_at",
        reference_label=_("the message"),
        default_days=90,
        actions=(RetentionAction.DELETE,),
    ),
]
