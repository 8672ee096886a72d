"""Key persons' part of a person's story: each change of key-person status (from the
record's history) and each contact of the four-on-one team. Registered with core's
timeline in ``ready()``; dispatch and observation find the person's key-person records
through `key_persons_of`."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.timeline import TimelineEvent
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.models import ContactEntry, KeyPerson
from outpost.registry.timeline import staff_name


def key_persons_of(*, user, resident=None, key_person=None) -> QuerySet[KeyPerson]:
    """The person's key-person records the user may see: every one of the resident, or the
    one key person."""
    visible = KeyPerson.objects.visible_to(user)
    if resident is not None:
        return visible.filter(resident=resident)
    return visible.filter(pk=key_person.pk)


def _status_events(key_person: KeyPerson, status_labels: dict) -> list[TimelineEvent]:
    events = []
    previous = None
    records = key_person.history.order_by("history_date", "history_id").select_related(
        "history_user__staff_profile"
    )
    for record in records:
        if record.status == previous:
            continue
        facts = [(gettext_lazy("Category"), key_person.get_category_display())]
        if record.history_user is not None:
            facts.append((gettext_lazy("By"), staff_name(record.history_user)))
        if record.status != KeyPersonStatus.IDENTIFIED and record.closed_reason:
            facts.append((gettext_lazy("Reason"), record.closed_reason))
        title = (
            _("Identified as a key person")
            if previous is None
            else _("Key-person status: %(old)s → %(new)s")
            % {"old": status_labels.get(previous, previous), "new": status_labels[record.status]}
        )
        events.append(
            TimelineEvent(
                at=record.history_date,
                kind="key_person_status",
                kind_label=gettext_lazy("Key person"),
                title=title,
                facts=tuple(facts),
                url=key_person.get_absolute_url(),
            )
        )
        previous = record.status
    return events


def key_person_events(*, user, resident=None, key_person=None) -> list:
    key_persons = list(key_persons_of(user=user, resident=resident, key_person=key_person))
    labels = dict(KeyPersonStatus.choices)
    events = []
    for person in key_persons:
        events += _status_events(person, labels)
    contacts = (
        ContactEntry.objects.visible_to(user)
        .filter(key_person__in=key_persons)
        .select_related("worker__staff_profile")
    )
    for contact in contacts:
        facts = [(gettext_lazy("Worker"), staff_name(contact.worker))]
        if contact.note:
            facts.append((gettext_lazy("Note"), contact.note))
        events.append(
            TimelineEvent(
                at=contact.contacted_at,
                kind="contact",
                kind_label=gettext_lazy("Contact"),
                title=f"{contact.get_channel_display()} · {contact.get_outcome_display()}",
                facts=tuple(facts),
            )
        )
    return events
