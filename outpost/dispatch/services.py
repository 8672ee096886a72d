"""Writes of dispatch orders (调度指令): read and match, route, review, assign, record the
result on the ground, and write the feedback workbook. The upload, which queues the
reading, is `uploads.py`.

Every function takes `acting_user`, checks the permission and the scope itself and writes
its history (simple-history) in the same transaction; notifications to officers are
inbox messages written in that transaction too (`notification_send`).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from outpost.core.audit import bulk_update_audited, save_audited
from outpost.core.choices import Role, UnitKind
from outpost.core.exceptions import Conflict
from outpost.core.identity import validate_id_number, validate_phone
from outpost.core.imports.readers import ImportFileError
from outpost.core.imports.steps import job_file_path
from outpost.core.models import StaffProfile, Unit
from outpost.core.on_duty import DUTY_DESK, fallback_warning, on_duty_users
from outpost.core.recovery import interrupted_message
from outpost.core.scoping import assert_in_scope, in_subtree
from outpost.dispatch.choices import LINKED, ItemResult, MatchStatus, OrderStatus
from outpost.dispatch.imports import OrderReading, OrderRow, order_read
from outpost.dispatch.models import DispatchItem, DispatchOrder
from outpost.keypersons.choices import ACTIVE_STATUSES, KeyPersonCategory, SourceType
from outpost.keypersons.models import KeyPerson, KeyPersonSource
from outpost.keypersons.services import key_person_create
from outpost.notify.choices import MessageKind
from outpost.notify.services import notification_send
from outpost.registry.models import Resident
from outpost.screening import engine
from outpost.screening.services.decisions import match_decision_record
from outpost.screening.services.runs import match_decisions

logger = logging.getLogger("outpost.dispatch")


# Officers are looked for from the resident's unit up to, not including, the station: a
# community's officer, else its community police office's.
ROUTING_KINDS = (UnitKind.GRID, UnitKind.COMMUNITY, UnitKind.POLICE_OFFICE)


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


# ---------------------------------------------------------------------------- read


def _set_status(order: DispatchOrder, acting_user, **fields) -> None:
    for name, value in fields.items():
        setattr(order, name, value)
    save_audited(order, acting_user=acting_user, update_fields=list(fields))


def order_process(*, acting_user, order: DispatchOrder) -> DispatchOrder:
    """Read every row of a queued order into items, match them with the screening engine,
    route the linked ones to their officers and tell each officer once. One transaction:
    the order is stored whole or not at all."""
    assert_in_scope(order, acting_user, "view")
    _set_status(order, acting_user, status=OrderStatus.READING, progress=10, failure="")
    try:
        with job_file_path(order) as path:
            reading = order_read(path)
    except ImportFileError as exc:
        order_fail(order=order, message=str(exc), acting_user=acting_user)
        return order
    _set_status(order, acting_user, progress=40)
    with transaction.atomic():
        DispatchItem.objects.filter(order=order).delete()  # read again: start afresh
        items = _items_matched(order, reading, acting_user=acting_user)
        items = bulk_create_with_history(items, DispatchItem, default_user=acting_user)
        if not all(item.pk for item in items):
            items = list(DispatchItem.objects.filter(order=order).order_by("row_number"))
        _flag_duplicates(items, acting_user)
        routed = _route_new(order, items, acting_user=acting_user)
        _set_status(
            order,
            acting_user,
            status=OrderStatus.READY,
            progress=100,
            total_items=len(items),
            sheet_name=reading.sheet_name[:100],
            header_row=reading.header_row,
            headers=reading.headers,
            mapping=reading.mapping,
        )
        _notify_officers(order, routed)
    logger.info("order %s read: %d items", order.pk, len(items))
    return order


def order_fail(*, order: DispatchOrder, message: str, acting_user=None) -> None:
    DispatchItem.objects.filter(order=order).delete()
    _set_status(order, acting_user, status=OrderStatus.FAILED, failure=message, total_items=0)
    logger.info("order %s failed: %s", order.pk, message)


def order_interrupted(*, task_kwargs: dict) -> bool:
    """Recovery handler (`outpost.core.recovery`): the worker reading the order of
    `task_kwargs` died. The order is failed and its items deleted (it is stored whole or
    not at all); False when it had been read."""
    order = DispatchOrder.objects.filter(
        pk=task_kwargs.get("order_id"), status__in=[OrderStatus.QUEUED, OrderStatus.READING]
    ).first()
    if order is None:
        return False
    order_fail(order=order, message=interrupted_message())
    return True


def _items_matched(order: DispatchOrder, reading: OrderReading, *, acting_user):
    residents = list(
        Resident.objects.visible_to(acting_user)
        .within(order.unit)
        .filter(merged_into__isnull=True)
        .values_list("pk", "name", "id_number", "phone", "birth_date", "unit_id")
    )
    unit_of = {r[0]: r[5] for r in residents}
    resident_cols = {
        column: [r[i] for r in residents] for i, column in enumerate(engine.RESIDENT_COLUMNS)
    }
    rows: list[OrderRow] = reading.rows
    feed_cols = {
        "row_id": list(range(len(rows))),
        "name": [r.name for r in rows],
        "id_number": [r.id_number for r in rows],
        "phone": [r.phone for r in rows],
        "birth_date": [r.birth_date for r in rows],
    }
    # As a screening does: an accepted decision for a resident outside these residents is
    # not this order's to apply; rejections apply wherever they are met.
    decisions = {
        key: value
        for key, value in match_decisions(unit=order.unit).items()
        if value is engine.REJECTED or value in unit_of
    }
    links = engine.match_feed(resident_cols, feed_cols, decisions).by_row()
    items = []
    for index, row in enumerate(rows):
        item = DispatchItem(
            order=order,
            unit_id=order.unit_id,
            row_number=row.row_number,
            values=row.values,
            name=row.name,
            id_number=row.id_number,
            phone=row.phone,
            birth_date=row.birth_date,
            identity_key=engine.identity_key(row.id_number, row.phone, row.name, row.birth_date),
        )
        link = links.get(index)
        if link is not None:
            item.identity_key = link.identity_key
            item.match_rule = link.rule
            item.match_score = link.score
            if link.status == engine.REVIEW:
                item.match_status = MatchStatus.REVIEW
                item.candidates = [
                    {"resident_id": c.resident_id, "score": c.score} for c in link.candidates
                ]
            else:
                item.match_status = (
                    MatchStatus.DECIDED if link.status == engine.DECIDED else MatchStatus.AUTO
                )
                item.resident_id = link.resident_id
                item.unit_id = unit_of[link.resident_id]
        items.append(item)
    return items


def _person_key(item: DispatchItem):
    if item.resident_id:
        return ("resident", item.resident_id)
    if len(item.id_number) >= 15:
        return ("id", item.id_number)
    if item.name and item.phone:
        return ("name_phone", engine.normalize_name(item.name), item.phone)
    return None


def _flag_duplicates(items: list[DispatchItem], acting_user) -> None:
    """The same person twice in one order: both items stay (each row needs its answer); the
    later one names the first as the same person."""
    first: dict = {}
    flagged = []
    for item in items:
        key = _person_key(item)
        if key is None:
            continue
        if key in first:
            item.duplicate_of = first[key]
            flagged.append(item)
        else:
            first[key] = item
    if flagged:
        bulk_update_audited(DispatchItem, flagged, ["duplicate_of"], acting_user=acting_user)


# ---------------------------------------------------------------------------- routing


@dataclass
class _Officers:
    """The active community police officers under a unit, by their unit."""

    by_unit: dict[int, list]
    units: dict[int, tuple[int | None, str]]  # unit id -> (parent id, kind)

    @classmethod
    def under(cls, unit: Unit) -> _Officers:
        by_unit: dict[int, list] = defaultdict(list)
        profiles = (
            StaffProfile.objects.filter(
                in_subtree(unit),
                user__is_active=True,
                user__groups__name=Role.POLICE_OFFICER,
            )
            .select_related("user")
            .order_by("user_id")
        )
        for profile in profiles:
            by_unit[profile.unit_id].append(profile.user)
        units = {
            pk: (parent_id, kind)
            for pk, parent_id, kind in Unit.objects.subtree(unit).values_list(
                "pk", "parent_id", "kind"
            )
        }
        return cls(by_unit=by_unit, units=units)

    def responsible_for(self, unit_id: int):
        """The officer of the nearest unit, from `unit_id` up to its community police
        office, that has one (the first by id when a unit has several); else None."""
        current = unit_id
        while current is not None and current in self.units:
            parent_id, kind = self.units[current]
            if kind not in ROUTING_KINDS:
                return None
            if self.by_unit.get(current):
                return self.by_unit[current][0]
            current = parent_id
        return None


class _DutyDesk:
    """The officer on duty at the duty desk over the order's unit (值班民警), asked once per
    order: an item whose unit has no officer goes to them. With nobody rostered it stays
    at the duty desk's list as before, and the log says so."""

    def __init__(self, unit: Unit, now):
        self.unit, self.now, self._asked, self._officer = unit, now, False, None

    def officer(self):
        if not self._asked:
            self._asked = True
            found = on_duty_users(
                self.unit, post_kind=DUTY_DESK, role=Role.POLICE_OFFICER, at=self.now
            )
            if found:
                self._officer = found[0]
            else:
                fallback_warning("dispatch items without an officer", self.unit)
        return self._officer


