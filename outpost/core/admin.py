"""Django admin: configuration records for administrators only (no residents' data here)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outpost.core.models import AccessLog, Organisation, StaffProfile, Unit
from outpost.core.services import unit_save


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        unit_save(acting_user=request.user, unit=obj)


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
