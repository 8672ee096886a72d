"""Writes about observation episodes (观察期): start, extend, end, continue into the next
kind, and the release that follows the planned end. Audited by simple-history."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.scoping import assert_in_scope, get_visible
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.services import key_person_status_follow
from outpost.notify.choices import MessageKind
from outpost.notify.services import notification_send
from outpost.observation.choices import (
    KEY_PERSON_STATUS_AFTER,
    KEY_PERSON_STATUSES_AFTER,
    OPEN_EPISODE_STATUSES,
    EndReason,
    EpisodeKind,
    EpisodeStatus,
)
from outpost.observation.models import (
    Episode,
    EpisodeExtension,
    IsolationSite,
    ObservationPlan,
    ObservationPolicy,
)
from outpost.observation.services.sites import stay_close_if_any

DEFAULT_DAYS = 14


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def planned_days(*, category: str, kind: str) -> int:
    """How many days an episode of `kind` lasts for a key person of `category`: the
    category's own plan, else the plan for every category, else 14."""
    plans = dict(
        ObservationPlan.objects.filter(kind=kind, category__in=[category, ""]).values_list(
            "category", "days"
        )
    )
    return plans.get(category) or plans.get("") or DEFAULT_DAYS


def _check_in_times(times) -> list[str]:
    """Times of day as sorted, distinct "HH:MM" strings; the schedule reads them so."""
    parsed = set()
    for value in times:
        try:
            parsed.add(datetime.datetime.strptime(str(value).strip(), "%H:%M").time())
        except ValueError as exc:
            raise ValidationError(
                {
                    "check_in_times": _("%(value)s is not a time of day such as 08:00.")
                    % {"value": value}
                }
            ) from exc
    if not parsed:
        raise ValidationError({"check_in_times": _("Enter at least one check-in time.")})
    return [moment.strftime("%H:%M") for moment in sorted(parsed)]


def _episode_for_change(acting_user, episode: Episode) -> Episode:
    _require(acting_user, "observation.change_episode", _("Your role may not change observations."))
    episode = get_visible(Episode, acting_user, episode.pk, "change")
    return Episode.objects.select_for_update().get(pk=episode.pk)


def _manage(acting_user, key_person: KeyPerson, start_date: datetime.date) -> None:
    """An identified key person whose observation starts is under management from then on
    (the key persons' own service records and audits the change). Whoever may start the
    observation moves the person so, medical staff at a site included."""
    if key_person.status != KeyPersonStatus.IDENTIFIED:
        return
    on = max(min(start_date, timezone.localdate()), key_person.identified_on)
    key_person_status_follow(
        acting_user=acting_user,
        key_person=key_person,
        status=KeyPersonStatus.UNDER_MANAGEMENT,
        on=on,
    )


