"""Writes of notices (权威信息推送): push a notice, confirm a receipt (阅知确认), escalate an
unconfirmed receipt one step of the ladder (催办: inbox → SMS to the liaison → a phone-call
task for the responsible officer), record the call, and the scheduled job that moves every
overdue receipt along the ladder.

Every function takes the moment it acts at (`now`), so tests drive the ladder with a fixed
clock; messages leave after commit, through notify.
"""

from __future__ import annotations

import datetime
from contextlib import ExitStack
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from outpost.core.audit import save_audited
from outpost.core.choices import Role
from outpost.core.imports.uploads import upload_kept, upload_name, upload_size_check
from outpost.core.models import Unit
from outpost.core.on_duty import PLATFORM_WATCH, fallback_warning, on_duty_users
from outpost.core.scoping import assert_in_scope, in_subtree, lineage_paths, user_scope_unit
from outpost.enterprises.notices.choices import ConfirmedVia, EscalationLevel, EscalationStep
from outpost.enterprises.notices.models import (
    Notice,
    NoticeAttachment,
    NoticeEscalation,
    NoticeReceipt,
)
from outpost.enterprises.scoping import enterprise_of_liaison, enterprises_for
from outpost.notify.choices import Channel, MessageKind
from outpost.notify.selectors import not_reached as sms_not_reached
from outpost.notify.services import notification_send, sms_configured

# The ladder: the first step as soon as the deadline has passed, each next one this long
# after the previous, while the receipt stays unconfirmed.
STEP_INTERVAL = datetime.timedelta(hours=2)
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# What a notice may carry: documents and pictures. Anything else (a script, a web page, a
# program) is refused, whatever its content: Outpost never opens an attachment and serves
# each one as a download.
ATTACHMENT_SUFFIXES = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".jpg", ".jpeg", ".png"}
)


def _local_time(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------- push


def _attachments_check(attachments) -> list[tuple[object, str]]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("Attach at most %(count)d files to a notice.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    checked = []
    for file in attachments:
        name = upload_name(file, "", default="attachment")
        suffix = Path(name).suffix.lower()
        if suffix not in ATTACHMENT_SUFFIXES:
            raise ValidationError(
                {
                    "attachments": _(
                        "“%(name)s” cannot be attached: attach documents or pictures "
                        "(%(suffixes)s)."
                    )
                    % {"name": name, "suffixes": ", ".join(sorted(ATTACHMENT_SUFFIXES))}
                }
            )
        try:
            upload_size_check(file, max_bytes=MAX_ATTACHMENT_BYTES)
        except ValidationError as exc:
            raise ValidationError(
                {"attachments": [f"{name}: {message}" for message in exc.messages]}
            ) from exc
        checked.append((file, name))
    return checked


def _recipients(*, acting_user, enterprises, units) -> list:
    """The enterprises a push reaches: those chosen and those of the chosen units' subtrees,
    each once. An enterprise or unit outside the author's scope is refused."""
    visible = enterprises_for(acting_user)
    chosen_ids = {enterprise.pk for enterprise in enterprises}
    if len(chosen_ids) != visible.filter(pk__in=chosen_ids).count():
        raise PermissionDenied(_("An enterprise chosen is outside your jurisdiction."))
    unit_ids = {unit.pk for unit in units}
    if len(unit_ids) != Unit.objects.visible_to(acting_user).filter(pk__in=unit_ids).count():
        raise PermissionDenied(_("A unit chosen is outside your jurisdiction."))
    if not chosen_ids and not unit_ids:
        return []
    chosen = Q(pk__in=chosen_ids)
    for unit in units:
        chosen |= in_subtree(unit, via="unit")
    return list(visible.filter(chosen).order_by("pk"))


def _issuing_unit(acting_user) -> Unit:
    unit = user_scope_unit(acting_user)
    if unit is not None:
        return unit
    # A superuser made at the command line: the top of the tree.
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first()


def _liaisons(enterprise_ids) -> dict[int, list]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, enterprise_liaison__enterprise_id__in=enterprise_ids)
        .select_related("staff_profile", "enterprise_liaison")
    )
    found: dict[int, list] = {}
    for user in users:
        found.setdefault(user.enterprise_liaison.enterprise_id, []).append(user)
    return found


