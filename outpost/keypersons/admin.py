"""Django admin: the configuration of the key-persons module (team roles, contact rules)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outpost.keypersons.models import ContactRule, TeamRole


@admin.register(TeamRole)
class TeamRoleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_en", "code", "staff_role", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]


@admin.register(ContactRule)
class ContactRuleAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "category", "every_hours"]
