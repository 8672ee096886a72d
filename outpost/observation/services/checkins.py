"""Check-ins (体温上报): a temperature and the symptoms, entered by staff or by the person
through their self-report link. A reading that needs acting on raises its alert in the same
transaction (see `alerts`). Audited by simple-history.

Everything that only reads (the form's checks, a form sent again, the observation policy)
comes before the write transaction, which stays a lock of the episode, the two INSERTs
and the alerts: on SQLite every writer waits for the one that holds it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.prepared import PreparedGet, PreparedRead
from outpost.core.scoping import assert_in_scope
from outpost.observation.choices import CheckInSource, Symptom
from outpost.observation.models import (
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    CheckIn,
    Episode,
    ObservationPolicy,
)
from outpost.observation.services import alerts

# Clocks of phones and servers differ a little: a reading this far ahead is still "now".
CLOCK_SKEW = datetime.timedelta(minutes=5)
TENTH = Decimal("0.1")
# Digits with at most one decimal point or comma, after full-width characters are folded
# to ASCII; an optional unit after it ("37.3℃" folds to "37.3°C").
_TEMPERATURE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*(?:°\s*C?)?", re.ASCII | re.IGNORECASE)
# Every self-report runs these two (the morning burst): compiled once.
_NONCE_USED = PreparedRead(
    lambda nonce: CheckIn.objects.filter(form_nonce=nonce).order_by().values_list("pk")[:1], str
)
_EPISODE_LOCKED = PreparedGet(Episode, "pk", int, for_update=True)


def _range_message() -> str:
    return _(
        "Enter the temperature in °C with one decimal, from %(min).1f to %(max).1f, e.g. 36.5."
    ) % {
        "min": TEMPERATURE_MIN,
        "max": TEMPERATURE_MAX,
    }


def temperature_parse(value) -> Decimal:
    """A body temperature in °C with one decimal, from what a form or a person typed:
    "37.3", "37,3", full-width "３７．３", "37.3℃" or a number. Anything else, or a
    reading outside the plausible range 34.0–43.0, is refused naming the range."""
    if isinstance(value, bool):
        raise ValidationError({"temperature": _range_message()})
    if isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else ""
    else:
        text = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = _TEMPERATURE.fullmatch(text)
    if match is None:
        raise ValidationError({"temperature": _range_message()})
    reading = Decimal(match.group(1).replace(",", "."))
    if reading != reading.quantize(TENTH):
        raise ValidationError({"temperature": _range_message()})
    if not Decimal(str(TEMPERATURE_MIN)) <= reading <= Decimal(str(TEMPERATURE_MAX)):
        raise ValidationError(
            {
                "temperature": _(
                    "A temperature of %(value)s °C is outside the plausible range "
                    "%(min).1f–%(max).1f °C: take it again."
                )
                % {"value": reading, "min": TEMPERATURE_MIN, "max": TEMPERATURE_MAX}
            }
        )
    return reading.quantize(TENTH)


def _symptoms_clean(symptoms) -> list[str]:
    unknown = [s for s in symptoms if s not in Symptom.values]
    if unknown:
        raise ValidationError(
            {"symptoms": _("Unknown symptom: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}}
        )
    return list(dict.fromkeys(symptoms))


def _replayed(existing: CheckIn, episode: Episode) -> CheckIn:
    if existing.episode_id != episode.pk:
        raise ValidationError({"form_nonce": _("This form was already used.")})
    return existing


def check_in_prepare(
    *,
    episode: Episode,
    temperature,
    symptoms=(),
    taken_at: datetime.datetime | None = None,
    source: str,
    acting_user=None,
    note: str = "",
    form_nonce: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[CheckIn, bool]:
    """The check-in to store, validated but not saved, and False; or, for a form sent again
    (same `form_nonce`), the check-in stored the first time and True.

    It only reads, so it runs before the write transaction of `check_in_store`: on SQLite
    that transaction holds the database's one write lock, and every request that writes
    waits for it."""
    now = now or timezone.now()
    if form_nonce and _NONCE_USED.first(form_nonce) is not None:
        return _replayed(CheckIn.objects.get(form_nonce=form_nonce), episode), True
    if source not in CheckInSource.values:
        raise ValidationError({"source": _("Unknown source of the check-in.")})
    if source == CheckInSource.STAFF and acting_user is None:
        raise PermissionDenied("a check-in entered by staff needs the staff member")
    reading = temperature_parse(temperature)
    symptoms = _symptoms_clean(symptoms)
    taken_at = taken_at or now
    if taken_at > now + CLOCK_SKEW:
        raise ValidationError({"taken_at": _("The time taken cannot be in the future.")})
    check_in = CheckIn(
        unit_id=episode.unit_id,
        episode=episode,
        taken_at=taken_at,
        temperature=reading,
        symptoms=symptoms,
        note=note.strip(),
        source=source,
        recorded_by=acting_user if source == CheckInSource.STAFF else None,
        form_nonce=form_nonce or None,
    )
    _started_check(check_in, episode)
    check_in.full_clean(exclude=["unit", "episode", "recorded_by"], validate_unique=False)
    return check_in, False


def _started_check(check_in: CheckIn, episode: Episode) -> None:
    if timezone.localdate(check_in.taken_at) < episode.start_date:
        raise ValidationError(
            {"taken_at": _("The time taken cannot be before the observation started.")}
        )


@transaction.atomic
def check_in_store(
    *,
    check_in: CheckIn,
    acting_user=None,
    policy: ObservationPolicy,
    now: datetime.datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Store a check-in from `check_in_prepare` and raise or settle its alerts; returns
    (check_in, created). The episode is locked and checked again: a check-in and the
    episode's end never pass each other. `policy` is read before the transaction."""
    now = now or timezone.now()
    form_nonce = check_in.form_nonce
    episode = _EPISODE_LOCKED.get(check_in.episode_id)
    if episode is None:
        raise Episode.DoesNotExist
    if not episode.is_open:
        raise ValidationError({"episode": _("This observation has ended.")})
    _started_check(check_in, episode)
    check_in.episode, check_in.unit_id = episode, episode.unit_id
    try:
        with transaction.atomic():
            save_audited(check_in, acting_user=acting_user)
    except IntegrityError:
        existing = CheckIn.objects.filter(form_nonce=form_nonce).first() if form_nonce else None
        if existing is not None:
            return _replayed(existing, episode), False  # the same form, sent twice at once
        raise
    if check_in.source == CheckInSource.STAFF:
        assert_in_scope(check_in, acting_user, "add")
    alerts.fever_alert_raise_if_needed(check_in=check_in, now=now, policy=policy)
    alerts.missed_alert_settle(check_in=check_in, now=now)
    return check_in, True


def check_in_record(
    *,
    episode: Episode,
    temperature,
    symptoms=(),
    taken_at: datetime.datetime | None = None,
    source: str,
    acting_user=None,
    note: str = "",
    form_nonce: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Record a check-in of an open episode; returns (check_in, created). A form sent
    again (same `form_nonce`) finds its check-in already stored and stores nothing. A
    fever or red-flag symptom raises the fever alert at once; a late check-in settles the
    missed-check-in alert of its slot. Checked first, then stored in one short
    transaction (`check_in_prepare`, `check_in_store`)."""
    now = now or timezone.now()
    check_in, replayed = check_in_prepare(
        episode=episode,
        temperature=temperature,
        symptoms=symptoms,
        taken_at=taken_at,
        source=source,
        acting_user=acting_user,
        note=note,
        form_nonce=form_nonce,
        now=now,
    )
    if replayed:
        return check_in, False
    return check_in_store(
        check_in=check_in, acting_user=acting_user, policy=ObservationPolicy.current(), now=now
    )
