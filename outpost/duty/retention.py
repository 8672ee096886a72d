"""Duty records under retention (保存期限): a roster with its shifts and swaps two years
after its last day; leave a year after its last day; a party membership three years
after it was recorded (recorded again when still needed)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import RelatedStep, RetentionKind

RETENTION_KINDS = [
    RetentionKind(
        key="duty.roster",
        label=_("Duty rosters (with their shifts and swaps)"),
        model="duty.Roster",
        reference="ends_on",
        reference_label=_("the roster's last day"),
        default_days=730,
        actions=(RetentionAction.DELETE,),
        steps=(
            RelatedStep("duty.SwapRequest", "shift__roster", RetentionAction.DELETE),
            RelatedStep("duty.Shift", "roster", RetentionAction.DELETE),
        ),
    ),
    RetentionKind(
        key="duty.leave",
        label=_("Leave of staff"),
        model="duty.LeaveRequest",
        reference="ends_on",
        reference_label=_("the leave's last day"),
        default_days=365,
        actions=(RetentionAction.DELETE,),
    ),
    RetentionKind(
        key="duty.party_member",
        label=_("Party membership recorded for the pioneer posts"),
        model="duty.PartyMember",
        reference="recorded_at",
        reference_label=_("its recording"),
        default_days=1095,
        actions=(RetentionAction.DELETE,),
    ),
]
