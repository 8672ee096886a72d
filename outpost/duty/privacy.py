"""Duty's entries of the processing register (see `outpost.core.privacy`).

Rosters, shifts and swaps are the station's staff management: who is on duty where and
when. Party membership (政治面貌) is sensitive and collected for one purpose only: to fill
the party-member pioneer posts (党员先锋岗); only leaders and administrators read it. Leave
holds its dates and, in the staff member's words, its reason."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import DataCategory, LegalBasis, ProcessingDeclaration, personal

C = DataCategory
STAFF = (LegalBasis.STAFF_MANAGEMENT, LegalBasis.PUBLIC_HEALTH_EMERGENCY)

DECLARATIONS = [
    ProcessingDeclaration(
        model="duty.ShiftTemplate",
        other=("id", "unit", "name", "start_time", "hours", "shifts_per_day", "working_days_only"),
    ),
    ProcessingDeclaration(
        model="duty.Post",
        other=(
            "id",
            "unit",
            "name",
            "kind",
            "site",
            "template",
            "min_staff",
            "roles",
            "party_members_only",
            "is_active",
        ),
    ),
    ProcessingDeclaration(model="duty.PairRule", other=("id", "post", "first", "second")),
    ProcessingDeclaration(
        model="duty.PartyMember",
        personal={"user": personal(C.POLITICAL, sensitive=True)},
        other=("id", "unit", "recorded_at"),
        purpose=_(
            "Filling the party-member pioneer posts with party members; not used for anything else."
        ),
        legal_basis=STAFF,
        retention="duty.party_member",
    ),
    ProcessingDeclaration(
        model="duty.Roster",
        other=(
            "id",
            "unit",
            "title",
            "starts_on",
            "ends_on",
            "min_rest_hours",
            "status",
            "override_reason",
            "published_at",
            "published_by",
            "created_by",
        ),
    ),
    ProcessingDeclaration(
        model="duty.Shift",
        other=("id", "unit", "roster", "post", "user", "starts_at", "ends_at"),
    ),
    ProcessingDeclaration(
        model="duty.SwapRequest",
        other=(
            "id",
            "unit",
            "shift",
            "requested_by",
            "taker",
            "status",
            "asked_at",
            "answered_at",
            "decided_by",
            "decided_at",
        ),
    ),
    ProcessingDeclaration(
        model="duty.LeaveFreeze",
        other=("id", "unit", "starts_on", "ends_on", "reason", "declared_by", "declared_at"),
    ),
    ProcessingDeclaration(
        model="duty.LeaveRequest",
        personal={"reason": personal(C.NOTE, sensitive=False)},
        other=(
            "id",
            "unit",
            "user",
            "starts_on",
            "ends_on",
            "status",
            "exception_reason",
            "decided_by",
            "requested_at",
        ),
        purpose=_("Leave of the station's staff, checked against leave freezes and rosters."),
        legal_basis=STAFF,
        retention="duty.leave",
    ),
]
