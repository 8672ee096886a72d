"""Django admin: enterprises, their liaisons and contacts (for administrators)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outpost.enterprises.models import Enterprise, EnterpriseContact, EnterpriseLiaison


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "sector", "unit", "is_essential", "status"]
    list_filter = ["sector", "is_essential", "status"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["unit", "created_by"]


@admin.register(EnterpriseLiaison)
class EnterpriseLiaisonAdmin(SimpleHistoryAdmin):
    list_display = ["user", "enterprise", "bound_at"]
    raw_id_fields = ["user", "enterprise", "bound_by"]


@admin.register(EnterpriseContact)
class EnterpriseContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "enterprise", "is_active"]
    raw_id_fields = ["enterprise", "created_by"]
    # The phone is shown masked in the module's own pages, revealed with a purpose there.
    exclude = ["phone", "phone_index"]
