"""Base views that apply jurisdiction scoping, so concrete views only declare.

A view that shows personal data subclasses `ScopedListView` or `ScopedDetailView`
(or mixes in `ScopedViewMixin`); the route-walking test in `core/tests/test_scoping.py`
fails for any other route that is not on its short list of personal-data-free routes.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.generic import DetailView, ListView, View

from outpost.core.pagination import AFTER, BEFORE, DeferredPaginator
from outpost.core.scoping import get_visible


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
    paginator_class = DeferredPaginator

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        paginator = super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, **kwargs
        )
        for direction in (AFTER, BEFORE):  # "Next" and "Previous" continue from a row
            raw = self.request.GET.get(direction, "")
            if raw.isdigit():
                paginator.cursor = (direction, int(raw))
        return paginator

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


class ScopedActionView(ScopedViewMixin, View):
    """One action on one record (`pk`) the user may reach with `scope_action`: its form on
    GET; on POST the form, then the service (`perform`), then a message and a redirect.

    A concrete view declares `model`, `scope_action`, `template_name` and the form
    (`form_class`, or `get_form` when the form needs the record), and implements `perform`,
    which calls the service with `acting_user` and returns the message to show. A record
    out of scope is a 404; so is a service's PermissionDenied (the user may see the record
    but not do this to it, which the page never offered); a service's ValidationError is
    shown next to the field it names, with status 422. Add `PermissionRequiredMixin` and
    `permission_required` for a model permission checked before anything is read.
    """

    form_class = None
    template_name = ""
    # The record's name in the template, beside `object`.
    context_object_name = ""
    invalid_status = 422

    def get_object(self):
        return get_visible(self.model, self.request.user, self.kwargs["pk"], self.scope_action)

    def get_form(self, obj, data=None):
        return self.form_class(data)

    def get_context(self, obj) -> dict:
        """What the template needs beside the record and the form."""
        return {}

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def perform(self, obj, data: dict) -> str:
        raise NotImplementedError

    def service_failed(self, obj, form, exc: ValidationError):
        """The form to show again after the service refused (`exc` is on it already)."""
        return form

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render(obj, self.get_form(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, request.POST)
        if form.is_valid():
            try:
                message = self.perform(obj, form.cleaned_data)
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                form = self.service_failed(obj, form, exc)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(self.get_success_url(obj))
        return self.render(obj, form, status=self.invalid_status)

    def render(self, obj, form, status=200):
        context = {"object": obj, "form": form, **self.get_context(obj)}
        if self.context_object_name:
            context[self.context_object_name] = obj
        return render(self.request, self.template_name, context, status=status)


def form_add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form that submitted it: on the named field when
    the form has it, otherwise as a form-wide error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
