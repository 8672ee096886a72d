from django.contrib import admin

from outpost.publicorder.models import ChecklistItem, VenueKind


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(VenueKind)
class VenueKindAdmin(admin.ModelAdmin):
    """Venue kinds and their checklists are configured here (reference data)."""

    list_display = ("name", "name_en", "code", "order", "is_active")
    inlines = [ChecklistItemInline]
