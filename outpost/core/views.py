from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView
from django.views.i18n import set_language

from outpost.core import selectors
from outpost.core.access_log import (
    AccessLogExport,
    AccessLogFilter,
    field_labels,
    filter_unit,
    record_type_label,
    record_types,
)
from outpost.core.choices import AccessAction, AccessPurpose, UnitKind
from outpost.core.exports.tasks import export_enqueue
from outpost.core.forms import ApiTokenForm, ExportPurposeForm
from outpost.core.i18n import SESSION_LANGUAGE_KEY, is_supported
from outpost.core.models import AccessLog, Unit
from outpost.core.privacy import ProcessingRegisterExport, register_rows
from outpost.core.scoping import get_visible
from outpost.core.services import (
    api_token_create,
    api_token_revoke,
    personal_data_reveal,
    phone_call_reveal,
    staff_language_set,
)
from outpost.core.shell import home_counts, home_tiles, todo_lines
from outpost.core.viewmixins import HtmxTemplateMixin, ScopedViewMixin, form_add_service_errors


class HomeView(LoginRequiredMixin, TemplateView):
    """The start page: the day's work of the user's roles (the to-do lines the apps
    registered, each a count and the list it counts), then the tiles they may see, each
    with the number of rows of the list it opens."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        profile = getattr(user, "staff_profile", None)
        lines = todo_lines(user=user, roles=profile.roles if profile else [])
        tiles = [tile for tile in home_tiles() if user.has_perm(tile.permission)]
        counts = home_counts(lines, [tile.rows(user=user) for tile in tiles])
        # Only the work there is (and the leader's figures), so a phone shows it at once.
        context["todo"] = [line for line in lines if line.count or line.always]
        context["todo_checked"] = bool(lines)
        context["tiles"] = [
            {"label": tile.label, "url_name": tile.url_name, "count": count}
            for tile, count in zip(tiles, counts, strict=True)
        ]
        return context


class UnitListView(LoginRequiredMixin, HtmxTemplateMixin, ListView):
    """The user's part of the jurisdiction tree (not personal data: names and counts)."""

    template_name = "core/unit_list.html"
    context_object_name = "units"

    def get_queryset(self):
        return (
            Unit.objects.visible_to(self.request.user)
            .exclude(kind="grid")
            .annotate(grid_count=Count("children", filter=Q(children__kind="grid")))
        )


# The access log's export form names its purpose fields "export-purpose", "export-reason":
# the filter it carries along has a `purpose` of its own.
EXPORT_FORM_PREFIX = "export"