def notice_push(
    *,
    acting_user,
    title: str,
    body: str,
    source_authority: str,
    deadline: datetime.datetime,
    enterprises=(),
    units=(),
    supersedes: Notice | None = None,
    version: int | None = None,
    attachments=(),
    now: datetime.datetime | None = None,
) -> Notice:
    """Write a notice and push it: one receipt per recipient enterprise (those chosen and
    those of the chosen units' subtrees), a message in each liaison's inbox, the attachments
    kept under random names. A notice that replaces an earlier one (`supersedes`) is its next
    version unless `version` says otherwise; the earlier one stops escalating.

    Refused with a message naming the field: no recipient, a deadline not in the future, an
    earlier notice already replaced, an attachment of the wrong kind or size. Enterprises and
    units are the caller's to look up in scope (out of scope is a 404 there)."""
    now = now or timezone.now()
    if not acting_user.has_perm("enterprises.add_notice"):
        raise PermissionDenied(_("Your role may not push notices."))
    if deadline is not None and timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)  # a time without its zone is China time
    errors = {}
    recipients = _recipients(acting_user=acting_user, enterprises=enterprises, units=units)
    if not recipients:
        errors["enterprises"] = (
            _("The chosen units have no enterprises: choose enterprises or other units.")
            if units and not enterprises
            else _("Choose at least one enterprise or unit to push the notice to.")
        )
    if deadline is not None and deadline <= now:
        errors["deadline"] = _("The deadline to confirm must be in the future.")
    if supersedes is not None:
        if supersedes.is_superseded:
            errors["supersedes"] = _(
                "“%(title)s” has already been replaced by a newer version; replace that one."
            ) % {"title": supersedes.title}
        elif version is not None and version <= supersedes.version:
            errors["version"] = _(
                "A new version must have a higher number than the one it replaces (%(version)d)."
            ) % {"version": supersedes.version}
    if errors:
        raise ValidationError(errors)
    checked = _attachments_check(list(attachments))
    if version is None:
        version = supersedes.version + 1 if supersedes is not None else 1
    notice = Notice(
        unit=_issuing_unit(acting_user),
        title=title.strip(),
        body=body.strip(),
        source_authority=source_authority.strip(),
        version=version,
        supersedes=supersedes,
        deadline=deadline,
        pushed_at=now,
        created_by=acting_user,
    )
    notice.full_clean(exclude=["unit", "supersedes", "created_by"])
    kept = [
        NoticeAttachment(notice=notice, original_name=name, size=file.size or 0)
        for file, name in checked
    ]
    with ExitStack() as stack:
        for record, (file, name) in zip(kept, checked, strict=True):
            stack.enter_context(upload_kept(record, file, name))
        with transaction.atomic():
            save_audited(notice, acting_user=acting_user)
            notice.target_units.set(units)
            for record in kept:
                record.notice = notice
            NoticeAttachment.objects.bulk_create(kept)
            bulk_create_with_history(
                [NoticeReceipt(notice=notice, enterprise=e) for e in recipients],
                NoticeReceipt,
                default_user=acting_user,
            )
            assert_in_scope(notice, acting_user, "view")
            transaction.on_commit(lambda: _tell_liaisons(notice, [e.pk for e in recipients]))
    return notice


def _tell_liaisons(notice: Notice, enterprise_ids: list[int]) -> None:
    liaisons = [user for users in _liaisons(enterprise_ids).values() for user in users]
    if not liaisons:
        return

    def compose():
        subject = _("New notice to confirm: %(title)s") % {"title": notice.title}
        body = _("From %(authority)s. Read it and confirm by %(deadline)s.") % {
            "authority": notice.source_authority,
            "deadline": _local_time(notice.deadline),
        }
        return subject, body

    notification_send(
        recipients=liaisons,
        kind=MessageKind.OTHER,
        compose=compose,
        url=notice.get_absolute_url(),
    )


