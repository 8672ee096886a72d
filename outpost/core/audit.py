"""The change history shown on every record's page (DESIGN rule 3), from django-simple-history."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import pgettext_lazy
from simple_history.utils import bulk_update_with_history

from outpost.core.identity import mask_id_number, mask_phone
from outpost.core.masking import mask_address_part, mask_birth_date

# History shows that a sensitive field changed, masked as the record's page masks it (an
# address after the building, the day and month of birth), never more.
MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "document_number": mask_id_number,
    "birth_date": mask_birth_date,
    "entrance": mask_address_part,
    "room": mask_address_part,
}

# Our own words for simple-history's change types: its "Created" is also the catalog's
# column heading "Created" (创建时间), which reads as a timestamp in a list of changes.
HISTORY_KINDS = {
    "+": pgettext_lazy("history", "Created"),
    "~": pgettext_lazy("history", "Changed"),
    "-": pgettext_lazy("history", "Deleted"),
}


def save_audited(instance, *, acting_user, update_fields=None, reason: str | None = None) -> None:
    """Save `instance` so that its history row names `acting_user` (None: the system, e.g.
    a scheduled job) and, when given, `reason` (simple-history keeps 100 characters)."""
    instance._history_user = acting_user
    if reason:
        instance._change_reason = reason[:100]
    instance.save(update_fields=update_fields)


def delete_audited(instance, *, acting_user, reason: str | None = None) -> None:
    """Delete `instance` (an undo of the user's own recent record: DESIGN rule 3 otherwise
    closes or archives) with a history row naming `acting_user` and `reason`."""
    instance._history_user = acting_user
    if reason:
        instance._change_reason = reason[:100]
    instance.delete()


def bulk_update_audited(model, instances, fields, *, acting_user, batch_size=500) -> None:
    """`bulk_update` of an audited model that also writes one history row per instance,
    naming `acting_user`: a bulk change must not be the one change the trail misses."""
    bulk_update_with_history(
        instances, model, fields, batch_size=batch_size, default_user=acting_user
    )


@dataclass
class HistoryChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    user: str
    kind: str
    changes: list[HistoryChange] = field(default_factory=list)
    reason: str = ""  # simple-history's change reason, e.g. a merge of duplicate records


def _shown(field_name: str, value) -> str:
    text = "" if value is None else str(value)
    masker = MASKERS.get(field_name)
    return masker(text) if masker else text


def record_history(instance, limit: int = 50) -> list[HistoryEntry]:
    """Newest first: who changed what, with before and after of each changed field."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                verbose = instance._meta.get_field(change.field).verbose_name
                changes.append(
                    HistoryChange(
                        field=str(verbose),
                        old=_shown(change.field, change.old),
                        new=_shown(change.field, change.new),
                    )
                )
        user = record.history_user
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=str(getattr(user, "staff_profile", None) or user or "—"),
                kind=str(HISTORY_KINDS[record.history_type]),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return entries
