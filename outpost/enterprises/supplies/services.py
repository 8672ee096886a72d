"""Writes of requests and the donations ledger: one function per use case, each in one
transaction, checking the acting user's right and scope, writing its history (simple-history
names the user) and telling people after the commit.

Stock moves only here (`_stock_move`): the ledger line and the stock row change in the same
transaction, the stock by an expression (``quantity + delta``), so two distributions at
once cannot both spend the last box; the database's check refuses a quantity below zero,
and that refusal is turned into a message naming the item and what is on hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.identity import validate_phone
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope, lineage_paths
from outpost.enterprises.models import Enterprise
from outpost.enterprises.scoping import enterprise_of_liaison, is_liaison
from outpost.enterprises.supplies.choices import (
    REQUEST_DEADLINES,
    Direction,
    DonorKind,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    StepKind,
)
from outpost.enterprises.supplies.models import (
    Distribution,
    Donation,
    Donor,
    EnterpriseRequest,
    LedgerLine,
    RequestLine,
    RequestStep,
    Stock,
    SupplyItem,
)
from outpost.notify.choices import MessageKind
from outpost.notify.services import notification_send

CHANGE = "enterprises.change_enterpriserequest"
CONFIRM = "enterprises.confirm_enterpriserequest"
# The largest quantity of one line: far above any real delivery, far below the integers
# every database stores.
MAX_QUANTITY = 10_000_000

Lines = Iterable[tuple[SupplyItem, int]]


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def _clean_lines(lines: Lines, *, field: str = "lines") -> list[tuple[SupplyItem, int]]:
    """Items with a positive quantity, each once (the same item twice is added up)."""
    merged: dict[int, list] = {}
    for item, quantity in lines:
        if quantity is None or quantity == 0:
            continue
        if quantity < 0 or quantity > MAX_QUANTITY:
            raise ValidationError(
                {
                    field: _("%(item)s: the quantity must be between 1 and %(max)d.")
                    % {"item": item.label, "max": MAX_QUANTITY}
                }
            )
        if item.pk in merged:
            merged[item.pk][1] += quantity
        else:
            merged[item.pk] = [item, quantity]
    return [(item, quantity) for item, quantity in merged.values()]


def _step(request: EnterpriseRequest, *, kind: str, by, note: str = "", at=None) -> RequestStep:
    step = RequestStep(request=request, kind=kind, by=by, note=note, at=at or timezone.now())
    step.full_clean(exclude=["request", "by"])
    step.save()
    return step


def _notify(recipients, *, subject_text, request: EnterpriseRequest) -> None:
    """An inbox message about a request to `recipients`, after the commit."""
    users = [user for user in recipients if user is not None]
    if not users:
        return
    url = request.get_absolute_url()

    def compose():
        return (
            subject_text() % {"reference": request.reference, "summary": request.summary},
            request.enterprise.name,
        )

    transaction.on_commit(
        lambda: notification_send(
            recipients=users, kind=MessageKind.ASSIGNMENT, compose=compose, url=url
        )
    )


def _liaisons_of(enterprise: Enterprise) -> list:
    return [liaison.user for liaison in enterprise.liaisons.select_related("user")]


# ---------------------------------------------------------------------------- requests


def request_due(kind: str, filed_at: datetime.datetime) -> datetime.datetime:
    """When a request of `kind` filed at `filed_at` must be answered (the kind's deadline)."""
    return filed_at + REQUEST_DEADLINES[RequestKind(kind)]


@transaction.atomic
def request_file(
    *,
    acting_user,
    enterprise: Enterprise,
    kind: str,
    summary: str,
    details: str = "",
    lines: Lines = (),
    filed_at: datetime.datetime | None = None,
) -> EnterpriseRequest:
    """File a request of an enterprise (提交诉求): by its liaison, or by staff who took it
    by phone. Goods (supplies) need at least one item with a quantity; other kinds may
    list items too. Due by the kind's deadline."""
    _require(
        acting_user,
        "enterprises.add_enterpriserequest",
        _("Your role may not file requests."),
    )
    if is_liaison(acting_user) and enterprise_of_liaison(acting_user) != enterprise:
        raise PermissionDenied(_("A liaison files requests for its own enterprise only."))
    assert_in_scope(enterprise, acting_user, "view")
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose the kind of request.")
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = _("Say in a few words what the enterprise needs.")
    lines = _clean_lines(lines)
    if kind == RequestKind.SUPPLIES and not lines:
        errors["lines"] = _("A request for supplies names at least one item and how many.")
    if errors:
        raise ValidationError(errors)
    filed_at = filed_at or timezone.now()
    request = EnterpriseRequest(
        enterprise=enterprise,
        kind=kind,
        summary=summary,
        details=(details or "").strip(),
        filed_by=acting_user,
        filed_at=filed_at,
        due_at=request_due(kind, filed_at),
    )
    request.full_clean(exclude=["enterprise", "filed_by"])
    save_audited(request, acting_user=acting_user)
    RequestLine.objects.bulk_create(
        [RequestLine(request=request, item=item, quantity=quantity) for item, quantity in lines]
    )
    _step(request, kind=StepKind.FILED, by=acting_user, at=filed_at)
    assert_in_scope(request, acting_user, "view")
    return request


def request_officers(request: EnterpriseRequest):
    """Who may take a request: active staff who may change requests and whose unit covers
    the enterprise's (an officer of its community, office or station)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__permissions__content_type__app_label="enterprises",
            groups__permissions__codename="change_enterpriserequest",
            staff_profile__unit__path__in=lineage_paths(request.enterprise.unit.path),
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("staff_profile__display_name", "username")
    )


def _locked(request: EnterpriseRequest) -> EnterpriseRequest:
    return (
        EnterpriseRequest.objects.select_for_update()
        .select_related("enterprise__unit")
        .get(pk=request.pk)
    )


def _staff_change(acting_user, request: EnterpriseRequest) -> EnterpriseRequest:
    _require(acting_user, CHANGE, _("Your role may not handle requests."))
    assert_in_scope(request, acting_user, "change")
    return _locked(request)


@transaction.atomic
def request_assign(*, acting_user, request: EnterpriseRequest, officer=None) -> EnterpriseRequest:
    """Give a request to an officer (分派), the acting user when none is named. An answered
    request is reopened by its enterprise, not assigned again."""
    request = _staff_change(acting_user, request)
    officer = officer or acting_user
    if not request.is_pending:
        raise ValidationError(_("This request is answered already."))
    if not request_officers(request).filter(pk=officer.pk).exists():
        raise ValidationError(
            {"officer": _("Choose an officer whose jurisdiction covers the enterprise.")}
        )
    request.assigned_to = officer
    request.assigned_at = timezone.now()
    request.status = RequestStatus.ASSIGNED
    save_audited(
        request,
        acting_user=acting_user,
        update_fields=["assigned_to", "assigned_at", "status"],
    )
    name = getattr(getattr(officer, "staff_profile", None), "display_name", "") or officer.username
    _step(request, kind=StepKind.ASSIGNED, by=acting_user, note=name)
    if officer.pk != acting_user.pk:
        _notify(
            [officer],
            subject_text=lambda: _("Request %(reference)s is yours: %(summary)s"),
            request=request,
        )
    return request


@transaction.atomic
def request_step_record(*, acting_user, request: EnterpriseRequest, note: str) -> RequestStep:
    """Write down a step taken on a pending request (办理记录)."""
    request = _staff_change(acting_user, request)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done.")})
    if not request.is_pending:
        raise ValidationError(_("This request is answered already."))
    return _step(request, kind=StepKind.STEP, by=acting_user, note=note)


@transaction.atomic
def request_close(
    *, acting_user, request: EnterpriseRequest, outcome: str, note: str
) -> EnterpriseRequest:
    """Answer a request with an outcome (办结); an unassigned one is the closer's. The
    enterprise is told and asked to confirm."""
    request = _staff_change(acting_user, request)
    errors = {}
    if outcome not in RequestOutcome.values:
        errors["outcome"] = _("Choose the outcome.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Tell the enterprise how the request was answered.")
    if errors:
        raise ValidationError(errors)
    if not request.is_pending:
        raise ValidationError(_("This request is answered already."))
    now = timezone.now()
    if request.assigned_to_id is None:
        request.assigned_to, request.assigned_at = acting_user, now
    request.status = RequestStatus.CLOSED
    request.outcome = outcome
    request.closed_at = now
    request.closed_by = acting_user
    save_audited(
        request,
        acting_user=acting_user,
        update_fields=["assigned_to", "assigned_at", "status", "outcome", "closed_at", "closed_by"],
    )
    _step(
        request,
        kind=StepKind.CLOSED,
        by=acting_user,
        note=f"{RequestOutcome(outcome).label}: {note}",
        at=now,
    )
    _notify(
        _liaisons_of(request.enterprise),
        subject_text=lambda: _("Request %(reference)s answered: please confirm"),
        request=request,
    )
    return request


def _enterprise_answer(acting_user, request: EnterpriseRequest) -> EnterpriseRequest:
    """The enterprise's liaison answers for it; staff who may handle requests record its
    answer given by phone."""
    if not (acting_user.has_perm(CONFIRM) or acting_user.has_perm(CHANGE)):
        raise PermissionDenied(_("Your role may not confirm requests."))
    assert_in_scope(request, acting_user, "view")
    request = _locked(request)
    if request.status != RequestStatus.CLOSED:
        raise ValidationError(_("Only an answered request is confirmed or reopened."))
    return request


@transaction.atomic
def request_confirm(
    *, acting_user, request: EnterpriseRequest, note: str = ""
) -> EnterpriseRequest:
    """The enterprise confirms the answer (企业确认): the request is done."""
    request = _enterprise_answer(acting_user, request)
    request.status = RequestStatus.CONFIRMED
    request.confirmed_at = timezone.now()
    save_audited(request, acting_user=acting_user, update_fields=["status", "confirmed_at"])
    _step(request, kind=StepKind.CONFIRMED, by=acting_user, note=(note or "").strip())
    return request


@transaction.atomic
def request_reopen(*, acting_user, request: EnterpriseRequest, note: str) -> EnterpriseRequest:
    """The enterprise is not satisfied (退回): the request goes back to its officer, with
    the reason, and a new deadline of its kind from now."""
    request = _enterprise_answer(acting_user, request)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what is still missing.")})
    now = timezone.now()
    request.status = RequestStatus.ASSIGNED
    request.outcome = ""
    request.closed_at = None
    request.closed_by = None
    request.due_at = request_due(request.kind, now)
    request.reopened_count += 1
    save_audited(
        request,
        acting_user=acting_user,
        update_fields=["status", "outcome", "closed_at", "closed_by", "due_at", "reopened_count"],
    )
    _step(request, kind=StepKind.REOPENED, by=acting_user, note=note, at=now)
    _notify(
        [request.assigned_to],
        subject_text=lambda: _("Request %(reference)s reopened by the enterprise"),
        request=request,
    )
    return request


# ---------------------------------------------------------------------------- the store


def _store_check(acting_user, unit: Unit, permission: str, message: str) -> None:
    _require(acting_user, permission, message)
    if is_liaison(acting_user):
        raise PermissionDenied(message)
    assert_in_scope(unit, acting_user, "view")


def _stock_move(*, unit: Unit, item: SupplyItem, delta: int) -> int:
    """Add `delta` (negative: take out) to the unit's stock of `item` and return what is on
    hand after it. The database refuses a negative stock; that refusal becomes a
    ValidationError naming the item and what is on hand, and nothing of the caller's
    transaction is kept (it rolls back on the error)."""
    stock, _created = Stock.objects.get_or_create(unit=unit, item=item)
    try:
        with transaction.atomic():
            Stock.objects.filter(pk=stock.pk).update(
                quantity=F("quantity") + delta, updated_at=timezone.now()
            )
    except IntegrityError:
        on_hand = Stock.objects.filter(pk=stock.pk).values_list("quantity", flat=True).get()
        raise ValidationError(
            {
                "lines": _(
                    "%(item)s: %(on_hand)d %(measure)s on hand in %(store)s, fewer than the "
                    "%(asked)d asked for."
                )
                % {
                    "item": item.label,
                    "on_hand": on_hand,
                    "measure": item.measure,
                    "store": unit.name,
                    "asked": -delta,
                }
            }
        ) from None
    return Stock.objects.filter(pk=stock.pk).values_list("quantity", flat=True).get()


@transaction.atomic
def donor_register(
    *,
    acting_user,
    unit: Unit,
    kind: str,
    enterprise: Enterprise | None = None,
    name: str = "",
    phone: str = "",
) -> Donor:
    """A donor of the unit's store (登记捐赠方): an enterprise of the user's scope (its name
    taken from the registry), or a person with a name and, if given, a phone (validated,
    stored normalized and encrypted). An enterprise already a donor of the store is
    returned as it is."""
    _store_check(
        acting_user, unit, "enterprises.add_donation", _("Your role may not receive donations.")
    )
    errors = {}
    name, phone = (name or "").strip(), (phone or "").strip()
    if kind == DonorKind.ENTERPRISE:
        if enterprise is None:
            errors["enterprise"] = _("Choose the donating enterprise.")
        else:
            assert_in_scope(enterprise, acting_user, "view")
            existing = Donor.objects.filter(unit=unit, enterprise=enterprise).first()
            if existing is not None:
                return existing
            name, phone = enterprise.name, ""
    elif kind == DonorKind.PERSON:
        enterprise = None
        if not name:
            errors["donor_name"] = _("Enter the donor's name.")
        if phone:
            try:
                phone = validate_phone(phone)
            except ValidationError as exc:
                errors["donor_phone"] = exc.messages
    else:
        errors["donor_kind"] = _("Choose who gave: an enterprise or a person.")
    if errors:
        raise ValidationError(errors)
    donor = Donor(
        unit=unit, kind=kind, enterprise=enterprise, name=name, phone=phone, created_by=acting_user
    )
    donor.full_clean(exclude=["unit", "enterprise", "created_by", "phone_index"])
    save_audited(donor, acting_user=acting_user)
    return donor


@transaction.atomic
def donation_receive(
    *,
    acting_user,
    unit: Unit,
    donor: Donor,
    lines: Lines,
    note: str = "",
    received_at: datetime.datetime | None = None,
) -> Donation:
    """Receive a donation into the unit's store (捐赠入库): one ledger line IN per item,
    the stock raised with it."""
    _store_check(
        acting_user, unit, "enterprises.add_donation", _("Your role may not receive donations.")
    )
    if donor.unit_id != unit.pk:
        raise ValidationError({"donor": _("Choose a donor of this store.")})
    lines = _clean_lines(lines)
    if not lines:
        raise ValidationError({"lines": _("Enter at least one item and how many were received.")})
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("A donation cannot be received in the future.")})
    donation = Donation(
        unit=unit, donor=donor, received_at=received_at, received_by=acting_user, note=note.strip()
    )
    donation.full_clean(exclude=["unit", "donor", "received_by"])
    save_audited(donation, acting_user=acting_user)
    ledger = []
    for item, quantity in lines:
        balance = _stock_move(unit=unit, item=item, delta=quantity)
        ledger.append(
            LedgerLine(
                unit=unit,
                item=item,
                direction=Direction.IN,
                quantity=quantity,
                balance=balance,
                donation=donation,
                at=received_at,
                by=acting_user,
            )
        )
    LedgerLine.objects.bulk_create(ledger)
    if donor.last_donation_at is None or donor.last_donation_at < received_at:
        donor.last_donation_at = received_at
        save_audited(donor, acting_user=acting_user, update_fields=["last_donation_at"])
    return donation


def request_delivered(request: EnterpriseRequest) -> dict[int, int]:
    """Item id -> how many were given out against the request (its ledger lines OUT)."""
    rows = (
        LedgerLine.objects.filter(distribution__request=request, direction=Direction.OUT)
        .values("item")
        .annotate(total=Sum("quantity"))
    )
    return {row["item"]: row["total"] for row in rows}


def _request_check(acting_user, request: EnterpriseRequest, recipient, lines) -> EnterpriseRequest:
    """A distribution against a request: to its enterprise, while it is pending, of the
    items it asked for and no more than it still needs."""
    assert_in_scope(request, acting_user, "change")
    request = _locked(request)
    if recipient is not None and recipient.pk != request.enterprise_id:
        raise ValidationError({"recipient": _("Supplies against a request go to its enterprise.")})
    if not request.is_pending:
        raise ValidationError({"request": _("This request is answered already.")})
    needed = {line.item_id: line.quantity for line in request.lines.all()}
    delivered = request_delivered(request)
    for item, quantity in lines:
        if item.pk not in needed:
            raise ValidationError(
                {"lines": _("%(item)s: the request did not ask for it.") % {"item": item.label}}
            )
        outstanding = needed[item.pk] - delivered.get(item.pk, 0)
        if quantity > outstanding:
            raise ValidationError(
                {
                    "lines": _(
                        "%(item)s: the request still needs %(outstanding)d %(measure)s, not "
                        "%(asked)d."
                    )
                    % {
                        "item": item.label,
                        "outstanding": max(outstanding, 0),
                        "measure": item.measure,
                        "asked": quantity,
                    }
                }
            )
    return request


@transaction.atomic
def distribution_make(
    *,
    acting_user,
    unit: Unit,
    lines: Lines,
    signed_for_by: str,
    recipient: Enterprise | None = None,
    recipient_unit: Unit | None = None,
    request: EnterpriseRequest | None = None,
    note: str = "",
    distributed_at: datetime.datetime | None = None,
) -> Distribution:
    """Give supplies out of the unit's store (物资发放) to an enterprise or a unit, against
    the enterprise's request when there is one: one ledger line OUT per item, the stock
    lowered with it. More than is on hand is refused, naming the item and what is on hand,
    and nothing is written."""
    _store_check(
        acting_user,
        unit,
        "enterprises.add_distribution",
        _("Your role may not distribute supplies."),
    )
    errors = {}
    if request is not None and recipient is None:
        recipient = request.enterprise
    if (recipient is None) == (recipient_unit is None):
        errors["recipient"] = _("Choose the receiving enterprise or unit.")
    signed_for_by = (signed_for_by or "").strip()
    if not signed_for_by:
        errors["signed_for_by"] = _("Enter who signed for the supplies.")
    lines = _clean_lines(lines)
    if not lines:
        errors["lines"] = _("Enter at least one item and how many are given out.")
    if errors:
        raise ValidationError(errors)
    if recipient is not None:
        assert_in_scope(recipient, acting_user, "view")
    if recipient_unit is not None:
        assert_in_scope(recipient_unit, acting_user, "view")
    if request is not None:
        request = _request_check(acting_user, request, recipient, lines)
    distributed_at = distributed_at or timezone.now()
    distribution = Distribution(
        unit=unit,
        recipient=recipient,
        recipient_unit=recipient_unit,
        request=request,
        distributed_at=distributed_at,
        distributed_by=acting_user,
        signed_for_by=signed_for_by,
        note=(note or "").strip(),
    )
    distribution.full_clean(
        exclude=["unit", "recipient", "recipient_unit", "request", "distributed_by"]
    )
    save_audited(distribution, acting_user=acting_user)
    ledger = []
    for item, quantity in lines:
        balance = _stock_move(unit=unit, item=item, delta=-quantity)
        ledger.append(
            LedgerLine(
                unit=unit,
                item=item,
                direction=Direction.OUT,
                quantity=quantity,
                balance=balance,
                distribution=distribution,
                at=distributed_at,
                by=acting_user,
            )
        )
    LedgerLine.objects.bulk_create(ledger)
    if request is not None:
        given = "、".join(f"{item.label} {quantity} {item.measure}" for item, quantity in lines)
        _step(
            request,
            kind=StepKind.DELIVERED,
            by=acting_user,
            note=f"{given} ({distribution.reference})",
            at=distributed_at,
        )
        if request.status == RequestStatus.OPEN:
            request.status = RequestStatus.ASSIGNED
            request.assigned_to, request.assigned_at = acting_user, distributed_at
            save_audited(
                request,
                acting_user=acting_user,
                update_fields=["status", "assigned_to", "assigned_at"],
            )
    assert_in_scope(distribution, acting_user, "view")
    return distribution
