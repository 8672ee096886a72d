"""Public order's entries of the processing register (see `outpost.core.privacy`).

A venue, a route, a checkpoint and an incident count are not personal information; the
people named are: a venue's responsible person and an event organiser's contact person,
with their phones (encrypted at rest, shown masked). Officers' names on inspections,
patrols and check-ins are staff logins (the accounts' own declaration)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import EPIDEMIC_RESPONSE, DataCategory, ProcessingDeclaration

C = DataCategory

VENUE_PURPOSE = _(
    "Reaching the people responsible for the venues of the jurisdiction during the closure "
    "campaign and its inspections."
)
EVENT_PURPOSE = _("Reaching the organisers of planned large events to confirm their cancellation.")

DECLARATIONS = [
    ProcessingDeclaration(
        model="publicorder.VenueKind", other=("id", "code", "name", "name_en", "order", "is_active")
    ),
    ProcessingDeclaration(
        model="publicorder.ChecklistItem",
        other=("id", "kind", "name", "name_en", "order", "is_active"),
    ),
    ProcessingDeclaration(
        model="publicorder.Venue",
        personal={"responsible_person": C.NAME, "responsible_phone": C.PHONE},
        other=(
            "id",
            "unit",
            "kind",
            "name",
            "licence_number",
            "address",
            "is_active",
            "created_by",
            "created_at",
        ),
        purpose=VENUE_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="publicorder.venue",
    ),
    ProcessingDeclaration(
        model="publicorder.ClosureCampaign",
        other=("id", "unit", "name", "started_on", "ends_on", "created_by", "created_at"),
    ),
    ProcessingDeclaration(
        model="publicorder.ClosureEntry",
        other=(
            "id",
            "campaign",
            "venue",
            "state",
            "persuaded_on",
            "closed_on",
            "inspected_on",
            "reopened_on",
            "officer",
            "note",
        ),
    ),
    ProcessingDeclaration(
        model="publicorder.Inspection",
        other=(
            "id",
            "venue",
            "officer",
            "status",
            "due_on",
            "inspected_at",
            "notes",
            "follow_up_of",
            "item",
            "created_at",
        ),
    ),
    ProcessingDeclaration(
        model="publicorder.InspectionResult",
        other=("id", "inspection", "item", "passed", "note"),
    ),
    ProcessingDeclaration(
        model="publicorder.InspectionPhoto",
        other=("id", "inspection", "image", "uploaded_by", "uploaded_at"),
    ),
    ProcessingDeclaration(
        model="publicorder.LargeEvent",
        personal={"organiser_contact": C.NAME, "organiser_phone": C.PHONE},
        other=(
            "id",
            "unit",
            "name",
            "place",
            "planned_on",
            "expected_attendance",
            "organiser",
            "status",
            "cancelled_on",
            "confirmed_by",
            "note",
            "created_by",
            "created_at",
        ),
        purpose=EVENT_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="publicorder.event",
    ),
    ProcessingDeclaration(
        model="publicorder.PatrolRoute",
        other=("id", "unit", "name", "leader", "starts_at", "completion_threshold", "is_active"),
    ),
    ProcessingDeclaration(
        model="publicorder.Checkpoint",
        other=("id", "route", "name", "kind", "order", "is_active"),
    ),
    ProcessingDeclaration(
        model="publicorder.Patrol",
        other=(
            "id",
            "route",
            "day",
            "officer",
            "status",
            "started_at",
            "finished_at",
            "checkpoints_total",
            "checked_in",
            "exception",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement",
        ),
    ),
    ProcessingDeclaration(
        model="publicorder.PatrolCheckIn", other=("id", "patrol", "checkpoint", "at", "by")
    ),
    ProcessingDeclaration(
        model="publicorder.IncidentCount", other=("id", "unit", "day", "category", "count")
    ),
]
