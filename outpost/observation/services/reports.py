"""The site daily report (每日信息通报): one isolation site's figures for one day, computed
from the records, and frozen in a `SiteDailyReport` row when the day closes.

A closed day never changes: whatever is entered or corrected later (a check-in typed in the
next morning with yesterday's time), the row keeps what the day looked like when it closed.
Today is always live. A past day that was never closed (the job did not run) is closed the
first time someone asks for it.

The figures are plain JSON (ids, counts, ISO times, no names), so a frozen row holds no
personal data of its own; the workbook's list sheet looks the people up when it is written.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.observation.choices import (
    FEVER_OUTCOMES,
    MISSED_OUTCOMES,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    EndReason,
    RoomStatus,
)
from outpost.observation.models import (
    Alert,
    CheckIn,
    Episode,
    IsolationSite,
    ObservationPolicy,
    Room,
    RoomStay,
    SiteDailyReport,
)
from outpost.observation.services.schedule import slot_window, slots_between

# Bumped when the shape of `figures` changes, so old frozen rows can still be read.
FIGURES_VERSION = 1
OUTCOMES_BY_KIND = {AlertKind.FEVER: FEVER_OUTCOMES, AlertKind.MISSED_CHECK_IN: MISSED_OUTCOMES}


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Local midnight to the next local midnight (Asia/Shanghai), as aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def site_day_figures(*, site: IsolationSite, day: datetime.date, now=None) -> dict:
    """The site's figures for `day`: up to the end of the day, or up to `now` for today."""
    now = now or timezone.now()
    start, end = day_bounds(day)
    as_of = min(end, now)
    return {
        "version": FIGURES_VERSION,
        "day": day.isoformat(),
        "as_of": as_of.isoformat(),
        **_stays(site, start, as_of),
        "rooms": _rooms(site, as_of),
        "check_ins": _check_ins(site, day, start, as_of),
        **_alerts(site, start, as_of),
        "episodes": _episodes(site, day),
    }


def _stays(site, start, as_of) -> dict:
    """Arrivals and departures of the site, not counting moves from room to room, and the
    people in a room at `as_of`."""
    stays = list(
        RoomStay.objects.filter(room__site=site)
        .filter(
            Q(checked_in_at__lt=as_of),
            Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=start),
        )
        .values("episode_id", "checked_in_at", "checked_out_at")
    )
    by_episode: dict[int, list[dict]] = {}
    for stay in stays:
        by_episode.setdefault(stay["episode_id"], []).append(stay)
    # A move closes one stay and opens the next at the same moment: an episode's first stay
    # here is its arrival, its last one its departure. Earlier stays of the episode at this
    # site end before `start` and are missing from `stays`, so they are asked for.
    earlier = set(
        RoomStay.objects.filter(
            room__site=site, episode_id__in=by_episode, checked_in_at__lt=start
        ).values_list("episode_id", flat=True)
    )
    arrivals = departures = moves = occupancy = 0
    for episode_id, episode_stays in by_episode.items():
        episode_stays.sort(key=lambda s: s["checked_in_at"])
        for index, stay in enumerate(episode_stays):
            first = index == 0 and episode_id not in earlier
            last = index == len(episode_stays) - 1
            if stay["checked_in_at"] >= start:
                if first:
                    arrivals += 1
                else:
                    moves += 1
            out = stay["checked_out_at"]
            if out is not None and start <= out < as_of and last:
                departures += 1
            if out is None or out >= as_of:
                occupancy += 1
    return {
        "arrivals": arrivals,
        "departures": departures,
        "room_moves": moves,
        "occupancy": occupancy,
    }


def _rooms(site, as_of) -> dict:
    """Room states at `as_of` (from the rooms' history, so a past day shows its own evening);
    a room with a stay is occupied whatever its stored state."""
    occupied = set(
        RoomStay.objects.filter(room__site=site, checked_in_at__lt=as_of)
        .filter(Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=as_of))
        .values_list("room_id", flat=True)
    )
    states = dict(Room.history.as_of(as_of).filter(site_id=site.pk).values_list("id", "status"))
    # Rooms written without history (bulk loads) count with their present state.
    recorded = set(Room.history.filter(site_id=site.pk).values_list("id", flat=True))
    for room_id, status in Room.objects.filter(site=site).values_list("id", "status"):
        if room_id not in recorded:
            states[room_id] = status
    counts = Counter(
        "occupied" if room_id in occupied else status for room_id, status in states.items()
    )
    return {
        "total": sum(counts.values()),
        "occupied": counts["occupied"],
        "free": counts[RoomStatus.FREE],
        "cleaning": counts[RoomStatus.CLEANING],
        "out_of_service": counts[RoomStatus.OUT_OF_SERVICE],
    }