@transaction.atomic
def episode_start(
    *,
    acting_user,
    key_person: KeyPerson,
    kind: str,
    start_date: datetime.date,
    planned_end_date: datetime.date | None = None,
    site: IsolationSite | None = None,
    check_in_times: list[str] | None = None,
    previous: Episode | None = None,
) -> Episode:
    """Start observing a key person (开始观察): centralized isolation at a site, home
    isolation or home health monitoring, from `start_date` to the planned end (by default
    the plan's number of days, the start date being day 1), checked in at the policy's
    times unless others are given. A key person already under observation, or closed, is
    refused; an identified one becomes under management."""
    _require(acting_user, "observation.add_episode", _("Your role may not start observations."))
    key_person = get_visible(KeyPerson, acting_user, key_person.pk)
    key_person = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    errors: dict[str, list[str]] = {}
    if key_person.is_closed:
        errors["key_person"] = [_("This key person is closed.")]
    elif key_person.episodes.filter(status__in=OPEN_EPISODE_STATUSES).exists():
        errors["key_person"] = [_("This key person is already under observation.")]
    if kind not in EpisodeKind.values:
        errors["kind"] = [_("Choose the kind of observation.")]
    elif kind == EpisodeKind.CENTRALIZED:
        if site is None:
            errors["site"] = [_("Choose the isolation site.")]
        elif not site.is_active or not site.unit.contains(key_person.unit):
            errors["site"] = [_("Choose an isolation site in use that serves the person's area.")]
    elif site is not None:
        errors["site"] = [_("Only centralized isolation takes place at a site.")]
    if start_date is None:
        errors["start_date"] = [_("Enter the start date.")]
    elif planned_end_date is not None and planned_end_date < start_date:
        errors["planned_end_date"] = [_("The planned end cannot be before the start.")]
    if previous is not None and (previous.key_person_id != key_person.pk or previous.is_open):
        errors["previous"] = [_("Choose an ended observation of the same person.")]
    if errors:
        raise ValidationError(errors)
    if planned_end_date is None:
        days = planned_days(category=key_person.category, kind=kind)
        planned_end_date = start_date + datetime.timedelta(days=days - 1)
    if check_in_times is None:
        check_in_times = ObservationPolicy.current().check_in_times
    episode = Episode(
        unit=key_person.unit,
        key_person=key_person,
        kind=kind,
        site=site if kind == EpisodeKind.CENTRALIZED else None,
        previous=previous,
        start_date=start_date,
        planned_end_date=planned_end_date,
        check_in_times=_check_in_times(check_in_times),
        created_by=acting_user,
    )
    episode.full_clean(exclude=["unit", "key_person", "site", "previous", "created_by"])
    try:
        with transaction.atomic():
            save_audited(episode, acting_user=acting_user)
    except IntegrityError as exc:
        # Two people started an observation of the same person at once: one wins.
        raise ValidationError(
            {"key_person": _("This key person is already under observation.")}
        ) from exc
    _manage(acting_user, key_person, start_date)
    assert_in_scope(episode, acting_user, "change")
    return episode


