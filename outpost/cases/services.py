"""Every write of enforcement cases (打击查处): one function per use case, keyword-only,
`acting_user=`, transactional, validated before anything is written, audited.

The custody chain is append-only: a move is a new `CustodyMove`, and the item's state,
holder and place follow from it in the same transaction (the item row is locked first, so
two moves of one item cannot interleave). Only the officer who holds an item moves it;
returning or destroying it is asked for by the holder and done when a second officer
approves.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.cases import dates
from outpost.cases.choices import (
    CASE_TRANSITIONS,
    DISPOSALS,
    FINAL_STATES,
    MOVE_RESULT,
    CaseState,
    DisposalStatus,
    ItemState,
    MeasureKind,
    MoveKind,
    PartyKind,
)
from outpost.cases.models import (
    Case,
    CustodyMove,
    DisposalRequest,
    ItemPhoto,
    Measure,
    Party,
    SeizedItem,
)
from outpost.core.audit import save_audited
from outpost.core.identity import validate_id_number
from outpost.core.photos import photo_clean
from outpost.core.scoping import assert_in_scope
from outpost.enterprises.validators import validate_credit_code

MAX_FINE = Decimal("100000000")
MAX_QUANTITY = Decimal("1000000")
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def _display(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(permission)


# ---------------------------------------------------------------------------- cases


@transaction.atomic
def case_register(
    *,
    acting_user,
    unit,
    number: str,
    kind: str,
    occurred_on: datetime.date,
    summary: str,
    resident=None,
    enterprise=None,
    linked_text: str = "",
    officers=(),
) -> Case:
    """Put a case on the ledger (受案登记), state registered."""
    _require(acting_user, "cases.add_case")
    case = Case(
        unit=unit,
        number=number.strip(),
        kind=kind,
        occurred_on=occurred_on,
        summary=summary,
        resident=resident,
        enterprise=enterprise,
        linked_text=linked_text,
        created_by=acting_user,
    )
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The case's date cannot be in the future.")})
    case.full_clean()
    save_audited(case, acting_user=acting_user)
    case.officers.set(list(officers) or [acting_user])
    assert_in_scope(case, acting_user)
    return case


@transaction.atomic
def case_transition(*, acting_user, case: Case, to_state: str, note: str = "") -> Case:
    """Move a case to its next state; only the moves of `CASE_TRANSITIONS`. The history
    row names the user and the note."""
    case = Case.objects.visible_to(acting_user, "change").select_for_update().get(pk=case.pk)
    if to_state not in CASE_TRANSITIONS[case.state]:
        raise ValidationError(
            {
                "to_state": _("A case %(state)s cannot move to %(to)s.")
                % {
                    "state": case.get_state_display(),
                    "to": CaseState(to_state).label if to_state in CaseState.values else to_state,
                }
            }
        )
    case.state = to_state
    fields = ["state"]
    if to_state == CaseState.CLOSED:
        case.closed_on = timezone.localdate()
        fields.append("closed_on")
    label = str(CaseState(to_state).label)
    save_audited(
        case,
        acting_user=acting_user,
        update_fields=fields,
        reason=f"{label}: {note}" if note else label,
    )
    return case


def allowed_transitions(case: Case, user) -> list[CaseState]:
    """The states the user may move the case to now (the page shows a button for each)."""
    if not user.has_perm("cases.change_case"):
        return []
    return [CaseState(state) for state in CASE_TRANSITIONS[case.state]]


# ---------------------------------------------------------------------------- parties


def _open_case(case: Case) -> None:
    if case.state == CaseState.CLOSED:
        raise ValidationError(_("The case is closed: nothing more is recorded on it."))


@transaction.atomic
def party_add(
    *,
    acting_user,
    case: Case,
    kind: str,
    name: str,
    id_number: str = "",
    credit_code: str = "",
    role: str = "",
) -> Party:
    """Add a party: a person by resident ID number (validated by core's identity rules),
    an organisation by unified social credit code."""
    _require(acting_user, "cases.add_party")
    _open_case(case)
    if kind == PartyKind.PERSON:
        if not id_number.strip():
            raise ValidationError({"id_number": _("Give the person's ID number.")})
        try:
            id_number, credit_code = validate_id_number(id_number), ""
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
    elif kind == PartyKind.ORGANISATION:
        if not credit_code.strip():
            raise ValidationError({"credit_code": _("Give the organisation's credit code.")})
        try:
            credit_code = validate_credit_code(credit_code)
        except ValidationError as exc:
            raise ValidationError({"credit_code": exc.messages}) from None
        id_number = ""
    else:
        raise ValidationError({"kind": _("Choose a person or an organisation.")})
    party = Party(
        case=case,
        kind=kind,
        name=name.strip(),
        id_number=id_number,
        credit_code=credit_code,
        role=role,
        added_by=acting_user,
    )
    party.full_clean()
    save_audited(party, acting_user=acting_user)
    assert_in_scope(party, acting_user, "add")
    return party


# ---------------------------------------------------------------------------- measures


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A moment given without its zone is China time (as the forms' fields are)."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _check_detention(
    detention_days, detention_start, deferral_days, deferral_from, deferral_reason
) -> None:
    if detention_start is not None and not (
        datetime.date(2000, 1, 1)
        <= dates.china_day(detention_start)
        <= timezone.localdate() + datetime.timedelta(days=366)
    ):
        raise ValidationError({"detention_start": _("Give a start within a year from today.")})
    if not detention_days:
        raise ValidationError({"detention_days": _("Give the days of detention.")})
    if detention_start is None:
        raise ValidationError({"detention_start": _("Give when the detention starts.")})
    try:
        dates.detention_plan(
            start=detention_start,
            days=detention_days,
            deferral_days=deferral_days,
            deferral_from=deferral_from,
        )
    except dates.DateRuleError as exc:
        raise ValidationError({exc.field: str(exc.message)}) from None
    if deferral_days and not deferral_reason.strip():
        raise ValidationError({"deferral_reason": _("Give the reason for the deferral.")})


def _check_fine(fine_amount) -> None:
    if fine_amount is None:
        raise ValidationError({"fine_amount": _("Give the amount of the fine.")})
    if fine_amount < 0:
        raise ValidationError({"fine_amount": _("A fine cannot be below zero.")})
    if fine_amount > MAX_FINE:
        raise ValidationError({"fine_amount": _("The amount is too large.")})


@transaction.atomic
def measure_record(
    *,
    acting_user,
    case: Case,
    kind: str,
    decided_on: datetime.date,
    party: Party | None = None,
    detention_days: int | None = None,
    detention_start: datetime.datetime | None = None,
    deferral_days: int | None = None,
    deferral_from: datetime.date | None = None,
    deferral_reason: str = "",
    fine_amount: Decimal | None = None,
    fine_paid: bool = False,
    fine_paid_on: datetime.date | None = None,
    transferred_to: str = "",
    note: str = "",
) -> Measure:
    """Record a measure of the case. A detention's dates and a fine's amount are checked
    by the date engine and the rules before anything is written."""
    _require(acting_user, "cases.add_measure")
    _open_case(case)
    detention_start = _aware(detention_start)
    if decided_on > timezone.localdate() or decided_on.year < 2000:
        raise ValidationError({"decided_on": _("The decision's date cannot be in the future.")})
    if party is not None and party.case_id != case.pk:
        raise ValidationError({"party": _("Choose a party of this case.")})
    if kind == MeasureKind.DETENTION:
        _check_detention(
            detention_days, detention_start, deferral_days, deferral_from, deferral_reason
        )
        if party is None or party.kind != PartyKind.PERSON:
            raise ValidationError({"party": _("Detention is of a person: choose the person.")})
    else:
        detention_days = detention_start = deferral_days = deferral_from = None
        deferral_reason = ""
    if kind == MeasureKind.FINE:
        _check_fine(fine_amount)
    else:
        fine_amount, fine_paid = None, False
    if kind == MeasureKind.TRANSFER and not transferred_to.strip():
        raise ValidationError({"transferred_to": _("Name the department the case goes to.")})
    if fine_paid and fine_paid_on is None:
        fine_paid_on = timezone.localdate()
    measure = Measure(
        case=case,
        party=party,
        kind=kind,
        decided_on=decided_on,
        detention_days=detention_days,
        detention_start=detention_start,
        deferral_days=deferral_days,
        deferral_from=(deferral_from or dates.china_day(detention_start))
        if deferral_days
        else None,
        deferral_reason=deferral_reason,
        fine_amount=fine_amount,
        fine_paid=fine_paid,
        fine_paid_on=fine_paid_on if fine_paid else None,
        transferred_to=transferred_to,
        note=note,
        recorded_by=acting_user,
    )
    measure.full_clean()
    save_audited(measure, acting_user=acting_user)
    assert_in_scope(measure, acting_user, "add")
    return measure


@transaction.atomic
def fine_mark_paid(*, acting_user, measure: Measure, paid_on: datetime.date) -> Measure:
    measure = (
        Measure.objects.visible_to(acting_user, "change").select_for_update().get(pk=measure.pk)
    )
    if measure.kind != MeasureKind.FINE:
        raise ValidationError(_("Only a fine is paid."))
    if measure.fine_paid:
        raise ValidationError(_("The fine is already marked paid."))
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The day of payment cannot be in the future.")})
    measure.fine_paid, measure.fine_paid_on = True, paid_on
    save_audited(measure, acting_user=acting_user, update_fields=["fine_paid", "fine_paid_on"])
    return measure


# ---------------------------------------------------------------------------- seized items


def _check_quantity(quantity) -> None:
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be above zero.")})
    if quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": _("The quantity is too large.")})


@transaction.atomic
def item_seize(
    *,
    acting_user,
    case: Case,
    description: str,
    quantity: Decimal,
    measure: str,
    location: str,
    reason: str,
    specification: str = "",
    seized_at: datetime.datetime | None = None,
) -> SeizedItem:
    """Seize goods (扣押): the item, and the first move of its chain, to the officer."""
    _require(acting_user, "cases.add_seizeditem")
    _open_case(case)
    _check_quantity(quantity)
    seized_at = _aware(seized_at) or timezone.now()
    if seized_at > timezone.now():
        raise ValidationError({"seized_at": _("The seizure cannot be in the future.")})
    item = SeizedItem(
        case=case,
        description=description.strip(),
        specification=specification,
        quantity=quantity,
        measure=measure,
        state=ItemState.SEIZED,
        holder=acting_user,
        location=location,
        seized_at=seized_at,
    )
    item.full_clean()
    save_audited(item, acting_user=acting_user, reason=reason)
    _append(
        item,
        kind=MoveKind.SEIZE,
        from_user=None,
        to_user=acting_user,
        location=location,
        at=seized_at,
        reason=reason,
        recorded_by=acting_user,
    )
    assert_in_scope(item, acting_user, "add")
    return item


def _append(item: SeizedItem, **values) -> CustodyMove:
    move = CustodyMove(item=item, **values)
    move.full_clean()
    move.save()
    return move


def _held_item(item: SeizedItem, acting_user) -> SeizedItem:
    """The item, locked, if `acting_user` holds it; else the refusal naming who does."""
    item = (
        SeizedItem.objects.visible_to(acting_user, "change")
        .select_for_update(of=("self",))
        .select_related("holder__staff_profile")
        .get(pk=item.pk)
    )
    if item.state in FINAL_STATES or item.holder_id is None:
        raise ValidationError(
            _("This item is %(state)s: it is no longer in the station's custody.")
            % {"state": item.get_state_display()}
        )
    if item.holder_id != acting_user.pk:
        raise ValidationError(
            _("You do not hold this item: %(holder)s does. Only its holder hands it on.")
            % {"holder": _display(item.holder)}
        )
    return item


@transaction.atomic
def item_move(
    *,
    acting_user,
    item: SeizedItem,
    kind: str,
    reason: str,
    to_user=None,
    to_outside: str = "",
    location: str = "",
    at: datetime.datetime | None = None,
) -> CustodyMove:
    """Hand an item on (入库保管 to a colleague keeping the store, 移交 to a colleague or
    another department): only its holder may; a new record of the chain."""
    if kind not in (MoveKind.STORE, MoveKind.TRANSFER):
        raise ValidationError({"kind": _("Returning or destroying needs a second approval.")})
    item = _held_item(item, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the item is handed on.")})
    if to_user is None and not to_outside.strip():
        raise ValidationError({"to_user": _("Name who receives the item.")})
    if to_user is not None and to_user.pk == acting_user.pk and kind == MoveKind.TRANSFER:
        raise ValidationError({"to_user": _("You already hold this item.")})
    if kind == MoveKind.STORE and not location.strip():
        raise ValidationError({"location": _("Say where the item is kept.")})
    at = _aware(at) or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("A move cannot be in the future.")})
    last = item.moves.order_by("-at", "-pk").first()
    if last is not None and at < last.at:
        raise ValidationError({"at": _("A move cannot come before the chain's last move.")})
    move = _append(
        item,
        kind=kind,
        from_user=acting_user,
        to_user=to_user,
        to_outside=to_outside if to_user is None else "",
        location=location or item.location,
        at=at,
        reason=reason,
        recorded_by=acting_user,
    )
    item.state = MOVE_RESULT[kind]
    item.holder = to_user
    item.location = move.location
    save_audited(
        item, acting_user=acting_user, update_fields=["state", "holder", "location"], reason=reason
    )
    return move


@transaction.atomic
def disposal_request(
    *, acting_user, item: SeizedItem, kind: str, to_outside: str, reason: str
) -> DisposalRequest:
    """The holder asks to return (发还) or destroy (销毁) an item; nothing moves yet."""
    if kind not in DISPOSALS:
        raise ValidationError({"kind": _("Choose return or destruction.")})
    item = _held_item(item, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the item is disposed of.")})
    if item.disposals.filter(status=DisposalStatus.PENDING).exists():
        raise ValidationError(_("This item already waits for a disposal approval."))
    request = DisposalRequest(
        item=item,
        kind=kind,
        to_outside=to_outside,
        reason=reason,
        requested_by=acting_user,
        requested_at=timezone.now(),
    )
    request.full_clean()
    save_audited(request, acting_user=acting_user)
    return request


@transaction.atomic
def disposal_decide(
    *, acting_user, disposal: DisposalRequest, approve: bool, at: datetime.datetime | None = None
) -> DisposalRequest:
    """A second officer (not the one who asked) approves — the item's last move is written
    and the chain ends — or refuses."""
    _require(acting_user, "cases.change_disposalrequest")
    disposal = (
        DisposalRequest.objects.visible_to(acting_user, "change")
        .select_for_update()
        .get(pk=disposal.pk)
    )
    if disposal.status != DisposalStatus.PENDING:
        raise ValidationError(_("This request has been decided already."))
    if disposal.requested_by_id == acting_user.pk:
        raise ValidationError(
            _("A disposal needs a second officer: you asked for it, so someone else approves.")
        )
    item = SeizedItem.objects.select_for_update().get(pk=disposal.item_id)
    if approve:
        if item.holder_id != disposal.requested_by_id or item.state in FINAL_STATES:
            raise ValidationError(_("The item has changed hands since the request."))
        at = at or timezone.now()
        move = _append(
            item,
            kind=disposal.kind,
            from_user=disposal.requested_by,
            to_user=None,
            to_outside=disposal.to_outside,
            location="",
            at=at,
            reason=disposal.reason,
            approved_by=acting_user,
            recorded_by=acting_user,
        )
        item.state, item.holder = MOVE_RESULT[disposal.kind], None
        save_audited(
            item, acting_user=acting_user, update_fields=["state", "holder"], reason=disposal.reason
        )
        disposal.move = move
    disposal.status = DisposalStatus.APPROVED if approve else DisposalStatus.REFUSED
    disposal.decided_by, disposal.decided_at = acting_user, timezone.now()
    save_audited(
        disposal,
        acting_user=acting_user,
        update_fields=["status", "decided_by", "decided_at", "move"],
    )
    return disposal


# ---------------------------------------------------------------------------- photos


@transaction.atomic
def photo_add(*, acting_user, item: SeizedItem, upload) -> ItemPhoto:
    _require(acting_user, "cases.add_itemphoto")
    item = SeizedItem.objects.visible_to(acting_user, "change").get(pk=item.pk)
    cleaned = photo_clean(upload, field="photo")
    suffix = cleaned.name.rsplit(".", 1)[-1]
    photo = ItemPhoto(item=item, uploaded_by=acting_user)
    photo.image.save(f"{timezone.now():%Y%m%d%H%M%S}.{suffix}", cleaned, save=False)
    save_audited(photo, acting_user=acting_user)
    return photo


def case_colleagues(case: Case):
    """Who may receive an item or be an officer of the case: active staff who may change
    seized items and whose unit covers the case's (its community, office or station) or lies
    below it."""
    from django.contrib.auth import get_user_model

    from outpost.core.scoping import in_subtree, lineage_paths

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__permissions__content_type__app_label="cases",
            groups__permissions__codename="change_seizeditem",
        )
        .filter(
            in_subtree(case.unit, via="staff_profile__unit")
            | Q(staff_profile__unit__path__in=lineage_paths(case.unit.path))
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("staff_profile__display_name", "username")
    )
