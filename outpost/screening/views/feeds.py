"""Feed pages (比对数据源): list, upload, detail with the rows and their problems."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from outpost.core.scoping import user_scope_unit
from outpost.core.viewmixins import ScopedDetailView, ScopedListView, form_add_service_errors
from outpost.screening import selectors
from outpost.screening.forms import FeedUploadForm, ScreeningRunForm
from outpost.screening.models import Feed
from outpost.screening.services import (
    feed_upload,
)


class FeedListView(ScopedListView):
    """The feeds of the user's jurisdiction, with the form that starts a screening run."""

    model = Feed
    template_name = "screening/feed_list.html"

    def get_queryset(self):
        return selectors.feed_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("screening.add_screeningrun"):
            context["run_form"] = ScreeningRunForm(
                user=user, initial={"unit": user_scope_unit(user)}
            )
        return context


class FeedDetailView(ScopedDetailView):
    """A feed's counts and its rows, ID numbers and phones masked."""

    model = Feed
    template_name = "screening/feed_detail.html"
    rows_shown = 200

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "uploaded_by__staff_profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        errors_only = self.request.GET.get("errors") == "1"
        rows = selectors.feed_rows(
            feed=self.object, user=self.request.user, errors_only=errors_only
        )
        context.update(rows=rows[: self.rows_shown], errors_only=errors_only)
        return context


class FeedUploadView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """Upload a feed into a unit of the user's subtree (a form listing unit names); lands on
    the feed's page."""

    permission_required = "screening.add_feed"
    form_class = FeedUploadForm
    template_name = "screening/feed_upload.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"unit": user_scope_unit(self.request.user)}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            feed = feed_upload(
                acting_user=self.request.user,
                unit=form.cleaned_data["unit"],
                source_type=form.cleaned_data["source_type"],
                file=upload,
                original_name=upload.name,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        if feed.error_rows:
            messages.warning(
                self.request,
                _("%(total)d rows read; %(errors)d have problems and are kept with them.")
                % {"total": feed.total_rows, "errors": feed.error_rows},
            )
        else:
            messages.success(self.request, _("%(total)d rows read.") % {"total": feed.total_rows})
        return HttpResponseRedirect(feed.get_absolute_url())
