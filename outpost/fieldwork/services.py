"""Writes of offline field work: taking a field copy (logged in the access log) and storing
the records a phone sends from its outbox, each exactly once, through the same services
as the online forms (scoping, validation, audit)."""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as SchemaError

from outpost.core.audit import save_audited
from outpost.core.choices import AccessPurpose
from outpost.core.scoping import get_visible
from outpost.core.services import personal_data_export_log
from outpost.fieldwork.choices import SubmissionFlag, SubmissionKind
from outpost.fieldwork.models import FieldSubmission
from outpost.fieldwork.schemas import CheckInBody, ContactBody
from outpost.fieldwork.selectors import field_copy
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.services import contact_log
from outpost.observation.choices import CheckInSource
from outpost.observation.models import Episode
from outpost.observation.services.checkins import check_in_record
from outpost.registry.api import VisitIn, member_report
from outpost.registry.models import Campaign, Household
from outpost.registry.services import visit_record

# Phones and the server disagree a little on the time: within this, a clock is right.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# The most records one request may carry (a phone sends its outbox in chunks).
BATCH_MAX = 500

STORED, REPLAYED, REFUSED, CONFLICT = "stored", "replayed", "refused", "conflict"


def field_copy_take(*, acting_user, ip_address: str | None = None) -> dict:
    """The user's field copy, logged in the access log as an export of personal data to the
    phone: who, when, which grid, how many rows."""
    copy = field_copy(user=acting_user)
    grid = copy["grid"]
    rows = len(copy["households"]) + len(copy["key_persons"]) + len(copy["episodes"])
    description = _("Field copy for offline work: %(grid)s") % {
        "grid": f"{grid['name']} (#{grid['id']})" if grid else _("no grid")
    }
    personal_data_export_log(
        acting_user=acting_user,
        model=Household,
        description=description,
        fields=["household_number", "address", "name", "id_number_masked", "phone_masked"],
        row_count=rows,
        purpose=AccessPurpose.WORK_LEDGER,
        reason="",
        unmasked=False,
        ip_address=ip_address,
    )
    return copy


@transaction.atomic
def submission_flag_seen(*, acting_user, submission: FieldSubmission) -> FieldSubmission:
    """An officer has looked at a record sent late that was flagged for them."""
    submission = get_visible(FieldSubmission, acting_user, submission.pk, "change")
    if not acting_user.has_perm("fieldwork.change_fieldsubmission"):
        raise PermissionDenied(_("Your role may not mark these records."))
    if submission.flag_seen_at is None:
        submission.flag_seen_at = timezone.now()
        submission.flag_seen_by = acting_user
        save_audited(
            submission, acting_user=acting_user, update_fields=["flag_seen_at", "flag_seen_by"]
        )
    return submission


@dataclass
class Outcome:
    """What became of one record of the outbox."""

    key: str
    status: str
    code: int
    record_id: int | None = None
    detail: str = ""
    errors: list[dict] = field(default_factory=list)
    flag: str = ""


@dataclass(frozen=True)
class Submission:
    key: uuid.UUID
    kind: str
    recorded_at: datetime.datetime
    body: dict
    recorded_by: int | None = None  # the user the phone recorded it for


