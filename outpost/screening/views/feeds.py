"""Feed pages (比对数据源): list, upload, detail with the rows and their problems.

The upload only keeps the file and queues its reading; the feed's page follows the worker's
progress (htmx polls its body every 2 s) and shows the rows once they are read."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from outpost.core.scoping import user_scope_unit
from outpost.core.viewmixins import ScopedDetailView, ScopedListView, form_add_service_errors
from outpost.screening import imports, selectors
from outpost.screening.choices import FeedStatus
from outpost.screening.forms import FeedUploadForm, ScreeningRunForm
from outpost.screening.models import Feed
from outpost.screening.services.starts import feed_upload


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
    """A feed's progress while it is read, then its counts and its rows, ID numbers and
    phones masked. htmx polls the body fragment while the feed is queued or being read."""

    model = Feed
    template_name = "screening/feed_detail.html"
    partial_template_name = "screening/partials/feed_body.html"
    rows_shown = 200

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "uploaded_by__staff_profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reading = self.object.status in (FeedStatus.QUEUED, FeedStatus.PARSING)
        errors_only = self.request.GET.get("errors") == "1"
        context.update(reading=reading, errors_only=errors_only, rows=[])
        if self.object.status in (FeedStatus.PARSED, FeedStatus.PARSED_WITH_ERRORS):
            rows = selectors.feed_rows(
                feed=self.object, user=self.request.user, errors_only=errors_only
            )
            context["rows"] = rows[: self.rows_shown]
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

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            max_rows=imports.FEED_MAX_ROWS, max_mb=imports.FEED_MAX_BYTES // (1024 * 1024), **kwargs
        )

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
        messages.success(
            self.request,
            _("The file is kept; its rows are being read. This page shows the progress."),
        )
        return HttpResponseRedirect(feed.get_absolute_url())