class AccessLogListView(LoginRequiredMixin, PermissionRequiredMixin, HtmxTemplateMixin, ListView):
    """Every reveal and export of personal data by staff of the user's subtree, filtered by
    days, user, action, unit and record; exported as xlsx below the filters."""

    permission_required = "core.view_accesslog"
    template_name = "core/access_log.html"
    partial_template_name = "core/partials/access_log_rows.html"
    context_object_name = "entries"
    paginate_by = 100
    export_form = None  # the export's purpose form, with its errors when refused

    def get(self, request, *args, **kwargs):
        # A refused export shows this page again, filtered as its form was (POST).
        params = request.POST if request.method == "POST" else request.GET
        self.access_filter = AccessLogFilter.from_params(params)
        self.unit = filter_unit(user=request.user, access_filter=self.access_filter)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.access_log_list(
            user=self.request.user, access_filter=self.access_filter, unit=self.unit
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        for entry in context["entries"]:
            entry.record_type = record_type_label(entry.model_label)
            entry.field_names = field_labels(entry.model_label, entry.fields)
        context.update(
            filter=self.access_filter,
            actions=AccessAction.choices,
            units=Unit.objects.visible_to(user).exclude(kind=UnitKind.GRID).order_by("path"),
            record_types=record_types(AccessLog.objects.visible_to(user)),
            purposes=AccessPurpose.choices,
            filtered=self.access_filter != AccessLogFilter(),
            export_form=self.export_form or ExportPurposeForm(prefix=EXPORT_FORM_PREFIX),
        )
        return context


class AccessLogExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Export the access log as filtered (POST, with the export's purpose, its fields
    prefixed "export-" apart from the filter's own `purpose`): the export is written by a
    worker through `core.exports` and is itself logged. A refusal shows the log page
    again, as filtered, with the error on the field (422)."""

    permission_required = "core.view_accesslog"
    http_method_names = ["post"]

    def post(self, request):
        access_filter = AccessLogFilter.from_params(request.POST)
        form = ExportPurposeForm(request.POST, prefix=EXPORT_FORM_PREFIX)
        if form.is_valid():
            try:
                result = export_enqueue(
                    export_name=AccessLogExport.name,
                    params=access_filter.params(),
                    request=request,
                    purpose=form.cleaned_data["purpose"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return redirect("core:export_status", result.id)
        page = AccessLogListView(export_form=form)
        page.setup(request)
        response = page.get(request)
        response.status_code = 422
        return response


class ProcessingRegisterView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The processing register (个人信息处理活动记录): every declared personal field with its
    purpose, legal basis, retention and the roles that may read, reveal and export it, as
    `privacy.register_rows` gives them (the xlsx lists the same rows)."""

    permission_required = "core.view_accesslog"
    template_name = "core/processing_register.html"

    def get_context_data(self, **kwargs):
        rows = register_rows()
        return super().get_context_data(
            rows=rows,
            model_count=len({row.model_label for row in rows}),
            sensitive_count=sum(row.sensitive for row in rows),
            **kwargs,
        )


class ProcessingRegisterExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: write the register as an xlsx in the background, then its status page."""

    permission_required = "core.view_accesslog"
    http_method_names = ["post"]

    def post(self, request):
        result = export_enqueue(
            export_name=ProcessingRegisterExport.name, params={}, request=request
        )
        return redirect("core:export_status", result.id)


# The reveal dialog's fields, to name the one an error is about.
REVEAL_FIELD_LABELS = {
    "purpose": gettext_lazy("Purpose of revealing"),
    "reason": gettext_lazy("The purpose in your words"),
}


def reveal_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(field label, message) of each error of a refused reveal."""
    if not hasattr(exc, "error_dict"):
        return [("", message) for message in exc.messages]
    return [
        (str(REVEAL_FIELD_LABELS.get(field, "")), message)
        for field, messages_ in exc.message_dict.items()
        for message in messages_
    ]


class RevealView(ScopedViewMixin, View):
    """POST a purpose (a preset, or "other" in words), get back one record's unmasked
    fields; each reveal is logged."""

    reveal_fields: tuple[str, ...] = ()
    http_method_names = ["post"]

    def post(self, request, pk):
        instance = get_visible(self.model, request.user, pk)
        purpose, reason = request.POST.get("purpose", ""), request.POST.get("reason", "")
        try:
            values = personal_data_reveal(
                acting_user=request.user,
                instance=instance,
                fields=self.reveal_fields,
                purpose=purpose,
                reason=reason,
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except PermissionDenied as exc:
            return HttpResponse(str(exc), status=403)
        except ValidationError as exc:
            context = {
                "object": instance,
                "errors": reveal_errors(exc),
                "reveal_url": request.path,
                "purpose": purpose,
                "reason": reason,
            }
            return render(request, "core/partials/reveal_form.html", context, status=422)
        labels = {f: instance._meta.get_field(f).verbose_name for f in self.reveal_fields}
        return render(
            request,
            "core/partials/revealed.html",
            {"values": [(labels[f], v) for f, v in values.items()]},
        )


class CallView(ScopedViewMixin, View):
    """POST only (a GET never reveals): the phone number of one of the user's own records
    for a call, logged with the purpose "phone contact"; answers the call link (`tel:`),
    as an htmx fragment in place of the call button or as a small page.

    A subclass names the `model` and implements `phone_of` and `may_call` (the record is
    the user's own: their grid, their jurisdiction, their four-on-one place)."""

    http_method_names = ["post"]
    template_name = "core/call.html"
    partial_template_name = "core/partials/call_link.html"

    def phone_of(self, instance) -> str:
        return getattr(instance, "phone", "")

    def may_call(self, user, instance) -> bool:
        raise NotImplementedError

    def post(self, request, pk):
        instance = get_visible(self.model, request.user, pk)
        if not self.may_call(request.user, instance):
            raise Http404
        try:
            phone = phone_call_reveal(
                acting_user=request.user,
                instance=instance,
                phone=self.phone_of(instance),
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=422)
        template = self.partial_template_name if request.htmx else self.template_name
        context = {"object": instance, "phone": phone, "tel": tel_href(phone)}
        return render(request, template, context)


def tel_href(phone: str) -> str:
    """The `tel:` address of a stored number (digits and a leading +; a landline's dashes
    and spaces dropped)."""
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


class ApiTokenView(LoginRequiredMixin, View):
    """The user's own API tokens (接口令牌): create one (its key is shown this once), see
    when each was last used, revoke one."""

    template_name = "core/api_tokens.html"

    def _render(self, request, form, key=None):
        context = {"form": form, "tokens": selectors.api_tokens(user=request.user), "key": key}
        return render(request, self.template_name, context)

    def get(self, request):
        return self._render(request, ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, key = api_token_create(
                    acting_user=request.user,
                    name=form.cleaned_data["name"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                # Rendered, not redirected: the key exists only in this answer.
                return self._render(request, ApiTokenForm(), key=key)
        return self._render(request, form)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(selectors.api_tokens(user=request.user), pk=pk)
        api_token_revoke(acting_user=request.user, token=token)
        messages.success(request, _("The token %(name)s no longer works.") % {"name": token.name})
        return redirect("core:api_tokens")


def language_set(request):
    """Django's language switch, remembered on the signed-in user's profile."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and is_supported(language):
        staff_language_set(acting_user=request.user, language=language)
        request.session[SESSION_LANGUAGE_KEY] = language
    return response
