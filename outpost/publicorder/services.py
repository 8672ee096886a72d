"""Every write of the public-order module: one function per use case, transactional,
validated, audited (simple-history names the acting user), re-checked in scope."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.identity import validate_phone
from outpost.core.models import Unit
from outpost.core.photos import photo_clean
from outpost.core.scoping import assert_in_scope
from outpost.publicorder.choices import (
    NEXT_STATE,
    STATE_DATE_FIELD,
    EventStatus,
    InspectionStatus,
    PatrolException,
    PatrolStatus,
)
from outpost.publicorder.codes import CodeRefused, code_read
from outpost.publicorder.models import (
    ChecklistItem,
    Checkpoint,
    ClosureCampaign,
    ClosureEntry,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    LargeEvent,
    Patrol,
    PatrolCheckIn,
    PatrolRoute,
    Venue,
    VenueKind,
)

# A follow-up of a failed check is due this many days after the inspection, by default.
FOLLOW_UP_DAYS = 3
# A patrol started this long after its route's start time is late.
LATE_GRACE = datetime.timedelta(minutes=30)
MAX_PHOTOS = 6


def _check_unit(acting_user, unit: Unit) -> None:
    if not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied("unit outside the user's jurisdiction")


def _require(acting_user, permission: str) -> None:
    if not acting_user.has_perm(permission):
        raise PermissionDenied(permission)


def _phone(value: str, field: str) -> str:
    if not value:
        return ""
    try:
        return validate_phone(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


# ---------------------------------------------------------------------------- venues


@transaction.atomic
def venue_create(
    *,
    acting_user,
    unit: Unit,
    kind: VenueKind,
    name: str,
    licence_number: str = "",
    address: str = "",
    responsible_person: str = "",
    responsible_phone: str = "",
) -> Venue:
    """Register a venue of `unit` (a unit of the acting user's jurisdiction)."""
    _require(acting_user, "publicorder.add_venue")
    _check_unit(acting_user, unit)
    venue = Venue(
        unit=unit,
        kind=kind,
        name=name.strip(),
        licence_number=licence_number.strip(),
        address=address.strip(),
        responsible_person=responsible_person.strip(),
        responsible_phone=_phone(responsible_phone, "responsible_phone"),
        created_by=acting_user,
    )
    venue.full_clean()
    save_audited(venue, acting_user=acting_user)
    assert_in_scope(venue, acting_user, "add")
    return venue


# ---------------------------------------------------------------------------- closures


@transaction.atomic
def campaign_create(
    *, acting_user, unit: Unit, name: str, started_on: datetime.date, kinds=None
) -> ClosureCampaign:
    """Start a closure campaign at `unit` over its active venues (of `kinds`, or all), each
    to be visited."""
    _require(acting_user, "publicorder.add_closurecampaign")
    _check_unit(acting_user, unit)
    campaign = ClosureCampaign(
        unit=unit, name=name.strip(), started_on=started_on, created_by=acting_user
    )
    campaign.full_clean()
    save_audited(campaign, acting_user=acting_user)
    venues = Venue.objects.visible_to(acting_user).within(unit).filter(is_active=True)
    if kinds:
        venues = venues.filter(kind__in=kinds)
    for venue in venues.order_by("pk"):
        save_audited(ClosureEntry(campaign=campaign, venue=venue), acting_user=acting_user)
    assert_in_scope(campaign, acting_user, "add")
    return campaign


@transaction.atomic
def closure_advance(
    *, acting_user, entry: ClosureEntry, on: datetime.date, note: str = ""
) -> ClosureEntry:
    """Move a venue one step on in its campaign (to visit → persuaded → closed → inspected
    closed → allowed to reopen), on day `on` (not in the future, not before the last
    step), recorded with the acting officer."""
    entry = ClosureEntry.objects.select_for_update().get(pk=entry.pk)
    following = NEXT_STATE.get(entry.state)
    if following is None:
        raise ValidationError(
            _("The venue has been allowed to reopen: the campaign is over for it.")
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("The day cannot be in the future.")})
    last = max(
        (getattr(entry, name) for name in STATE_DATE_FIELD.values() if getattr(entry, name)),
        default=None,
    )
    if last is not None and on < last:
        raise ValidationError(
            {"on": _("The day cannot be before the last step (%(day)s).") % {"day": last}}
        )
    entry.state = following
    setattr(entry, STATE_DATE_FIELD[following], on)
    entry.officer = acting_user
    entry.note = note.strip()
    save_audited(
        entry,
        acting_user=acting_user,
        update_fields=["state", STATE_DATE_FIELD[following], "officer", "note"],
    )
    assert_in_scope(entry, acting_user, "change")
    return entry


