"""Alerts (预警) and the reminders that try to make them unnecessary.

A fever alert is raised inside the check-in's own request and lands at once in the inbox
of the person's four-on-one team and of the site's medical staff on duty, with an SMS to
each who has a phone; so raising it costs a handful of queries. Missed-check-in alerts,
reminders and escalation run as scheduled jobs (see `tasks.py`), each given the time it
runs for (`now`) so a controlled clock can drive them, and each safe to run twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.choices import Role
from outpost.core.identity import validate_mobile
from outpost.core.models import Unit
from outpost.core.on_duty import fallback_note, fallback_warning, on_duty_users
from outpost.core.prepared import PreparedRead
from outpost.core.scoping import lineage_paths
from outpost.notify.choices import Channel, MessageKind
from outpost.notify.selectors import not_reached as sms_not_reached
from outpost.notify.selectors import outbound_states
from outpost.notify.services import notification_send, outbound_message_send
from outpost.observation.choices import (
    FEVER_OUTCOMES,
    MISSED_OUTCOMES,
    OPEN_EPISODE_STATUSES,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    SiteStaffRole,
    Symptom,
)
from outpost.observation.models import (
    Alert,
    CheckIn,
    Episode,
    ObservationPolicy,
    ReminderSent,
    SelfReportLink,
)
from outpost.observation.services import schedule

# Read on every check-in (the morning burst): compiled once.
_OPEN_MISSED = PreparedRead(
    lambda episode_id: (
        Alert.objects.select_for_update()
        .filter(
            episode_id=episode_id,
            kind=AlertKind.MISSED_CHECK_IN,
            status__in=(AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
        )
        .order_by()
        .values_list("pk", "slot_at")
    ),
    int,
)
_FEVER_ALERT_OF = PreparedRead(
    lambda check_in_id: (
        Alert.objects.filter(check_in_id=check_in_id, kind=AlertKind.FEVER)
        .order_by()
        .values_list("pk")[:1]
    ),
    int,
)

# How far back the missed-check-in sweep looks: a day covers any pause of the scheduler
# short of an outage, and keeps each run's work to the last two or three slots.
SWEEP_LOOKBACK = datetime.timedelta(days=1)


# ---------------------------------------------------------------------------- recipients


def _users():
    return get_user_model().objects.filter(is_active=True).select_related("staff_profile")


def _team_of(episode: Episode) -> list:
    """The current four-on-one team of the episode's key person."""
    return list(
        _users()
        .filter(
            team_memberships__key_person_id=episode.key_person_id,
            team_memberships__ended_at__isnull=True,
        )
        .distinct()
    )


def _medical_on_duty(episode: Episode, day: datetime.date) -> list:
    if episode.site_id is None:
        return []
    return list(
        _users()
        .filter(
            isolation_duties__site_id=episode.site_id,
            isolation_duties__role=SiteStaffRole.MEDICAL,
            isolation_duties__on_duty_from__lte=day,
        )
        .filter(
            Q(isolation_duties__on_duty_until__isnull=True)
            | Q(isolation_duties__on_duty_until__gte=day)
        )
        .distinct()
    )


def _distinct(users) -> list:
    seen, kept = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            kept.append(user)
    return kept


def _site_on_duty(episode: Episode, now: datetime.datetime) -> tuple[list, bool]:
    """The medical staff and officers on duty at the episode's site at `now` by the duty
    roster; else (nobody rostered) the site's configured medical staff on duty that day,
    and True to say so. An episode at home has no site: nobody, no warning."""
    if episode.site_id is None:
        return [], False
    rostered = []
    for role in (Role.MEDICAL_STAFF, Role.POLICE_OFFICER):
        rostered += on_duty_users(episode.unit, site_id=episode.site_id, role=role, at=now) or []
    if rostered:
        return rostered, False
    fallback_warning("fever alerts", f"isolation site {episode.site_id}")
    return _medical_on_duty(episode, timezone.localdate(now)), True


