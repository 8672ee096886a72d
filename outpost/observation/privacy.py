"""Observation's entries of the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import (
    EPIDEMIC_RESPONSE,
    DataCategory,
    ProcessingDeclaration,
    personal,
)

C = DataCategory

OBSERVATION_PURPOSE = _(
    "Medical observation: where each person under observation stays, their "
    "temperature and symptoms twice a day, fever alerts and their outcome."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="observation.ObservationPolicy",
        other=(
            "id",
            "fever_threshold",
            "red_flag_symptoms",
            "check_in_times",
            "missed_after_minutes",
            "remind_after_minutes",
            "escalate_after_minutes",
        ),
    ),
    ProcessingDeclaration(
        model="observation.IsolationSite",
        other=("id", "unit", "name", "address", "is_active"),
    ),
    ProcessingDeclaration(
        model="observation.Episode",
        personal={
            "kind": C.CONTROL_MEASURE,
            "status": C.CONTROL_MEASURE,
            "site": C.WHEREABOUTS,
            "start_date": C.CONTROL_MEASURE,
            "planned_end_date": C.CONTROL_MEASURE,
            "ended_on": C.CONTROL_MEASURE,
            "end_reason": C.HEALTH,
            "end_note": personal(C.NOTE, sensitive=True),
        },
        other=(
            "id",
            "unit",
            "key_person",
            "previous",
            "check_in_times",
            "created_by",
            "created_at",
        ),
        purpose=OBSERVATION_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="observation.episode",
    ),
    ProcessingDeclaration(
        model="observation.CheckIn",
        personal={
            "temperature": C.HEALTH,
            "symptoms": C.HEALTH,
            "note": personal(C.NOTE, sensitive=True),
        },
        other=(
            "id",
            "unit",
            "episode",
            "taken_at",
            "source",
            "recorded_by",
            "form_nonce",
            "created_at",
        ),
        purpose=OBSERVATION_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="observation.episode",
    ),
    ProcessingDeclaration(
        model="observation.SelfReportLink",
        personal={"sent_to": C.CONTACT},
        other=(
            "id",
            "episode",
            "token_hash",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "replaced",
        ),
        purpose=OBSERVATION_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="observation.episode",
        read_permission="observation.view_episode",
    ),
    ProcessingDeclaration(
        model="observation.Alert",
        personal={
            "kind": C.HEALTH,
            "outcome": C.HEALTH,
            "transfer_place": C.HEALTH,
            "transferred_at": C.HEALTH,
            "note": personal(C.NOTE, sensitive=True),
        },
        other=(
            "id",
            "unit",
            "episode",
            "check_in",
            "slot_at",
            "status",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "escalated_at",
            "resolved_at",
            "resolved_by",
        ),
        purpose=OBSERVATION_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="observation.episode",
    ),
]
