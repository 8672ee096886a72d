"""Reads of the observation module: querysets scoped to the user, with the related rows
each page or API answer needs. Each area adds its own functions."""

import re
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from outpost.core.masking import mask_name
from outpost.core.models import Unit
from outpost.core.scoping import in_subtree, user_scope_unit, user_sees_everything
from outpost.keypersons.models import TeamMember
from outpost.observation.choices import (
    OPEN_EPISODE_STATUSES,
    UNRESOLVED_ALERT_STATUSES,
    AlertKind,
    AlertStatus,
    EpisodeKind,
    EpisodeStatus,
    RoomStatus,
)
from outpost.observation.models import (
    Alert,
    CheckIn,
    Episode,
    IsolationSite,
    Room,
    RoomStay,
    SiteStaff,
)

# The occupancy board's state of a room someone stays in (not stored: see RoomStatus).
ROOM_OCCUPIED = "occupied"

# ---------------------------------------------------------------------------- API (episodes, alerts)


def episode_list(
    *,
    user,
    status: str = "",
    kind: str = "",
    site_id: int | None = None,
    unit: Unit | None = None,
) -> QuerySet[Episode]:
    """Episodes the user may see, newest first; `unit` keeps those of that unit and below."""
    episodes = Episode.objects.visible_to(user).select_related(
        "key_person__resident", "unit", "site"
    )
    if status:
        episodes = episodes.filter(status=status)
    if kind:
        episodes = episodes.filter(kind=kind)
    if site_id is not None:
        episodes = episodes.filter(site_id=site_id)
    if unit is not None:
        episodes = episodes.within(unit)
    return episodes.order_by("-start_date", "-pk")


def episode_detail_queryset(*, user) -> QuerySet[Episode]:
    return (
        Episode.objects.visible_to(user)
        .select_related("key_person__resident", "unit", "site")
        .prefetch_related("extensions")
    )


def episode_check_ins(*, user, episode: Episode) -> QuerySet[CheckIn]:
    """The episode's check-ins, the latest first."""
    return CheckIn.objects.visible_to(user).filter(episode=episode).order_by("-taken_at", "-pk")


def episode_check_in_summary(*, user, episode: Episode) -> dict:
    """How many check-ins, the latest one, and the episode's unresolved alerts."""
    check_ins = episode_check_ins(user=user, episode=episode)
    return {
        "count": check_ins.count(),
        "last": check_ins.first(),
        "open_alerts": Alert.objects.visible_to(user)
        .filter(episode=episode, status__in=UNRESOLVED_ALERT_STATUSES)
        .count(),
    }


def episode_chain(*, user, episode: Episode) -> list[Episode]:
    """The chained episodes (centralized isolation → home monitoring …) the episode belongs
    to, itself included, oldest first; only those the user may see."""
    ids = {episode.pk}
    frontier = {episode.pk}
    # A chain is a handful of episodes: one query per link, through the unscoped manager
    # only to collect ids, which the scoped query below filters.
    while frontier:
        linked = set(
            Episode.objects.filter(
                Q(next_episodes__pk__in=frontier) | Q(previous_id__in=frontier)
            ).values_list("pk", flat=True)
        )
        frontier = linked - ids
        ids |= frontier
    return list(Episode.objects.visible_to(user).filter(pk__in=ids).order_by("start_date", "pk"))


def alert_list(
    *, user, status: str = "", kind: str = "", since: datetime | None = None
) -> QuerySet[Alert]:
    """Alerts the user may see, the latest first."""
    alerts = Alert.objects.visible_to(user).select_related(
        "episode__key_person__resident", "unit", "check_in"
    )
    if status:
        alerts = alerts.filter(status=status)
    if kind:
        alerts = alerts.filter(kind=kind)
    if since is not None:
        alerts = alerts.filter(raised_at__gte=since)
    return alerts.order_by("-raised_at", "-pk")


# ---------------------------------------------------------------------------- sites and timeline


def open_stay(episode: Episode) -> RoomStay | None:
    """The room stay the episode's person has not checked out of, if any."""
    return (
        RoomStay.objects.filter(episode=episode, checked_out_at__isnull=True)
        .select_related("room")
        .first()
    )


def episode_timeline(key_person) -> list[Episode]:
    """A key person's episodes oldest first (centralized isolation, then home monitoring
    …), each with its site, extensions and room stays. The caller looked the key person up
    within the user's scope; these are that person's own records."""
    return list(
        Episode.objects.filter(key_person=key_person)
        .select_related("site", "previous")
        .prefetch_related("extensions", "stays__room")
        .order_by("start_date", "pk")
    )


def site_occupancy(site) -> list[dict]:
    """The occupancy board of a site (房态): every room by floor and number with its state
    (free, occupied, cleaning, out of service) and, when occupied, the stay and the
    occupant's episode. Two queries whatever the number of rooms. The caller looked the
    site up within the user's scope."""
    stays = {
        stay.room_id: stay
        for stay in RoomStay.objects.filter(
            room__site=site, checked_out_at__isnull=True
        ).select_related("episode__key_person__resident")
    }
    board = []
    for room in Room.objects.filter(site=site).order_by("floor", "number"):
        stay = stays.get(room.pk)
        board.append(
            {
                "room": room,
                "state": ROOM_OCCUPIED if stay else room.status,
                "stay": stay,
                "episode": stay.episode if stay else None,
            }
        )
    return board


