"""Writes of the registry: one function per use case, audited by simple-history."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import delete_audited, save_audited
from outpost.core.identity import (
    id_birth_date,
    id_sex,
    normalize_document_number,
    validate_id_number,
    validate_phone,
)
from outpost.core.masking import mask_id_number
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope, get_visible, user_scope_unit
from outpost.core.selectors import station_reviewers
from outpost.notify.choices import MessageKind
from outpost.notify.services import notification_send
from outpost.registry.choices import (
    DocumentType,
    HealthStatus,
    MemberPresence,
    RelationToHead,
    Transport,
    VisitOutcome,
)
from outpost.registry.models import Campaign, Household, Resident, Visit, VisitMember
from outpost.registry.screened import screened_refresh
from outpost.registry.selectors import (
    campaign_covers,
    campaign_grid_workers,
    campaign_scope_paths,
)

RESIDENT_CONTACT_FIELDS = ("phone", "residence_type", "workplace")


@transaction.atomic
def resident_update_contact(
    *, acting_user, resident: Resident, reason: str | None = None, **changes
) -> Resident:
    """Correct a resident's phone, residence type or workplace; `reason` goes into the
    history (a person's request to correct: its number)."""
    unknown = set(changes) - set(RESIDENT_CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(resident, field) != value]
    if not changed:
        return resident
    for field in changed:
        setattr(resident, field, changes[field])
    resident.full_clean()
    save_audited(resident, acting_user=acting_user, update_fields=changed, reason=reason)
    assert_in_scope(resident, acting_user, "change")
    return resident


# ---------------------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(
    *,
    acting_user,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    scope_units: Iterable[Unit],
) -> Campaign:
    """Open a screening campaign (排查批次) over units of the acting user's subtree."""
    if not acting_user.has_perm("registry.add_campaign"):
        raise PermissionDenied(_("Your role may not organise screening campaigns."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the campaign a name.")]
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = [_("The end date must not be before the start date.")]
    units = list(scope_units)
    visible = set(
        Unit.objects.visible_to(acting_user)
        .filter(pk__in=[unit.pk for unit in units])
        .values_list("pk", flat=True)
    )
    if not units:
        errors["scope_units"] = [_("Choose at least one unit the campaign covers.")]
    elif any(unit.pk not in visible for unit in units):
        errors["scope_units"] = [_("A campaign may only cover units of your jurisdiction.")]
    if errors:
        raise ValidationError(errors)
    # A unit under another chosen unit adds nothing.
    units = [
        unit
        for unit in units
        if not any(other.pk != unit.pk and unit.path.startswith(other.path) for other in units)
    ]
    organiser = user_scope_unit(acting_user) or min(units, key=lambda unit: unit.depth)
    campaign = Campaign(
        name=name,
        unit=organiser,
        start_date=start_date,
        end_date=end_date,
        created_by=acting_user,
    )
    campaign.full_clean()
    save_audited(campaign, acting_user=acting_user)
    campaign.scope_units.set(units)
    assert_in_scope(campaign, acting_user, "change")
    _tell_grid_workers(campaign)
    return campaign


def _tell_grid_workers(campaign: Campaign) -> None:
    """The grid workers of the campaign's grids learn of it in their inbox, each in their
    language; the link opens the campaign, which their grid lies in."""

    def compose() -> tuple[str, str]:
        subject = _("Screening campaign %(name)s: visit the households of your grid") % {
            "name": campaign.name
        }
        body = _("From %(start)s to %(end)s. My grid lists the households still to visit.") % {
            "start": campaign.start_date.isoformat(),
            "end": campaign.end_date.isoformat(),
        }
        return subject, body

    notification_send(
        recipients=campaign_grid_workers(campaign),
        kind=MessageKind.CAMPAIGN,
        compose=compose,
        url=campaign.get_absolute_url(),
    )


# ---------------------------------------------------------------------------- visits

RETURNED_ON_MAX_AGE_DAYS = 60


@dataclass(frozen=True)
class NewPerson:
    """Someone found living in the household who is not in the registry yet."""

    name: str
    document_type: str = DocumentType.RESIDENT_ID
    document_number: str = ""  # the ID number when document_type is the resident ID
    phone: str = ""
    relation_to_head: str = RelationToHead.OTHER


@dataclass(frozen=True)
class MemberReport:
    """What the visit learnt about one person: a registered member (`resident_id`) or a
    new one (`new_person`)."""

    resident_id: int | None = None
    new_person: NewPerson | None = None
    presence: str = MemberPresence.PRESENT
    travelled: bool | None = False  # None: not answered, refused
    origin_place: str = ""
    returned_on: datetime.date | None = None
    transport: str = ""
    health_status: str = HealthStatus.HEALTHY
    phone_confirmed: bool = False


class VisitInputError(ValidationError):
    """Everything wrong with one recording, by field of the visit and by member. Its fields
    are named as the API's request names them: `outcome`, `members.0.phone`."""

    def __init__(
        self,
        *,
        errors: dict[str, list[str]],
        member_errors: dict[int, dict[str, list[str]]],
        member_names: dict[int, str],
    ):
        self.visit_errors = errors
        self.member_errors = member_errors
        self.member_names = member_names
        by_field = {field: list(messages) for field, messages in errors.items()}
        for index, fields in sorted(member_errors.items()):
            name = member_names.get(index) or _("New member")
            for field, messages in fields.items():
                by_field[f"members.{index}.{field}"] = [f"{name}: {m}" for m in messages]
        super().__init__(by_field)


@transaction.atomic
def visit_record(
    *,
    acting_user,
    campaign: Campaign,
    household: Household,
    outcome: str,
    members: Sequence[MemberReport] = (),
    phone_confirmed: bool = False,
    note: str = "",
    today: datetime.date | None = None,
    visited_at: datetime.datetime | None = None,
) -> Visit:
    """Record (or record again) the door-to-door visit of one household in one campaign.

    `visited_at` is when the visit was recorded (a phone that recorded it offline sends it
    later; the caller checked it is not in the future); `today` its China date. When the
    visit already holds an account recorded later (two workers offline at one door), the
    earlier account goes into the visit's history and the later one stays current
    (`visit.superseded` is then True); the members are left as the later account has them.

    Members are reported only when the visit happened (outcome "visited"): a registered
    member's presence and declared travel and health; a new person becomes a resident of
    the household's grid; "moved out" makes the resident inactive. One visit per campaign
    and household: recording again updates it. The caller looked the household and the
    campaign up within the user's scope; the visit and every resident written are checked
    again afterwards, in this transaction.
    """
    today = today or timezone.localdate()
    visited_at = visited_at or timezone.now()
    visit = (
        Visit.objects.select_for_update()
        .filter(campaign=campaign, household=household)
        .prefetch_related("members")
        .first()
    )
    needed = "registry.change_visit" if visit else "registry.add_visit"
    if not acting_user.has_perm(needed):
        raise PermissionDenied(_("Your role may not record visits."))

    errors: dict[str, list[str]] = {}
    if outcome not in VisitOutcome.values:
        errors["outcome"] = [_("Choose how the visit went.")]
    campaign_problem = _campaign_problem(campaign, household, today)
    if campaign_problem:
        errors["campaign"] = [campaign_problem]

    reports = list(members) if outcome == VisitOutcome.COMPLETED else []
    previous = {member.resident_id: member for member in visit.members.all()} if visit else {}
    residents = _visit_residents(acting_user, household, reports, previous)
    member_errors, names = _check_reports(acting_user, reports, residents, household, today)
    if errors or member_errors:
        raise VisitInputError(errors=errors, member_errors=member_errors, member_names=names)
    if any(r.new_person for r in reports) and not acting_user.has_perm("registry.add_resident"):
        raise PermissionDenied(_("Your role may not add residents."))
    if any(r.presence == MemberPresence.DEPARTED for r in reports) and not acting_user.has_perm(
        "registry.change_resident"
    ):
        raise PermissionDenied(_("Your role may not mark residents as moved out."))

    if visit is not None and visit.visited_at > visited_at:
        return _visit_keep_later_account(
            acting_user, visit, visited_at, outcome, phone_confirmed, note
        )
    if visit is None:
        visit = Visit(campaign=campaign, household=household)
    visit.unit = household.unit
    visit.visited_by = acting_user
    visit.visited_at = visited_at
    visit.outcome = outcome
    visit.phone_confirmed = phone_confirmed
    visit.note = (note or "").strip()
    visit.full_clean(validate_unique=False, validate_constraints=False)
    save_audited(visit, acting_user=acting_user)

    for_station = []
    for report in reports:
        if report.new_person is not None and _held_outside_scope(acting_user, report.new_person):
            for_station.append(report.new_person)
            continue
        if report.new_person is not None:
            resident = _resident_add(acting_user, household, report.new_person)
            presence = MemberPresence.NEW
        else:
            resident = residents[report.resident_id]
            presence = report.presence
            earlier = previous.get(resident.pk)
            if earlier and earlier.presence == MemberPresence.NEW and presence == "present":
                presence = MemberPresence.NEW  # still the person this visit added
            _resident_set_active(
                acting_user,
                resident,
                active=presence != MemberPresence.DEPARTED,
                departed_at_this_visit=bool(
                    earlier and earlier.presence == MemberPresence.DEPARTED
                ),
            )
        _visit_member_save(acting_user, visit, resident, presence, report, previous)
    screened_refresh(
        household_ids=[household.pk],
        resident_ids=visit.members.values_list("resident_id", flat=True),
    )
    if for_station:
        _station_check_request(acting_user, household, for_station)

    assert_in_scope(visit, acting_user, "change")
    # For the caller to say so: new members the station checks instead of adding them.
    visit.sent_to_station = [person.name.strip() for person in for_station]
    visit.superseded = False
    return visit


def _campaign_problem(campaign: Campaign, household: Household, today) -> str:
    """Why a visit of `household` on `today` cannot be recorded in `campaign` ("" if it can)."""
    if campaign.is_closed:
        return _("The campaign %(name)s has been closed: no more visits are recorded in it.") % {
            "name": campaign.name
        }
    if not (campaign.start_date <= today <= campaign.end_date):
        return _("The campaign %(name)s is not running today (%(start)s to %(end)s).") % {
            "name": campaign.name,
            "start": campaign.start_date.isoformat(),
            "end": campaign.end_date.isoformat(),
        }
    if not campaign_covers(campaign_scope_paths(campaign), household.unit.path):
        return _("This household is not in the campaign's area.")
    return ""


def _visit_keep_later_account(acting_user, visit, visited_at, outcome, phone_confirmed, note):
    """An account recorded before the visit's current one (sent late from a phone that was
    offline): kept in the visit's history, then the current account is put back, both
    audited; the campaign still counts one visit of the household."""
    current = {name: getattr(visit, name) for name in _VISIT_RECORDED_FIELDS}
    visit.visited_by = acting_user
    visit.visited_at = visited_at
    visit.outcome = outcome
    visit.phone_confirmed = phone_confirmed
    visit.note = (note or "").strip()
    visit.full_clean(validate_unique=False, validate_constraints=False)
    save_audited(visit, acting_user=acting_user, reason=_("Earlier account, sent late"))
    for name, value in current.items():
        setattr(visit, name, value)
    save_audited(visit, acting_user=acting_user, reason=_("The later account stays current"))
    assert_in_scope(visit, acting_user, "change")
    visit.sent_to_station = []
    visit.superseded = True
    return visit


# How long the one who recorded a visit may take it back (撤销), e.g. saved at the wrong door.
VISIT_UNDO_WINDOW = datetime.timedelta(minutes=10)
_MEMBER_RECORDED_FIELDS = (
    "presence",
    "travelled",
    "origin_place",
    "origin_region_code",
    "returned_on",
    "transport",
    "health_status",
    "phone_confirmed",
)
_VISIT_RECORDED_FIELDS = (
    "unit_id",
    "visited_by_id",
    "visited_at",
    "outcome",
    "phone_confirmed",
    "note",
)


def visit_undo_until(visit: Visit, user) -> datetime.datetime | None:
    """Until when `user` may undo the latest recording of `visit`: only the one who
    recorded it, for VISIT_UNDO_WINDOW after; None when they may not (any more)."""
    if visit.visited_by_id != getattr(user, "pk", None):
        return None
    until = visit.visited_at + VISIT_UNDO_WINDOW
    return until if timezone.now() <= until else None


def _before(history, since):
    """The historical version saved before `since` (the state before this recording)."""
    return history.filter(history_date__lt=since).order_by("-history_date", "-history_id").first()


@transaction.atomic
def visit_undo(*, acting_user, visit: Visit) -> Household:
    """Undo the latest recording of a visit (撤销), by the one who recorded it, within
    VISIT_UNDO_WINDOW: everything goes back to how it was before. A visit recorded again
    gets its earlier values back (members too; residents it marked moved out are active
    again); a visit recorded for the first time is removed, with the members and the new
    residents it added.

    Removed, not marked withdrawn: every row keeps its versions in the audit history
    (simple-history stores the removed row whole, with who removed it and when), so the
    trail stays complete, while a withdrawn row would linger under the one-visit-per-
    household rule, in every figure that counts visits, and — for a resident it added —
    under the unique ID number, refusing the person when the visit is recorded again. If
    anything else already refers to a person the visit added, nothing is undone."""
    if not acting_user.has_perm("registry.add_visit"):
        raise PermissionDenied(_("Your role may not record visits."))
    visit = get_visible(Visit, acting_user, visit.pk)
    visit = Visit.objects.select_for_update().select_related("household").get(pk=visit.pk)
    if visit.visited_by_id != acting_user.pk:
        raise ValidationError(_("Only the person who recorded this visit may undo it."))
    if visit_undo_until(visit, acting_user) is None:
        raise ValidationError(
            _("A visit can be undone only within %(minutes)d minutes of saving it.")
            % {"minutes": VISIT_UNDO_WINDOW.seconds // 60}
        )
    since = visit.visited_at
    reason = "visit undone"
    household = visit.household
    members = visit.members.select_related("resident").select_for_update(of=("self",))
    touched = []
    for member in members:
        resident = member.resident
        touched.append(resident.pk)
        earlier = _before(member.history, since)
        if earlier is None:
            delete_audited(member, acting_user=acting_user, reason=reason)
            if _before(resident.history, since) is None:
                _resident_remove_added(acting_user, resident, reason)
                continue
        else:
            for field in _MEMBER_RECORDED_FIELDS:
                setattr(member, field, getattr(earlier, field))
            save_audited(
                member,
                acting_user=acting_user,
                update_fields=list(_MEMBER_RECORDED_FIELDS),
                reason=reason,
            )
        resident_earlier = _before(resident.history, since)
        if resident_earlier is not None and resident_earlier.is_active != resident.is_active:
            resident.is_active = resident_earlier.is_active
            save_audited(
                resident, acting_user=acting_user, update_fields=["is_active"], reason=reason
            )
    earlier = _before(visit.history, since)
    if earlier is None:
        delete_audited(visit, acting_user=acting_user, reason=reason)
    else:
        for field in _VISIT_RECORDED_FIELDS:
            setattr(visit, field, getattr(earlier, field))
        save_audited(
            visit,
            acting_user=acting_user,
            update_fields=[field.removesuffix("_id") for field in _VISIT_RECORDED_FIELDS],
            reason=reason,
        )
        assert_in_scope(visit, acting_user, "change")
    screened_refresh(household_ids=[household.pk], resident_ids=touched)
    return household


def _resident_remove_added(acting_user, resident: Resident, reason: str) -> None:
    """Remove a resident the undone visit added, unless another row already refers to them
    (a key person, a screening result…): those would be lost or left dangling."""
    for relation in Resident._meta.related_objects:
        if relation.related_model._base_manager.filter(**{relation.field.name: resident}).exists():
            raise ValidationError(
                _(
                    "%(name)s, added by this visit, is already referred to elsewhere: the "
                    "visit can no longer be undone."
                )
                % {"name": resident.name}
            )
    delete_audited(resident, acting_user=acting_user, reason=reason)


def _visit_residents(acting_user, household, reports, previous) -> dict[int, Resident]:
    """The registered members the reports name, looked up within the household and scope."""
    ids = {r.resident_id for r in reports if r.new_person is None and r.resident_id}
    return {
        resident.pk: resident
        for resident in Resident.objects.visible_to(acting_user)
        .filter(household=household, pk__in=ids)
        .filter(Q(is_active=True, merged_into__isnull=True) | Q(pk__in=list(previous.keys())))
    }


def _check_reports(acting_user, reports, residents, household, today):
    member_errors: dict[int, dict[str, list[str]]] = {}
    names: dict[int, str] = {}
    new_numbers: set[tuple[str, str]] = set()
    seen: set[int] = set()
    for index, report in enumerate(reports):
        problems: dict[str, list[str]] = {}

        def problem(field: str, message: str, problems=problems) -> None:
            problems.setdefault(field, []).append(message)

        if report.new_person is not None:
            names[index] = report.new_person.name.strip()
            for field, message in _check_new_person(
                acting_user, report.new_person, household, new_numbers
            ):
                problem(field, message)
        else:
            resident = residents.get(report.resident_id)
            if resident is None or report.resident_id in seen:
                problem("resident", _("This person is not a member of the household."))
            else:
                names[index] = resident.name
            seen.add(report.resident_id)
            if report.presence not in (
                MemberPresence.PRESENT,
                MemberPresence.AWAY,
                MemberPresence.DEPARTED,
            ):
                problem("presence", _("Say whether the person is at home, away or moved out."))
        if report.presence != MemberPresence.DEPARTED:
            for field, message in _check_travel_and_health(report, today):
                problem(field, message)
        if problems:
            member_errors[index] = problems
    return member_errors, names


def _check_travel_and_health(report, today):
    """(field, message) for each problem of a member still living here: the trip back and
    the health status."""
    if report.travelled is None:
        yield "travelled", _("Say whether the person travelled in the last 14 days.")
    elif report.travelled:
        if not report.origin_place.strip():
            yield "origin_place", _("Say where the person came back from.")
        earliest = today - datetime.timedelta(days=RETURNED_ON_MAX_AGE_DAYS)
        if report.returned_on is None:
            yield "returned_on", _("Give the date the person came back.")
        elif report.returned_on > today:
            yield "returned_on", _("The date back cannot be in the future.")
        elif report.returned_on < earliest:
            yield (
                "returned_on",
                _("The date back is more than %(days)d days ago; check it.")
                % {"days": RETURNED_ON_MAX_AGE_DAYS},
            )
    if report.transport and report.transport not in Transport.values:
        yield "transport", _("Choose a transport from the list.")
    if report.health_status not in HealthStatus.values:
        yield "health_status", _("Choose a health status from the list.")


def _check_new_person(acting_user, person: NewPerson, household, numbers_in_this_visit):
    """(field, message) for each problem; messages never say who holds a number, and say
    that someone does only when the user may see that record (else the station checks it,
    see `visit_record`)."""
    if not person.name.strip():
        yield "name", _("Give the new member's name.")
    elif len(person.name.strip()) > 60:
        yield "name", _("The name is longer than 60 characters.")
    if person.relation_to_head and person.relation_to_head not in RelationToHead.values:
        yield "relation_to_head", _("Choose a relation from the list.")
    if person.document_type not in DocumentType.values:
        yield "document_type", _("Choose a document type from the list.")
        return
    if person.phone.strip():
        try:
            validate_phone(person.phone)
        except ValidationError as exc:
            yield "phone", exc.messages[0]
    number = normalize_document_number(person.document_number)
    if person.document_type == DocumentType.RESIDENT_ID:
        try:
            number = validate_id_number(number)
        except ValidationError as exc:
            yield "document_number", exc.messages[0]
            return
    elif person.document_type == DocumentType.NONE:
        return
    else:
        if not number:
            yield "document_number", _("Give the document number.")
            return
        if len(number) > 40:
            yield "document_number", _("The document number is longer than 40 characters.")
            return
    key = (person.document_type, number)
    if key in numbers_in_this_visit:
        yield "document_number", _("This number is given twice in this visit.")
    numbers_in_this_visit.add(key)
    existing = Resident.objects.visible_to(acting_user).filter(_number_holder(person))
    if existing.filter(household=household).exists():
        yield "document_number", _("This person is already a member of the household.")
    elif existing.exists():
        yield (
            "document_number",
            _(
                "A person with this number is already registered elsewhere. Ask the station "
                "to move the record here; it cannot be added twice."
            ),
        )


def _number_holder(person: NewPerson) -> Q:
    """The registered resident holding the new person's number (the number is unique)."""
    if person.document_type == DocumentType.RESIDENT_ID:
        return Q(id_number=validate_id_number(person.document_number))
    return Q(document_type=person.document_type, document_number=person.document_number.strip())


def _held_outside_scope(acting_user, person: NewPerson) -> bool:
    """Whether a resident the user may not see holds the new person's number. Then the
    user learns nothing more than that the station will check the member."""
    if person.document_type == DocumentType.NONE:
        return False
    return Resident.objects.filter(_number_holder(person)).exists()


def _station_check_request(acting_user, household: Household, people: list[NewPerson]) -> None:
    """Route new members whose number is held outside the user's jurisdiction to the
    station, who see both records and move the registered one here if it is the person."""
    names = "、".join(person.name.strip() for person in people)
    notification_send(
        recipients=station_reviewers(household.unit),
        kind=MessageKind.OTHER,
        subject=_("Check new members of household %(number)s")
        % {"number": household.household_number},
        body=_(
            "%(user)s found %(names)s living in household %(number)s (%(grid)s) at a visit. "
            "Their document number is already registered to a resident outside that user's "
            "jurisdiction, so they were not added: compare the records and move the "
            "registered one to this household if it is the same person. Numbers: %(numbers)s."
        )
        % {
            "user": getattr(acting_user, "staff_profile", None) or acting_user,
            "names": names,
            "number": household.household_number,
            "grid": household.unit.name,
            "numbers": "、".join(mask_id_number(p.document_number.strip()) for p in people),
        },
        url=household.get_absolute_url(),
    )


def _resident_add(acting_user, household: Household, person: NewPerson) -> Resident:
    resident = Resident(
        unit=household.unit,
        household=household,
        name=person.name.strip(),
        document_type=person.document_type,
        relation_to_head=person.relation_to_head or RelationToHead.OTHER,
        phone=validate_phone(person.phone) if person.phone.strip() else "",
    )
    if person.document_type == DocumentType.RESIDENT_ID:
        resident.id_number = validate_id_number(person.document_number)
        resident.birth_date = id_birth_date(resident.id_number)
        resident.sex = id_sex(resident.id_number)
    elif person.document_type != DocumentType.NONE:
        resident.document_number = normalize_document_number(person.document_number)
    resident.full_clean()
    save_audited(resident, acting_user=acting_user)
    assert_in_scope(resident, acting_user, "change")
    return resident


def _resident_set_active(acting_user, resident, *, active: bool, departed_at_this_visit: bool):
    """Moved out: inactive, never deleted. Back to active only when this visit had said
    moved out (a correction), not for records deactivated otherwise."""
    if resident.is_active == active or (active and not departed_at_this_visit):
        return
    resident.is_active = active
    save_audited(resident, acting_user=acting_user, update_fields=["is_active"])
    assert_in_scope(resident, acting_user, "change")


def _visit_member_save(acting_user, visit, resident, presence, report, previous) -> VisitMember:
    member = previous.get(resident.pk) or VisitMember(visit=visit, resident=resident)
    member.presence = presence
    if presence == MemberPresence.DEPARTED:
        report = MemberReport(presence=presence)  # nothing to declare for someone gone
    member.travelled = report.travelled
    member.origin_place = report.origin_place.strip() if report.travelled else ""
    member.returned_on = report.returned_on if report.travelled else None
    member.transport = (report.transport or "") if report.travelled else ""
    member.health_status = report.health_status
    member.phone_confirmed = report.phone_confirmed
    member.full_clean(validate_unique=False, validate_constraints=False)
    save_audited(member, acting_user=acting_user)
    return member


# ---------------------------------------------------------------------------- merging duplicates

# What an officer chooses, per differing value, when two records are one person. Each
# choice moves its fields together: a document is its type and number, a household
# membership is the household, the relation to its head and the grid.
RESIDENT_MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "sex": ("sex",),
    "birth_date": ("birth_date",),
    "id_number": ("id_number",),
    "document": ("document_type", "document_number"),
    "phone": ("phone",),
    "residence_type": ("residence_type",),
    "workplace": ("workplace",),
    "household": ("household", "relation_to_head", "unit"),
}
KEEP, DUPLICATE = "keep", "duplicate"


@dataclass(frozen=True)
class MergeOutcome:
    keep: Resident
    duplicate: Resident
    changed_fields: tuple[str, ...]
    visits_moved: int
    visits_left: int  # the kept record was already on that visit; the duplicate keeps its row


@transaction.atomic
def resident_merge(
    *,
    acting_user,
    keep: Resident,
    duplicate: Resident,
    field_choices: dict[str, str] | None = None,
) -> MergeOutcome:
    """Merge two records of one person (合并重复人员) into `keep`; nothing is deleted.

    `field_choices` maps a key of `RESIDENT_MERGE_FIELDS` to ``"keep"`` or ``"duplicate"``:
    whose value the kept record has afterwards (unnamed fields keep their own value). The
    duplicate's visit records move to the kept record, except on a visit that already
    lists the kept record (one row per person and visit). The duplicate leaves its
    household, becomes inactive and points to the kept record (`merged_into`); both get a
    history entry saying so. Birth date and sex follow a valid resident ID number.
    """
    field_choices = dict(field_choices or {})
    unknown = set(field_choices) - set(RESIDENT_MERGE_FIELDS)
    bad = {value for value in field_choices.values() if value not in (KEEP, DUPLICATE)}
    if unknown or bad:
        raise TypeError(f"unknown merge choices: {sorted(unknown | bad)}")
    keep, duplicate = _merge_pair_locked(acting_user, keep, duplicate)
    changed = _merge_values_taken(keep, duplicate, field_choices)
    changed += _merge_id_derived(keep)
    reason = _("Merged into record %(number)s (%(name)s)") % {"number": keep.pk, "name": keep.name}
    _merge_retire_duplicate(acting_user, keep, duplicate, reason=reason)

    changed = list(dict.fromkeys(changed))
    keep.full_clean()
    # A history row for the merge even when no value changed.
    save_audited(
        keep,
        acting_user=acting_user,
        update_fields=changed or ["is_active"],
        reason=_("Record %(number)s (%(name)s) merged into this one")
        % {"number": duplicate.pk, "name": duplicate.name},
    )
    moved, left = _merge_move_visits(acting_user, keep, duplicate, reason=reason)
    screened_refresh(resident_ids=[keep.pk, duplicate.pk])

    assert_in_scope(keep, acting_user, "change")
    assert_in_scope(duplicate, acting_user, "change")
    return MergeOutcome(
        keep=keep,
        duplicate=duplicate,
        changed_fields=tuple(changed),
        visits_moved=moved,
        visits_left=left,
    )


def _merge_pair_locked(acting_user, keep: Resident, duplicate: Resident):
    """Both records, locked and read again within the user's scope: a second merge of
    either waits for this one and then finds it merged."""
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    list(Resident.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).values("pk"))
    keep = get_visible(Resident, acting_user, keep.pk, "change")
    duplicate = get_visible(Resident, acting_user, duplicate.pk, "change")
    for record in (keep, duplicate):
        if record.merged_into_id is not None:
            raise ValidationError(
                _("%(name)s (record %(number)s) was already merged into another record.")
                % {"name": record.name, "number": record.pk}
            )
    return keep, duplicate


def _merge_values_taken(keep: Resident, duplicate: Resident, field_choices: dict) -> list[str]:
    """Set on `keep` the duplicate's values of the fields chosen; the fields changed."""
    changed = []
    for choice, fields in RESIDENT_MERGE_FIELDS.items():
        if field_choices.get(choice) != DUPLICATE:
            continue
        for field in fields:
            value = getattr(duplicate, field)
            if getattr(keep, field) != value:
                setattr(keep, field, value)
                changed.append(field)
    return changed


def _merge_id_derived(keep: Resident) -> list[str]:
    """Birth date and sex follow a valid ID number; an old, unchecked number is kept as it
    is. The fields changed."""
    if not keep.id_number:
        return []
    try:
        canonical = validate_id_number(keep.id_number)
    except ValidationError:
        return []
    derived = {
        "id_number": canonical,
        "birth_date": id_birth_date(canonical),
        "sex": id_sex(canonical),
    }
    changed = []
    for field, value in derived.items():
        if getattr(keep, field) != value:
            setattr(keep, field, value)
            changed.append(field)
    return changed


def _merge_retire_duplicate(acting_user, keep: Resident, duplicate: Resident, *, reason) -> None:
    """The duplicate gives up the numbers the kept record now holds (they are unique),
    leaves its household and points to the kept record."""
    fields = ["is_active", "merged_into", "household", "relation_to_head"]
    if duplicate.id_number and duplicate.id_number == keep.id_number:
        duplicate.id_number = ""
        fields.append("id_number")
    if duplicate.document_number and (duplicate.document_type, duplicate.document_number) == (
        keep.document_type,
        keep.document_number,
    ):
        duplicate.document_number = ""
        fields.append("document_number")
    duplicate.is_active = False
    duplicate.merged_into = keep
    duplicate.household = None
    duplicate.relation_to_head = ""
    duplicate.full_clean()
    save_audited(duplicate, acting_user=acting_user, update_fields=fields, reason=reason)


def _merge_move_visits(
    acting_user, keep: Resident, duplicate: Resident, *, reason
) -> tuple[int, int]:
    """Move the duplicate's visit records to `keep`, except on a visit that already lists
    `keep`; returns (moved, left). All of them move, also those of visits outside the acting
    user's scope: they describe this person, and nothing of them is shown here."""
    on_visits = set(VisitMember.objects.filter(resident=keep).values_list("visit_id", flat=True))
    moved = left = 0
    for member in VisitMember.objects.select_for_update().filter(resident=duplicate):
        if member.visit_id in on_visits:
            left += 1
            continue
        member.resident = keep
        save_audited(member, acting_user=acting_user, update_fields=["resident"], reason=reason)
        moved += 1
    return moved, left