# ---------------------------------------------------------------------------- inspections


def checklist_of(venue: Venue, follow_up: Inspection | None = None) -> list[ChecklistItem]:
    """The checks an inspection of `venue` records: its kind's active checklist, or the
    one item a follow-up is for."""
    if follow_up is not None and follow_up.item_id:
        return [follow_up.item]
    return list(ChecklistItem.objects.filter(kind=venue.kind_id, is_active=True))


@transaction.atomic
def inspection_record(
    *,
    acting_user,
    venue: Venue,
    results: dict[int, tuple[bool, str]],
    notes: str = "",
    photos=(),
    follow_up: Inspection | None = None,
    follow_up_days: int = FOLLOW_UP_DAYS,
) -> Inspection:
    """Record an inspection of `venue`: each check of its checklist passed or failed (with a
    note), notes and photos. Done on a due follow-up, it records that follow-up's one check.
    Every failed check gets a follow-up inspection for that check only, due in
    `follow_up_days`, on the acting officer's to-do list."""
    _require(acting_user, "publicorder.add_inspection")
    checks = checklist_of(venue, follow_up)
    missing = [item for item in checks if item.pk not in results]
    if not checks:
        raise ValidationError(_("This kind of venue has no checklist yet."))
    if missing:
        raise ValidationError(
            {"results": _("Say whether “%(check)s” passed.") % {"check": missing[0].label}}
        )
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}})
    cleaned = [photo_clean(photo) for photo in photos]
    now = timezone.now()
    if follow_up is not None:
        inspection = Inspection.objects.select_for_update().get(pk=follow_up.pk, venue=venue)
        if inspection.status != InspectionStatus.DUE:
            raise ValidationError(_("This follow-up has been done already."))
        inspection.status = InspectionStatus.DONE
        inspection.inspected_at = now
        inspection.officer = acting_user
        inspection.notes = notes.strip()
        save_audited(
            inspection,
            acting_user=acting_user,
            update_fields=["status", "inspected_at", "officer", "notes"],
        )
    else:
        inspection = Inspection(
            venue=venue, officer=acting_user, inspected_at=now, notes=notes.strip()
        )
        inspection.full_clean()
        save_audited(inspection, acting_user=acting_user)
    due = timezone.localdate() + datetime.timedelta(days=follow_up_days)
    for item in checks:
        passed, note = results[item.pk]
        result = InspectionResult(inspection=inspection, item=item, passed=passed, note=note)
        save_audited(result, acting_user=acting_user)
        if not passed:
            save_audited(
                Inspection(
                    venue=venue,
                    officer=acting_user,
                    status=InspectionStatus.DUE,
                    due_on=due,
                    follow_up_of=inspection,
                    item=item,
                ),
                acting_user=acting_user,
            )
    for content in cleaned:
        photo = InspectionPhoto(inspection=inspection, uploaded_by=acting_user)
        photo.image.save(content.name, content, save=False)
        try:
            save_audited(photo, acting_user=acting_user)
        except Exception:
            photo.image.delete(save=False)
            raise
    assert_in_scope(inspection, acting_user, "view")
    return inspection


# ---------------------------------------------------------------------------- events


@transaction.atomic
def event_create(
    *,
    acting_user,
    unit: Unit,
    name: str,
    planned_on: datetime.date,
    organiser: str,
    place: str = "",
    expected_attendance: int | None = None,
    organiser_contact: str = "",
    organiser_phone: str = "",
) -> LargeEvent:
    """Record a planned large event of `unit` and its organiser."""
    _require(acting_user, "publicorder.add_largeevent")
    _check_unit(acting_user, unit)
    event = LargeEvent(
        unit=unit,
        name=name.strip(),
        planned_on=planned_on,
        organiser=organiser.strip(),
        place=place.strip(),
        expected_attendance=expected_attendance,
        organiser_contact=organiser_contact.strip(),
        organiser_phone=_phone(organiser_phone, "organiser_phone"),
        created_by=acting_user,
    )
    event.full_clean()
    save_audited(event, acting_user=acting_user)
    assert_in_scope(event, acting_user, "add")
    return event


