"""What a phone keeps for work without a signal (离线副本): only what the user's own field
pages show, masked as they show it, of their own grid, their own key persons and the
isolation site where they are on duty today."""

from __future__ import annotations

import datetime

from django.db.models import F, Q
from django.utils import timezone

from outpost.core.roles import own_grid
from outpost.fieldwork.choices import SubmissionFlag, SubmissionKind
from outpost.fieldwork.models import FieldSubmission
from outpost.keypersons.choices import ContactChannel, ContactOutcome
from outpost.keypersons.models import ContactEntry
from outpost.keypersons.selectors import my_key_persons
from outpost.observation.choices import Symptom
from outpost.observation.models import (
    OPEN_EPISODE_STATUSES,
    CheckIn,
    Episode,
    RoomStay,
    SiteStaff,
)
from outpost.registry.choices import HealthStatus, MemberPresence, VisitOutcome
from outpost.registry.models import Resident, Visit
from outpost.registry.selectors import campaign_worklist, campaigns_open

# A copy not refreshed for this long is wiped from the phone (and refused by the page).
FIELD_COPY_HOURS = 12
# The most households and key persons a copy holds (a grid has a few hundred).
FIELD_COPY_LIMIT = 2000


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


def _iso(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def copy_households(*, user, grid, campaign) -> list[dict]:
    """The campaign's households of the worker's own grid with their door numbers (as on My
    grid) and their active members, masked as on the visit form."""
    households = list(campaign_worklist(user=user, campaign=campaign, grid=grid)[:FIELD_COPY_LIMIT])
    members: dict[int, list[dict]] = {}
    residents = (
        Resident.objects.visible_to(user)
        .filter(household__in=[h.pk for h in households], is_active=True, merged_into__isnull=True)
        .order_by("pk")
    )
    for resident in residents:
        members.setdefault(resident.household_id, []).append(
            {
                "id": resident.pk,
                "name": resident.name,
                "id_number_masked": resident.masked_id_number,
                "phone_masked": resident.masked_phone,
                "relation": resident.get_relation_to_head_display(),
            }
        )
    return [
        {
            "id": h.pk,
            "household_number": h.household_number,
            "address": h.address,
            "phone_masked": h.masked_phone,
            "visited": h.visit_rank == 2,
            "visit_outcome": h.visit_outcome or "",
            "visited_at": _iso(h.visit_at),
            "members": members.get(h.pk, []),
        }
        for h in households
    ]


def copy_key_persons(*, user) -> list[dict]:
    """My key persons, masked as on that page."""
    if not user.has_perm("keypersons.add_contactentry"):
        return []
    rows = my_key_persons(user=user, worker=user)[:FIELD_COPY_LIMIT]
    return [
        {
            "id": kp.pk,
            "name": kp.display_name,
            "phone_masked": kp.masked_phone,
            "category": kp.get_category_display(),
            "unit": kp.unit.name,
            "is_overdue": bool(kp.is_overdue),
            "last_contact_at": _iso(kp.last_contact_at),
        }
        for kp in rows
    ]


def duty_sites(*, user, day: datetime.date):
    return SiteStaff.objects.filter(user=user, on_duty_from__lte=day).filter(
        Q(on_duty_until__isnull=True) | Q(on_duty_until__gte=day)
    )


def copy_episodes(*, user) -> list[dict]:
    """The open episodes at the sites where the user is on duty today, by room: the staff on
    duty call the occupants by name, as the site's board shows them."""
    if not user.has_perm("observation.add_checkin"):
        return []
    sites = duty_sites(user=user, day=timezone.localdate()).values("site_id")
    stays = (
        RoomStay.objects.filter(
            checked_out_at__isnull=True,
            room__site__in=sites,
            episode__in=Episode.objects.visible_to(user).filter(status__in=OPEN_EPISODE_STATUSES),
        )
        .select_related("room__site", "episode__key_person__resident")
        .order_by("room__site__name", "room__floor", "room__number")[:FIELD_COPY_LIMIT]
    )
    return [
        {
            "id": stay.episode_id,
            "name": stay.episode.key_person.display_name,
            "site": stay.room.site.name,
            "room": stay.room.number,
            "start_date": stay.episode.start_date.isoformat(),
        }
        for stay in stays
    ]


def field_copy(*, user, now: datetime.datetime | None = None) -> dict:
    """The field copy of `user` (see the module). Its `expires_at` is when the phone wipes it
    unless it was refreshed."""
    now = now or timezone.now()
    grid = own_grid(user)
    campaign = None
    if grid is not None and user.has_perm("registry.add_visit"):
        campaign = campaigns_open(user=user).first()
    households = copy_households(user=user, grid=grid, campaign=campaign) if campaign else []
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "taken_at": _iso(now),
        "expires_at": _iso(now + datetime.timedelta(hours=FIELD_COPY_HOURS)),
        "grid": {"id": grid.pk, "name": grid.name} if grid else None,
        "campaign": (
            {
                "id": campaign.pk,
                "name": campaign.name,
                "start_date": campaign.start_date.isoformat(),
                "end_date": campaign.end_date.isoformat(),
            }
            if campaign
            else None
        ),
        "households": households,
        "key_persons": copy_key_persons(user=user),
        "episodes": copy_episodes(user=user),
        "choices": {
            "visit_outcome": _choices(VisitOutcome.choices),
            "presence": _choices([c for c in MemberPresence.choices if c[0] != MemberPresence.NEW]),
            "health": _choices(HealthStatus.choices),
            "contact_channel": _choices(ContactChannel.choices),
            "contact_outcome": _choices(ContactOutcome.choices),
            "symptom": _choices(Symptom.choices),
        },
    }


def flagged_submissions(*, user):
    """Records sent late that an officer should look at, in the user's jurisdiction: those
    not seen yet first, then the newest."""
    return (
        FieldSubmission.objects.visible_to(user)
        .exclude(flag=SubmissionFlag.NONE)
        .select_related("submitted_by__staff_profile", "flag_seen_by", "unit")
        .order_by(F("flag_seen_at").desc(nulls_first=True), "-received_at", "-pk")
    )


def flagged_unseen(*, user):
    return flagged_submissions(user=user).filter(flag_seen_at__isnull=True)


def record_url(submission: FieldSubmission) -> str:
    """The page of what the record stored: the key person of a contact, the household of a
    visit, the episode of a check-in."""
    model = {
        SubmissionKind.VISIT: (Visit, "household"),
        SubmissionKind.CONTACT: (ContactEntry, "key_person"),
        SubmissionKind.CHECK_IN: (CheckIn, "episode"),
    }[submission.kind]
    record = model[0].objects.filter(pk=submission.record_id).select_related(model[1]).first()
    return getattr(record, model[1]).get_absolute_url() if record else ""
