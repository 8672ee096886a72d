"""The review queue (比对人工确认): uncertain matches, a feed identity at a time, its feed rows
side by side with each candidate resident (masked), to accept or reject."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from outpost.core.viewmixins import ScopedDetailView, ScopedListView
from outpost.screening import selectors
from outpost.screening.models import ScreeningResult, ScreeningRun
from outpost.screening.services import (
    match_review_accept,
    match_review_reject,
    match_review_reject_all,
)

# A page shows at most this many candidate rows (a run with more is worked in turns).
REVIEW_RESULTS_SHOWN = 300


class ReviewListView(ScopedListView):
    """Open review items of the newest finished run of each unit the user can see."""

    model = ScreeningResult
    template_name = "screening/review_list.html"
    paginate_by = None

    def get_queryset(self):
        return selectors.review_results(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = list(context["object_list"][: REVIEW_RESULTS_SHOWN + 1])
        context.update(
            items=selectors.review_items(
                user=self.request.user, results=results[:REVIEW_RESULTS_SHOWN]
            ),
            more=len(results) > REVIEW_RESULTS_SHOWN,
            can_decide=self.request.user.has_perm("screening.add_matchdecision"),
        )
        return context


class RunReviewView(ScopedDetailView):
    """A run's review queue."""

    model = ScreeningRun
    template_name = "screening/review_run.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = list(
            selectors.review_results(user=self.request.user, run=self.object)[
                : REVIEW_RESULTS_SHOWN + 1
            ]
        )
        context.update(
            items=selectors.review_items(
                user=self.request.user, results=results[:REVIEW_RESULTS_SHOWN]
            ),
            more=len(results) > REVIEW_RESULTS_SHOWN,
            can_decide=self.request.user.has_perm("screening.add_matchdecision"),
        )
        return context


class ReviewItemView(ScopedDetailView):
    """One review item, found by any of its candidates' results. GET shows it; POST decides
    (``action`` accept / reject / reject_all): htmx gets the item's fragment back, a plain
    form a redirect to ``next``."""

    model = ScreeningResult
    template_name = "screening/review_item.html"
    partial_template_name = "screening/partials/review_item.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(run__in=ScreeningRun.objects.visible_to(self.request.user))
            .select_related("run__unit", "resident")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self._item_context(self.object))
        return context

    def _item_context(self, result, outcome: str = "") -> dict:
        user = self.request.user
        return {
            "item": selectors.review_item(
                user=user, run_id=result.run_id, identity_key=result.identity_key
            ),
            "run": result.run,
            "decided": result if outcome == "accepted" else None,
            "outcome": outcome,
            "dom_id": f"review-{result.run_id}-{result.identity_key}",
            "can_decide": user.has_perm("screening.add_matchdecision"),
            "next": self.request.POST.get("next") or self.request.get_full_path(),
        }

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("screening.add_matchdecision"):
            raise PermissionDenied
        result = self.object = self.get_object()
        action = request.POST.get("action")
        outcome = ""
        try:
            if action == "accept":
                match_review_accept(acting_user=request.user, result=result)
                outcome = "accepted"
                result.refresh_from_db()
                message = _("%(name)s is linked to the feed rows.") % {"name": result.resident.name}
            elif action == "reject":
                match_review_reject(acting_user=request.user, result=result)
                outcome = "rejected"
                message = _("%(name)s is not the person; remembered for later runs.") % {
                    "name": result.resident.name
                }
            elif action == "reject_all":
                match_review_reject_all(
                    acting_user=request.user, run=result.run, identity_key=result.identity_key
                )
                outcome = "rejected_all"
                message = _("None of the candidates is the person; remembered for later runs.")
            else:
                message = _("Choose a decision.")
        except ValidationError as exc:
            message = " ".join(exc.messages)
        if request.htmx:
            context = self._item_context(result, outcome)
            context["message"] = message
            return render(request, self.partial_template_name, context)
        messages.info(request, message)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = ""
        gone = outcome in ("rejected", "rejected_all")  # the item page would be a 404 now
        if not target or (gone and target.split("?")[0] == request.path):
            target = reverse("screening:run_review", args=[result.run_id])
        return HttpResponseRedirect(target)