# ---------------------------------------------------------------------------- confirm


def may_confirm(user, receipt: NoticeReceipt) -> bool:
    """The enterprise's own liaison, or an officer who may change receipts (recording the
    liaison's word on the phone)."""
    enterprise = enterprise_of_liaison(user)
    if enterprise is not None:
        return enterprise.pk == receipt.enterprise_id
    return user.has_perm("enterprises.change_noticereceipt")


@transaction.atomic
def receipt_confirm(
    *, acting_user, receipt: NoticeReceipt, now: datetime.datetime | None = None
) -> NoticeReceipt:
    """Confirm that the enterprise has read the notice (阅知确认): by its liaison, or by an
    officer on the liaison's word by phone. Confirming again changes nothing."""
    now = now or timezone.now()
    if not may_confirm(acting_user, receipt):
        raise PermissionDenied(_("Only the enterprise's liaison or its officer may confirm."))
    current = NoticeReceipt.objects.select_for_update().get(pk=receipt.pk)
    if current.confirmed_at is not None:
        return current
    via = (
        ConfirmedVia.LIAISON
        if enterprise_of_liaison(acting_user) is not None
        else ConfirmedVia.PHONE
    )
    current.confirmed_at, current.confirmed_by, current.confirmed_via = now, acting_user, via
    save_audited(
        current,
        acting_user=acting_user,
        update_fields=["confirmed_at", "confirmed_by", "confirmed_via"],
    )
    return current


# ---------------------------------------------------------------------------- escalation


def responsible_officer(enterprise):
    """The community police officer of the enterprise's unit: an active officer of the
    nearest unit above the enterprise (its own unit included) that has one; None when no
    unit up the tree has an officer."""
    paths = lineage_paths(enterprise.unit.path)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.POLICE_OFFICER.value,
            staff_profile__unit__path__in=paths,
        )
        .select_related("staff_profile")
        .order_by(Length("staff_profile__unit__path").desc(), "pk")
        .first()
    )


def _call_officer(receipt: NoticeReceipt, now) -> tuple:
    """The officer on duty at the enterprise platform's watch over the enterprise's unit by
    the duty roster; with nobody rostered, the enterprise's responsible officer (or the
    notice's author) and the warning the escalation step shows."""
    unit = receipt.enterprise.unit
    rostered = on_duty_users(unit, post_kind=PLATFORM_WATCH, role=Role.POLICE_OFFICER, at=now)
    if rostered:
        return rostered[0], ""
    officer = responsible_officer(receipt.enterprise) or receipt.notice.created_by
    return officer, fallback_warning(_("the enterprise platform's watch"), unit)


def _reminder(receipt: NoticeReceipt):
    notice = receipt.notice

    def compose():
        subject = _("Please confirm the notice: %(title)s") % {"title": notice.title}
        body = _(
            "The notice from %(authority)s was to be confirmed by %(deadline)s and "
            "%(enterprise)s has not confirmed it yet. Open it and confirm that you have read it."
        ) % {
            "authority": notice.source_authority,
            "deadline": _local_time(notice.deadline),
            "enterprise": receipt.enterprise.name,
        }
        return subject, body

    return compose


def _call_text(receipt: NoticeReceipt):
    notice = receipt.notice

    def compose():
        subject = _("Phone %(enterprise)s about a notice") % {"enterprise": receipt.enterprise.name}
        body = _(
            "%(enterprise)s has not confirmed “%(title)s” (due %(deadline)s) after a reminder "
            "in the inbox and by SMS. Phone its liaison and record the call."
        ) % {
            "enterprise": receipt.enterprise.name,
            "title": notice.title,
            "deadline": _local_time(notice.deadline),
        }
        return subject, body

    return compose


def _names(users) -> str:
    return "、".join(str(getattr(user, "staff_profile", None) or user.username) for user in users)


