"""The in-app inbox (站内消息). Every page shows only the logged-in user's own messages:
there is nothing to scope by jurisdiction, and another user's message is a 404."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, ListView

from outpost.core.viewmixins import HtmxTemplateMixin
from outpost.notify import receipts, selectors, services
from outpost.notify.forms import DeliveryPreferenceForm


class InboxView(LoginRequiredMixin, HtmxTemplateMixin, ListView):
    template_name = "notify/inbox.html"
    partial_template_name = "notify/partials/inbox_rows.html"
    paginate_by = 50
    context_object_name = "inbox"

    def get_queryset(self):
        unread_only = self.request.GET.get("unread") == "1"
        return selectors.inbox_messages(user=self.request.user, unread_only=unread_only)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_only"] = self.request.GET.get("unread") == "1"
        return context


class InboxMessageDetailView(LoginRequiredMixin, DetailView):
    """Opening a message marks it read."""

    template_name = "notify/message_detail.html"
    context_object_name = "inbox_message"

    def get_queryset(self):
        return selectors.inbox_messages(user=self.request.user)

    def get_object(self, queryset=None):
        message = super().get_object(queryset)
        return services.inbox_message_read(acting_user=self.request.user, message=message)


class InboxReadAllView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        services.inbox_read_all(acting_user=request.user)
        return HttpResponseRedirect(reverse("notify:inbox"))


class InboxMessageReadView(LoginRequiredMixin, View):
    """Mark one message read without opening it (the inbox's button; htmx swaps the row)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        message = get_object_or_404(selectors.inbox_messages(user=request.user), pk=pk)
        services.inbox_message_read(acting_user=request.user, message=message)
        if getattr(request, "htmx", False):
            return render(request, "notify/partials/inbox_row.html", {"message": message})
        return HttpResponseRedirect(reverse("notify:inbox"))


class DeliveryPreferenceView(LoginRequiredMixin, View):
    """The user's own choice per kind of message: inbox only, or inbox and SMS. SMS needs a
    phone on the staff profile and an SMS backend configured; without them the choice is
    shown, not offered."""

    template_name = "notify/preferences.html"

    def _sms(self, user) -> tuple[bool, str]:
        profile = getattr(user, "staff_profile", None)
        if not services.sms_configured():
            return False, _("No SMS service is configured here: messages come to the inbox.")
        if profile is None or not profile.phone:
            return False, _("Your staff profile has no phone number: ask your administrator.")
        return True, ""

    def _form(self, request, data=None):
        possible, reason = self._sms(request.user)
        form = DeliveryPreferenceForm(
            data,
            chosen=selectors.delivery_preferences(user=request.user),
            sms_possible=possible,
        )
        return form, possible, reason

    def get(self, request):
        form, possible, reason = self._form(request)
        context = {"form": form, "sms_possible": possible, "sms_reason": reason}
        return render(request, self.template_name, context)

    def post(self, request):
        form, possible, reason = self._form(request, request.POST)
        if not form.is_valid():
            context = {"form": form, "sms_possible": possible, "sms_reason": reason}
            return render(request, self.template_name, context, status=422)
        services.delivery_preferences_set(acting_user=request.user, choices=form.changed_choices())
        messages.success(request, _("Your notification settings are saved."))
        return HttpResponseRedirect(reverse("notify:preferences"))


@method_decorator(csrf_exempt, name="dispatch")
class ProviderReceiptView(View):
    """A provider's delivery receipts (see receipts.py): public, no login; the secret token
    in the URL is the authentication, a wrong or unset one is a 404."""

    http_method_names = ["post"]
    MAX_BYTES = 1024 * 1024

    def post(self, request, provider: str, token: str):
        if provider not in receipts.PARSERS or not receipts.receipt_token_ok(token):
            raise Http404
        try:
            if int(request.headers.get("Content-Length") or 0) > self.MAX_BYTES:
                raise ValueError
            items = json.loads(request.body or b"[]")
        except ValueError:
            return JsonResponse(receipts.REFUSED[provider], status=400)
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            return JsonResponse(receipts.REFUSED[provider], status=400)
        for receipt in receipts.PARSERS[provider](items):
            receipts.receipt_apply(receipt)
        return JsonResponse(receipts.ACCEPTED[provider], json_dumps_params={"ensure_ascii": False})