# ---------------------------------------------------------------------------- staff pages: episodes and sites


def with_observation_state(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """Add what the episode list shows of each: the latest temperature and when it was
    taken, the number of unresolved alerts, whether a check-in is missed (an unresolved
    missed-check-in alert), and the open room stay (`open_stays`)."""
    latest = CheckIn.objects.filter(episode=OuterRef("pk")).order_by("-taken_at", "-pk")
    unresolved = Alert.objects.filter(episode=OuterRef("pk"), status__in=UNRESOLVED_ALERT_STATUSES)
    return episodes.annotate(
        last_temperature=Subquery(latest.values("temperature")[:1]),
        last_taken_at=Subquery(latest.values("taken_at")[:1]),
        open_alerts=Coalesce(
            Subquery(
                unresolved.order_by().values("episode").annotate(n=Count("pk")).values("n")[:1]
            ),
            0,
        ),
        missed_check_in=Exists(unresolved.filter(kind=AlertKind.MISSED_CHECK_IN)),
    ).prefetch_related(
        Prefetch(
            "stays",
            queryset=RoomStay.objects.filter(checked_out_at__isnull=True).select_related("room"),
            to_attr="open_stays",
        )
    )


def episode_rows(
    *,
    user,
    kind: str = "",
    status: str = "",
    site: IsolationSite | None = None,
    due: bool = False,
    query: str = "",
    today: date | None = None,
) -> QuerySet[Episode]:
    """The staff episode list: `status` "open" is active or due for release; `due` keeps
    the episodes whose planned end has passed (marked or not yet marked by the job)."""
    today = today or timezone.localdate()
    open_only = status == "open"
    episodes = episode_list(
        user=user,
        status="" if open_only else status,
        kind=kind,
        site_id=site.pk if site is not None else None,
    )
    if open_only:
        episodes = episodes.filter(status__in=OPEN_EPISODE_STATUSES)
    if due:
        episodes = episodes.filter(
            Q(status=EpisodeStatus.RELEASE_DUE)
            | Q(status=EpisodeStatus.ACTIVE, planned_end_date__lt=today)
        )
    query = query.strip()
    if query:
        episodes = episodes.filter(
            Q(key_person__resident__name__icontains=query) | Q(key_person__name__icontains=query)
        )
    return with_observation_state(episodes)


def visible_sites(*, user, active_only: bool = True) -> QuerySet[IsolationSite]:
    sites = IsolationSite.objects.visible_to(user)
    return sites.filter(is_active=True) if active_only else sites


def _open_stays_of_room():
    return RoomStay.objects.filter(room=OuterRef("pk"), checked_out_at__isnull=True)


def site_list(*, user) -> QuerySet[IsolationSite]:
    """Sites the user may see with their rooms counted: all, occupied, free."""
    rooms = Room.objects.filter(site=OuterRef("pk")).order_by().values("site")
    counted = rooms.annotate(n=Count("pk")).values("n")[:1]
    occupied = rooms.filter(Exists(_open_stays_of_room())).annotate(n=Count("pk")).values("n")[:1]
    free = (
        rooms.filter(status=RoomStatus.FREE)
        .exclude(Exists(_open_stays_of_room()))
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        visible_sites(user=user, active_only=False)
        .select_related("unit")
        .annotate(
            room_count=Coalesce(Subquery(counted), 0),
            occupied_count=Coalesce(Subquery(occupied), 0),
            free_count=Coalesce(Subquery(free), 0),
        )
        .order_by("-is_active", "name")
    )


def _natural(value: str) -> tuple:
    """'3' < '12', '301' < '1201', 'A3' < 'A12': numbers compared as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value))


def site_board(*, user, site: IsolationSite) -> dict:
    """The occupancy board of `site_occupancy` grouped by floor (floors and numbers in
    natural order), with the count of each state and each occupant's name, masked but for
    the staff on duty at the site today, who call the occupants by name. An occupant links
    to their episode only when the user may see it."""
    board = site_occupancy(site)
    on_duty = is_on_duty(user=user, site=site, day=timezone.localdate())
    visible = set(
        Episode.objects.visible_to(user)
        .filter(pk__in=[tile["episode"].pk for tile in board if tile["episode"]])
        .values_list("pk", flat=True)
    )
    counts = {ROOM_OCCUPIED: 0, **{value: 0 for value in RoomStatus.values}}
    floors: dict[str, list[dict]] = {}
    for tile in sorted(
        board, key=lambda t: (_natural(t["room"].floor), _natural(t["room"].number))
    ):
        episode = tile["episode"]
        counts[tile["state"]] += 1
        floors.setdefault(tile["room"].floor, []).append(
            {
                **tile,
                "occupant": _occupant_name(episode, full=on_duty),
                "episode_visible": episode is not None and episode.pk in visible,
            }
        )
    return {"floors": list(floors.items()), "counts": counts, "total": len(board)}


def _occupant_name(episode, *, full: bool) -> str:
    if episode is None:
        return ""
    name = episode.key_person.display_name
    return name if full else mask_name(name)


def is_on_duty(*, user, site: IsolationSite, day: date) -> bool:
    """Whether `user` is on the site's staff on `day` (驻点人员)."""
    return (
        SiteStaff.objects.filter(site=site, user=user, on_duty_from__lte=day)
        .filter(Q(on_duty_until__isnull=True) | Q(on_duty_until__gte=day))
        .exists()
    )


def site_staff_on_duty(*, user, site: IsolationSite, day: date) -> QuerySet[SiteStaff]:
    return (
        SiteStaff.objects.visible_to(user)
        .filter(site=site, on_duty_from__lte=day)
        .filter(Q(on_duty_until__isnull=True) | Q(on_duty_until__gte=day))
        .select_related("user__staff_profile")
        .order_by("role", "on_duty_from", "pk")
    )


def episodes_awaiting_room(*, user, site: IsolationSite) -> QuerySet[Episode]:
    """Open centralized-isolation episodes at the site that the user may change and whose
    person has no room yet."""
    return (
        Episode.objects.visible_to(user, "change")
        .filter(site=site, kind=EpisodeKind.CENTRALIZED, status__in=OPEN_EPISODE_STATUSES)
        .exclude(
            Exists(RoomStay.objects.filter(episode=OuterRef("pk"), checked_out_at__isnull=True))
        )
        .select_related("key_person__resident")
        .order_by("start_date", "pk")
    )


def free_rooms(*, site: IsolationSite) -> QuerySet[Room]:
    """The site's free rooms nobody stays in."""
    return (
        site.rooms.filter(status=RoomStatus.FREE)
        .exclude(Exists(_open_stays_of_room()))
        .order_by("floor", "number")
    )


def staff_candidates(*, user):
    """Active staff of the user's jurisdiction, to put on duty at a site."""
    users = get_user_model().objects.filter(is_active=True, staff_profile__isnull=False)
    if not user_sees_everything(user):
        unit = user_scope_unit(user)
        if unit is None:
            return users.none()
        users = users.filter(in_subtree(unit, via="staff_profile__unit"))
    return users.select_related("staff_profile__unit").order_by("staff_profile__display_name")


# ---------------------------------------------------------------------------- staff pages: alerts


def alert_rows(
    *,
    user,
    status: str = "",
    kind: str = "",
    site: IsolationSite | None = None,
    mine: bool = False,
    escalated: bool = False,
) -> QuerySet[Alert]:
    """The staff alert list: open alerts first, then acknowledged, then resolved; within
    each, fever alerts before missed check-ins, the latest first. `status` "unresolved" is
    open or acknowledged; `mine` keeps the alerts of key persons on whose four-on-one team
    the user is; `escalated` those passed on to the station leaders."""
    alerts = Alert.objects.visible_to(user).select_related(
        "episode__key_person__resident", "episode__site", "check_in"
    )
    if mine:
        places = TeamMember.objects.filter(
            key_person=OuterRef("episode__key_person"), worker=user, ended_at__isnull=True
        )
        alerts = alerts.filter(Exists(places))
    if escalated:
        alerts = alerts.filter(escalated_at__isnull=False)
    if status == "unresolved":
        alerts = alerts.filter(status__in=UNRESOLVED_ALERT_STATUSES)
    elif status:
        alerts = alerts.filter(status=status)
    if kind:
        alerts = alerts.filter(kind=kind)
    if site is not None:
        alerts = alerts.filter(episode__site=site)
    return alerts.annotate(
        status_rank=Case(
            When(status=AlertStatus.OPEN, then=Value(0)),
            When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
            default=Value(2),
        ),
        kind_rank=Case(When(kind=AlertKind.FEVER, then=Value(0)), default=Value(1)),
    ).order_by("status_rank", "kind_rank", "-raised_at", "-pk")


def alert_detail_queryset(*, user, action: str = "view") -> QuerySet[Alert]:
    return Alert.objects.visible_to(user, action).select_related(
        "episode__key_person__resident",
        "episode__site",
        "check_in__recorded_by__staff_profile",
        "acknowledged_by__staff_profile",
        "resolved_by__staff_profile",
    )


# ---------------------------------------------------------------------------- sites serving a unit


def sites_serving(unit: Unit) -> QuerySet[IsolationSite]:
    """Isolation sites in use that take people of `unit`: those of the unit or of a unit
    above it (a station's hotel serves all its communities). Site names are no personal
    data; the episode's scope is checked on the person."""
    units = [unit.pk, *unit.ancestors().values_list("pk", flat=True)]
    return IsolationSite.objects.filter(unit__in=units, is_active=True).order_by("name")
