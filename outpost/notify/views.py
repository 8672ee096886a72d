"""The in-app inbox (站内消息). Every page shows only the logged-in user's own messages:
there is nothing to scope by jurisdiction, and another user's message is a 404."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView

from outpost.core.viewmixins import HtmxTemplateMixin
from outpost.notify import selectors, services


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
