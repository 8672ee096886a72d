"""Every write of the duty module (战时勤务): build a roster from the posts' templates,
change a shift's person, publish (a leader; with a reason when rules are broken), swaps
(ask → accept → a leader approves, or a leader hands a shift over), party membership,
leave freezes and leave. Each function is one transaction that validates first, writes
through the audited save and notifies after commit."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from outpost.core.audit import save_audited
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope, user_covers, user_scope_unit
from outpost.duty import rules, selectors
from outpost.duty.choices import LeaveStatus, RosterStatus, SwapStatus
from outpost.duty.models import (
    LeaveFreeze,
    LeaveRequest,
    PartyMember,
    Post,
    Roster,
    Shift,
    SwapRequest,
)
from outpost.notify.choices import MessageKind
from outpost.notify.services import notification_send

MAX_ROSTER_DAYS = 120
PUBLISH = "duty.publish_roster"


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(permission)


def _person(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


def _unit_of(user) -> Unit:
    unit = user_scope_unit(user)
    if unit is None:
        raise ValidationError(_("%(person)s has no unit.") % {"person": _person(user)})
    return unit


# ---------------------------------------------------------------------------- roster


@transaction.atomic
def roster_build(
    *,
    acting_user,
    unit: Unit,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    posts: list[Post],
    min_rest_hours: int = 12,
) -> Roster:
    """A draft roster for the period, every post's shifts filled by rotation (`rules.plan`)."""
    _require(acting_user, "duty.add_roster")
    if not user_covers(acting_user, unit):
        raise PermissionDenied("unit outside the user's jurisdiction")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The roster ends before it starts.")})
    if (ends_on - starts_on).days >= MAX_ROSTER_DAYS:
        raise ValidationError(
            {"ends_on": _("A roster covers at most %(days)d days.") % {"days": MAX_ROSTER_DAYS}}
        )
    if not posts:
        raise ValidationError({"posts": _("Choose at least one post.")})
    outside = [post.name for post in posts if not post.unit.path.startswith(unit.path)]
    if outside:
        raise ValidationError(
            {
                "posts": _("%(posts)s: not a post of %(unit)s or of a unit under it.")
                % {"posts": ", ".join(outside), "unit": unit}
            }
        )
    _posts_fillable(posts, starts_on, ends_on)
    roster = Roster(
        unit=unit,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        min_rest_hours=min_rest_hours,
        created_by=acting_user,
    )
    roster.full_clean()
    save_audited(roster, acting_user=acting_user)
    roster.posts.set(posts)
    posts = selectors.roster_posts(roster)
    setup = selectors.setup_for(
        posts=posts, min_rest_hours=min_rest_hours, first=starts_on, last=ends_on
    )
    units = dict(get_user_units([person.id for person in setup.people.values()]))
    planned = rules.plan(setup, starts_on, ends_on)
    bulk_create_with_history(
        [
            Shift(
                unit_id=units[row.user_id],
                roster=roster,
                post_id=row.post_id,
                user_id=row.user_id,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
            )
            for row in planned
        ],
        Shift,
        batch_size=1000,
        default_user=acting_user,
    )
    assert_in_scope(roster, acting_user, "view")
    return roster


def _posts_fillable(posts: list[Post], starts_on, ends_on) -> None:
    """Nobody may fill a post: its shifts would all stay empty; say which and from when."""
    for post in posts:
        if not selectors.qualified_users(post).exists():
            slots = rules.slots_of(selectors.post_info(post), starts_on, ends_on)
            when = rules.span(*slots[0]) if slots else str(starts_on)
            raise ValidationError(
                {
                    "posts": _(
                        "Nobody may fill %(post)s: its shifts from %(time)s would stay empty. "
                        "Give its roles to staff under %(unit)s or leave it out."
                    )
                    % {"post": post.name, "time": when, "unit": post.unit}
                }
            )


def get_user_units(user_ids):
    from outpost.core.models import StaffProfile

    return StaffProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "unit_id")