def _step(receipt, step, now, by, detail: str) -> NoticeEscalation:
    return NoticeEscalation.objects.create(
        receipt=receipt, step=step, at=now, by=by, detail=detail[:300]
    )


def _escalate(receipt: NoticeReceipt, *, now, acting_user=None) -> NoticeEscalation:
    """Move one unconfirmed receipt one step up the ladder and log the step."""
    liaisons = _liaisons([receipt.enterprise_id]).get(receipt.enterprise_id, [])
    level = receipt.escalation_level
    update = ["escalation_level", "escalated_at"]
    if level == EscalationLevel.NONE:
        if liaisons:
            notification_send(
                recipients=liaisons,
                kind=MessageKind.REMINDER,
                compose=_reminder(receipt),
                url=receipt.notice.get_absolute_url(),
            )
            detail = _("To %(names)s.") % {"names": _names(liaisons)}
        else:
            detail = _("No liaison is bound to the enterprise: nobody to remind.")
        entry = _step(receipt, EscalationStep.INBOX, now, acting_user, detail)
    elif level == EscalationLevel.INBOX:
        phones = [u for u in liaisons if getattr(getattr(u, "staff_profile", None), "phone", "")]
        if liaisons and phones and sms_configured():
            entry = _step(
                receipt,
                EscalationStep.SMS,
                now,
                acting_user,
                _("To %(names)s.") % {"names": _names(phones)},
            )
            # Labelled with the step: the step's page shows the SMS's delivery state, and
            # an SMS that did not reach anyone lets the ladder go on at once.
            notification_send(
                recipients=liaisons,
                kind=MessageKind.REMINDER,
                compose=_reminder(receipt),
                url=receipt.notice.get_absolute_url(),
                channels=(Channel.SMS,),
                about=entry.delivery_about,
            )
        else:
            if not liaisons:
                why = _("No liaison is bound to the enterprise.")
            elif not sms_configured():
                why = _("No SMS service is configured.")
            else:
                why = _("The liaison has no mobile phone on record.")
            entry = _step(receipt, EscalationStep.SMS_UNAVAILABLE, now, acting_user, why)
    elif level == EscalationLevel.SMS:
        officer, warning = _call_officer(receipt, now)
        receipt.call_officer = officer
        update.append("call_officer")
        notification_send(
            recipients=[officer],
            kind=MessageKind.ASSIGNMENT,
            compose=_call_text(receipt),
            url=receipt.notice.get_absolute_url(),
        )
        detail = [_("To %(names)s.") % {"names": _names([officer])}, warning]
        if _sms_not_reached(receipt):
            detail.append(_("The SMS did not reach the liaison."))
        entry = _step(
            receipt, EscalationStep.CALL_TASK, now, acting_user, " ".join(filter(None, detail))
        )
    else:
        raise ValidationError(_("The escalation has reached its last step: the phone call."))
    receipt.escalation_level = level + 1
    receipt.escalated_at = now
    save_audited(receipt, acting_user=acting_user, update_fields=update)
    return entry


def _locked(receipt: NoticeReceipt) -> NoticeReceipt:
    return (
        NoticeReceipt.objects.select_for_update(of=("self",))
        .select_related("notice", "enterprise__unit")
        .get(pk=receipt.pk)
    )


@transaction.atomic
def receipt_escalate(
    *, acting_user, receipt: NoticeReceipt, now: datetime.datetime | None = None
) -> NoticeEscalation:
    """An officer escalates an unconfirmed receipt one step now, deadline or not (催办)."""
    now = now or timezone.now()
    if not acting_user.has_perm("enterprises.change_noticereceipt"):
        raise PermissionDenied(_("Your role may not escalate notices."))
    current = _locked(receipt)
    if current.confirmed_at is not None:
        raise ValidationError(_("The enterprise has confirmed this notice: nothing to escalate."))
    if current.notice.is_superseded:
        raise ValidationError(_("This notice has been replaced: escalate the new version."))
    if current.escalation_level >= EscalationLevel.CALL:
        raise ValidationError(_("The escalation has reached its last step: the phone call."))
    entry = _escalate(current, now=now, acting_user=acting_user)
    assert_in_scope(current, acting_user, "change")
    return entry