def content_hash(submission: Submission) -> str:
    """A hash of what the record says: the same key with other contents is a conflict."""
    text = json.dumps(
        {
            "kind": submission.kind,
            "recorded_at": submission.recorded_at.isoformat(),
            "body": submission.body,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def clock_offset(sent_at: datetime.datetime | None, received_at: datetime.datetime):
    """The phone's clock minus the server's at sending (None: the phone did not say)."""
    return None if sent_at is None else sent_at - received_at


def submissions_apply(
    *,
    acting_user,
    submissions: list[Submission],
    sent_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> tuple[list[Outcome], datetime.timedelta | None]:
    """Store the records of a phone's outbox in their order, each in its own transaction:
    one refused record does not hold back the others. Returns one outcome per record and
    the phone clock's offset. A key already stored with the same contents answers the
    stored record again; with other contents it is a conflict and nothing changes."""
    now = now or timezone.now()
    offset = clock_offset(sent_at, now)
    outcomes = [
        _apply_one(acting_user, submission, sent_at=sent_at, offset=offset, now=now)
        for submission in submissions
    ]
    return outcomes, offset


def _replay_outcome(acting_user, submission: Submission, digest: str) -> Outcome | None:
    existing = FieldSubmission.objects.filter(key=submission.key).first()
    if existing is None:
        return None
    key = str(submission.key)
    if existing.submitted_by_id != acting_user.pk or existing.content_hash != digest:
        return Outcome(
            key,
            CONFLICT,
            409,
            detail=_(
                "A different record was already stored under this key: nothing was changed. "
                "Discard this one, or record it again as a new record."
            ),
        )
    return Outcome(key, REPLAYED, 200, record_id=existing.record_id, flag=existing.flag)


def _apply_one(acting_user, submission, *, sent_at, offset, now) -> Outcome:
    key = str(submission.key)
    if submission.recorded_by is not None and submission.recorded_by != acting_user.pk:
        return _refused(
            key,
            403,
            {"": [_("Recorded under another account: log in as that user to send it.")]},
        )
    digest = content_hash(submission)
    replay = _replay_outcome(acting_user, submission, digest)
    if replay is not None:
        return replay
    recorded_at = submission.recorded_at
    if timezone.is_naive(recorded_at):
        recorded_at = timezone.make_aware(recorded_at)
    # A phone whose clock is off records its times off by as much: put them right.
    if offset is not None and abs(offset) > CLOCK_SKEW:
        try:
            recorded_at -= offset
        except OverflowError:  # a clock set to year 1 or 9999 cannot put a time right
            return _refused(
                key, 422, {"sent_at": [_("The phone's clock is too far off: set its date.")]}
            )
    if recorded_at > now + CLOCK_SKEW:
        return _refused(
            key, 422, {"recorded_at": [_("The recorded time cannot be in the future.")]}
        )
    try:
        with transaction.atomic():
            record, unit_id, flag = _store(
                acting_user, submission.kind, submission.body, recorded_at
            )
            FieldSubmission.objects.create(
                unit_id=unit_id,
                key=submission.key,
                submitted_by=acting_user,
                kind=submission.kind,
                content_hash=digest,
                record_id=record.pk,
                recorded_at=recorded_at,
                sent_at=sent_at,
                received_at=now,
                clock_offset_seconds=None if offset is None else round(offset.total_seconds()),
                flag=flag,
            )
    except IntegrityError:
        # The same key sent twice at once: the other request stored it.
        replay = _replay_outcome(acting_user, submission, digest)
        if replay is not None:
            return replay
        raise
    except SchemaError as exc:
        return _refused(key, 422, {_schema_field(e): [e["msg"]] for e in exc.errors()})
    except ValidationError as exc:
        return _refused(
            key, 422, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        )
    except PermissionDenied as exc:
        return _refused(key, 403, {"": [str(exc) or _("Your role may not record this.")]})
    except Http404:
        return _refused(
            key,
            404,
            {
                "": [
                    _("Not found in your jurisdiction any more (moved to another grid, or closed).")
                ]
            },
        )
    return Outcome(key, STORED, 201, record_id=record.pk, flag=flag)


def _schema_field(error: dict) -> str:
    return ".".join(str(part) for part in error.get("loc", ()))


def _refused(key: str, code: int, errors: dict) -> Outcome:
    flat = [
        {"field": "" if name == "__all__" else name, "message": str(message)}
        for name, messages in errors.items()
        for message in messages
    ]
    detail = "; ".join(item["message"] for item in flat)
    return Outcome(key, REFUSED, code, detail=detail, errors=flat)


def _store(acting_user, kind: str, body: dict, recorded_at: datetime.datetime):
    if kind == SubmissionKind.VISIT:
        return _store_visit(acting_user, body, recorded_at)
    if kind == SubmissionKind.CONTACT:
        return _store_contact(acting_user, body, recorded_at)
    if kind == SubmissionKind.CHECK_IN:
        return _store_check_in(acting_user, body, recorded_at)
    raise ValidationError({"kind": _("Unknown kind of record.")})


def _store_visit(acting_user, body, recorded_at):
    payload = VisitIn.model_validate(body)
    if payload.campaign_id is None:
        raise ValidationError({"campaign_id": _("Name the campaign of the visit.")})
    household = get_visible(Household, acting_user, payload.household_id)
    campaign = get_visible(Campaign, acting_user, payload.campaign_id)
    visit = visit_record(
        acting_user=acting_user,
        campaign=campaign,
        household=household,
        outcome=payload.outcome,
        members=[member_report(member) for member in payload.members],
        phone_confirmed=payload.phone_confirmed,
        note=payload.note,
        visited_at=recorded_at,
        today=timezone.localdate(recorded_at),
    )
    flag = SubmissionFlag.LATER_ACCOUNT_KEPT if visit.superseded else SubmissionFlag.NONE
    return visit, visit.unit_id, flag


def _store_contact(acting_user, body, recorded_at):
    payload = ContactBody.model_validate(body)
    key_person = get_visible(KeyPerson, acting_user, payload.key_person_id)
    closed = not key_person.is_active
    entry = contact_log(
        acting_user=acting_user,
        key_person=key_person,
        channel=payload.channel,
        outcome=payload.outcome,
        contacted_at=recorded_at,
        note=payload.note,
        late_entry=True,
    )
    flag = SubmissionFlag.CLOSED_KEY_PERSON if closed else SubmissionFlag.NONE
    return entry, key_person.unit_id, flag


def _store_check_in(acting_user, body, recorded_at):
    payload = CheckInBody.model_validate(body)
    if not acting_user.has_perm("observation.add_checkin"):
        raise PermissionDenied(_("Your role may not record check-ins."))
    episode = get_visible(Episode, acting_user, payload.episode_id)
    check_in, _created = check_in_record(
        episode=episode,
        temperature=payload.temperature,
        symptoms=payload.symptoms,
        taken_at=recorded_at,
        source=CheckInSource.STAFF,
        acting_user=acting_user,
        note=payload.note,
    )
    return check_in, episode.unit_id, SubmissionFlag.NONE
