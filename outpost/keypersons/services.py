"""Writes of the key-persons module: one function per use case, audited by simple-history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from outpost.core.audit import save_audited
from outpost.core.choices import Role, UnitKind
from outpost.core.identity import validate_id_number, validate_phone
from outpost.core.models import Unit
from outpost.core.roles import user_calls
from outpost.core.scoping import assert_in_scope, get_visible, in_subtree, lineage_paths
from outpost.core.selectors import station_reviewers
from outpost.keypersons.choices import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    ContactChannel,
    ContactOutcome,
    KeyPersonCategory,
    KeyPersonStatus,
    MemberStatus,
    SourceType,
)
from outpost.keypersons.models import (
    ContactEntry,
    KeyPerson,
    KeyPersonSource,
    TeamMember,
    TeamRole,
)
from outpost.keypersons.selectors import CLOSE_PERMISSION
from outpost.notify.choices import MessageKind
from outpost.notify.services import notification_send
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
    identified_on = identified_on or timezone.localdate()
    errors = _source_errors(
        acting_user,
        category=category,
        source_type=source_type,
        screening_run=screening_run,
        identified_on=identified_on,
    )
    name, id_number, phone = name.strip(), id_number.strip(), phone.strip()
    if resident is not None:
        assert_in_scope(resident, acting_user, "view")
        unit = resident.unit
        errors.update(
            _chosen_resident_errors(resident, name=name, id_number=id_number, phone=phone)
        )
    else:
        errors.update(_person_errors(acting_user, name=name, unit=unit))
        id_number, phone = _person_numbers(acting_user, id_number, phone, errors)
    if errors:
        raise ValidationError(errors)

    key_person = KeyPerson(
        unit=unit,
        resident=resident,
        name="" if resident else name,
        id_number="" if resident else id_number,
        phone="" if resident else phone,
        address_note=address_note.strip(),
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
    save_audited(key_person, acting_user=acting_user)
    KeyPersonSource.objects.create(
        key_person=key_person,
        source_type=source_type,
        screening_run=screening_run,
        origin_category=origin_category,
        arrival_date=arrival_date,
        note=key_person.source_note,
        noted_by=acting_user,
    )
    _team_propose(acting_user=acting_user, key_persons=[key_person])
    # For the caller to say so, and nothing more: the station checks the record.
    key_person.sent_to_station = bool(key_person.id_number) and _held_outside_scope(key_person)
    if key_person.sent_to_station:
        _station_check_request(acting_user, key_person)
    assert_in_scope(key_person, acting_user, "change")
    return key_person


def _source_errors(
    acting_user, *, category, source_type, screening_run, identified_on
) -> dict[str, list[str]]:
    """What is wrong with the category, the source and the day a key person was found."""
    errors = {}
    if category not in KeyPersonCategory.values:
        errors["category"] = [_("Choose the category of the key person.")]
    if source_type not in SourceType.values:
        errors["source_type"] = [_("Choose where the key person came from.")]
    elif source_type == SourceType.SCREENING and screening_run is None:
        errors["screening_run"] = [_("Name the screening run that found the person.")]
    if screening_run is not None:
        assert_in_scope(screening_run, acting_user, "view")
    if identified_on > timezone.localdate():
        errors["identified_on"] = [_("The date cannot be in the future.")]
    return errors


def _chosen_resident_errors(
    resident: Resident, *, name: str, id_number: str, phone: str
) -> dict[str, list[str]]:
    """A resident of the registry brings their own name and numbers, and may be a key
    person once."""
    errors = {}
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
    return errors


def _person_numbers(acting_user, id_number: str, phone: str, errors: dict) -> tuple[str, str]:
    """The ID number and phone of a person not in the registry, normalized; what is wrong
    with them goes into `errors`."""
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
    return id_number, phone


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
    """A person not in the registry whose number is in it, or who is already an active key
    person, is sent to that record instead: as far as the user can see. A record outside
    their jurisdiction is never confirmed (the station checks it, `_station_check_request`)."""
    if Resident.objects.visible_to(acting_user).filter(id_number=id_number).exists():
        return {
            "id_number": [
                _(
                    "A resident of the registry has this ID number: "
                    "choose the resident instead of entering the person."
                )
            ]
        }
    if (
        KeyPerson.objects.visible_to(acting_user)
        .filter(id_number=id_number, status__in=ACTIVE_STATUSES)
        .exists()
    ):
        return {"id_number": [_("A person with this ID number is already an active key person.")]}
    return {}


def _held_outside_scope(key_person: KeyPerson) -> bool:
    """Whether a resident, or another active key person, has the new person's ID number
    (the caller found none the user may see)."""
    number = key_person.id_number
    return (
        Resident.objects.filter(id_number=number).exists()
        or KeyPerson.objects.filter(id_number=number, status__in=ACTIVE_STATUSES)
        .exclude(pk=key_person.pk)
        .exists()
    )


def _station_check_request(acting_user, key_person: KeyPerson) -> None:
    """Send a key person whose number is held outside the user's jurisdiction to the
    station's review: they see both records, and close or merge the duplicate."""
    notification_send(
        recipients=station_reviewers(key_person.unit),
        kind=MessageKind.OTHER,
        subject=_("Check key person %(name)s against the registry")
        % {"name": key_person.display_name},
        body=_(
            "%(user)s registered %(name)s (%(number)s) in %(unit)s. A resident or an active "
            "key person outside that user's jurisdiction has the same ID number: compare the "
            "records and close or merge the duplicate."
        )
        % {
            "user": getattr(acting_user, "staff_profile", None) or acting_user,
            "name": key_person.display_name,
            "number": key_person.masked_id_number,
            "unit": key_person.unit.name,
        },
        url=key_person.get_absolute_url(),
    )


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
    residents = _screening_residents(acting_user=acting_user, run=run, results=results)
    active, to_note = _active_key_persons(acting_user=acting_user, run=run, residents=residents)
    today = timezone.localdate()
    created, existing, sources = [], [], []
    seen = set()
    for result in results:
        if result.resident_id in seen:
            continue
        seen.add(result.resident_id)
        key_person = active.get(result.resident_id)
        if key_person is None:
            resident = residents[result.resident_id]
            created.append(_screened_key_person(result, resident, run, today, acting_user))
            continue
        existing.append(key_person)
        if key_person.pk in to_note:
            sources.append(
                _screening_source(
                    key_person, run, result.category_id, result.arrival_date, acting_user
                )
            )
    if created:
        created = _save_screened_key_persons(created, acting_user)
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
    _team_propose(acting_user=acting_user, key_persons=created)
    in_scope = (
        KeyPerson.objects.visible_to(acting_user, "change")
        .filter(pk__in=[key_person.pk for key_person in created])
        .count()
    )
    if in_scope != len(created):
        raise PermissionDenied("record left the user's jurisdiction")
    return created, existing