def _check_ins(site, day, start, as_of) -> dict:
    """Check-ins done that day against the slots scheduled that day for the site's episodes;
    a slot is missing once it is overdue (as the missed-check-in sweep sees it) and nothing
    was taken in its window. Two queries whatever the number of people."""
    episodes = list(
        Episode.objects.filter(site=site, start_date__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )
    )
    end = start + datetime.timedelta(days=1)
    # A slot's window opens at most a few hours before the slot: a day back covers it.
    taken: dict[int, list[datetime.datetime]] = {episode.pk: [] for episode in episodes}
    for episode_id, taken_at in CheckIn.objects.filter(
        episode__in=episodes, taken_at__gte=start - datetime.timedelta(days=1), taken_at__lt=as_of
    ).values_list("episode_id", "taken_at"):
        taken[episode_id].append(taken_at)
    done = sum(1 for times in taken.values() for t in times if t >= start)
    overdue_after = datetime.timedelta(minutes=ObservationPolicy.current().missed_after_minutes)
    expected = missing = 0
    for episode in episodes:
        slots = slots_between(episode=episode, start=start, end=end)
        expected += len(slots)
        for slot in slots:
            if slot + overdue_after > as_of:
                continue
            low, high = slot_window(episode=episode, slot=slot)
            if not any(low <= t < high for t in taken[episode.pk]):
                missing += 1
    return {"expected": expected, "done": done, "missing": missing}


def _alert_state(alert: Alert, as_of) -> str:
    """Where the alert stood at `as_of`: its outcome when it was resolved by then."""
    if alert.resolved_at is not None and alert.resolved_at <= as_of:
        return str(alert.outcome)
    if alert.acknowledged_at is not None and alert.acknowledged_at <= as_of:
        return AlertStatus.ACKNOWLEDGED.value
    return AlertStatus.OPEN.value


def _alerts(site, start, as_of) -> dict:
    """Alerts raised that day by kind and outcome, transfers to a fever clinic that day, and
    one row per alert of either for the list sheet."""
    alerts = list(
        Alert.objects.filter(episode__site=site)
        .filter(
            Q(raised_at__gte=start, raised_at__lt=as_of)
            | Q(
                outcome=AlertOutcome.FEVER_CLINIC,
                transferred_at__gte=start,
                transferred_at__lt=as_of,
                resolved_at__lt=as_of,
            )
        )
        .select_related("check_in")
        .order_by("raised_at", "pk")
    )
    # Plain strings as keys and values: the figures are stored as JSON.
    by_kind = {
        kind.value: {"raised": 0, AlertStatus.OPEN.value: 0, AlertStatus.ACKNOWLEDGED.value: 0}
        | {outcome.value: 0 for outcome in outcomes}
        for kind, outcomes in OUTCOMES_BY_KIND.items()
    }
    transfers = []
    rows = []
    for alert in alerts:
        state = _alert_state(alert, as_of)
        raised_today = alert.raised_at >= start
        if raised_today:
            counts = by_kind[alert.kind]
            counts["raised"] += 1
            counts[state] = counts.get(state, 0) + 1
        transferred = state == AlertOutcome.FEVER_CLINIC and start <= alert.transferred_at < as_of
        if transferred:
            transfers.append(
                {
                    "alert": alert.pk,
                    "episode": alert.episode_id,
                    "place": alert.transfer_place,
                    "at": alert.transferred_at.isoformat(),
                }
            )
        rows.append(
            {
                "alert": alert.pk,
                "episode": alert.episode_id,
                "kind": str(alert.kind),
                "raised_at": alert.raised_at.isoformat(),
                "temperature": str(alert.check_in.temperature) if alert.check_in else "",
                "slot_at": alert.slot_at.isoformat() if alert.slot_at else "",
                "state": state,
                "transfer_place": alert.transfer_place if transferred else "",
                "transferred_at": alert.transferred_at.isoformat() if transferred else "",
            }
        )
    return {"alerts": by_kind, "transfers": transfers, "alert_rows": rows}


def _episodes(site, day) -> dict:
    started = Episode.objects.filter(site=site, start_date=day).count()
    ended = Counter(
        Episode.objects.filter(site=site, ended_on=day).values_list("end_reason", flat=True)
    )
    return {
        "started": started,
        "ended": {reason: ended[reason] for reason in EndReason.values},
    }


# ---------------------------------------------------------------------------- closing days


def _refuse_open_day(day: datetime.date, now) -> None:
    if day >= timezone.localdate(now):
        raise ValidationError({"day": _("A day can be closed only after it has ended.")})


@transaction.atomic
def site_day_close(*, site: IsolationSite, day: datetime.date, now) -> SiteDailyReport:
    """Freeze the site's figures of a day that has ended. Closing a closed day returns its
    row unchanged: the first close wins, also when two run at once."""
    _refuse_open_day(day, now)
    existing = SiteDailyReport.objects.filter(site=site, day=day).first()
    if existing is not None:
        return existing
    report, _created = SiteDailyReport.objects.get_or_create(
        site=site,
        day=day,
        defaults={"figures": site_day_figures(site=site, day=day, now=now), "closed_at": now},
    )
    return report


def site_days_close(*, now) -> list[SiteDailyReport]:
    """The nightly job: close yesterday for every site in use. One transaction per site, so
    one failing site does not keep the others open."""
    yesterday = timezone.localdate(now) - datetime.timedelta(days=1)
    return [
        site_day_close(site=site, day=yesterday, now=now)
        for site in IsolationSite.objects.filter(is_active=True).order_by("pk")
    ]


def site_day_report(*, site: IsolationSite, day: datetime.date, now) -> SiteDailyReport:
    """The report of a day: the frozen row of a past day (closing it now if it never was),
    or, for today, an unsaved row with live figures and no `closed_at`."""
    today = timezone.localdate(now)
    if day > today:
        raise ValidationError({"day": _("There is no report for a day still to come.")})
    if day == today:
        return SiteDailyReport(
            site=site, day=day, figures=site_day_figures(site=site, day=day, now=now)
        )
    return site_day_close(site=site, day=day, now=now)