def _route_new(order: DispatchOrder, items: list[DispatchItem], *, acting_user):
    """Give each linked item the officer responsible for its resident's unit."""
    officers = _Officers.under(order.unit)
    now = timezone.now()
    routed = []
    desk = _DutyDesk(order.unit, now)
    for item in items:
        if item.match_status not in LINKED:
            continue
        officer = officers.responsible_for(item.unit_id) or desk.officer()
        if officer is not None:
            item.assigned_officer = officer
            item.routed_at = now
            routed.append(item)
    if routed:
        bulk_update_audited(
            DispatchItem, routed, ["assigned_officer", "routed_at"], acting_user=acting_user
        )
    return routed


def _notify_officers(order: DispatchOrder, items) -> None:
    """One inbox message per officer for this order, however many items they received."""
    by_officer: dict[int, list] = defaultdict(list)
    users = {}
    for item in items:
        by_officer[item.assigned_officer.pk].append(item)
        users[item.assigned_officer.pk] = item.assigned_officer
    url = reverse("dispatch:my_items") + f"?order={order.pk}"
    for officer_id, officer_items in by_officer.items():
        # In the officer's own language, whoever routed the items.
        notification_send(
            recipients=[users[officer_id]],
            kind=MessageKind.ORDER_ITEM,
            compose=_items_text(order, len(officer_items)),
            url=url,
        )