@transaction.atomic
def episode_extend(
    *, acting_user, episode: Episode, new_end_date: datetime.date, reason: str
) -> Episode:
    """Extend an open episode to a later planned end, with the reason (延长观察). An
    episode due for release is under observation again while its new end lies ahead."""
    episode = _episode_for_change(acting_user, episode)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not episode.is_open:
        errors["episode"] = [_("This observation has ended.")]
    if not reason:
        errors["reason"] = [_("State the reason for the extension.")]
    if new_end_date is None or new_end_date <= episode.planned_end_date:
        errors["new_end_date"] = [
            _("Choose a date after the current planned end (%(date)s).")
            % {"date": episode.planned_end_date.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    extension = EpisodeExtension(
        episode=episode,
        previous_end_date=episode.planned_end_date,
        new_end_date=new_end_date,
        reason=reason,
        extended_by=acting_user,
    )
    extension.full_clean(exclude=["episode", "extended_by"])
    extension.save()
    episode.planned_end_date = new_end_date
    changed = ["planned_end_date"]
    if episode.status == EpisodeStatus.RELEASE_DUE and new_end_date >= timezone.localdate():
        episode.status = EpisodeStatus.ACTIVE
        changed.append("status")
    save_audited(episode, acting_user=acting_user, update_fields=changed, reason=reason)
    assert_in_scope(episode, acting_user, "change")
    return episode


def _end(*, acting_user, episode: Episode, reason: str, ended_on, note: str = "") -> Episode:
    """End a locked, open episode the caller may change; the person leaves their room."""
    errors: dict[str, list[str]] = {}
    if not episode.is_open:
        errors["episode"] = [_("This observation has ended.")]
    if reason not in EndReason.values:
        errors["reason"] = [_("Choose why the observation ends.")]
    if ended_on < episode.start_date:
        errors["ended_on"] = [
            _("The end cannot be before the start (%(date)s).")
            % {"date": episode.start_date.isoformat()}
        ]
    elif ended_on > timezone.localdate():
        errors["ended_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    stay_close_if_any(acting_user=acting_user, episode=episode, at=timezone.now())
    episode.status = EpisodeStatus.ENDED
    episode.ended_on = ended_on
    episode.end_reason = reason
    episode.end_note = (note or "").strip()
    episode.full_clean(exclude=["unit", "key_person", "site", "previous", "created_by"])
    save_audited(
        episode,
        acting_user=acting_user,
        update_fields=["status", "ended_on", "end_reason", "end_note"],
    )
    return episode


@transaction.atomic
def episode_end(
    *,
    acting_user,
    episode: Episode,
    reason: str,
    ended_on: datetime.date | None = None,
    note: str = "",
    key_person_status: str = "",
) -> Episode:
    """Release from observation (解除观察), one step: end the observation with its reason
    (completed, transferred to hospital, moved or other) on a day from its start to today,
    check the person out of their room (which goes to cleaning), and set the key person's
    state — `key_person_status`, or by default the one the reason implies
    (KEY_PERSON_STATUS_AFTER: completed → released, hospital or other → still under
    management, moved → transferred). All or nothing."""
    episode = _episode_for_change(acting_user, episode)
    if key_person_status and key_person_status not in KEY_PERSON_STATUSES_AFTER:
        raise ValidationError({"key_person_status": _("Choose the key person's state.")})
    episode = _end(
        acting_user=acting_user,
        episode=episode,
        reason=reason,
        ended_on=ended_on or timezone.localdate(),
        note=note,
    )
    status = key_person_status or KEY_PERSON_STATUS_AFTER[reason]
    closing_reason = str(EndReason(reason).label)
    if episode.end_note:
        closing_reason = f"{closing_reason}: {episode.end_note}"
    key_person = episode.key_person
    try:
        # Kept on the episode: the caller reports the state it is now in.
        episode.key_person = key_person_status_follow(
            acting_user=acting_user,
            key_person=key_person,
            status=status,
            reason=closing_reason,
            on=max(episode.ended_on, key_person.identified_on),
        )
    except ValidationError as exc:
        # One step for the user: the key person's state is a field of the release.
        raise ValidationError({"key_person_status": exc.messages}) from exc
    assert_in_scope(episode, acting_user, "change")
    return episode


@transaction.atomic
def episode_continue(
    *, acting_user, episode: Episode, kind: str, start_date: datetime.date | None = None
) -> Episode:
    """End an observation as completed and start the next one chained to it (转入下一阶段),
    e.g. centralized isolation → home health monitoring; the next one starts the day the
    first ends (default today)."""
    episode = _episode_for_change(acting_user, episode)
    start_date = start_date or timezone.localdate()
    try:
        _end(
            acting_user=acting_user,
            episode=episode,
            reason=EndReason.COMPLETED,
            ended_on=start_date,
        )
        return episode_start(
            acting_user=acting_user,
            key_person=episode.key_person,
            kind=kind,
            start_date=start_date,
            previous=episode,
        )
    except ValidationError as exc:
        # The end and the start are one step for the user: name the step's fields.
        if hasattr(exc, "error_dict") and "ended_on" in exc.error_dict:
            exc.error_dict["start_date"] = exc.error_dict.pop("ended_on")
        raise


@transaction.atomic
def episode_release_confirm(
    *, acting_user, episode: Episode, key_person_status: str = ""
) -> Episode:
    """Confirm the release of a person whose observation is complete (确认解除观察): the
    release of `episode_end` as completed, today."""
    return episode_end(
        acting_user=acting_user,
        episode=episode,
        reason=EndReason.COMPLETED,
        key_person_status=key_person_status,
    )


@transaction.atomic
def episodes_release_due_mark(*, now: datetime.datetime) -> list[Episode]:
    """Mark the observations whose planned end has passed as due for release (待解除) and
    ask each person's four-on-one team to confirm the release. Run by the scheduler; an
    episode already marked is left alone, so running it twice tells nobody twice."""
    today = timezone.localdate(now)
    due = list(
        Episode.objects.select_for_update(of=("self",))
        .filter(status=EpisodeStatus.ACTIVE, planned_end_date__lt=today)
        .select_related("key_person__resident")
        .order_by("pk")
    )
    for episode in due:
        episode.status = EpisodeStatus.RELEASE_DUE
        save_audited(episode, acting_user=None, update_fields=["status"])
        team = [
            member.worker
            for member in episode.key_person.team.filter(ended_at__isnull=True).select_related(
                "worker"
            )
        ]
        if team:
            notification_send(
                recipients=team,
                kind=MessageKind.REMINDER,
                subject=_("The observation of %(name)s has reached its end: confirm the release")
                % {"name": episode.key_person.display_name},
                body=_("%(kind)s from %(start)s to %(end)s.")
                % {
                    "kind": episode.get_kind_display(),
                    "start": episode.start_date.isoformat(),
                    "end": episode.planned_end_date.isoformat(),
                },
                url=episode.get_absolute_url(),
            )
    return due
