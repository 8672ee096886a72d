import datetime
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from outpost.fieldwork.choices import SubmissionFlag, SubmissionKind
from outpost.fieldwork.models import FieldSubmission
from outpost.keypersons.choices import MemberStatus
from outpost.keypersons.tests.factories import (
    ContactEntryFactory,
    TeamMemberFactory,
    managed_key_person_in,
)
from outpost.registry.tests.factories import CampaignFactory, HouseholdFactory, ResidentFactory

User = get_user_model()


def flagged_contact_in(grid) -> FieldSubmission:
    """A contact logged offline and sent after the key person was closed, flagged."""
    worker = User.objects.get_or_create(username="field-sender")[0]
    entry = ContactEntryFactory(key_person=managed_key_person_in(grid), worker=worker)
    now = timezone.now()
    return FieldSubmission.objects.create(
        unit=grid,
        key=uuid.uuid4(),
        submitted_by=worker,
        kind=SubmissionKind.CONTACT,
        content_hash="0" * 64,
        record_id=entry.pk,
        recorded_at=now,
        received_at=now,
        flag=SubmissionFlag.CLOSED_KEY_PERSON,
    )


class Grid:
    """A grid worker's day: an open campaign over community A, three households of their
    grid (one member each), one household of community B, and a key person of their grid
    on whose four-on-one team they are."""

    def __init__(self, district, worker):
        self.district = district
        self.worker = worker
        self.campaign = CampaignFactory(
            unit=district.station,
            scope_units=[district.community_a, district.community_b],
            start_date=timezone.localdate() - datetime.timedelta(days=2),
        )
        self.households = [HouseholdFactory(unit=district.grid_a1) for _ in range(3)]
        self.members = [ResidentFactory(household=h) for h in self.households]
        self.other_household = HouseholdFactory(unit=district.grid_b1)
        ResidentFactory(household=self.other_household, name="乙网格居民")
        self.key_person = managed_key_person_in(district.grid_a1)
        TeamMemberFactory(key_person=self.key_person, worker=worker, status=MemberStatus.CONFIRMED)


SCOPED_FACTORIES = {FieldSubmission: flagged_contact_in}
