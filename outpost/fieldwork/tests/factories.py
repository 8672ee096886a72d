import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from outpost.fieldwork.choices import SubmissionFlag, SubmissionKind
from outpost.fieldwork.models import FieldSubmission
from outpost.keypersons.tests.factories import ContactEntryFactory, managed_key_person_in

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
        body_hash="0" * 64,
        record_id=entry.pk,
        recorded_at=now,
        received_at=now,
        flag=SubmissionFlag.CLOSED_KEY_PERSON,
    )


SCOPED_FACTORIES = {FieldSubmission: flagged_contact_in}