def _sms_step(receipt: NoticeReceipt) -> NoticeEscalation | None:
    return (
        NoticeEscalation.objects.filter(receipt=receipt, step=EscalationStep.SMS)
        .order_by("-at", "-pk")
        .first()
    )


def _sms_not_reached(receipt: NoticeReceipt) -> bool:
    """Whether the ladder's SMS failed for every liaison (or its outcome is unknown)."""
    step = _sms_step(receipt)
    return step is not None and sms_not_reached(step.delivery_about)


def _sms_failed_ids(now: datetime.datetime) -> list[int]:
    """Receipts whose SMS step is not yet STEP_INTERVAL old but whose SMS reached nobody
    (the provider refused it, its receipt said failed, its outcome is unknown): the
    ladder need not wait for an SMS that will not come."""
    waiting = NoticeReceipt.objects.filter(
        escalation_level=EscalationLevel.SMS,
        escalated_at__gt=now - STEP_INTERVAL,
        confirmed_at__isnull=True,
        notice__deadline__lte=now,
        notice__superseded_by__isnull=True,
    )
    return [receipt.pk for receipt in waiting if _sms_not_reached(receipt)]


def _due_receipts(now: datetime.datetime):
    """Unconfirmed receipts of notices past their deadline and not replaced, whose next step
    is due: the first as soon as the deadline has passed, each next one STEP_INTERVAL after
    the previous, or at once after an SMS that reached nobody."""
    return NoticeReceipt.objects.filter(
        Q(escalation_level=EscalationLevel.NONE)
        | Q(escalation_level__lt=EscalationLevel.CALL, escalated_at__lte=now - STEP_INTERVAL)
        | Q(pk__in=_sms_failed_ids(now)),
        confirmed_at__isnull=True,
        notice__deadline__lte=now,
        notice__superseded_by__isnull=True,
    )


@transaction.atomic
def notices_escalate(*, now: datetime.datetime) -> list[NoticeEscalation]:
    """The scheduled job: move every receipt whose next step is due one step up the ladder.
    Safe to run twice for the same moment, and on several workers (rows taken by another
    worker are skipped)."""
    due = list(
        _due_receipts(now)
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("notice", "enterprise__unit")
        .order_by("notice__deadline", "pk")
    )
    return [_escalate(receipt, now=now) for receipt in due]


@transaction.atomic
def receipt_call_record(
    *,
    acting_user,
    receipt: NoticeReceipt,
    confirmed: bool,
    note: str = "",
    now: datetime.datetime | None = None,
) -> NoticeReceipt:
    """The officer made the phone call of the ladder's last step: logged with its note;
    when the liaison said the enterprise has read the notice, the receipt is confirmed on
    their word."""
    now = now or timezone.now()
    if not acting_user.has_perm("enterprises.change_noticereceipt"):
        raise PermissionDenied(_("Your role may not record calls."))
    current = _locked(receipt)
    if not current.call_due:
        raise ValidationError(_("No phone call is waiting for this enterprise."))
    note = note.strip()
    if not confirmed and not note:
        raise ValidationError({"note": _("Say what the call gave: who answered, what was said.")})
    current.call_done_at = now
    save_audited(current, acting_user=acting_user, update_fields=["call_done_at"])
    if confirmed:
        detail = (
            _("%(note)s (confirmed on the phone)") % {"note": note}
            if note
            else _("The liaison confirmed on the phone.")
        )
    else:
        detail = note
    _step(current, EscalationStep.CALL_MADE, now, acting_user, detail)
    if confirmed:
        current = receipt_confirm(acting_user=acting_user, receipt=current, now=now)
    assert_in_scope(current, acting_user, "change")
    return current