def _items_text(order: DispatchOrder, count: int):
    def compose() -> tuple[str, str]:
        subject = _("Dispatch order %(number)s: %(count)d item(s) to verify by %(deadline)s") % {
            "number": order.order_number,
            "count": count,
            "deadline": timezone.localtime(order.deadline).strftime("%Y-%m-%d %H:%M"),
        }
        return subject, ""

    return compose


def _save_item(item: DispatchItem, acting_user, fields: list[str]) -> None:
    item.full_clean()
    save_audited(item, acting_user=acting_user, update_fields=fields)


@transaction.atomic
def item_review_decide(
    *, acting_user, item: DispatchItem, resident: Resident | None
) -> DispatchItem:
    """Decide an item the engine could not decide: accept one of its candidates (the item is
    linked and routed to that resident's officer) or reject them all (`resident` None: the
    item goes to the duty desk). The decision is remembered for later orders and runs."""
    _require(acting_user, "dispatch.assign_dispatchitem", _("Your role may not route items."))
    item = DispatchItem.objects.select_for_update().get(pk=item.pk)
    assert_in_scope(item, acting_user, "assign")
    if item.match_status != MatchStatus.REVIEW:
        raise Conflict(_("This item has been decided already; reload the page."))
    candidate_ids = {c["resident_id"] for c in item.candidates}
    if resident is not None and resident.pk not in candidate_ids:
        raise ValidationError({"resident": _("Choose one of the item's candidates.")})
    match_decision_record(
        acting_user=acting_user,
        identity_key=item.identity_key,
        resident=resident,
        rejected=resident is None,
    )
    if resident is None:
        item.match_status = MatchStatus.UNMATCHED
        _save_item(item, acting_user, ["match_status"])
        return item
    item.resident = resident
    item.unit_id = resident.unit_id
    item.match_status = MatchStatus.DECIDED
    item.match_score = next(c["score"] for c in item.candidates if c["resident_id"] == resident.pk)
    fields = ["resident", "unit", "match_status", "match_score"]
    officer = _Officers.under(item.order.unit).responsible_for(item.unit_id)
    if officer is not None:
        item.assigned_officer, item.routed_at = officer, timezone.now()
        fields += ["assigned_officer", "routed_at"]
    _save_item(item, acting_user, fields)
    assert_in_scope(item, acting_user, "view")
    if officer is not None:
        _notify_officers(item.order, [item])
    return item


