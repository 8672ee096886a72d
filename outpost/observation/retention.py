"""Observation's records under retention (保存期限, see README "Retention"): an ended
episode is anonymised 180 days after its end: its readings (check-ins), self-report links
and reminders are deleted, the notes of its end, its extensions and its alerts blanked.
The episode, its room stays and its alerts stay as rows, so every figure that counted
them (people in observation, alerts raised, transfers, site reports) stays as it was."""

from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RelatedStep, RetentionKind
from outpost.observation.choices import AlertOutcome, EpisodeStatus

RETENTION_KINDS = [
    RetentionKind(
        key="observation.episode",
        label=_("Observation episodes (readings, self-report links, notes)"),
        model="observation.Episode",
        reference="ended_on",
        reference_label=_("the episode's end"),
        default_days=180,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"end_note": ""},
        steps=(
            RelatedStep(
                "observation.Alert",
                "episode",
                RetentionAction.ANONYMISE,
                {
                    "check_in": None,
                    "note": "",
                    # A transfer keeps that there was one (the database wants a place).
                    "transfer_place": Case(
                        When(outcome=AlertOutcome.FEVER_CLINIC, then=Value(ANONYMISED_TEXT)),
                        default=Value(""),
                    ),
                },
            ),
            RelatedStep("observation.CheckIn", "episode", RetentionAction.DELETE),
            RelatedStep("observation.SelfReportLink", "episode", RetentionAction.DELETE),
            RelatedStep("observation.ReminderSent", "episode", RetentionAction.DELETE),
            RelatedStep(
                "observation.EpisodeExtension",
                "episode",
                RetentionAction.ANONYMISE,
                {"reason": ANONYMISED_TEXT},
            ),
        ),
        eligible=Q(status=EpisodeStatus.ENDED),
        holds={
            "keypersons.KeyPerson": "key_person",
            "registry.Resident": "key_person__resident",
        },
    )
]