def _leaders_on_duty(unit: Unit, now: datetime.datetime) -> tuple[list, bool]:
    """The station leader on duty for the unit at `now` by the roster; else (nobody
    rostered) every station leader over the unit, and True to say so."""
    rostered = on_duty_users(unit, role=Role.STATION_LEADER, at=now)
    if rostered:
        return rostered, False
    fallback_warning("escalated alerts", unit)
    return _station_leaders(unit), True


def _station_leaders(unit: Unit) -> list:
    """Station leaders whose unit is the episode's unit or one above it."""
    return list(
        _users().filter(
            groups__name=Role.STATION_LEADER, staff_profile__unit__path__in=lineage_paths(unit.path)
        )
    )


def _name_of(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


def _local_time(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


def _policy() -> ObservationPolicy:
    return ObservationPolicy.current()


# ---------------------------------------------------------------------------- raised by check-ins


def fever_alert_raise_if_needed(
    *,
    check_in: CheckIn,
    now: datetime.datetime | None = None,
    policy: ObservationPolicy | None = None,
) -> Alert | None:
    """Raise a fever alert when the reading is at or above the policy's threshold or names
    a red-flag symptom; tell the team and the site's medical staff on duty (inbox + SMS).
    Runs inside the check-in's transaction; the caller may read `policy` before it."""
    now = now or timezone.now()
    policy = policy or _policy()
    # The policy row read back from the database holds a Decimal, a fresh one the default float.
    threshold = policy.fever_threshold
    red_flags = [s for s in check_in.symptoms if s in policy.red_flag_symptoms]
    if check_in.temperature < Decimal(str(threshold)) and not red_flags:
        return None
    episode = Episode.objects.select_related("key_person__resident").get(pk=check_in.episode_id)
    alert = Alert.objects.create(
        unit_id=episode.unit_id,
        episode=episode,
        kind=AlertKind.FEVER,
        check_in=check_in,
        raised_at=now,
    )
    on_duty, fell_back = _site_on_duty(episode, now)
    recipients = _distinct(_team_of(episode) + on_duty)

    def compose() -> tuple[str, str]:
        symptoms = ", ".join(str(Symptom(s).label) for s in check_in.symptoms)
        subject = _("Fever alert: %(name)s, %(temperature)s °C") % {
            "name": episode.key_person.display_name,
            "temperature": check_in.temperature,
        }
        body = _(
            "Taken at %(time)s. Symptoms: %(symptoms)s. Acknowledge the alert and act on it."
        ) % {"time": _local_time(check_in.taken_at), "symptoms": symptoms or _("none")}
        if fell_back:
            body += "\n" + fallback_note(_("fever alerts"), episode.site)
        return subject, body

    # Each recipient reads it in their language; by SMS too unless they chose inbox only.
    notification_send(
        recipients=recipients,
        kind=MessageKind.ALERT,
        compose=compose,
        url=alert.get_absolute_url(),
        channels=(Channel.SMS,),
        about=alert_sms_about(alert),
    )
    return alert


def fever_alert_raised(check_in: CheckIn) -> bool:
    """Whether `check_in` raised a fever alert (its thanks page says what to do)."""
    return _FEVER_ALERT_OF.first(check_in.pk) is not None


def missed_alert_settle(*, check_in: CheckIn, now: datetime.datetime | None = None) -> list:
    """A check-in taken late still counts for its slot: the open missed-check-in alert of
    that slot is resolved as reported late."""
    slot = schedule.slot_of(episode=check_in.episode, at=check_in.taken_at)
    if slot is None:
        return []
    # The episode's open missed-check-in alerts (rarely any), locked, then this slot's.
    pks = [pk for pk, slot_at in _OPEN_MISSED.rows(check_in.episode_id) if slot_at == slot]
    settled = []
    for alert in Alert.objects.filter(pk__in=pks) if pks else ():
        alert.status, alert.outcome = AlertStatus.RESOLVED, AlertOutcome.REPORTED_LATE
        alert.resolved_at, alert.check_in = now or timezone.now(), check_in
        alert.save(update_fields=["status", "outcome", "resolved_at", "check_in"])
        settled.append(alert)
    return settled


# ---------------------------------------------------------------------------- handled by staff


def _alert_for_change(acting_user, alert: Alert) -> Alert:
    locked = (
        Alert.objects.visible_to(acting_user, "change")
        .select_for_update(of=("self",))
        .filter(pk=alert.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied("alert outside the user's jurisdiction")
    if locked.status == AlertStatus.RESOLVED:
        raise ValidationError({"status": _("This alert is already resolved.")})
    return locked


@transaction.atomic
def alert_acknowledge(*, acting_user, alert: Alert, now: datetime.datetime | None = None) -> Alert:
    """Say the alert is being handled (已接收): it stops escalating."""
    alert = _alert_for_change(acting_user, alert)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        raise ValidationError(
            {
                "status": _("%(name)s already acknowledged this alert at %(time)s.")
                % {
                    "name": _name_of(alert.acknowledged_by),
                    "time": _local_time(alert.acknowledged_at),
                }
            }
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at, alert.acknowledged_by = now or timezone.now(), acting_user
    save_audited(
        alert,
        acting_user=acting_user,
        update_fields=["status", "acknowledged_at", "acknowledged_by"],
    )
    return alert


@transaction.atomic
def alert_resolve(
    *,
    acting_user,
    alert: Alert,
    outcome: str,
    transfer_place: str = "",
    transferred_at: datetime.datetime | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Alert:
    """Close the alert with its outcome (处置结果); a transfer to a fever clinic needs the
    place and the time. An alert nobody acknowledged is acknowledged on the way."""
    now = now or timezone.now()
    alert = _alert_for_change(acting_user, alert)
    fitting = FEVER_OUTCOMES if alert.kind == AlertKind.FEVER else MISSED_OUTCOMES
    if outcome not in fitting:
        raise ValidationError(
            {
                "outcome": _("Choose one of: %(outcomes)s.")
                % {"outcomes": ", ".join(str(AlertOutcome(o).label) for o in fitting)}
            }
        )
    errors = {}
    transfer_place = transfer_place.strip()
    if outcome == AlertOutcome.FEVER_CLINIC:
        if not transfer_place:
            errors["transfer_place"] = _("Enter the fever clinic the person was taken to.")
        if transferred_at is None:
            errors["transferred_at"] = _("Enter when the person was transferred.")
        elif transferred_at > now:
            errors["transferred_at"] = _("The time of the transfer cannot be in the future.")
    else:
        transfer_place, transferred_at = "", None
    if errors:
        raise ValidationError(errors)
    if alert.status == AlertStatus.OPEN:
        alert.acknowledged_at, alert.acknowledged_by = now, acting_user
    alert.status, alert.outcome, alert.note = AlertStatus.RESOLVED, outcome, note.strip()
    alert.transfer_place, alert.transferred_at = transfer_place, transferred_at
    alert.resolved_at, alert.resolved_by = now, acting_user
    alert.full_clean(
        exclude=["unit", "episode", "check_in", "acknowledged_by", "resolved_by"],
        validate_constraints=False,
    )
    save_audited(alert, acting_user=acting_user)
    return alert


# ---------------------------------------------------------------------------- scheduled jobs


def _escalation_text(alert: Alert, fell_back: bool = False):
    def compose() -> tuple[str, str]:
        subject = _("Not acknowledged: %(kind)s, %(name)s") % {
            "kind": alert.get_kind_display(),
            "name": alert.episode.key_person.display_name,
        }
        body = _("Raised at %(time)s and nobody has acknowledged it yet.") % {
            "time": _local_time(alert.raised_at)
        }
        if fell_back:
            body += "\n" + fallback_note(_("escalated alerts"), alert.episode.unit)
        return subject, body

    return compose


def alert_sms_states(alert: Alert) -> list:
    """The fever alert's SMS to the team and to the leaders, with their delivery states."""
    abouts = [alert_sms_about(alert), f"observation.alert-escalation:{alert.pk}"]
    found = outbound_states(abouts)
    return [state for about in abouts for state in found.get(about, [])]


def alert_sms_about(alert: Alert) -> str:
    """The label of a fever alert's SMS to the team (notify's `about`): its page shows
    their delivery states, and the escalation reads them."""
    return f"observation.alert:{alert.pk}"


def _sms_reached_nobody(now: datetime.datetime, deadline: datetime.datetime) -> list[int]:
    """Open fever alerts not yet due to escalate whose SMS to the team all failed (or
    ended unknown): nobody may have seen it on a phone, so the leaders hear of it now."""
    young = Alert.objects.filter(
        status=AlertStatus.OPEN,
        escalated_at__isnull=True,
        kind=AlertKind.FEVER,
        raised_at__gt=deadline,
        raised_at__lte=now,
    ).values_list("pk", flat=True)
    return [pk for pk in young if sms_not_reached(f"observation.alert:{pk}")]


@transaction.atomic
def alerts_escalate(*, now: datetime.datetime) -> list[Alert]:
    """Tell the station leaders about each alert nobody acknowledged within the policy's
    minutes (a fever alert also by SMS), and at once about a fever alert whose SMS reached
    none of the team. Each alert escalates once."""
    deadline = now - datetime.timedelta(minutes=_policy().escalate_after_minutes)
    due = list(
        Alert.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            Q(raised_at__lte=deadline) | Q(pk__in=_sms_reached_nobody(now, deadline)),
            status=AlertStatus.OPEN,
            escalated_at__isnull=True,
        )
        .select_related("episode__key_person__resident", "episode__unit")
        .order_by("raised_at")
    )
    for alert in due:
        alert.escalated_at = now
        alert.save(update_fields=["escalated_at"])
        leaders, fell_back = _leaders_on_duty(alert.episode.unit, now)
        notification_send(
            recipients=leaders,
            kind=MessageKind.ALERT,
            compose=_escalation_text(alert, fell_back),
            url=alert.get_absolute_url(),
            channels=(Channel.SMS,) if alert.kind == AlertKind.FEVER else (),
            about=f"observation.alert-escalation:{alert.pk}",
        )
    return due


def _episodes_due(now: datetime.datetime, since: datetime.datetime):
    return Episode.objects.filter(
        status__in=OPEN_EPISODE_STATUSES,
        start_date__lte=timezone.localdate(now),
        planned_end_date__gte=timezone.localdate(since),
    )


def _taken_times(episodes, since: datetime.datetime) -> dict[int, list]:
    taken = defaultdict(list)
    rows = CheckIn.objects.filter(
        episode__in=episodes, taken_at__gte=since - schedule.EARLY_WINDOW
    ).values_list("episode_id", "taken_at")
    for episode_id, taken_at in rows:
        taken[episode_id].append(taken_at)
    return taken


def _unreported_slots(episode: Episode, taken: list, start, end) -> list:
    """Slots in [start, end) with no check-in in their window, leaving out slots before the
    episode was registered (nobody could have reported for them)."""
    slots = []
    for slot in schedule.expected_slots(episode=episode, start=start, end=end):
        opens, closes = schedule.slot_window(episode=episode, slot=slot)
        if not any(opens <= at < closes for at in taken):
            slots.append(slot)
    return slots


def _missed_text(episode: Episode, slot: datetime.datetime):
    def compose() -> tuple[str, str]:
        subject = _("Missed check-in: %(name)s, due %(time)s") % {
            "name": episode.key_person.display_name,
            "time": _local_time(slot),
        }
        return subject, _("No temperature was reported for this check-in. Reach the person.")

    return compose


def _still_unreported(episode: Episode, slot: datetime.datetime) -> bool:
    """No check-in counts for `slot` yet: read again inside the write's own transaction,
    since the sweep's reads came before it."""
    opens, closes = schedule.slot_window(episode=episode, slot=slot)
    return not CheckIn.objects.filter(
        episode_id=episode.pk, taken_at__gte=opens, taken_at__lt=closes
    ).exists()


def missed_check_ins_sweep(*, now: datetime.datetime) -> list[Alert]:
    """Raise one missed-check-in alert (漏报) per slot that passed the policy's minutes
    without a check-in in its window; the team hears of it in the inbox (no SMS: it ranks
    below a fever).

    Every open episode is read first, outside any transaction: on SQLite a transaction
    holds the one write lock, and a sweep of a station's thousands of episodes must not
    hold up the morning's self-reports. Each alert is then raised in a short transaction
    of its own that checks again that no check-in came meanwhile."""
    missed_after = datetime.timedelta(minutes=_policy().missed_after_minutes)
    since = now - SWEEP_LOOKBACK
    episodes = _episodes_due(now, since)
    taken = _taken_times(episodes, since)
    raised_before = set(
        Alert.objects.filter(
            kind=AlertKind.MISSED_CHECK_IN, episode__in=episodes, slot_at__gte=since
        ).values_list("episode_id", "slot_at")
    )
    due = [
        (episode, slot)
        for episode in episodes.select_related("key_person__resident")
        for slot in _unreported_slots(episode, taken[episode.pk], since, now)
        if slot + missed_after <= now and (episode.pk, slot) not in raised_before
    ]
    raised = []
    for episode, slot in due:
        with transaction.atomic():
            if not _still_unreported(episode, slot):
                continue
            alert = Alert(
                unit_id=episode.unit_id,
                episode=episode,
                kind=AlertKind.MISSED_CHECK_IN,
                slot_at=slot,
                raised_at=now,
            )
            try:
                with transaction.atomic():
                    alert.save()
            except IntegrityError:
                continue  # another sweep raised it a moment ago
            notification_send(
                recipients=_team_of(episode),
                kind=MessageKind.ALERT,
                compose=_missed_text(episode, slot),
                url=alert.get_absolute_url(),
            )
        raised.append(alert)
    return raised


def mobile_or_empty(phone: str) -> str:
    """The phone as a mobile number an SMS can go to, or "" (none, or a landline)."""
    try:
        return validate_mobile(phone) if phone else ""
    except ValidationError:
        return ""


def _phone_of(key_person) -> str:
    if key_person.resident_id and key_person.resident.phone:
        return key_person.resident.phone
    return key_person.phone


def reminders_send(*, now: datetime.datetime) -> int:
    """Remind by SMS each person with a usable self-report link who has not reported for a
    slot the policy's minutes after it (until it counts as missed); once per slot. People
    without a phone are skipped. Returns how many reminders were sent. Read first, then
    each reminder written in a short transaction of its own (see the sweep above)."""
    policy = _policy()
    remind_after = datetime.timedelta(minutes=policy.remind_after_minutes)
    missed_after = datetime.timedelta(minutes=policy.missed_after_minutes)
    since = now - missed_after
    # A link works while it is not revoked and its episode runs (`links.link_resolve`):
    # its `expires_at` is the end as it stood at issue, which an extension moves on.
    open_links = SelfReportLink.objects.filter(episode=OuterRef("pk"), revoked_at__isnull=True)
    episodes = _episodes_due(now, since).filter(Exists(open_links))
    episode_ids = set(episodes.values_list("pk", flat=True))
    taken = _taken_times(Episode.objects.filter(pk__in=episode_ids), since)
    reminded = set(
        ReminderSent.objects.filter(episode_id__in=episode_ids, slot_at__gte=since).values_list(
            "episode_id", "slot_at"
        )
    )
    due = []
    for episode in Episode.objects.filter(pk__in=episode_ids).select_related(
        "key_person__resident"
    ):
        phone = mobile_or_empty(_phone_of(episode.key_person))
        if not phone:
            continue  # no phone, or a landline: no SMS can reach it
        for slot in _unreported_slots(episode, taken[episode.pk], since, now):
            if slot + remind_after <= now < slot + missed_after and (
                (episode.pk, slot) not in reminded
            ):
                due.append((episode, slot, phone))
    sent = 0
    for episode, slot, phone in due:
        with transaction.atomic():
            if not _still_unreported(episode, slot):
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(episode=episode, slot_at=slot, sent_at=now)
            except IntegrityError:
                continue  # another run sent it a moment ago
            outbound_message_send(
                channel=Channel.SMS,
                address=phone,
                body=_(
                    "Please report your temperature for %(time)s through the self-report "
                    "link you received."
                )
                % {"time": f"{timezone.localtime(slot):%H:%M}"},
            )
        sent += 1
    return sent
