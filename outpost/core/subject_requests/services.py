"""Writes of people's requests: record, answer, refuse, anonymise, keep; and the log of
the "what we hold" document. One function per use case, audited, re-checked in scope."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.choices import AccessPurpose
from outpost.core.identity import mask_id_number, normalize_id_number
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope, get_visible
from outpost.core.services import personal_data_export_log
from outpost.core.subject_requests.choices import (
    IdentityCheck,
    KeepBasis,
    RequestKind,
    RequestStatus,
)
from outpost.core.subject_requests.holdings import person_erase, person_finder
from outpost.core.subject_requests.models import SubjectRequest, due_date
from outpost.core.validators import NOTE_MAX_LENGTH, validate_note

# The fields of the person the document shows in full, for the access log.
DOCUMENT_FIELDS = ("name", "id_number", "document_number", "phone", "birth_date")


@transaction.atomic
def subject_request_create(
    *,
    acting_user,
    kind: str,
    channel: str,
    identity_check: str,
    received_on: datetime.date,
    identity_note: str = "",
    details: str = "",
    subject_pk: int | None = None,
    subject_name: str = "",
    subject_id_number: str = "",
    unit: Unit | None = None,
) -> SubjectRequest:
    """Record a person's request. The person is a resident of the user's scope
    (`subject_pk`) or, when not found, a name, the ID number as given (kept masked) and a
    unit of the user's scope. Due 15 calendar days after it was received."""
    errors = {}
    if identity_check == IdentityCheck.OTHER and not identity_note.strip():
        errors["identity_note"] = _("Say how the person's identity was checked.")
    if received_on > timezone.localdate():
        errors["received_on"] = _("The day received cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    request = SubjectRequest(
        kind=kind,
        channel=channel,
        identity_check=identity_check,
        identity_note=identity_note.strip(),
        details=details.strip(),
        received_on=received_on,
        due_on=due_date(received_on),
        created_by=acting_user,
    )
    if subject_pk is not None:
        finder = person_finder()
        found = finder.describe(finder.get(user=acting_user, pk=subject_pk))
        request.subject_pk = found.pk
        request.subject_name = found.name
        request.subject_id_masked = found.masked_id
        request.unit = found.unit
    else:
        if not subject_name.strip():
            raise ValidationError({"subject_name": _("Enter the person's name.")})
        if unit is None:
            raise ValidationError({"unit": _("Choose the unit the person lives in.")})
        request.subject_name = subject_name.strip()
        number = normalize_id_number(subject_id_number) if subject_id_number.strip() else ""
        request.subject_id_masked = mask_id_number(number)
        request.unit = unit
    request.full_clean()
    save_audited(request, acting_user=acting_user)
    assert_in_scope(request, acting_user, "change")
    return request


def _open(request: SubjectRequest) -> None:
    if not request.is_open:
        raise ValidationError(_("This request is closed already."))


def _clean_text(field: str, text: str, *, required: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: required})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {field: _("Write at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}}
        )
    try:
        validate_note(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return text


def _close(request, *, acting_user, status, answer, **extra) -> SubjectRequest:
    request.status = status
    request.answer = answer
    request.handled_by = acting_user
    request.closed_at = timezone.now()
    for name, value in extra.items():
        setattr(request, name, value)
    request.full_clean()
    save_audited(request, acting_user=acting_user)
    assert_in_scope(request, acting_user, "change")
    return request


@transaction.atomic
def subject_request_answer(*, acting_user, request: SubjectRequest, answer: str) -> SubjectRequest:
    """Close a request as answered, with what the person was told or given."""
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    _open(request)
    answer = _clean_text("answer", answer, required=_("Write the answer given to the person."))
    return _close(request, acting_user=acting_user, status=RequestStatus.ANSWERED, answer=answer)


@transaction.atomic
def subject_request_refuse(*, acting_user, request: SubjectRequest, reason: str) -> SubjectRequest:
    """Close a request as refused, with the reason the person was given."""
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    _open(request)
    reason = _clean_text("answer", reason, required=_("Write why the request is refused."))
    return _close(request, acting_user=acting_user, status=RequestStatus.REFUSED, answer=reason)


def _deletion(request: SubjectRequest) -> SubjectRequest:
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    _open(request)
    if request.kind != RequestKind.DELETE:
        raise ValidationError(_("Only a request to delete is answered this way."))
    return request


@transaction.atomic
def subject_request_anonymise(*, acting_user, request: SubjectRequest) -> SubjectRequest:
    """Answer a request to delete by anonymising the person now, in every module: their
    identifying fields are blanked (in the records, their earlier versions and the access
    log), the rows stay, so every count stays. Irreversible. Closes the request."""
    request = _deletion(request)
    if request.subject_pk is None:
        raise ValidationError(
            _("The person is not in the registry: there is nothing to anonymise.")
        )
    try:
        person = person_finder().get(user=acting_user, pk=request.subject_pk, action="change")
    except Http404:
        raise PermissionDenied(_("The person's record is not yours to change.")) from None
    reason = "{} · {}".format(request.reference, _("anonymised at the person's request"))
    counts = person_erase(acting_user=acting_user, person=person, reason=reason)
    rows = sum(part["rows"] for part in counts.values())
    fields = sum(part["fields"] for part in counts.values())
    answer = _("Anonymised: %(rows)d records kept, %(fields)d personal fields blanked in them.") % {
        "rows": rows,
        "fields": fields,
    }
    return _close(
        request,
        acting_user=acting_user,
        status=RequestStatus.ANSWERED,
        answer=answer,
        anonymised_at=timezone.now(),
        anonymised_counts=counts,
    )


@transaction.atomic
def subject_request_keep(
    *, acting_user, request: SubjectRequest, basis: str, reason: str
) -> SubjectRequest:
    """Answer a request to delete by keeping the data because the law requires it: the
    legal reason (`KeepBasis`) and the words given to the person. Closes the request."""
    request = _deletion(request)
    if basis not in KeepBasis.values:
        raise ValidationError({"basis": _("Choose the legal reason to keep the data.")})
    reason = _clean_text("reason", reason, required=_("Write the reason given to the person."))
    return _close(
        request,
        acting_user=acting_user,
        status=RequestStatus.REFUSED,
        answer=reason,
        keep_basis=basis,
    )


def correction_reason(request: SubjectRequest) -> str:
    """The change reason of a correction made under the request (its number first, which
    is how the request's page finds the changes)."""
    return "{} · {}".format(request.reference, _("correction at the person's request"))


def request_for_correction(*, user, pk) -> SubjectRequest:
    """An open request to correct, of the user's scope (a 404 otherwise), for an edit form
    that corrects a record under it."""
    request = get_visible(SubjectRequest, user, pk, "change")
    if not request.is_open or request.kind != RequestKind.CORRECT:
        raise Http404
    return request


def holdings_document_log(
    *, acting_user, request: SubjectRequest, rows: int, ip_address: str | None = None
):
    """Log the "what we hold" document as an export of personal data, with the request as
    the reason: it shows the person's own numbers in full."""
    return personal_data_export_log(
        acting_user=acting_user,
        model=SubjectRequest,
        description=_("What we hold about %(name)s (%(reference)s)")
        % {"name": request.subject_name, "reference": request.reference},
        fields=DOCUMENT_FIELDS,
        row_count=rows,
        purpose=AccessPurpose.SUBJECT_REQUEST,
        reason=f"{request.reference} · {request.get_kind_display()}",
        unmasked=True,
        ip_address=ip_address,
    )
