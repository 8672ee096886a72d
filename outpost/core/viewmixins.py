"""Base views that apply jurisdiction scoping, so concrete views only declare.

A view that shows personal data subclasses `ScopedListView` or `ScopedDetailView`
(or mixes in `ScopedViewMixin`); the route-walking test in `core/tests/test_scoping.py`
fails for any other route that is not on its short list of personal-data-free routes.
"""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.views.generic import DetailView, ListView


class HtmxTemplateMixin:
    """Serve the full page, or only its fragment when htmx asks for one."""

    partial_template_name: str | None = None

    def get_template_names(self):
        if self.partial_template_name and getattr(self.request, "htmx", False):
            if not self.request.htmx.boosted:
                return [self.partial_template_name]
        return super().get_template_names()


class ScopedViewMixin(LoginRequiredMixin):
    """Reads only rows the user may see: `model.objects.visible_to(user, action)`."""

    model = None
    scope_action = "view"

    def get_scoped_queryset(self):
        return self.model.objects.visible_to(self.request.user, self.scope_action)

    def get_queryset(self):
        return self.get_scoped_queryset()


class ScopedListView(ScopedViewMixin, PermissionRequiredMixin, HtmxTemplateMixin, ListView):
    paginate_by = 50

    def get_permission_required(self):
        meta = self.model._meta
        return [f"{meta.app_label}.{self.scope_action}_{meta.model_name}"]


class ScopedDetailView(ScopedViewMixin, HtmxTemplateMixin, DetailView):
    """Out of scope, missing or not permitted: all the same 404."""

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except (ValueError, TypeError) as exc:
            raise Http404 from exc


def form_add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form that submitted it: on the named field when
    the form has it, otherwise as a form-wide error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