def police_officers_for(user):
    """Active community police officers whose unit is within `user`'s jurisdiction."""
    from django.contrib.auth import get_user_model

    units = Unit.objects.visible_to(user)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.POLICE_OFFICER,
            staff_profile__unit__in=units,
        )
        .select_related("staff_profile__unit")
        .order_by("staff_profile__unit__path", "pk")
    )


def item_assignees(*, acting_user, item: DispatchItem):
    """Whom `item` may be assigned to (核查人): the police officers of the acting user's
    jurisdiction, then the active grid workers (网格员) of the item's unit (its grid, or the
    grids below it) within that jurisdiction. Each user once, with `as_officer` telling the
    role it is chosen in (an officer who is also a grid worker: as the officer)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    officers = police_officers_for(acting_user).values("pk")
    workers = users.filter(
        in_subtree(item.unit, via="staff_profile__unit"),
        is_active=True,
        groups__name=Role.GRID_WORKER,
        staff_profile__unit__in=Unit.objects.visible_to(acting_user),
    ).values("pk")
    return (
        users.filter(Q(pk__in=officers) | Q(pk__in=workers))
        .annotate(as_officer=Exists(officers.filter(pk=OuterRef("pk"))))
        .select_related("staff_profile__unit")
        .order_by("-as_officer", "staff_profile__unit__path", "pk")
    )


@transaction.atomic
def item_assign(*, acting_user, item: DispatchItem, officer) -> DispatchItem:
    """Assign an item by hand (人工分派): from the duty desk to an officer, or from an officer
    to a grid worker of the item's grid who checks the door (交网格员核查). `officer` is
    whoever will verify it, one of `item_assignees`: a police officer of the acting user's
    jurisdiction whose unit covers the resident's (an officer of another community is
    refused), or a grid worker within the item's unit. An unmatched item moves to the
    officer's unit, and any item to the grid worker's grid, so that they see it there."""
    _require(acting_user, "dispatch.assign_dispatchitem", _("Your role may not assign items."))
    item = DispatchItem.objects.select_for_update().select_related("unit").get(pk=item.pk)
    assert_in_scope(item, acting_user, "assign")
    if item.match_status == MatchStatus.REVIEW:
        raise ValidationError(_("Decide the match first: accept a candidate or reject them."))
    chosen = item_assignees(acting_user=acting_user, item=item).filter(pk=officer.pk).first()
    if chosen is None:
        raise ValidationError(
            {
                "officer": _(
                    "Choose a police officer of your jurisdiction or a grid worker of %(unit)s."
                )
                % {"unit": item.unit.name}
            }
        )
    assignee_unit = chosen.staff_profile.unit
    if not chosen.as_officer:
        item.unit = assignee_unit  # the grid worker's grid: within the item's unit
    elif item.resident_id is not None:
        if not item.unit.path.startswith(assignee_unit.path):
            raise ValidationError(
                {
                    "officer": _(
                        "%(officer)s is not responsible for %(unit)s, where the person lives: "
                        "choose an officer of that community."
                    )
                    % {"officer": chosen.staff_profile, "unit": item.unit.name}
                }
            )
    else:
        item.unit = assignee_unit
    item.assigned_officer, item.routed_at = chosen, timezone.now()
    _save_item(item, acting_user, ["unit", "assigned_officer", "routed_at"])
    assert_in_scope(item, acting_user, "view")
    assert_in_scope(item, chosen, "change")
    _notify_officers(item.order, [item])
    return item


# ---------------------------------------------------------------------------- the result


def _stale() -> Conflict:
    return Conflict(
        {
            "version": _(
                "Someone else recorded a result for this item while you were editing it. "
                "Your entry was not saved: look at the result now shown and record again "
                "if it needs changing."
            )
        }
    )


@transaction.atomic
def item_result_record(
    *,
    acting_user,
    item: DispatchItem,
    version: int,
    result: str,
    moved_to: str = "",
    note: str = "",
    result_at: datetime.datetime | None = None,
) -> DispatchItem:
    """Record what was found on the ground (落地核查). `version` is the item's version the
    form was read at: if the item changed since, nothing is saved (no lost update). "Found
    and under management" makes the resident a key person (or notes the order on the active
    key person they already are)."""
    _require(acting_user, "dispatch.change_dispatchitem", _("Your role may not record results."))
    assert_in_scope(item, acting_user, "change")
    errors: dict[str, list[str]] = {}
    moved_to, note = (moved_to or "").strip(), (note or "").strip()
    now = timezone.now()
    result_at = result_at or now
    if result not in ItemResult.values:
        errors["result"] = [_("Choose what you found.")]
    if result == ItemResult.MOVED_AWAY and not moved_to:
        errors["moved_to"] = [_("Say where the person moved to.")]
    if result != ItemResult.MOVED_AWAY:
        moved_to = ""
    if result_at > now + datetime.timedelta(minutes=5):
        errors["result_at"] = [_("The time of the check cannot be in the future.")]
    if item.match_status == MatchStatus.REVIEW:
        errors["result"] = [_("The match of this item is still to be reviewed at the station.")]
    if errors:
        raise ValidationError(errors)
    # Compare-and-set in one UPDATE: of two users saving against the same version, only the
    # first changes a row; the second finds none and is refused.
    claimed = DispatchItem.objects.filter(pk=item.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise _stale()
    item = DispatchItem.objects.select_related("order", "resident").get(pk=item.pk)
    item.result, item.moved_to, item.result_note = result, moved_to, note
    item.result_at, item.recorded_by = result_at, acting_user
    fields = ["result", "moved_to", "result_note", "result_at", "recorded_by"]
    if result == ItemResult.FOUND_MANAGED and item.key_person_id is None:
        item.key_person = _key_person_for(item, acting_user)
        fields.append("key_person")
    _save_item(item, acting_user, fields)
    assert_in_scope(item, acting_user, "change")
    return item


def _key_person_for(item: DispatchItem, acting_user) -> KeyPerson:
    note = _("Dispatch order %(number)s (%(body)s), row %(row)d") % {
        "number": item.order.order_number,
        "body": item.order.issuing_body,
        "row": item.row_number,
    }
    if item.resident_id is not None:
        active = (
            KeyPerson.objects.select_for_update()
            .filter(resident_id=item.resident_id, status__in=ACTIVE_STATUSES)
            .first()
        )
        if active is not None:
            KeyPersonSource.objects.create(
                key_person=active,
                source_type=SourceType.DISPATCH_ORDER,
                note=note[:300],
                noted_by=acting_user,
            )
            return active
        return key_person_create(
            acting_user=acting_user,
            category=KeyPersonCategory.DISPATCHED,
            resident=item.resident,
            source_type=SourceType.DISPATCH_ORDER,
            source_note=note,
        )
    return key_person_create(
        acting_user=acting_user,
        category=KeyPersonCategory.DISPATCHED,
        unit=item.unit,
        name=item.name or _("(no name)"),
        id_number=_valid_or_empty(validate_id_number, item.id_number),
        phone=_valid_or_empty(validate_phone, item.phone),
        source_type=SourceType.DISPATCH_ORDER,
        source_note=note,
    )


def _valid_or_empty(validate, value: str) -> str:
    if not value:
        return ""
    try:
        return validate(value)
    except ValidationError:
        return ""
