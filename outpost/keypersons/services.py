"""Writes of the key-persons module: one function per use case, audited by simple-history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope
from outpost.core.validators import validate_id_number, validate_phone
from outpost.keypersons.choices import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    KeyPersonCategory,
    KeyPersonStatus,
    SourceType,
)
from outpost.keypersons.models import KeyPerson, KeyPersonSource
from outpost.registry.models import Resident
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory, ScreeningResult, ScreeningRun

LINKED_RESULT_STATUSES = (LinkStatus.AUTO, LinkStatus.DECIDED)


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def _active_key_person_of(resident: Resident) -> KeyPerson | None:
    return (
        KeyPerson.objects.select_for_update()
        .filter(resident=resident, status__in=ACTIVE_STATUSES)
        .first()
    )


@transaction.atomic
def key_person_create(
    *,
    acting_user,
    category: str,
    resident: Resident | None = None,
    unit: Unit | None = None,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    address_note: str = "",
    source_type: str = SourceType.MANUAL,
    screening_run: ScreeningRun | None = None,
    origin_category: OriginCategory | None = None,
    arrival_date: datetime.date | None = None,
    source_note: str = "",
    identified_on: datetime.date | None = None,
) -> KeyPerson:
    """Make a resident, or a person not yet in the registry, a key person (登记重点人员).

    A resident takes the resident's unit; a person not in the registry needs a name and a
    unit of the acting user's jurisdiction, and their ID number and phone are validated and
    stored normalized. A resident who is already an active key person is refused (the
    caller notes a new source on the existing record instead). The caller looked the
    resident, unit and run up within the user's scope; everything is checked again here.
    """
    _require(acting_user, "keypersons.add_keyperson", _("Your role may not add key persons."))
    errors: dict[str, list[str]] = {}
    name, id_number, phone = name.strip(), id_number.strip(), phone.strip()
    address_note = address_note.strip()
    if category not in KeyPersonCategory.values:
        errors["category"] = [_("Choose the category of the key person.")]
    if source_type not in SourceType.values:
        errors["source_type"] = [_("Choose where the key person came from.")]
    elif source_type == SourceType.SCREENING and screening_run is None:
        errors["screening_run"] = [_("Name the screening run that found the person.")]
    if screening_run is not None:
        assert_in_scope(screening_run, acting_user, "view")
    today = timezone.localdate()
    identified_on = identified_on or today
    if identified_on > today:
        errors["identified_on"] = [_("The date cannot be in the future.")]

    if resident is not None:
        assert_in_scope(resident, acting_user, "view")
        unit = resident.unit
        for field, value in (("name", name), ("id_number", id_number), ("phone", phone)):
            if value:
                errors[field] = [_("Leave this empty when a resident of the registry is chosen.")]
        if resident.merged_into_id is not None:
            errors["resident"] = [
                _("This record was merged into record %(number)s: choose that one.")
                % {"number": resident.merged_into_id}
            ]
        elif _active_key_person_of(resident) is not None:
            errors["resident"] = [_("This resident is already an active key person.")]
    else:
        errors.update(_person_errors(acting_user, name=name, unit=unit))
        if id_number:
            try:
                id_number = validate_id_number(id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                errors.update(_known_id_number_errors(acting_user, id_number))
        if phone:
            try:
                phone = validate_phone(phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)

    key_person = KeyPerson(
        unit=unit,
        resident=resident,
        name="" if resident else name,
        id_number="" if resident else id_number,
        phone="" if resident else phone,
        address_note=address_note,
        category=category,
        source_type=source_type,
        screening_run=screening_run,
        source_note=source_note.strip(),
        origin_category=origin_category,
        arrival_date=arrival_date,
        identified_on=identified_on,
        created_by=acting_user,
    )
    key_person.full_clean()
    key_person._history_user = acting_user
    key_person.save()
    KeyPersonSource.objects.create(
        key_person=key_person,
        source_type=source_type,
        screening_run=screening_run,
        origin_category=origin_category,
        arrival_date=arrival_date,
        note=key_person.source_note,
        noted_by=acting_user,
    )
    assert_in_scope(key_person, acting_user, "change")
    return key_person


def _person_errors(acting_user, *, name: str, unit: Unit | None) -> dict[str, list[str]]:
    errors = {}
    if not name:
        errors["name"] = [_("Choose a resident, or enter the name of a person not registered.")]
    if unit is None:
        errors["unit"] = [_("Choose the unit where the person is.")]
    elif not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        errors["unit"] = [_("Choose a unit of your jurisdiction.")]
    return errors


def _known_id_number_errors(acting_user, id_number: str) -> dict[str, list[str]]:
    """A person not in the registry whose number is in it (as far as the user can see), or
    who is already an active key person, is sent to that record instead."""
    if Resident.objects.visible_to(acting_user).filter(id_number=id_number).exists():
        return {
            "id_number": [
                _(
                    "A resident of the registry has this ID number: "
                    "choose the resident instead of entering the person."
                )
            ]
        }
    if KeyPerson.objects.filter(id_number=id_number, status__in=ACTIVE_STATUSES).exists():
        return {"id_number": [_("A person with this ID number is already an active key person.")]}
    return {}


@transaction.atomic
def key_persons_from_screening(
    *, acting_user, run: ScreeningRun, results: Iterable[ScreeningResult]
) -> tuple[list[KeyPerson], list[KeyPerson]]:
    """Turn linked results of a screening run into key persons (比对结果转重点人员).

    Each result's resident becomes a key person of category "arrival from a risk region"
    (or "other" when the run gave no origin category), with the run, origin category and
    arrival date as the source. A resident who is already an active key person is not
    duplicated: the run is noted as one more source of that record (once per run).
    Returns (created, existing). All or nothing: a result of another run, one still to be
    reviewed, or one outside the user's scope refuses the whole batch.
    """
    _require(acting_user, "keypersons.add_keyperson", _("Your role may not add key persons."))
    assert_in_scope(run, acting_user, "view")
    results = list(results)
    if any(result.run_id != run.pk for result in results):
        raise ValidationError({"results": _("Choose results of this screening run only.")})
    unlinked = sum(1 for result in results if result.status not in LINKED_RESULT_STATUSES)
    if unlinked:
        raise ValidationError(
            {
                "results": _(
                    "%(n)d of the chosen results are not linked to a resident yet: "
                    "review them first."
                )
                % {"n": unlinked}
            }
        )
    result_ids = [result.pk for result in results]
    visible_results = ScreeningResult.objects.visible_to(acting_user).filter(pk__in=result_ids)
    resident_ids = {result.resident_id for result in results}
    residents = Resident.objects.visible_to(acting_user).in_bulk(resident_ids)
    if visible_results.count() != len(set(result_ids)) or len(residents) != len(resident_ids):
        raise PermissionDenied("screening result outside the user's jurisdiction")

    active = {
        key_person.resident_id: key_person
        for key_person in KeyPerson.objects.select_for_update()
        .filter(resident_id__in=resident_ids, status__in=ACTIVE_STATUSES)
        .select_related("resident")
    }
    noted_here = set(
        KeyPersonSource.objects.filter(
            key_person__in=active.values(), screening_run=run
        ).values_list("key_person_id", flat=True)
    )
    changeable = set(
        KeyPerson.objects.visible_to(acting_user, "change")
        .filter(pk__in=[key_person.pk for key_person in active.values()])
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    created, existing, sources = [], [], []
    seen = set()
    for result in results:
        if result.resident_id in seen:
            continue
        seen.add(result.resident_id)
        key_person = active.get(result.resident_id)
        if key_person is not None:
            existing.append(key_person)
            if key_person.pk in changeable and key_person.pk not in noted_here:
                sources.append(
                    _screening_source(
                        key_person, run, result.category_id, result.arrival_date, acting_user
                    )
                )
            continue
        resident = residents[result.resident_id]
        key_person = KeyPerson(
            unit_id=resident.unit_id,
            resident=resident,
            category=(
                KeyPersonCategory.RISK_REGION_ARRIVAL
                if result.category_id
                else KeyPersonCategory.OTHER
            ),
            source_type=SourceType.SCREENING,
            screening_run=run,
            origin_category_id=result.category_id,
            arrival_date=result.arrival_date,
            identified_on=today,
            created_by=acting_user,
        )
        # The related rows were loaded above; the partial unique index guards duplicates.
        key_person.full_clean(
            exclude=["unit", "resident", "screening_run", "origin_category", "created_by"],
            validate_constraints=False,
        )
        created.append(key_person)
    if created:
        created = bulk_create_with_history(created, KeyPerson, default_user=acting_user)
        if not all(key_person.pk for key_person in created):  # a database without RETURNING
            by_resident = KeyPerson.objects.filter(
                resident_id__in=[key_person.resident_id for key_person in created],
                status__in=ACTIVE_STATUSES,
            ).in_bulk(field_name="resident")
            created = [by_resident[key_person.resident_id] for key_person in created]
        sources += [
            _screening_source(
                key_person,
                run,
                key_person.origin_category_id,
                key_person.arrival_date,
                acting_user,
            )
            for key_person in created
        ]
    KeyPersonSource.objects.bulk_create(sources)
    in_scope = (
        KeyPerson.objects.visible_to(acting_user, "change")
        .filter(pk__in=[key_person.pk for key_person in created])
        .count()
    )
    if in_scope != len(created):
        raise PermissionDenied("record left the user's jurisdiction")
    return created, existing


def _screening_source(key_person, run, category_id, arrival_date, acting_user) -> KeyPersonSource:
    return KeyPersonSource(
        key_person=key_person,
        source_type=SourceType.SCREENING,
        screening_run=run,
        origin_category_id=category_id,
        arrival_date=arrival_date,
        noted_by=acting_user,
    )


@transaction.atomic
def key_person_status_change(
    *,
    acting_user,
    key_person: KeyPerson,
    status: str,
    reason: str = "",
    on: datetime.date | None = None,
) -> KeyPerson:
    """Move a key person along the lifecycle (状态变更): identified → under management →
    released / transferred / moved away. Closing needs a reason; a closed key person stays
    closed. `on` is the day it happened (default today)."""
    _require(acting_user, "keypersons.change_keyperson", _("Your role may not change key persons."))
    key_person = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    assert_in_scope(key_person, acting_user, "change")
    reason = (reason or "").strip()
    today = timezone.localdate()
    on = on or today
    errors: dict[str, list[str]] = {}
    if status not in KeyPersonStatus.values:
        errors["status"] = [_("Choose a status.")]
    elif status not in ALLOWED_TRANSITIONS[key_person.status]:
        errors["status"] = [
            _("A key person who is %(current)s cannot become %(new)s.")
            % {
                "current": KeyPersonStatus(key_person.status).label,
                "new": KeyPersonStatus(status).label,
            }
        ]
    if status in CLOSED_STATUSES and not reason:
        errors["reason"] = [_("State the reason for closing.")]
    if on > today:
        errors["on"] = [_("The date cannot be in the future.")]
    elif on < key_person.identified_on:
        errors["on"] = [_("The date cannot be before the person was identified.")]
    if errors:
        raise ValidationError(errors)

    key_person.status = status
    changed = ["status"]
    if status == KeyPersonStatus.UNDER_MANAGEMENT:
        key_person.managed_from = on
        changed.append("managed_from")
    else:
        key_person.closed_on = on
        key_person.closed_reason = reason
        changed += ["closed_on", "closed_reason"]
    key_person.full_clean()
    key_person._history_user = acting_user
    key_person._change_reason = reason[:100] if reason else None
    key_person.save(update_fields=changed)
    assert_in_scope(key_person, acting_user, "change")
    return key_person
