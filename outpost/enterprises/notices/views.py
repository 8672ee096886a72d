"""Notice pages (权威信息推送): the list (for a liaison its notices with a big confirm
button), write and push, the notice page with who has confirmed and who has not and where
each escalation stands, confirm, escalate, the officer's phone calls, attachments."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.forms import ConfirmForm
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.enterprises.notices import selectors, services
from outpost.enterprises.notices.choices import EscalationLevel
from outpost.enterprises.notices.forms import CallForm, NoticeForm
from outpost.enterprises.notices.models import Notice, NoticeAttachment, NoticeReceipt
from outpost.enterprises.scoping import enterprise_of_liaison


class NoticeListView(ScopedListView):
    """Notices, newest first, with the receipts the user sees counted. A liaison sees the
    notices pushed to its enterprise with a big confirm button on each not confirmed yet
    (`?receipts=unconfirmed`: only those)."""

    model = Notice
    template_name = "enterprises/notices/list.html"
    paginate_by = 30

    def get_queryset(self):
        return selectors.notice_list(
            user=self.request.user, receipts=self.request.GET.get("receipts", "")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            enterprise=enterprise_of_liaison(user),
            only_unconfirmed=self.request.GET.get("receipts") == selectors.UNCONFIRMED,
            can_push=user.has_perm("enterprises.add_notice"),
        )
        return context


class NoticeNewView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Write a notice and push it to enterprises and/or units (the choices are the user's
    scope's)."""

    model = Notice
    scope_action = "add"
    permission_required = "enterprises.add_notice"
    template_name = "enterprises/notices/new.html"

    def get(self, request):
        initial = {}
        raw = request.GET.get("supersedes", "")
        if raw:
            old = get_visible(Notice, request.user, raw)
            initial = {
                "supersedes": old.pk,
                "title": old.title,
                "body": old.body,
                "source_authority": old.source_authority,
            }
        return self.render(NoticeForm(user=request.user, initial=initial))

    def post(self, request):
        form = NoticeForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_push(
                    acting_user=request.user,
                    title=data["title"],
                    body=data["body"],
                    source_authority=data["source_authority"],
                    deadline=data["deadline"],
                    enterprises=list(data["enterprises"]),
                    units=list(data["units"]),
                    supersedes=data["supersedes"],
                    version=data["version"],
                    attachments=data["attachments"],
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                count = notice.receipts.count()
                messages.success(
                    request,
                    _("Notice pushed to %(count)d enterprises.") % {"count": count},
                )
                return HttpResponseRedirect(notice.get_absolute_url())
        return self.render(form, status=422)

    def render(self, form, status=200):
        # The latest notices out there, to check before writing one again.
        latest = selectors.supersedable(user=self.request.user)[:10]
        context = {"form": form, "latest": latest}
        return render(self.request, self.template_name, context, status=status)


class NoticeDetailView(ScopedDetailView):
    """One notice: its text and attachments, what it replaces or was replaced by; for staff
    the receipts they see, counted and listed as confirmed and not confirmed (one queryset),
    each with its escalation; for a liaison its own receipt and the confirm button."""

    model = Notice
    template_name = "enterprises/notices/detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "supersedes", "superseded_by", "created_by__staff_profile")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        receipts = list(selectors.notice_receipts(user=user, notice=self.object))
        confirmed = [receipt for receipt in receipts if receipt.confirmed_at is not None]
        unconfirmed = [receipt for receipt in receipts if receipt.confirmed_at is None]
        enterprise = enterprise_of_liaison(user)
        context.update(
            enterprise=enterprise,
            own_receipt=receipts[0] if enterprise is not None and receipts else None,
            confirmed=confirmed,
            unconfirmed=unconfirmed,
            attachments=list(self.object.attachments.all()),
            can_escalate=enterprise is None
            and user.has_perm("enterprises.change_noticereceipt")
            and not self.object.is_superseded,
            can_confirm_for=enterprise is None
            and user.has_perm("enterprises.change_noticereceipt"),
            can_push=user.has_perm("enterprises.add_notice") and not self.object.is_superseded,
            last_level=EscalationLevel.CALL,
        )
        return context


class _ReceiptAction(ScopedActionView):
    model = NoticeReceipt
    http_method_names = ["post"]
    form_class = ConfirmForm

    def get_object(self):
        receipt = super().get_object()
        # The notice and the enterprise name the receipt in messages.
        return NoticeReceipt.objects.select_related("notice", "enterprise").get(pk=receipt.pk)

    def get_success_url(self, obj) -> str:
        if enterprise_of_liaison(self.request.user) is not None:
            return reverse("enterprise_notices:list")
        return obj.get_absolute_url()

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            message = self.perform(obj, {})
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.get_success_url(obj))


class ReceiptConfirmView(_ReceiptAction):
    """阅知确认: the liaison confirms its enterprise has read the notice (or an officer
    records the liaison's word on the phone). Twice is once."""

    scope_action = "view"

    def perform(self, obj, data) -> str:
        services.receipt_confirm(acting_user=self.request.user, receipt=obj)
        return _("Confirmed: %(title)s") % {"title": obj.notice.title}


class ReceiptEscalateView(_ReceiptAction):
    """An officer escalates an unconfirmed receipt one step of the ladder now."""

    scope_action = "change"

    def perform(self, obj, data) -> str:
        entry = services.receipt_escalate(acting_user=self.request.user, receipt=obj)
        return _("%(enterprise)s: %(step)s.") % {
            "enterprise": obj.enterprise.name,
            "step": entry.get_step_display(),
        }


class ReceiptCallView(ScopedActionView):
    """The officer records the phone call the ladder gave them."""

    model = NoticeReceipt
    scope_action = "change"
    form_class = CallForm
    template_name = "enterprises/notices/call.html"
    context_object_name = "receipt"

    def get_object(self):
        receipt = super().get_object()
        receipt = NoticeReceipt.objects.select_related(
            "notice", "enterprise__unit", "call_officer__staff_profile"
        ).get(pk=receipt.pk)
        if self.request.method == "GET" and not receipt.call_due:
            raise Http404  # no call waits: the page has nothing to record
        return receipt

    def get_success_url(self, obj) -> str:
        return reverse("enterprise_notices:calls") + "?mine=1"

    def perform(self, obj, data) -> str:
        services.receipt_call_record(
            acting_user=self.request.user,
            receipt=obj,
            confirmed=data["confirmed"],
            note=data["note"],
        )
        return _("Call recorded: %(enterprise)s.") % {"enterprise": obj.enterprise.name}


class CallListView(ScopedListView):
    """The phone calls of the ladder's last step waiting in the user's area (`?mine=1`: those
    given to the user, the home to-do's line)."""

    model = NoticeReceipt
    template_name = "enterprises/notices/calls.html"

    def get_queryset(self):
        return selectors.calls(user=self.request.user, mine=self.request.GET.get("mine") == "1")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mine"] = self.request.GET.get("mine") == "1"
        return context


class AttachmentDownloadView(ScopedViewMixin, View):
    """A notice's attachment, as a download under its original name (never shown inline)."""

    model = NoticeAttachment

    def get(self, request, pk):
        attachment = get_visible(NoticeAttachment, request.user, pk)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            # The record stands, its file is gone from the storage (restored without media).
            return render(request, "enterprises/notices/file_gone.html", status=410)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type="application/octet-stream",
        )
