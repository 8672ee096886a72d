"""Writes about isolation sites (集中隔离点): sites, rooms and their states, who stays in which
room, and the staff on duty. Audited by simple-history.

A room holds one person at a time: the service checks it, and the database's partial unique
index on open stays settles the race when two people are checked into a room at once.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope, get_visible
from outpost.observation.choices import EpisodeKind, RoomStatus, SiteStaffRole
from outpost.observation.models import Episode, IsolationSite, Room, RoomStay, SiteStaff

# Clocks of phones and servers differ a little: a time this far ahead is still "now".
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def _aware(at: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW:
        raise ValidationError({"at": _("The time cannot be in the future.")})
    return at


# ---------------------------------------------------------------------------- sites and rooms


@transaction.atomic
def site_create(*, acting_user, unit: Unit, name: str, address: str = "") -> IsolationSite:
    """Set up an isolation site (新增隔离点) of a unit of the acting user's jurisdiction; it
    serves the people of that unit's subtree."""
    _require(
        acting_user,
        "observation.add_isolationsite",
        _("Your role may not set up isolation sites."),
    )
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the name of the site.")]
    if unit is None or not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        errors["unit"] = [_("Choose a unit of your jurisdiction.")]
    if errors:
        raise ValidationError(errors)
    site = IsolationSite(unit=unit, name=name, address=(address or "").strip())
    site.full_clean()
    save_audited(site, acting_user=acting_user)
    assert_in_scope(site, acting_user, "change")
    return site


@transaction.atomic
def rooms_add(*, acting_user, site: IsolationSite, floor: str, numbers: list[str]) -> list[Room]:
    """Add rooms on one floor of a site (新增房间), free. A number the site already has, or
    given twice, refuses the whole list, naming the number."""
    _require(acting_user, "observation.add_room", _("Your role may not add rooms."))
    # Locked: two people adding the same number at once are told, not given an error page.
    site = get_visible(IsolationSite, acting_user, site.pk, "change")
    site = IsolationSite.objects.select_for_update().get(pk=site.pk)
    floor = (floor or "").strip()
    numbers = [str(number).strip() for number in numbers if str(number).strip()]
    errors: dict[str, list[str]] = {}
    if not floor:
        errors["floor"] = [_("Enter the floor.")]
    if not numbers:
        errors["numbers"] = [_("Enter at least one room number.")]
    taken = set(site.rooms.filter(number__in=numbers).values_list("number", flat=True))
    seen: set[str] = set()
    for number in numbers:
        if number in taken:
            errors.setdefault("numbers", []).append(
                _("Room %(number)s already exists at this site.") % {"number": number}
            )
        elif number in seen:
            errors.setdefault("numbers", []).append(
                _("Room %(number)s is given twice.") % {"number": number}
            )
        seen.add(number)
    if errors:
        raise ValidationError(errors)
    rooms = []
    for number in numbers:
        room = Room(site=site, floor=floor, number=number, status=RoomStatus.FREE)
        room.full_clean(exclude=["site"], validate_constraints=False)
        save_audited(room, acting_user=acting_user)
        rooms.append(room)
    return rooms


def _room_occupied(room: Room) -> bool:
    return RoomStay.objects.filter(room=room, checked_out_at__isnull=True).exists()


@transaction.atomic
def room_status_set(*, acting_user, room: Room, status: str) -> Room:
    """Mark a room free, being cleaned or out of service (房态). Occupied is not a state one
    sets: it is refused while someone stays in the room."""
    room = get_visible(Room, acting_user, room.pk, "change")
    room = Room.objects.select_for_update().get(pk=room.pk)
    if status not in RoomStatus.values:
        raise ValidationError({"status": _("Choose the state of the room.")})
    if _room_occupied(room):
        raise ValidationError(
            {"status": _("Someone stays in this room: check them out or move them first.")}
        )
    room.status = status
    save_audited(room, acting_user=acting_user, update_fields=["status"])
    return room


# ---------------------------------------------------------------------------- stays


def _episode_for_stay(acting_user, episode: Episode, action: str) -> Episode:
    """The episode, locked, after checking the user may record its stays."""
    _require(
        acting_user,
        f"observation.{action}_roomstay",
        _("Your role may not record who stays in which room."),
    )
    episode = get_visible(Episode, acting_user, episode.pk, "change")
    return Episode.objects.select_for_update().get(pk=episode.pk)


def _open_stay(episode: Episode) -> RoomStay | None:
    return (
        RoomStay.objects.select_for_update()
        .filter(episode=episode, checked_out_at__isnull=True)
        .select_related("room")
        .first()
    )


def _room_errors(episode: Episode, room: Room) -> dict[str, list[str]]:
    if room.site_id != episode.site_id:
        return {"room": [_("Choose a room of the person's isolation site.")]}
    if room.status == RoomStatus.CLEANING:
        return {"room": [_("This room is being cleaned.")]}
    if room.status == RoomStatus.OUT_OF_SERVICE:
        return {"room": [_("This room is out of service.")]}
    if _room_occupied(room):
        return {"room": [_("This room is already occupied.")]}
    return {}


def _stay_create(*, acting_user, episode: Episode, room: Room, at) -> RoomStay:
    stay = RoomStay(episode=episode, room=room, checked_in_at=at, checked_in_by=acting_user)
    try:
        # A savepoint: when another check-in took the room since the check above, the
        # unique index refuses this row and the rest of the transaction stays usable.
        with transaction.atomic():
            save_audited(stay, acting_user=acting_user)
    except IntegrityError as exc:
        if RoomStay.objects.filter(episode=episode, checked_out_at__isnull=True).exists():
            raise ValidationError({"episode": _("This person already has a room.")}) from exc
        raise ValidationError({"room": _("This room is already occupied.")}) from exc
    return stay