def _locked_roster(acting_user, roster: Roster) -> Roster:
    locked = (
        Roster.objects.visible_to(acting_user, "change")
        .select_for_update()
        .filter(pk=roster.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied("roster outside the user's jurisdiction")
    return locked


@transaction.atomic
def roster_publish(*, acting_user, roster: Roster, override_reason: str = "") -> Roster:
    """Publish the roster. Broken rules block it unless a leader gives a reason."""
    _require(acting_user, PUBLISH)
    roster = _locked_roster(acting_user, roster)
    if roster.status == RosterStatus.PUBLISHED:
        raise ValidationError(_("This roster is already published."))
    violations = selectors.roster_violations(roster)
    reason = override_reason.strip()
    if violations and not reason:
        lines = [v.message for v in violations[:10]]
        if len(violations) > 10:
            lines.append(_("… and %(count)d more.") % {"count": len(violations) - 10})
        raise ValidationError(
            {
                "reason": [
                    _(
                        "The roster breaks %(count)d rule(s); fix them or give the reason to "
                        "publish it anyway."
                    )
                    % {"count": len(violations)},
                    *lines,
                ]
            }
        )
    roster.status = RosterStatus.PUBLISHED
    roster.published_at = timezone.now()
    roster.published_by = acting_user
    roster.override_reason = reason if violations else ""
    save_audited(
        roster,
        acting_user=acting_user,
        update_fields=["status", "published_at", "published_by", "override_reason"],
        reason=reason,
    )
    return roster


def _check_fits(
    *, shift_post: Post, user, starts_at, ends_at, exclude_pk=None, field: str = "user"
) -> None:
    """The person may fill the post and has no other shift at that time."""
    words = {
        "person": _person(user),
        "post": shift_post.name,
        "time": rules.span(starts_at, ends_at),
    }
    if not selectors.qualified_users(shift_post).filter(pk=user.pk).exists():
        raise ValidationError({field: _("%(person)s may not fill %(post)s (%(time)s).") % words})
    clash = (
        Shift.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=exclude_pk)
        .select_related("post")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                field: _(
                    "%(person)s already has a shift then: %(other)s %(other_time)s overlaps "
                    "%(post)s %(time)s."
                )
                % {
                    **words,
                    "other": clash.post.name,
                    "other_time": rules.span(clash.starts_at, clash.ends_at),
                }
            }
        )


