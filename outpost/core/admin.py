"""Django admin: configuration records for administrators only (no residents' data here)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from outpost.core.boundaries import read_bounded, unit_boundaries_import
from outpost.core.models import AccessLog, Organisation, StaffProfile, Unit
from outpost.core.services import unit_save


class BoundariesForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("GeoJSON file"),
        help_text=gettext_lazy(
            "A FeatureCollection of Polygon or MultiPolygon features, each with the unit's "
            "code in its properties (code)."
        ),
    )


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent"]

    change_list_template = "admin/core/unit/change_list.html"

    def save_model(self, request, obj, form, change):
        unit_save(acting_user=request.user, unit=obj)

    def get_urls(self):
        view = self.admin_site.admin_view(self.boundaries_view)
        return [path("boundaries/", view, name="core_unit_boundaries"), *super().get_urls()]

    def boundaries_view(self, request):
        """Upload a GeoJSON FeatureCollection: every feature checked, all or nothing; the
        file is read no further than the limit, whatever size the upload declares."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = BoundariesForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                data = read_bounded(form.cleaned_data["file"])
                units = unit_boundaries_import(data=data, acting_user=request.user)
            except ValidationError as exc:
                for message in exc.messages[:50]:
                    form.add_error("file", message)
            else:
                self.message_user(
                    request,
                    _("Boundaries set: %(n)d units.") % {"n": len(units)},
                    messages.SUCCESS,
                )
                return redirect("admin:core_unit_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import unit boundaries"),
        }
        return TemplateResponse(request, "admin/core/unit/boundaries.html", context)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "unit", "is_active"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["unit"]


@admin.register(StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "user", "unit", "organisation"]
    search_fields = ["display_name", "user__username"]
    raw_id_fields = ["user", "unit", "organisation"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "model_label", "subject", "row_count", "reason"]
    list_filter = ["action", "model_label"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
