"""Self-report links (自主上报链接) from the staff side: issue one for an episode (sent by SMS
to the person, shown once to the staff member to read out) and revoke it."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.forms import ConfirmForm
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import ScopedActionView, ScopedViewMixin
from outpost.observation.models import Episode, SelfReportLink
from outpost.observation.services.links import link_issue, link_revoke


class LinkIssueView(ScopedViewMixin, PermissionRequiredMixin, View):
    """POST: a new link for the episode, replacing the earlier one. The page that follows
    is the only place the link is ever shown."""

    model = Episode
    scope_action = "change"
    permission_required = "observation.add_selfreportlink"
    http_method_names = ["post"]

    def post(self, request, pk):
        episode = get_visible(Episode, request.user, pk, "change")
        try:
            link, url = link_issue(acting_user=request.user, episode=episode)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(episode.get_absolute_url())
        return render(
            request,
            "observation/link_issued.html",
            {"episode": episode, "link": link, "url": url, "sent_to": link.sent_to},
        )


class LinkRevokeView(PermissionRequiredMixin, ScopedActionView):
    """GET asks, POST makes the episode's current link stop working (a lost phone, a
    forwarded link)."""

    model = Episode
    scope_action = "change"
    permission_required = "observation.change_selfreportlink"
    template_name = "observation/link_revoke.html"
    context_object_name = "episode"
    form_class = ConfirmForm

    def perform(self, episode, data):
        for link in SelfReportLink.objects.filter(episode=episode, revoked_at__isnull=True):
            link_revoke(acting_user=self.request.user, link=link)
        return _("The self-report link no longer works.")
