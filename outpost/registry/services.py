"""Writes of the registry: one function per use case, audited by simple-history."""

from django.db import transaction

from outpost.core.scoping import assert_in_scope
from outpost.registry.models import Resident

RESIDENT_CONTACT_FIELDS = ("phone", "residence_type", "workplace")


@transaction.atomic
def resident_update_contact(*, acting_user, resident: Resident, **changes) -> Resident:
    """Correct a resident's phone, residence type or workplace."""
    unknown = set(changes) - set(RESIDENT_CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(resident, field) != value]
    if not changed:
        return resident
    for field in changed:
        setattr(resident, field, changes[field])
    resident.full_clean()
    resident._history_user = acting_user
    resident.save(update_fields=changed)
    assert_in_scope(resident, acting_user, "change")
    return resident