def _screening_residents(*, acting_user, run: ScreeningRun, results: list) -> dict:
    """The residents of the results, {pk: Resident}, once each result is checked: of this
    run, linked, and in the user's scope like its resident."""
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
    return residents


def _active_key_persons(*, acting_user, run: ScreeningRun, residents: dict) -> tuple[dict, set]:
    """The active key persons of these residents ({resident pk: KeyPerson}, locked), and the
    pks of those the run is to be noted on: the user may change them and the run is not yet
    one of their sources."""
    active = {
        key_person.resident_id: key_person
        for key_person in KeyPerson.objects.select_for_update()
        .filter(resident_id__in=list(residents), status__in=ACTIVE_STATUSES)
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
    return active, changeable - noted_here


def _screened_key_person(result, resident, run, today, acting_user) -> KeyPerson:
    """The (unsaved, validated) key person a screening result makes of its resident."""
    key_person = KeyPerson(
        unit_id=resident.unit_id,
        resident=resident,
        category=(
            KeyPersonCategory.RISK_REGION_ARRIVAL if result.category_id else KeyPersonCategory.OTHER
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
    return key_person


def _save_screened_key_persons(key_persons: list[KeyPerson], acting_user) -> list[KeyPerson]:
    """The key persons saved (with history), each with its pk."""
    created = bulk_create_with_history(key_persons, KeyPerson, default_user=acting_user)
    if not all(key_person.pk for key_person in created):  # a database without RETURNING
        by_resident = KeyPerson.objects.filter(
            resident_id__in=[key_person.resident_id for key_person in created],
            status__in=ACTIVE_STATUSES,
        ).in_bulk(field_name="resident")
        created = [by_resident[key_person.resident_id] for key_person in created]
    return created


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
    if status in CLOSED_STATUSES:
        # Closing by hand is the officers' decision; a release from observation closes
        # through `key_person_status_follow`, decided with the observation's own right.
        _require(acting_user, CLOSE_PERMISSION, _("Your role may not close key persons."))
    key_person = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    assert_in_scope(key_person, acting_user, "change")
    return _status_set(
        acting_user=acting_user, key_person=key_person, status=status, reason=reason, on=on
    )


@transaction.atomic
def key_person_status_follow(
    *,
    acting_user,
    key_person: KeyPerson,
    status: str,
    reason: str = "",
    on: datetime.date | None = None,
) -> KeyPerson:
    """The key person's state following their observation: the observation services call
    it once they have checked that the user may start or end that observation. Starting one
    puts an identified person under management; ending one releases, transfers or keeps
    them. It needs only sight of the key person, not the right to change key persons:
    medical staff at a site start and end observations but change key persons no other
    way. The state they already have is left as it is."""
    key_person = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    assert_in_scope(key_person, acting_user, "view")
    if key_person.status == status:
        return key_person
    return _status_set(
        acting_user=acting_user,
        key_person=key_person,
        status=status,
        reason=reason,
        on=on,
        scope_action="view",
    )


def _status_set(
    *,
    acting_user,
    key_person: KeyPerson,
    status: str,
    reason: str,
    on: datetime.date | None,
    scope_action: str = "change",
) -> KeyPerson:
    """Validate and save a change of state of a locked key person (the caller checked
    rights), audited with the reason."""
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
    save_audited(
        key_person,
        acting_user=acting_user,
        update_fields=changed,
        reason=reason[:100] if reason else None,
    )
    assert_in_scope(key_person, acting_user, scope_action)
    return key_person


# ---------------------------------------------------------------------------- four-on-one teams


def worker_covers(worker_unit: Unit, key_person_unit: Unit) -> bool:
    """A worker may serve a key person when the worker's unit is the key person's unit, one
    above it (the community, the police office, the station) or, for a key person placed at a
    community, one of its grids."""
    return key_person_unit.path.startswith(worker_unit.path) or worker_unit.path.startswith(
        key_person_unit.path
    )


def _current_load(worker_ids) -> dict[int, int]:
    """Current team places on active key persons, per worker."""
    rows = (
        TeamMember.objects.filter(
            worker_id__in=list(worker_ids),
            ended_at__isnull=True,
            key_person__status__in=ACTIVE_STATUSES,
        )
        .order_by()
        .values("worker_id")
        .annotate(n=models.Count("pk"))
    )
    return {row["worker_id"]: row["n"] for row in rows}


def _team_propose(*, acting_user, key_persons: list[KeyPerson]) -> list[TeamMember]:
    """Propose a member for every empty place of the teams of `key_persons` (in bulk): for
    each team role, the worker holding its staff role, serving the key person's unit, with
    the fewest current places; ties go to the closest (same grid, then community, then
    above). A few queries whatever the number of key persons; the caller checked rights."""
    key_persons = [key_person for key_person in key_persons if key_person.status in ACTIVE_STATUSES]
    roles = list(TeamRole.objects.filter(is_active=True))
    if not key_persons or not roles:
        return []
    units = Unit.objects.in_bulk({key_person.unit_id for key_person in key_persons})
    filled = set(
        TeamMember.objects.filter(
            key_person__in=[key_person.pk for key_person in key_persons], ended_at__isnull=True
        ).values_list("key_person_id", "role_id")
    )
    above = {p for unit in units.values() for p in lineage_paths(unit.path)}
    line = Q(staff_profile__unit__path__in=above)
    for unit in units.values():
        if unit.kind != UnitKind.GRID:
            line |= in_subtree(unit, via="staff_profile__unit")
    staff_roles = {role.staff_role for role in roles}
    # staff role -> unit path -> [(user id, unit depth)]: a key person's candidates are
    # those at the paths above its unit (a few dict lookups), and for a key person placed
    # above the grid level, those below it.
    candidates: dict[str, dict[str, list[tuple[int, int]]]] = {}
    for user_id, group, path, depth in (
        get_user_model()
        .objects.filter(line, is_active=True, groups__name__in=staff_roles)
        .values_list(
            "pk", "groups__name", "staff_profile__unit__path", "staff_profile__unit__depth"
        )
        .order_by("pk")
    ):
        candidates.setdefault(group, {}).setdefault(path, []).append((user_id, depth))
    load = _current_load(
        {
            user_id
            for paths in candidates.values()
            for rows in paths.values()
            for user_id, _d in rows
        }
    )
    members = []
    now = timezone.now()
    for key_person in key_persons:
        unit = units[key_person.unit_id]
        above_unit = lineage_paths(unit.path)
        for role in roles:
            if (key_person.pk, role.pk) in filled:
                continue
            by_path = candidates.get(role.staff_role, {})
            serving = [row for path in above_unit for row in by_path.get(path, ())]
            if unit.kind != UnitKind.GRID:
                serving += [
                    row
                    for path, rows in by_path.items()
                    if path.startswith(unit.path) and path != unit.path
                    for row in rows
                ]
            if not serving:
                continue
            _load, _distance, worker_id = min(
                (load.get(user_id, 0), abs(unit.depth - depth), user_id)
                for user_id, depth in serving
            )
            load[worker_id] = load.get(worker_id, 0) + 1
            members.append(
                TeamMember(
                    key_person=key_person,
                    role=role,
                    worker_id=worker_id,
                    status=MemberStatus.PROPOSED,
                    assigned_by=acting_user,
                    assigned_at=now,
                )
            )
    if members:
        bulk_create_with_history(members, TeamMember, batch_size=1000, default_user=acting_user)
    return members


def _require_team_change(acting_user, key_person: KeyPerson) -> KeyPerson:
    _require(
        acting_user,
        "keypersons.change_teammember",
        _("Your role may not change four-on-one teams."),
    )
    key_person = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    assert_in_scope(key_person, acting_user, "change")
    if not key_person.is_active:
        raise ValidationError(
            {"key_person": _("This key person is closed; the team is kept as it was.")}
        )
    return key_person


@transaction.atomic
def team_propose(*, acting_user, key_person: KeyPerson) -> list[TeamMember]:
    """Propose members for the empty places of one key person's team (建议包保人员)."""
    key_person = _require_team_change(acting_user, key_person)
    return _team_propose(acting_user=acting_user, key_persons=[key_person])


def _worker_errors(worker, role: TeamRole, key_person: KeyPerson) -> list[str]:
    profile = getattr(worker, "staff_profile", None)
    if not worker.is_active or profile is None:
        return [_("Choose an active staff member.")]
    if not worker.groups.filter(name=role.staff_role).exists():
        return [
            _("%(name)s is not a %(role)s.")
            % {"name": profile.display_name, "role": Role(role.staff_role).label}
        ]
    if not worker_covers(profile.unit, key_person.unit):
        return [
            _(
                "%(name)s works in %(unit)s, which does not cover %(place)s: choose a worker of the key person's grid or community."
            )
            % {
                "name": profile.display_name,
                "unit": profile.unit.name,
                "place": key_person.unit.name,
            }
        ]
    return []


@transaction.atomic
def team_confirm(
    *, acting_user, key_person: KeyPerson, workers: dict[str, object] | None = None
) -> list[TeamMember]:
    """Confirm a key person's team, changing members on the way (确认四包一): `workers`
    maps a team role's code to the worker chosen for it; other places keep their current
    member. A proposal becomes confirmed; a change ends the old member's row and adds a
    confirmed one. The workers newly responsible and those taken off are told in their
    inbox. A worker who does not hold the role's staff role or whose unit does not cover
    the key person's is refused, naming the place. Returns the current team."""
    key_person = _require_team_change(acting_user, key_person)
    workers = dict(workers or {})
    roles = {role.code: role for role in TeamRole.objects.filter(is_active=True)}
    errors: dict[str, list[str]] = {}
    for code, worker in workers.items():
        if code not in roles:
            errors[code] = [_("Unknown place of the team.")]
        elif worker is not None:
            problems = _worker_errors(worker, roles[code], key_person)
            if problems:
                errors[code] = problems
    if errors:
        raise ValidationError(errors)

    current = {
        member.role.code: member
        for member in TeamMember.objects.select_for_update()
        .filter(key_person=key_person, ended_at__isnull=True)
        .select_related("role")
    }
    now = timezone.now()
    assigned, removed = [], []
    for code, role in roles.items():
        member = current.get(code)
        worker = workers.get(code, member.worker if member else None)
        if worker is None:
            continue
        if member is not None and member.worker_id == worker.pk:
            if member.status == MemberStatus.PROPOSED:
                member.status = MemberStatus.CONFIRMED
                member.confirmed_by, member.confirmed_at = acting_user, now
                save_audited(
                    member,
                    acting_user=acting_user,
                    update_fields=["status", "confirmed_by", "confirmed_at"],
                )
                assigned.append(worker)
            continue
        if member is not None:
            member.ended_at, member.ended_by = now, acting_user
            save_audited(member, acting_user=acting_user, update_fields=["ended_at", "ended_by"])
            if member.status == MemberStatus.CONFIRMED:
                removed.append(member.worker)
        new = TeamMember(
            key_person=key_person,
            role=role,
            worker=worker,
            status=MemberStatus.CONFIRMED,
            assigned_by=acting_user,
            assigned_at=now,
            confirmed_by=acting_user,
            confirmed_at=now,
        )
        new.full_clean(exclude=["key_person", "role", "worker", "assigned_by", "confirmed_by"])
        save_audited(new, acting_user=acting_user)
        assigned.append(worker)
    url = key_person.get_absolute_url()
    if assigned:
        notification_send(
            recipients=assigned,
            kind=MessageKind.ASSIGNMENT,
            subject=_("You are now on the four-on-one team of %(name)s")
            % {"name": key_person.display_name},
            body=_("Contact the person as the rules ask and log every contact."),
            url=url,
        )
    if removed:
        notification_send(
            recipients=removed,
            kind=MessageKind.ASSIGNMENT,
            subject=_("You are no longer on the four-on-one team of %(name)s")
            % {"name": key_person.display_name},
            url=url,
        )
    assert_in_scope(key_person, acting_user, "change")
    return list(
        TeamMember.objects.filter(key_person=key_person, ended_at__isnull=True).select_related(
            "role", "worker__staff_profile"
        )
    )


# ---------------------------------------------------------------------------- contact ledger


def key_person_phone(key_person: KeyPerson) -> str:
    """The number to call: the registered resident's, else the key person's own."""
    if key_person.resident_id and key_person.resident.phone:
        return key_person.resident.phone
    return key_person.phone


def may_call(
    user, key_person: KeyPerson, *, holds_place: bool | None = None, calls: bool | None = None
) -> bool:
    """Whether `user` gets the call button (打电话) on a key person: a grid worker or
    officer who holds a current four-on-one place for an active key person with a number.
    A list that already knows passes `holds_place` and `calls` (`user_calls(user)`)."""
    if calls is None:
        calls = user_calls(user)
    if not calls or not key_person.is_active or not key_person_phone(key_person):
        return False
    if holds_place is None:
        holds_place = TeamMember.objects.filter(
            key_person=key_person, worker=user, ended_at__isnull=True
        ).exists()
    return holds_place


def may_log_contact(user, key_person: KeyPerson) -> bool:
    """Members of the key person's team, and users who may change the key person, log
    contacts (the key person must be visible to the user either way)."""
    if not user.has_perm("keypersons.add_contactentry"):
        return False
    if KeyPerson.objects.visible_to(user, "change").filter(pk=key_person.pk).exists():
        return True
    return (
        KeyPerson.objects.visible_to(user).filter(pk=key_person.pk).exists()
        and TeamMember.objects.filter(
            key_person=key_person, worker=user, ended_at__isnull=True
        ).exists()
    )


@transaction.atomic
def contact_log(
    *,
    acting_user,
    key_person: KeyPerson,
    channel: str,
    outcome: str,
    contacted_at: datetime.datetime | None = None,
    note: str = "",
    worker=None,
    late_entry: bool = False,
) -> ContactEntry:
    """Log one contact with a key person (联系登记): a call, SMS, door visit or video call,
    by the acting user (or, for a user who may change the key person, by a member of the
    team). Not in the future, not before the person was identified, and only while the key
    person is active; `late_entry`: a contact recorded on a phone offline and sent later is
    stored even when the key person was closed meanwhile (the caller flags it)."""
    key_person = get_visible(KeyPerson, acting_user, key_person.pk)
    if not may_log_contact(acting_user, key_person):
        raise PermissionDenied(_("Only the four-on-one team logs contacts with this person."))
    worker = worker or acting_user
    now = timezone.now()
    contacted_at = contacted_at or now
    errors: dict[str, list[str]] = {}
    if not key_person.is_active and not late_entry:
        errors["key_person"] = [_("This key person is closed: no more contacts are logged.")]
    if channel not in ContactChannel.values:
        errors["channel"] = [_("Choose how the person was contacted.")]
    if outcome not in ContactOutcome.values:
        errors["outcome"] = [_("Choose the outcome of the contact.")]
    if timezone.is_naive(contacted_at):
        contacted_at = timezone.make_aware(contacted_at)
    if contacted_at > now + datetime.timedelta(minutes=5):
        errors["contacted_at"] = [_("The time cannot be in the future.")]
    elif timezone.localdate(contacted_at) < key_person.identified_on:
        errors["contacted_at"] = [_("The time cannot be before the person was identified.")]
    if worker.pk != acting_user.pk:
        if (
            not KeyPerson.objects.visible_to(acting_user, "change")
            .filter(pk=key_person.pk)
            .exists()
        ):
            errors["worker"] = [_("You may log only your own contacts.")]
        elif not TeamMember.objects.filter(
            key_person=key_person, worker=worker, ended_at__isnull=True
        ).exists():
            errors["worker"] = [_("Choose a member of the person's four-on-one team.")]
    if errors:
        raise ValidationError(errors)
    entry = ContactEntry(
        key_person=key_person,
        worker=worker,
        contacted_at=contacted_at,
        channel=channel,
        outcome=outcome,
        note=(note or "").strip(),
        recorded_by=acting_user,
    )
    entry.full_clean(exclude=["key_person", "worker", "recorded_by"])
    save_audited(entry, acting_user=acting_user)
    return entry