def _locked_shift(acting_user, shift: Shift, action: str = "change") -> Shift:
    locked = (
        Shift.objects.visible_to(acting_user, action)
        .select_for_update(of=("self",))
        .select_related("post__unit", "roster")
        .filter(pk=shift.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied("shift outside the user's jurisdiction")
    return locked


def _hand_over(shift: Shift, user, acting_user, reason: str, field: str = "user") -> Shift:
    _check_fits(
        shift_post=shift.post,
        user=user,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        exclude_pk=shift.pk,
        field=field,
    )
    shift.user = user
    shift.unit = _unit_of(user)
    save_audited(shift, acting_user=acting_user, update_fields=["user", "unit"], reason=reason)
    return shift


@transaction.atomic
def shift_assign(*, acting_user, shift: Shift, user, reason: str = "") -> Shift:
    """A leader gives a shift to another person (who may fill the post and is free then)."""
    _require(acting_user, "duty.change_shift")
    shift = _locked_shift(acting_user, shift)
    return _hand_over(shift, user, acting_user, reason or _("Given to another person"))


@transaction.atomic
def shift_add(*, acting_user, roster: Roster, post: Post, user, starts_at, ends_at) -> Shift:
    """One more shift on the roster, by hand."""
    _require(acting_user, "duty.add_shift")
    roster = _locked_roster(acting_user, roster)
    if not roster.posts.filter(pk=post.pk).exists():
        raise ValidationError({"post": _("%(post)s is not on this roster.") % {"post": post.name}})
    if ends_at <= starts_at:
        raise ValidationError(
            {
                "ends_at": _(
                    "%(person)s's shift at %(post)s ends (%(end)s) before it starts (%(start)s)."
                )
                % {
                    "person": _person(user),
                    "post": post.name,
                    "end": rules.when(ends_at),
                    "start": rules.when(starts_at),
                }
            }
        )
    _check_fits(shift_post=post, user=user, starts_at=starts_at, ends_at=ends_at)
    shift = Shift(
        unit=_unit_of(user),
        roster=roster,
        post=post,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    save_audited(shift, acting_user=acting_user)
    return shift


# ---------------------------------------------------------------------------- swaps


def _tell(user, subject: str, url: str) -> None:
    transaction.on_commit(
        lambda: notification_send(
            recipients=[user], kind=MessageKind.ASSIGNMENT, subject=subject, url=url
        )
    )


@transaction.atomic
def swap_ask(*, acting_user, shift: Shift, taker, now=None) -> SwapRequest:
    """The holder of a published, future shift asks a colleague who may fill the post
    (and is free then) to take it."""
    now = now or timezone.now()
    shift = (
        Shift.objects.select_for_update().select_related("post__unit", "roster").get(pk=shift.pk)
    )
    if shift.user_id != acting_user.pk:
        raise PermissionDenied("not the user's shift")
    if shift.roster.status != RosterStatus.PUBLISHED or shift.starts_at <= now:
        raise ValidationError(_("Only a published shift that has not started can be swapped."))
    if taker.pk == acting_user.pk:
        raise ValidationError({"taker": _("Choose a colleague, not yourself.")})
    if shift.swaps.filter(status__in=(SwapStatus.ASKED, SwapStatus.ACCEPTED)).exists():
        raise ValidationError(_("A swap of this shift is already under way."))
    _check_fits(
        shift_post=shift.post,
        user=taker,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        exclude_pk=shift.pk,
        field="taker",
    )
    swap = SwapRequest(
        unit=shift.unit, shift=shift, requested_by=acting_user, taker=taker, asked_at=now
    )
    save_audited(swap, acting_user=acting_user)
    _tell(
        taker,
        _("%(person)s asks you to take %(post)s %(time)s")
        % {
            "person": _person(acting_user),
            "post": shift.post.name,
            "time": rules.span(shift.starts_at, shift.ends_at),
        },
        _mine_url(),
    )
    return swap


def _mine_url() -> str:
    from django.urls import reverse

    return reverse("duty:mine")


@transaction.atomic
def swap_answer(*, acting_user, swap: SwapRequest, accept: bool, now=None) -> SwapRequest:
    """The colleague asked accepts (the swap then waits for a leader) or declines."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.taker_id != acting_user.pk:
        raise PermissionDenied("not asked of this user")
    if swap.status != SwapStatus.ASKED:
        raise ValidationError(_("This swap has been answered already."))
    swap.status = SwapStatus.ACCEPTED if accept else SwapStatus.DECLINED
    swap.answered_at = now or timezone.now()
    save_audited(swap, acting_user=acting_user, update_fields=["status", "answered_at"])
    _tell(
        swap.requested_by,
        (
            _("%(person)s accepted your swap; a leader will approve it.")
            if accept
            else _("%(person)s declined your swap.")
        )
        % {"person": _person(acting_user)},
        _mine_url(),
    )
    return swap


@transaction.atomic
def swap_decide(*, acting_user, swap: SwapRequest, approve: bool, now=None) -> SwapRequest:
    """A leader approves an accepted swap (the shift passes to the colleague) or refuses it."""
    _require(acting_user, PUBLISH)
    swap = (
        SwapRequest.objects.visible_to(acting_user)
        .select_for_update(of=("self",))
        .filter(pk=swap.pk)
        .first()
    )
    if swap is None:
        raise PermissionDenied("swap outside the user's jurisdiction")
    if swap.status != SwapStatus.ACCEPTED:
        raise ValidationError(_("Only a swap the colleague accepted waits for a decision."))
    if approve:
        shift = Shift.objects.select_for_update().select_related("post__unit").get(pk=swap.shift_id)
        _hand_over(shift, swap.taker, acting_user, _("Swap approved"), field="taker")
    swap.status = SwapStatus.APPROVED if approve else SwapStatus.DECLINED
    swap.decided_by, swap.decided_at = acting_user, now or timezone.now()
    save_audited(
        swap, acting_user=acting_user, update_fields=["status", "decided_by", "decided_at"]
    )
    return swap


@transaction.atomic
def swap_on_behalf(*, acting_user, shift: Shift, taker, now=None) -> SwapRequest:
    """A leader hands a shift over to a colleague on its holder's behalf (recorded as an
    approved swap)."""
    _require(acting_user, PUBLISH)
    now = now or timezone.now()
    shift = _locked_shift(acting_user, shift)
    holder = shift.user
    swap = SwapRequest(
        unit=shift.unit,
        shift=shift,
        requested_by=holder,
        taker=taker,
        status=SwapStatus.APPROVED,
        asked_at=now,
        answered_at=now,
        decided_by=acting_user,
        decided_at=now,
    )
    _hand_over(shift, taker, acting_user, _("Swapped by a leader"), field="taker")
    save_audited(swap, acting_user=acting_user)
    return swap


# ---------------------------------------------------------------------------- party members


@transaction.atomic
def party_member_record(*, acting_user, user) -> PartyMember:
    """Record a staff member as a party member, for the pioneer posts only."""
    _require(acting_user, "duty.add_partymember")
    member, _created = PartyMember.objects.get_or_create(
        user=user, defaults={"unit": _unit_of(user)}
    )
    assert_in_scope(member, acting_user, "view")
    return member


# ---------------------------------------------------------------------------- leave


@transaction.atomic
def freeze_declare(
    *, acting_user, units: list[Unit], starts_on, ends_on, reason: str, now=None
) -> LeaveFreeze:
    """A leader freezes leave over a period for units of their jurisdiction."""
    _require(acting_user, "duty.add_leavefreeze")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The freeze ends before it starts.")})
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    for unit in units:
        if not user_covers(acting_user, unit):
            raise PermissionDenied("unit outside the user's jurisdiction")
    freeze = LeaveFreeze(
        unit=_unit_of(acting_user),
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        declared_by=acting_user,
        declared_at=now or timezone.now(),
    )
    freeze.full_clean()
    save_audited(freeze, acting_user=acting_user)
    freeze.units.set(units)
    return freeze


@transaction.atomic
def leave_request(*, acting_user, starts_on, ends_on, reason: str = "", now=None) -> LeaveRequest:
    """A staff member asks for leave: granted, or refused when a freeze covers their unit
    on any of its days (a leader may then grant it as an exception)."""
    _require(acting_user, "duty.add_leaverequest")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The leave ends before it starts.")})
    unit = _unit_of(acting_user)
    frozen = selectors.freezes_covering(unit=unit, first=starts_on, last=ends_on).exists()
    leave = LeaveRequest(
        unit=unit,
        user=acting_user,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        status=LeaveStatus.REFUSED if frozen else LeaveStatus.GRANTED,
        requested_at=now or timezone.now(),
    )
    leave.full_clean()
    save_audited(leave, acting_user=acting_user)
    return leave


@transaction.atomic
def leave_exception_grant(*, acting_user, leave: LeaveRequest, reason: str) -> LeaveRequest:
    """A leader grants leave refused by a freeze, with the reason."""
    _require(acting_user, "duty.grant_leaverequest")
    leave = (
        LeaveRequest.objects.visible_to(acting_user, "change")
        .select_for_update()
        .filter(pk=leave.pk)
        .first()
    )
    if leave is None:
        raise PermissionDenied("leave outside the user's jurisdiction")
    if leave.status != LeaveStatus.REFUSED:
        raise ValidationError(_("Only leave refused by a freeze can be granted as an exception."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the exception.")})
    leave.status = LeaveStatus.EXCEPTION
    leave.exception_reason = reason.strip()
    leave.decided_by = acting_user
    save_audited(
        leave,
        acting_user=acting_user,
        update_fields=["status", "exception_reason", "decided_by"],
        reason=reason,
    )
    return leave