@transaction.atomic
def event_cancel(
    *, acting_user, event: LargeEvent, cancelled_on: datetime.date, note: str = ""
) -> LargeEvent:
    """The organiser has called the event off: recorded with the day and the officer who
    confirmed it."""
    event = LargeEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("The event is cancelled already."))
    if cancelled_on > timezone.localdate():
        raise ValidationError({"cancelled_on": _("The day cannot be in the future.")})
    event.status = EventStatus.CANCELLED
    event.cancelled_on = cancelled_on
    event.confirmed_by = acting_user
    event.note = note.strip()
    save_audited(
        event,
        acting_user=acting_user,
        update_fields=["status", "cancelled_on", "confirmed_by", "note"],
    )
    assert_in_scope(event, acting_user, "change")
    return event


# ---------------------------------------------------------------------------- patrols


@transaction.atomic
def route_create(
    *,
    acting_user,
    unit: Unit,
    name: str,
    leader,
    starts_at: datetime.time,
    checkpoints: list[tuple[str, str]],
    completion_threshold: int = 100,
) -> PatrolRoute:
    """A patrol route of `unit` with its checkpoints (name, kind) in order."""
    _require(acting_user, "publicorder.add_patrolroute")
    _check_unit(acting_user, unit)
    route = PatrolRoute(
        unit=unit,
        name=name.strip(),
        leader=leader,
        starts_at=starts_at,
        completion_threshold=completion_threshold,
    )
    route.full_clean()
    save_audited(route, acting_user=acting_user)
    for order, (point, kind) in enumerate(checkpoints, start=1):
        checkpoint = Checkpoint(route=route, name=point.strip(), kind=kind, order=order)
        checkpoint.full_clean()
        save_audited(checkpoint, acting_user=acting_user)
    assert_in_scope(route, acting_user, "add")
    return route


@transaction.atomic
def patrol_start(*, acting_user, route: PatrolRoute) -> Patrol:
    """The acting officer starts a patrol of `route` today (China time)."""
    _require(acting_user, "publicorder.add_patrol")
    if not route.is_active:
        raise ValidationError(_("This route is no longer patrolled."))
    now = timezone.now()
    patrol = Patrol(
        route=route,
        day=timezone.localdate(now),
        officer=acting_user,
        started_at=now,
        checkpoints_total=route.checkpoints.filter(is_active=True).count(),
    )
    save_audited(patrol, acting_user=acting_user)
    assert_in_scope(patrol, acting_user, "add")
    return patrol


def _exception_of(patrol: Patrol) -> str:
    if patrol.status == PatrolStatus.SKIPPED:
        return PatrolException.SKIPPED
    if patrol.checked_in * 100 < patrol.route.completion_threshold * patrol.checkpoints_total:
        return PatrolException.INCOMPLETE
    start = datetime.datetime.combine(patrol.day, patrol.route.starts_at)
    start = timezone.make_aware(start)
    if patrol.started_at and patrol.started_at > start + LATE_GRACE:
        return PatrolException.LATE
    return PatrolException.NONE