def _stay_close(*, acting_user, stay: RoomStay, at) -> RoomStay:
    """Check out of a stay; the room is cleaned before the next person comes."""
    stay.checked_out_at, stay.checked_out_by = at, acting_user
    save_audited(stay, acting_user=acting_user, update_fields=["checked_out_at", "checked_out_by"])
    room = Room.objects.select_for_update().get(pk=stay.room_id)
    room.status = RoomStatus.CLEANING
    save_audited(room, acting_user=acting_user, update_fields=["status"])
    return stay


@transaction.atomic
def stay_check_in(*, acting_user, episode: Episode, room: Room, at=None) -> RoomStay:
    """Check a person in centralized isolation into a free room of their site (入住)."""
    episode = _episode_for_stay(acting_user, episode, "add")
    at = _aware(at)
    # Locked so that check-ins to one room queue up; the unique index covers the rest.
    room = Room.objects.select_for_update().get(pk=room.pk)
    errors: dict[str, list[str]] = {}
    if not episode.is_open:
        errors["episode"] = [_("This observation has ended.")]
    elif episode.kind != EpisodeKind.CENTRALIZED:
        errors["episode"] = [_("Only people in centralized isolation are given a room.")]
    elif _open_stay(episode) is not None:
        errors["episode"] = [_("This person already has a room: move them instead.")]
    if timezone.localdate(at) < episode.start_date:
        errors["at"] = [_("The time cannot be before the observation starts.")]
    if "episode" not in errors:
        errors.update(_room_errors(episode, room))
    if errors:
        raise ValidationError(errors)
    stay = _stay_create(acting_user=acting_user, episode=episode, room=room, at=at)
    assert_in_scope(stay, acting_user, "change")
    return stay


@transaction.atomic
def stay_move(*, acting_user, episode: Episode, room: Room, at=None) -> RoomStay:
    """Move a person to another room of the site (换房); the old room is cleaned."""
    episode = _episode_for_stay(acting_user, episode, "change")
    at = _aware(at)
    room = Room.objects.select_for_update().get(pk=room.pk)
    current = _open_stay(episode)
    if not episode.is_open:
        raise ValidationError({"episode": _("This observation has ended.")})
    if current is None:
        raise ValidationError({"episode": _("This person has no room: check them in first.")})
    if current.room_id == room.pk:
        raise ValidationError({"room": _("The person is already in this room.")})
    errors = _room_errors(episode, room)
    if at < current.checked_in_at:
        errors["at"] = [_("The time cannot be before the person checked in.")]
    if errors:
        raise ValidationError(errors)
    _stay_close(acting_user=acting_user, stay=current, at=at)
    stay = _stay_create(acting_user=acting_user, episode=episode, room=room, at=at)
    assert_in_scope(stay, acting_user, "change")
    return stay


def stay_close_if_any(*, acting_user, episode: Episode, at) -> RoomStay | None:
    """Check the person out of their room if they have one (the caller checked rights and
    holds the transaction): ending an episode empties the room."""
    stay = _open_stay(episode)
    if stay is None:
        return None
    return _stay_close(acting_user=acting_user, stay=stay, at=max(at, stay.checked_in_at))


@transaction.atomic
def stay_check_out(*, acting_user, episode: Episode, at=None) -> RoomStay:
    """Check a person out of their room (退房); the room is cleaned before the next person."""
    episode = _episode_for_stay(acting_user, episode, "change")
    at = _aware(at)
    stay = _open_stay(episode)
    if stay is None:
        raise ValidationError({"episode": _("This person has no room.")})
    if at < stay.checked_in_at:
        raise ValidationError({"at": _("The time cannot be before the person checked in.")})
    _stay_close(acting_user=acting_user, stay=stay, at=at)
    assert_in_scope(stay, acting_user, "change")
    return stay


# ---------------------------------------------------------------------------- staff on duty


@transaction.atomic
def site_staff_add(
    *,
    acting_user,
    site: IsolationSite,
    user,
    role: str,
    on_duty_from: datetime.date,
    on_duty_until: datetime.date | None = None,
) -> SiteStaff:
    """Put a staff member on duty at a site (驻点人员); medical staff on duty receive the
    site's fever alerts."""
    _require(acting_user, "observation.add_sitestaff", _("Your role may not set the site's staff."))
    site = get_visible(IsolationSite, acting_user, site.pk, "change")
    errors: dict[str, list[str]] = {}
    if (
        user is None
        or not user.is_active
        or not get_user_model().objects.filter(pk=user.pk, staff_profile__isnull=False).exists()
    ):
        errors["user"] = [_("Choose an active staff member.")]
    if role not in SiteStaffRole.values:
        errors["role"] = [_("Choose the duty.")]
    if on_duty_from is None:
        errors["on_duty_from"] = [_("Enter the first day on duty.")]
    elif on_duty_until is not None and on_duty_until < on_duty_from:
        errors["on_duty_until"] = [_("The last day cannot be before the first.")]
    if errors:
        raise ValidationError(errors)
    duty = SiteStaff(
        site=site, user=user, role=role, on_duty_from=on_duty_from, on_duty_until=on_duty_until
    )
    duty.full_clean(exclude=["site", "user"])
    save_audited(duty, acting_user=acting_user)
    assert_in_scope(duty, acting_user, "change")
    return duty