@transaction.atomic
def patrol_check_in(*, acting_user, patrol: Patrol, content: str) -> PatrolCheckIn:
    """Check the patrol in at the checkpoint whose QR code was scanned (`content`: the
    code's address or token). Refused, with a message under `code`: a code not genuine,
    not of today, of another route's checkpoint, a checkpoint checked in already, a
    patrol that is not the officer's own or not under way."""
    patrol = Patrol.objects.select_for_update().select_related("route").get(pk=patrol.pk)
    if patrol.officer_id != acting_user.pk:
        raise PermissionDenied("not the officer's patrol")
    if patrol.status != PatrolStatus.OPEN:
        raise ValidationError({"code": _("This patrol is over; start a new one.")})
    now = timezone.now()
    try:
        scanned = code_read(content, today=timezone.localdate(now))
    except CodeRefused as exc:
        raise ValidationError({"code": str(exc)}) from exc
    if patrol.day != scanned.day:
        raise ValidationError(
            {"code": _("This patrol was started on another day; start a new one.")}
        )
    checkpoint = Checkpoint.objects.filter(pk=scanned.checkpoint_id).first()
    if checkpoint is None or checkpoint.route_id != patrol.route_id or not checkpoint.is_active:
        name = checkpoint.name if checkpoint is not None else "?"
        raise ValidationError(
            {
                "code": _(
                    "This is the code of “%(checkpoint)s”, which is not a checkpoint of the "
                    "route %(route)s."
                )
                % {"checkpoint": name, "route": patrol.route.name}
            }
        )
    earlier = PatrolCheckIn.objects.filter(patrol=patrol, checkpoint=checkpoint).first()
    if earlier is not None:
        raise ValidationError(
            {
                "code": _("This patrol checked in at “%(checkpoint)s” already, at %(time)s.")
                % {
                    "checkpoint": checkpoint.name,
                    "time": timezone.localtime(earlier.at).strftime("%H:%M"),
                }
            }
        )
    check_in = PatrolCheckIn(patrol=patrol, checkpoint=checkpoint, at=now, by=acting_user)
    save_audited(check_in, acting_user=acting_user)
    patrol.checked_in += 1
    fields = ["checked_in"]
    if patrol.checked_in >= patrol.checkpoints_total:
        patrol.status = PatrolStatus.FINISHED
        patrol.finished_at = now
        patrol.exception = _exception_of(patrol)
        fields += ["status", "finished_at", "exception"]
    save_audited(patrol, acting_user=acting_user, update_fields=fields)
    assert_in_scope(check_in, acting_user, "view")
    return check_in


@transaction.atomic
def patrol_finish(*, acting_user, patrol: Patrol, now: datetime.datetime | None = None) -> Patrol:
    """End a patrol under way (the officer, or the nightly sweep as the system): its
    exception (late, below the route's completion threshold) is worked out now."""
    patrol = Patrol.objects.select_for_update().select_related("route").get(pk=patrol.pk)
    if acting_user is not None and patrol.officer_id != acting_user.pk:
        raise PermissionDenied("not the officer's patrol")
    if patrol.status != PatrolStatus.OPEN:
        raise ValidationError(_("This patrol is over already."))
    patrol.status = PatrolStatus.FINISHED
    patrol.finished_at = now or timezone.now()
    patrol.exception = _exception_of(patrol)
    save_audited(
        patrol, acting_user=acting_user, update_fields=["status", "finished_at", "exception"]
    )
    return patrol


@transaction.atomic
def patrol_acknowledge(*, acting_user, patrol: Patrol, note: str = "") -> Patrol:
    """The leader (or an officer of the route's unit) has seen a patrol's exception and
    acknowledges it, with a note: it leaves the to-do list, the log keeps who did."""
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if not patrol.exception:
        raise ValidationError(_("This patrol has nothing to acknowledge."))
    if patrol.acknowledged_at is not None:
        raise ValidationError(_("This exception has been acknowledged already."))
    patrol.acknowledged_by = acting_user
    patrol.acknowledged_at = timezone.now()
    patrol.acknowledgement = note.strip()
    save_audited(
        patrol,
        acting_user=acting_user,
        update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement"],
    )
    assert_in_scope(patrol, acting_user, "change")
    return patrol


@transaction.atomic
def patrols_sweep(*, day: datetime.date, now: datetime.datetime | None = None) -> dict:
    """After `day` (China time): patrols still under way are ended (and judged), and each
    active route with no patrol that day gets a skipped patrol, on its leader's to-do."""
    ended = 0
    for patrol in Patrol.objects.filter(day__lte=day, status=PatrolStatus.OPEN):
        patrol_finish(acting_user=None, patrol=patrol, now=now)
        ended += 1
    patrolled = Patrol.objects.filter(day=day).values("route_id")
    skipped = 0
    for route in PatrolRoute.objects.filter(is_active=True).exclude(pk__in=patrolled):
        patrol = Patrol(
            route=route,
            day=day,
            status=PatrolStatus.SKIPPED,
            exception=PatrolException.SKIPPED,
            checkpoints_total=route.checkpoints.filter(is_active=True).count(),
        )
        save_audited(patrol, acting_user=None)
        skipped += 1
    return {"ended": ended, "skipped": skipped}
